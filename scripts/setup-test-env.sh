#!/usr/bin/env bash
# Installs what the tests need besides Rust: the programs of the CLI tests (bash, script(1):
# scripts/setup-cli-tools.sh) and the test clients of tend's MCP server, the official MCP Python
# SDK (PyPI `mcp`, pinned), into .venv at the workspace root. Idempotent; safe to run concurrently. The tests of
# crates/tend-mcp run it themselves.
set -euo pipefail
cd "$(dirname "$0")/.."

MCP_VERSION="2.3.0"

exec 9>"${TMPDIR:-/tmp}/tend-setup-test-env.lock"
flock 9

scripts/setup-cli-tools.sh

installed() {
    [ -x .venv/bin/python ] && .venv/bin/python - "$MCP_VERSION" <<'PY' 2>/dev/null
import sys
from importlib.metadata import version
sys.exit(0 if version("mcp") == sys.argv[1] else 1)
PY
}

if installed; then
    exit 0
fi
python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check "mcp==${MCP_VERSION}"
installed
echo "installed mcp ${MCP_VERSION} into $(pwd)/.venv" >&2
