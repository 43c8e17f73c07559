#!/usr/bin/env bash
# The main job on the embedded default: SQLite + the server-less broker, localstripe, a Celery
# worker and the web server. Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
unset DATABASE_URL REDIS_URL CELERY_BROKER_URL
export DJANGO_SETTINGS_MODULE=config.settings.local
PY=.venv/bin/python
PORT="${PORT:-8000}"
LOCALSTRIPE_PORT="${LOCALSTRIPE_PORT:-8420}"
export LOCALSTRIPE_PORT STRIPE_API_BASE="${STRIPE_API_BASE:-http://127.0.0.1:${LOCALSTRIPE_PORT}}"
mkdir -p var/log

# Everything this run starts (localstripe included, when it was not already running) is stopped on exit.
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ -n "${localstripe_pid:-}" ]; then rm -f var/localstripe.pid; fi
}
trap cleanup EXIT INT TERM

if curl -fsS -o /dev/null "http://127.0.0.1:${PORT}/healthz" 2>/dev/null || \
   (command -v ss >/dev/null && ss -ltn "sport = :${PORT}" | grep -q LISTEN); then
  echo "Port ${PORT} is already in use (another demo still running?). Stop it, or run: PORT=8001 make demo" >&2
  exit 1
fi

echo "==> localstripe (fake Stripe) on :${LOCALSTRIPE_PORT}"
# localstripe.sh writes var/localstripe.pid only when it starts one; one that was already running is not ours.
rm -f var/localstripe.pid
scripts/localstripe.sh
if [ -s var/localstripe.pid ]; then localstripe_pid=$(cat var/localstripe.pid); pids+=("$localstripe_pid"); fi
echo "==> a fresh embedded database (var/tunemarket.sqlite3) and broker (var/celery-broker.sqlite3)"
rm -f var/tunemarket.sqlite3* var/celery-broker.sqlite3* var/celerybeat-schedule*
rm -rf var/media
$PY manage.py migrate --noinput >var/log/migrate.log
$PY manage.py createcachetable
echo "==> seeding the demo marketplace"
$PY manage.py seed_demo
$PY manage.py seed_specialist_listings
echo "==> creating the licence plans in (local) Stripe and registering the webhook"
$PY manage.py stripe_sync_plans
$PY manage.py localstripe_webhook_register --url "http://127.0.0.1:${PORT}/v1/stripe/webhook"
echo "==> starting a Celery worker (queues: default, training) with its beat (the job reaper)"
.venv/bin/celery -A config worker -B -Q default,training --concurrency 1 --loglevel INFO \
  -s var/celerybeat-schedule >var/log/worker.log 2>&1 &
pids+=($!)
echo "==> starting the web server on http://127.0.0.1:${PORT}"
$PY manage.py runserver "127.0.0.1:${PORT}" --noreload >var/log/web.log 2>&1 &
web=$!
pids+=($web)
# Up to 2 minutes: on a busy machine the first request (imports, URLconf) can take a while.
for _ in $(seq 240); do
  curl -fsS -o /dev/null "http://127.0.0.1:${PORT}/healthz" 2>/dev/null && break
  kill -0 "$web" 2>/dev/null || break
  sleep 0.5
done
if ! kill -0 "$web" 2>/dev/null; then
  echo "The web server did not start; var/log/web.log says:" >&2; tail -5 var/log/web.log >&2; exit 1
fi
curl -fsS "http://127.0.0.1:${PORT}/healthz"; echo

if [ "${DEMO_FLOW:-1}" = "1" ]; then
  echo "==> the whole flow through the public API"
  $PY demo/flow.py --base-url "http://127.0.0.1:${PORT}"
fi

cat <<TXT

Tunemarket is running.
  Browse:        http://127.0.0.1:${PORT}/
  Admin:         http://127.0.0.1:${PORT}/admin/   (admin@tunemarket.test / tunemarket-demo-2026)
  API docs:      http://127.0.0.1:${PORT}/v1/docs
  Health:        http://127.0.0.1:${PORT}/healthz
Logs are in var/log/. Press Ctrl-C to stop.
TXT
if [ "${DEMO_EXIT:-0}" = "1" ]; then exit 0; fi
wait
