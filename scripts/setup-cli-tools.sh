#!/usr/bin/env bash
# The programs the tests run besides tend: bash (completions are sourced and called as at a
# TAB), script(1) from util-linux (`tend ls` on a terminal), and what the terminal tests drive
# (crates/tend-daemon/tests/tty.rs, crates/tend-cli/tests/terminal.rs): tmux, less, tput from
# ncurses and stty. Installs the missing ones with the system's package manager. Idempotent.
set -euo pipefail

# command:package (Debian's names; other package managers are given the same names).
needed=(bash:bash script:bsdutils tmux:tmux less:less tput:ncurses-bin stty:coreutils)
missing=()
for pair in "${needed[@]}"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
echo "installing ${missing[*]} for the tests" >&2
sudo=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then
    sudo="sudo"
fi
if command -v apt-get >/dev/null; then
    $sudo apt-get update -q >&2
    $sudo apt-get install -y -q "${missing[@]}" util-linux >&2
elif command -v dnf >/dev/null; then
    $sudo dnf install -y -q "${missing[@]/bsdutils/util-linux}" >&2
elif command -v apk >/dev/null; then
    $sudo apk add -q "${missing[@]/bsdutils/util-linux-misc}" >&2
elif command -v brew >/dev/null; then
    brew install "${missing[@]/bsdutils/util-linux}" >&2
else
    echo "cannot install ${missing[*]}: no known package manager" >&2
    exit 1
fi
