#!/usr/bin/env bash
# Terminal tasks (CONTRACT §8) against a warm release daemon:
#   - throughput: a command writing SIZE bytes (default 1 GiB of /dev/zero) run on a pipe and
#     in a terminal, from create to finished (the shim reads every byte; the cap keeps 64 MiB);
#   - render=screen latency on a tty task that wrote SCREEN bytes (default 100 MB of lines):
#     the first read (emulating the kept tail) and a repeated read (from the checkpoint).
# Usage: bench/tty.sh [SIZE_BYTES] [SCREEN_BYTES]
set -euo pipefail
cd "$(dirname "$0")/.."

size="${1:-1073741824}"
screen_bytes="${2:-100000000}"
target="${CARGO_TARGET_DIR:-target}"
tend="$target/release/tend"
cargo build --release -q -p tend-cli
home="$(mktemp -d)"
trap 'TEND_HOME="$home" "$tend" daemon stop --kill-tasks >/dev/null 2>&1; rm -rf "$home"' EXIT
export TEND_HOME="$home"
"$tend" daemon start >/dev/null

now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }

run_timed() {
    local start end id
    start=$(now)
    id=$("$tend" run "$@" -- head -c "$size" /dev/zero)
    "$tend" wait "$id" --timeout 10m >/dev/null
    end=$(now)
    local total
    total=$("$tend" --json show "$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["output"]["total_bytes"])')
    [ "$total" = "$size" ] || { echo "wrote $total bytes, expected $size" >&2; exit 1; }
    ms "$start" "$end"
}

pipe_ms=$(run_timed)
tty_ms=$(run_timed --tty)
mb=$(( size / 1048576 ))
echo "throughput, $mb MiB: pipe ${pipe_ms} ms ($(( mb * 1000 / (pipe_ms + 1) )) MiB/s), tty ${tty_ms} ms ($(( mb * 1000 / (tty_ms + 1) )) MiB/s)"
python3 -c "print(f'tty/pipe throughput ratio: {$pipe_ms / max($tty_ms, 1):.2f}')"

id=$("$tend" run --tty --sh "yes 'a line of text that a build would print, 0123456789' | head -c $screen_bytes; printf '\\033[2J\\033[Hdone\\n'")
"$tend" wait "$id" --timeout 10m >/dev/null
for read in first repeated; do
    start=$(now)
    "$tend" screen "$id" >/dev/null
    end=$(now)
    echo "render=screen on $(( screen_bytes / 1000000 )) MB, $read read: $(ms "$start" "$end") ms"
done
"$tend" screen "$id" | head -1
