"""gunicorn settings for the benchmark (both endpoints run in this same server).

The app is loaded once in the master and its objects are moved out of the cyclic garbage collector's
reach (gc.freeze) before the workers fork: otherwise every worker periodically walks the ~230,000
long-lived objects Django, DRF and the Stripe SDK create at import, a pause that shows up in p99.
The same two lines are recommended for production (https://docs.python.org/3/library/gc.html#gc.freeze).
"""
import gc

preload_app = True


def when_ready(server):
    gc.collect()
    gc.freeze()
