"""The listings API under load, side by side with a naive DRF list of the same rows.

    .venv/bin/python bench/listings/run.py            # seed tm_bench if needed, then measure
    .venv/bin/python bench/listings/run.py --reseed   # drop and rebuild tm_bench first

Steps: (re)create the PostgreSQL database `tm_bench`, migrate, seed 10,000 providers and 50,000 listings,
start gunicorn on the bench URLconf, then run wrk (8 connections, the same search and filter queries chosen
at random per request) against GET /v1/listings and GET /naive/listings, one after the other in the same
run. Prints requests/s and p99 latency and writes bench/listings/results.json.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.listings.settings")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

PORT = int(os.environ.get("BENCH_PORT", "8765"))
DB_NAME = "tm_bench"
ADMIN_DSN = os.environ.get("BENCH_ADMIN_DSN", "postgres://postgres@127.0.0.1:5432/postgres")


def _prepare_database(reseed: bool) -> None:
    import psycopg

    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
        if reseed and exists:
            conn.execute(f"DROP DATABASE {DB_NAME} WITH (FORCE)")
            exists = None
        if not exists:
            conn.execute(f"CREATE DATABASE {DB_NAME}")
    import django

    django.setup()
    from django.core.management import call_command

    from bench.listings import seed

    call_command("migrate", verbosity=0, interactive=False)
    if not seed.seeded():
        print(f"seeding {seed.N_PROVIDERS:,} providers and {seed.N_LISTINGS:,} listings into {DB_NAME} …")
        t0 = time.perf_counter()
        seed.seed()
        seed.vacuum_analyze()
        print(f"seeded in {time.perf_counter() - t0:.1f}s")
    else:
        print(f"{DB_NAME} already seeded (use --reseed to rebuild)")


def _paths(prefix: str) -> list[str]:
    from bench.listings.seed import BENCH_QUERIES

    return [f"{prefix}?" + urllib.parse.urlencode(query) for query in BENCH_QUERIES]


def _lua(paths: list[str]) -> Path:
    script = HERE / ".wrk-paths.lua"
    items = ",\n".join(f'  "{p}"' for p in paths)
    script.write_text(
        "math.randomseed(42)\n"
        f"local paths = {{\n{items}\n}}\n"
        "request = function()\n  return wrk.format(\"GET\", paths[math.random(#paths)])\nend\n"
    )
    return script


def _parse_wrk(out: str) -> dict:
    def ms(value: str) -> float:
        m = re.match(r"([\d.]+)(us|ms|s)", value)
        n, unit = float(m.group(1)), m.group(2)
        return n / 1000 if unit == "us" else n * 1000 if unit == "s" else n

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    p50 = ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"requests_per_s": rps, "p50_ms": round(p50, 2), "p99_ms": round(p99, 2), "requests": total,
            "non_2xx": int(non2xx.group(1)) if non2xx else 0, "socket_errors": errors.group(1) if errors else None}


def _check_responses(base: str) -> None:
    """Both endpoints answer every benchmark query with 200 and a page of rows before we measure."""
    for prefix in ("/v1/listings", "/naive/listings"):
        rows = 0
        for path in _paths(prefix):
            with urllib.request.urlopen(base + path, timeout=30) as r:
                body = json.load(r)
                n = len(body.get("data") or body.get("results") or [])
            if not n:
                raise SystemExit(f"{path} returned no rows: the query mix must measure real pages")
            rows += n
        print(f"  {prefix}: {rows} rows over {len(_paths(prefix))} queries")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--duration", type=int, default=30, help="seconds of wrk per endpoint")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install -y wrk", file=sys.stderr)
        return 2
    _prepare_database(args.reseed)

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.listings.settings", "PYTHONPATH": str(ROOT)}
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "-c", str(HERE / "gunicorn.conf.py"),
         "-b", f"127.0.0.1:{PORT}", "-w", str(args.workers), "-k", "sync", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    base = f"http://127.0.0.1:{PORT}"
    results: dict = {}
    load_before = [round(x, 2) for x in os.getloadavg()]
    print(f"load average before measuring: {load_before} (other processes on this machine skew the numbers)")
    try:
        # Up to 4 minutes: on a busy machine four workers take a while to import the app.
        for _ in range(480):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except Exception:  # noqa: BLE001 - not up yet
                if gunicorn.poll() is not None:
                    raise SystemExit(f"gunicorn exited with {gunicorn.returncode}")
                time.sleep(0.5)
        else:
            raise SystemExit("gunicorn did not answer /healthz within 4 minutes")
        _check_responses(base)
        for name, prefix in (("tunemarket /v1/listings", "/v1/listings"), ("naive DRF /naive/listings", "/naive/listings")):
            script = _lua(_paths(prefix))
            # One wrk thread drives 8 connections easily and leaves the two cores to the server under test.
            cmd = ["wrk", "-t", "1", "-c", str(args.connections), "--latency", "-s", str(script), base]
            subprocess.run([*cmd[:-1], "-d", "5s", base], check=True, capture_output=True)  # warm-up
            out = subprocess.run([*cmd[:-1], "-d", f"{args.duration}s", base], check=True, capture_output=True,
                                 text=True).stdout
            results[name] = _parse_wrk(out)
            print(f"{name}: {results[name]}")
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        try:
            gunicorn.wait(timeout=120)
        except subprocess.TimeoutExpired:  # a busy machine: do not leave it running
            gunicorn.kill()
            gunicorn.wait()
        (HERE / ".wrk-paths.lua").unlink(missing_ok=True)
    ours, peer = results["tunemarket /v1/listings"], results["naive DRF /naive/listings"]
    summary = {
        "machine": f"{os.cpu_count()} CPU cores", "load_average_before": load_before, "connections": args.connections, "duration_s": args.duration,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "gunicorn_workers": args.workers, "queries": len(_paths("")), "results": results,
        "throughput_ratio": round(ours["requests_per_s"] / peer["requests_per_s"], 2),
        "targets": {"ratio>=1.5": ours["requests_per_s"] >= 1.5 * peer["requests_per_s"], "p99<100ms": ours["p99_ms"] < 100},
    }
    (HERE / "results.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
