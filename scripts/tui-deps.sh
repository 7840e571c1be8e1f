#!/usr/bin/env bash
# Installs what the terminal UI's end-to-end test and benchmark need beyond Rust: tmux.
set -euo pipefail

if ! command -v tmux >/dev/null 2>&1; then
    apt-get update
    apt-get install -y tmux
fi
tmux -V
