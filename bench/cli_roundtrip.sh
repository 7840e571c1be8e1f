#!/usr/bin/env bash
# The CLI's benchmarks against a warm daemon (see crates/tend-cli/benches/cli.rs):
#   - `tend run -- true` round trip, process start to id printed: median over >= 50 runs;
#   - 1,000 `true` tasks created through the API and all finished, beside 1,000 `sh -c true`
#     spawned and awaited one after another by a shell loop.
# With hyperfine installed, the round trip is also measured by hyperfine.
# Usage: bench/cli_roundtrip.sh [--runs N] [--tasks N]
set -euo pipefail
cd "$(dirname "$0")/.."

cargo bench -p tend-cli --bench cli -- "$@"

if command -v hyperfine >/dev/null; then
    target="${CARGO_TARGET_DIR:-target}"
    tend="$target/release/tend"
    cargo build --release -p tend-cli
    home="$(mktemp -d)"
    trap 'TEND_HOME="$home" "$tend" daemon stop --kill-tasks >/dev/null; rm -rf "$home"' EXIT
    TEND_HOME="$home" "$tend" daemon start >/dev/null
    TEND_HOME="$home" hyperfine --warmup 5 --runs 100 -N "$tend run -- true"
fi
