"""Run the real localstripe server for the payments tests, without its on-disk snapshot.

localstripe pickles its whole store to the fixed path /tmp/localstripe.pickle after every write. The
shared development instance on :8420 writes the same file, so a second process would race it (and
a later start without --from-scratch could load our test data). Everything else is localstripe as
shipped: `python tests/payments/localstripe_server.py --from-scratch --port 8421`.

It also exits when the pytest process that started it is gone, so a killed test run leaves nothing behind.
"""
import os
import threading
import time

import localstripe.resources
from localstripe.server import start

localstripe.resources.Store.dump_to_disk = lambda self: None


def _exit_with_parent() -> None:
    parent = os.getppid()
    while True:
        time.sleep(1)
        if os.getppid() != parent:
            os._exit(0)


if __name__ == "__main__":
    threading.Thread(target=_exit_with_parent, daemon=True).start()
    start()
