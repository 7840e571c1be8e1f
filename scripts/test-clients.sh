#!/usr/bin/env bash
# The tests of the clients (clients/python with pytest, clients/typescript with node's test
# runner) against real daemons of the `tend` binary: $TEND_BIN, else built with cargo. Expects
# scripts/setup-test-env.sh to have run. A runner that ran no test fails.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${TEND_BIN:-}" ]; then
    cargo build --quiet --locked -p tend-cli --bin tend
    TEND_BIN="$(pwd)/${CARGO_TARGET_DIR:-target}/debug/tend"
    case "${CARGO_TARGET_DIR:-}" in /*) TEND_BIN="$CARGO_TARGET_DIR/debug/tend" ;; esac
fi
export TEND_BIN

status=0
.venv/bin/python -m pytest -q -p no:cacheprovider clients/python || status=$?
if [ "$status" -eq 5 ]; then
    echo "pytest ran no test in clients/python" >&2
    exit 1
elif [ "$status" -ne 0 ]; then
    exit "$status"
fi

cd clients/typescript
npm run --silent build
npm test --silent
