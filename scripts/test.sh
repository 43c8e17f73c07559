#!/usr/bin/env bash
# The whole suite on PostgreSQL + Redis (as in production), then the `embedded` part on SQLite + the
# server-less broker so the first-run default stays true. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
PY=.venv/bin/python

echo "== tests on PostgreSQL + Redis =="
DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/tunemarket}" \
REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}" \
  $PY -m pytest --create-db "$@"

echo "== embedded default (SQLite + server-less broker) =="
env -u DATABASE_URL -u REDIS_URL -u CELERY_BROKER_URL TUNEMARKET_VAR_DIR="$(mktemp -d)" \
  $PY -m pytest -m embedded -p no:cacheprovider "$@"
