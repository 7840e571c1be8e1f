#!/usr/bin/env bash
# Installs what the tests need beyond Rust: the programs the terminal tests drive (tmux, less,
# tput from ncurses, python3), through apt-get when one is missing, and the test clients of
# tend's MCP server: the official MCP Python SDK (PyPI `mcp`, pinned) into .venv at the
# workspace root. Idempotent; safe to run concurrently. The tests of crates/tend-mcp run it
# themselves.
set -euo pipefail
cd "$(dirname "$0")/.."

MCP_VERSION="2.3.0"

exec 9>"${TMPDIR:-/tmp}/tend-setup-test-env.lock"
flock 9

# Programs of the terminal tests (crates/tend-daemon/tests/tty.rs, crates/tend-cli/tests/terminal.rs).
missing=()
for pair in tmux:tmux less:less tput:ncurses-bin stty:coreutils; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
if [ "${#missing[@]}" -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -q
    $sudo apt-get install -y -q "${missing[@]}"
fi

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
