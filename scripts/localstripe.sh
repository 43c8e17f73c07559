#!/usr/bin/env bash
# Start localstripe (a stateful fake Stripe from PyPI) on 127.0.0.1:8420 unless it already answers.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var/log
PORT="${LOCALSTRIPE_PORT:-8420}"
if curl -fsS -o /dev/null "http://127.0.0.1:${PORT}/v1/customers" -u sk_test_probe: 2>/dev/null; then
  exit 0
fi
echo "starting localstripe on port ${PORT}"
nohup .venv/bin/localstripe --from-scratch --port "${PORT}" >var/log/localstripe.log 2>&1 &
echo $! > var/localstripe.pid
for _ in $(seq 60); do
  curl -fsS -o /dev/null "http://127.0.0.1:${PORT}/v1/customers" -u sk_test_probe: 2>/dev/null && exit 0
  sleep 0.5
done
echo "localstripe did not start; see var/log/localstripe.log" >&2
kill "$(cat var/localstripe.pid)" 2>/dev/null || true
rm -f var/localstripe.pid
exit 1
