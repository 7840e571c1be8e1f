#!/usr/bin/env bash
# Installs what the tests need besides Rust: the programs the tests drive (bash, script(1),
# tmux, less, tput, stty: scripts/setup-cli-tools.sh), and the test clients into .venv at the
# workspace root: the official MCP Python SDK (PyPI `mcp`) for the tests of crates/tend-mcp, and for the
# clients' tests pytest, the OpenAPI validator and generator, and clients/python itself
# (editable). Then the Node packages of clients/typescript (scripts/setup-node-clients.sh).
# Pinned, idempotent, safe to run concurrently. The tests of crates/tend-mcp run it themselves.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
    "mcp==2.3.0"
    "pytest==9.2.0"
    "openapi-spec-validator==0.9.0"
    "openapi-python-client==0.29.1"
)

exec 9>"${TMPDIR:-/tmp}/tend-setup-test-env.lock"
flock 9

scripts/setup-cli-tools.sh

installed() {
    [ -x .venv/bin/python ] && .venv/bin/python - "${PACKAGES[@]}" <<'PY' 2>/dev/null
import sys
from importlib.metadata import version
for pin in sys.argv[1:]:
    name, wanted = pin.split("==")
    if version(name) != wanted:
        sys.exit(1)
import tend_client  # clients/python, editable
PY
}

if ! installed; then
    python3 -m venv .venv
    .venv/bin/pip install -q --disable-pip-version-check "${PACKAGES[@]}"
    .venv/bin/pip install -q --disable-pip-version-check -e clients/python
    installed
    echo "installed ${PACKAGES[*]} and clients/python into $(pwd)/.venv" >&2
fi

./scripts/setup-node-clients.sh
