#!/usr/bin/env bash
# The long fuzzing run: scripts/fuzz_api.sh (which CI runs with a small budget) with more examples per
# operation and schemathesis's coverage phase (boundary and invalid values for every parameter).
#
#   bench/fuzz_api.sh                # about 10-20 minutes on this machine
#   EXAMPLES=50 bench/fuzz_api.sh
set -euo pipefail
cd "$(dirname "$0")/.."
EXAMPLES=${EXAMPLES:-10} BOUND=${BOUND:-1200} PHASES=${PHASES:-examples,coverage,fuzzing} exec scripts/fuzz_api.sh
