#!/usr/bin/env bash
# The programs the tests of crates/tend-cli run besides tend: bash (completions are sourced and
# called as at a TAB) and script(1) from util-linux (`tend ls` on a terminal). Installs them
# with the system's package manager when missing. Idempotent.
set -euo pipefail

missing=()
command -v bash >/dev/null || missing+=(bash)
command -v script >/dev/null || missing+=(script)
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
echo "installing ${missing[*]} for the CLI tests" >&2
sudo=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then
    sudo="sudo"
fi
if command -v apt-get >/dev/null; then
    $sudo apt-get install -y -q bash bsdutils util-linux >&2
elif command -v dnf >/dev/null; then
    $sudo dnf install -y -q bash util-linux >&2
elif command -v apk >/dev/null; then
    $sudo apk add -q bash util-linux-misc >&2
elif command -v brew >/dev/null; then
    brew install bash util-linux >&2
else
    echo "cannot install ${missing[*]}: no known package manager" >&2
    exit 1
fi
