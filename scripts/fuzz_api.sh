#!/usr/bin/env bash
# Property-based fuzzing of the public API with schemathesis against /v1/schema, on a real server (runserver
# on a fresh SQLite file under a temporary TUNEMARKET_VAR_DIR, 127.0.0.1 only) with real API keys: a licensed
# customer's for every operation but the provider's, then an approved provider's for the provider's own.
# scripts/fuzz_seed.py gives both some data (a listing, a file, a job in the provider's inbox) and the ids go
# into the path parameters, so cases reach the code behind an id instead of stopping at a 404.
#
# Checks: no 5xx (not_a_server_error), and the schema matches what the server returns: every status code is
# documented for its operation (status_code_conformance), with its documented media type
# (content_type_conformance) and body (response_schema_conformance; errors: core/schema.py).
#
#   scripts/fuzz_api.sh              # CI budget: EXAMPLES=4 per operation; each key's run is cut at BOUND=150 s
#   bench/fuzz_api.sh                # the bench run: EXAMPLES=10, the coverage phase too, BOUND=1200 s
#
# schemathesis lives in its own venv (bench/.venv-fuzz), never in the project's.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-8765}
EXAMPLES=${EXAMPLES:-4}
BOUND=${BOUND:-150}
SEED=${SEED:-2026}
# CI: the schema's examples and generated cases; the bench adds the coverage phase (boundary values, many
# more cases per operation).
PHASES=${PHASES:-examples,fuzzing}
CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
if [ ! -x bench/.venv-fuzz/bin/st ]; then
  python3 -m venv bench/.venv-fuzz
  bench/.venv-fuzz/bin/pip install -q schemathesis==4.32.5
fi
VAR=$(mktemp -d)
export TUNEMARKET_VAR_DIR=$VAR DJANGO_SETTINGS_MODULE=config.settings.local HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
# The server's own throttles would answer the fuzzer 429 after a minute; the fuzzer is one client on 127.0.0.1.
export THROTTLE_USER=100000/min THROTTLE_ANON=100000/min THROTTLE_CHAT=100000/min
# The model cache stays the repository's (the tokenizer counts upload tokens); only the data is fresh.
export TUNEMARKET_MODEL_CACHE=${TUNEMARKET_MODEL_CACHE:-$PWD/var/models}
unset DATABASE_URL REDIS_URL CELERY_BROKER_URL
.venv/bin/python manage.py migrate -v 0
SEEDED=$(.venv/bin/python manage.py shell -c "exec(open('scripts/fuzz_seed.py').read())" | tail -1)
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$SEEDED" "$1"; }
cat > "$VAR/schemathesis.toml" <<TOML
[parameters]
job_id = "$(field job_id)"
file_id = "$(field file_id)"
listing_id = "$(field listing_id)"
provider_id = "$(field provider_id)"
key_id = "$(field key_id)"
model_id = "$(field model_id)"
TOML
.venv/bin/python manage.py runserver "127.0.0.1:$PORT" --noreload > "$VAR/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$VAR"' EXIT
for _ in $(seq 60); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 1; done
ST=(timeout "$BOUND" bench/.venv-fuzz/bin/st --config-file "$VAR/schemathesis.toml" run
    "http://127.0.0.1:$PORT/v1/schema" --checks "$CHECKS" --max-examples "$EXAMPLES" --seed "$SEED" --workers 1
    --phases "$PHASES" --generation-deterministic)
# Not fuzzed: the webhook (signed bodies only; tests/payments prove its verification), downloads (binary
# bodies), the sign-in endpoints (their per-address throttle and lockout turn every later case into a 429,
# by design), and licence cancel (the seeded licence row names a subscription localstripe does not know).
SKIP="stripe/webhook|/download|auth/token|auth/register|licenses/current/cancel"
status=0
echo "== as the licensed customer =="
"${ST[@]}" -H "Authorization: Bearer $(field customer_key)" --exclude-path-regex "$SKIP|/v1/provider/" || status=1
echo "== as the approved provider =="
"${ST[@]}" -H "Authorization: Bearer $(field provider_key)" --include-path-regex "/v1/provider/|/v1/listings" || status=1
if grep -q "Internal Server Error" "$VAR/server.log"; then
  echo "The server logged errors:"; grep -A20 "Internal Server Error" "$VAR/server.log" | head -60
  status=1
fi
exit $status
