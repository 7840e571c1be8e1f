#!/usr/bin/env bash
# The whole test suite, as a fresh machine runs it: installs the test clients (the MCP Python SDK
# and the clients' test packages in .venv, the Node packages of clients/typescript, tmux), then
# formatting, lints and every crate's tests, with the clients' tests (scripts/test-clients.sh)
# running beside the lints and the cargo tests.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup-test-env.sh
./scripts/tui-deps.sh

cargo fmt --all -- --check

# The binary the clients' tests run; then they go on beside the cargo commands.
cargo build --locked -p tend-cli --bin tend
target="${CARGO_TARGET_DIR:-target}"
case "$target" in /*) ;; *) target="$(pwd)/$target" ;; esac
# A link of its own: a cargo command that relinks target/debug/tend meanwhile does not touch it.
mkdir -p "$target/clients-bin"
ln -f "$target/debug/tend" "$target/clients-bin/tend"
clients_log="$(mktemp "${TMPDIR:-/tmp}/tend-clients-XXXXXX.log")"
# In a process group of its own, ended whole if a cargo command fails first.
TEND_BIN="$target/clients-bin/tend" setsid ./scripts/test-clients.sh >"$clients_log" 2>&1 &
clients=$!
trap 'kill -- "-$clients" 2>/dev/null || true' EXIT

cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked

clients_status=0
wait "$clients" || clients_status=$?
trap - EXIT
echo "--- clients (scripts/test-clients.sh) ---"
cat "$clients_log"
rm -f "$clients_log"
exit "$clients_status"
