#!/usr/bin/env bash
# The whole test suite, as a fresh machine runs it: installs the test clients (the MCP Python SDK
# in .venv, tmux), then formatting, lints and every crate's tests.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup-test-env.sh
./scripts/tui-deps.sh

cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
