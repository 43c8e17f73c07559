"""Database time per request, ours against the naive peer, on tm_bench: every query a request runs is
re-run under EXPLAIN ANALYZE and its execution time summed. One request at a time, in process, so the
figure says what the SQL costs, apart from the web server's CPU and the machine's other load.

    .venv/bin/python bench/listings/db_time.py      # after run.py has seeded tm_bench
"""
import json
import os
import statistics
import sys
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.listings.settings")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.listings.seed import BENCH_QUERIES  # noqa: E402


def db_ms(client: Client, path: str) -> tuple[float, int]:
    client.get(path)  # warm the connection and the caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    total = 0.0
    with connection.cursor() as cur:
        for query in ctx.captured_queries:
            if query["sql"].lstrip().upper().startswith("SELECT"):
                cur.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + query["sql"])
                total += cur.fetchone()[0][0]["Execution Time"]
    return total, len(ctx.captured_queries)


def main() -> None:
    client = Client(HTTP_HOST="localhost")
    summary = {}
    for prefix in ("/v1/listings", "/naive/listings"):
        rows = []
        for query in BENCH_QUERIES:
            ms, n = db_ms(client, f"{prefix}?" + urllib.parse.urlencode(query))
            rows.append(ms)
            print(f"{prefix:16} {ms:7.1f} ms  {n} SQL  {query}")
        summary[prefix] = {"db_ms_median": round(statistics.median(rows), 1), "db_ms_max": round(max(rows), 1)}
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
