#!/usr/bin/env bash
# Measures the real `tend tui` with 5,000 tasks while it follows a task printing 10 MB/s: the
# UI's peak and final resident memory (VmHWM, VmRSS), its CPU use, how long a key takes to show
# on screen, and how much the task wrote. Frame time is measured by `cargo bench -p tend-tui`.
#
# Usage: bench/tui.sh [SECONDS]   (default 30; needs tmux and python3)
# TEND_BIN picks the binary (default: a release build of tend-cli, built here).
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${1:-30}
if [ -z "${TEND_BIN:-}" ]; then
    cargo build --release --quiet -p tend-cli
    TEND_BIN="${CARGO_TARGET_DIR:-target}/release/tend"
fi
TEND_BIN=$(realpath "$TEND_BIN")
command -v tmux >/dev/null || { echo "tmux is missing: run scripts/tui-deps.sh" >&2; exit 1; }

home=$(mktemp -d /tmp/tend-tui-bench.XXXXXX)
socket="tend-tui-bench-$$"
export TEND_HOME="$home"
cleanup() {
    tmux -L "$socket" kill-server 2>/dev/null || true
    "$TEND_BIN" daemon stop --kill-tasks >/dev/null 2>&1 || true
    rm -rf "$home"
}
trap cleanup EXIT

"$TEND_BIN" daemon start >/dev/null

# 4,999 external tasks over the API (no process each), a third completed and a third failed,
# spread over 37 sessions.
python3 - "$home/tend.sock" <<'PY'
import http.client, json, socket, sys

class Unix(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost")
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(self.unix_path)

conn = Unix(sys.argv[1])

def call(method, path, body):
    conn.request(method, path, json.dumps(body), {"Content-Type": "application/json"})
    answer = conn.getresponse()
    data = answer.read()
    if answer.status >= 300:
        sys.exit(f"{method} {path}: {answer.status} {data!r}")
    return json.loads(data)

for n in range(4999):
    task = call("POST", "/v1/tasks", {"kind": "other", "session": f"agent-{n % 37}", "name": f"job {n}"})
    task_id = task["task"]["id"]
    if n % 3 == 1:
        call("POST", f"/v1/tasks/{task_id}/complete", {"state": "completed"})
    elif n % 3 == 2:
        call("POST", f"/v1/tasks/{task_id}/complete", {"state": "failed", "summary": "no luck"})
PY

# The 5,000th task prints 10 MiB/s in lines of 100 bytes.
firehose='import sys, time
line = b"x" * 99 + b"\n"
chunk = line * 10486
out = sys.stdout.buffer
due = time.monotonic()
while True:
    out.write(chunk)
    out.flush()
    due += 0.1
    time.sleep(max(0.0, due - time.monotonic()))'
task=$("$TEND_BIN" run --name firehose -- python3 -c "$firehose")
started=$(date +%s.%N)

tmux -L "$socket" new-session -d -s tui -x 200 -y 50 "env TEND_HOME=$home $TEND_BIN tui"
pid=$(tmux -L "$socket" list-panes -t tui -F '#{pane_pid}')
screen() { tmux -L "$socket" capture-pane -p -t tui; }
wait_screen() { # PATTERN PRESENT(1)/ABSENT(0) -> prints milliseconds waited
    local begin now
    begin=$(date +%s%N)
    while :; do
        if screen | grep -q -- "$1"; then [ "$2" = 1 ] && break; else [ "$2" = 0 ] && break; fi
        now=$(date +%s%N)
        if (( (now - begin) / 1000000 > 10000 )); then echo "timeout waiting for $1" >&2; screen >&2; exit 1; fi
        sleep 0.005
    done
    echo $(( ($(date +%s%N) - begin) / 1000000 ))
}
wait_screen "output $task" 1 >/dev/null
wait_screen "following" 1 >/dev/null

ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
cpu_start=$(cpu)
latencies=()
end=$(( $(date +%s) + duration ))
while (( $(date +%s) < end )); do
    tmux -L "$socket" send-keys -t tui '?'
    latencies+=("$(wait_screen ' keys ' 1)")
    tmux -L "$socket" send-keys -t tui '?'
    latencies+=("$(wait_screen ' keys ' 0)")
    sleep 0.5
done
cpu_end=$(cpu)
elapsed=$(echo "$(date +%s.%N) - $started" | bc)
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
title=$(screen | grep -o "output $task[^─]*" | head -n 1)
counts=$(screen | head -n 1 | sed 's/ *$//')
written=$("$TEND_BIN" --json show "$task" | python3 -c 'import json,sys; print(json.load(sys.stdin)["output"]["total_bytes"])')
sorted=$(printf '%s\n' "${latencies[@]}" | sort -n)
count=${#latencies[@]}
median=$(echo "$sorted" | sed -n "$(( (count + 1) / 2 ))p")
worst=$(echo "$sorted" | tail -n 1)
cpu_share=$(echo "scale=1; 100 * ($cpu_end - $cpu_start) / $ticks / $duration" | bc)

echo "tend tui, 5000 tasks, following a task printing 10 MiB/s for ${duration}s (200x50 terminal)"
echo "  task wrote:      $(echo "scale=1; $written / 1048576 / $elapsed" | bc) MiB/s ($(( written / 1048576 )) MiB)"
echo "  title line:      $counts"
echo "  output pane:     $title"
echo "  memory:          VmHWM $(( hwm / 1024 )) MiB, VmRSS $(( rss / 1024 )) MiB at the end"
echo "  cpu:             ${cpu_share}% of one core"
echo "  key to screen:   median ${median} ms, worst ${worst} ms over ${count} key presses"
