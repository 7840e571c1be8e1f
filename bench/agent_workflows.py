"""Agent workflows against the real `tend mcp`, driven through the official MCP Python SDK.

    .venv/bin/python bench/agent_workflows.py [--tend target/debug/tend] [--json]

(`scripts/setup-test-env.sh` installs the SDK into .venv; build tend first with
`cargo build -p tend-cli --bin tend`.)

Each workflow runs in a fresh TEND_HOME, makes the calls an agent would make with the tools as
they are (it reads the tool schemas: an argument a server does not offer is not used), checks
that it learned what it needed, and counts the tool calls and the bytes of text and of
structuredContent (compact JSON) the model received. The daemon is stopped with its tasks
afterwards. Workflows:

1. dev server: a Python server that buffers its output and listens on a random port; get its
   URL, fetch it, stop it;
2. test suite: a generated unittest project of 200 tests, 3 failing, in the background while
   3 quick commands run; then which tests failed and why;
3. fan out: 10 builds (`sleep 0.5; echo built N`) in a group limited to 3 (the limit is set
   with the CLI beforehand, not counted); every result;
4. prompts: a command asking two questions on stdin (`read -p`); answer them; the result;
5. log watch: 10,000 lines of which 5 hold ERROR; learn each error line without the rest;
6. long run: a command printing 30,000 lines and then its summary line; learn the summary.
"""

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time

from mcp import Client, StdioServerParameters

VERBOSE = False
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Failed(Exception):
    pass


def check(condition, message, *context):
    if not condition:
        raise Failed(message + ("\n" + "\n".join(str(c)[:3000] for c in context) if context else ""))


class Meter:
    """One MCP client with counters of calls and bytes."""

    def __init__(self, client, tools):
        self.client = client
        self.tools = tools
        self.calls = 0
        self.text_bytes = 0
        self.structured_bytes = 0
        self.marks = {}

    def mark(self, name):
        """Remembers the counters at a point of the workflow (reported as calls and bytes since)."""
        self.marks[name] = (self.calls, self.text_bytes, self.structured_bytes)

    def offers(self, tool, argument):
        return argument in self.tools[tool].input_schema.get("properties", {})

    async def call(self, name, arguments):
        result = await self.client.call_tool(name, arguments, read_timeout_seconds=300)
        text = "\n".join(block.text for block in result.content if hasattr(block, "text"))
        self.calls += 1
        self.text_bytes += len(text.encode())
        if result.structured_content is not None:
            compact = json.dumps(result.structured_content, separators=(",", ":"), ensure_ascii=False)
            self.structured_bytes += len(compact.encode())
        check(not result.is_error, f"{name} {arguments} failed", text)
        if VERBOSE:
            print(f">>> {name} {json.dumps(arguments)}\n{text}\n", file=sys.stderr)
        return text, result.structured_content


def task_id_of(data):
    return data["task"]["id"]


async def dev_server(meter, work):
    server = os.path.join(work, "server.py")
    with open(server, "w") as handle:
        handle.write(textwrap.dedent("""\
            import http.server

            class Handler(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    body = b"hello from the dev server\\n"
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)

                def log_message(self, *args):
                    pass

            server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
            print(f"Serving on http://127.0.0.1:{server.server_port}/")  # buffered: not a terminal
            server.serve_forever()
            """))
    # Start it and give it a second: the answer shows its pid and whatever it printed.
    arguments = {"command": f"exec python3 {server}", "yield_ms": 1000}
    text, data = await meter.call("bg_run", arguments)
    task = data["task"]
    url = re.search(r"http://127\.0\.0\.1:\d+/", text)
    if url is None:
        # Buffered: nothing printed. Ask the system which port the process listens on.
        probe = (
            f"for i in $(seq 100); do ss -ltnpH | grep -o '127.0.0.1:[0-9]*.*pid={task['pid']},' "
            f"&& break; sleep 0.1; done"
        )
        text, data = await meter.call("bg_run", {"command": probe})
        port = re.search(r"127\.0\.0\.1:(\d+)", text)
        check(port is not None, "the port is found", text)
        url = f"http://127.0.0.1:{port[1]}/"
    else:
        url = url[0]
    text, data = await meter.call("bg_run", {"command": f"curl -s {url}"})
    check("hello from the dev server" in text, "the page is fetched", text)
    text, data = await meter.call("bg_stop", {"task_id": task["id"], "grace_ms": 1000})
    check(data["state"] == "cancelled", "the server is stopped", text)


TEST_SUITE = '''\
import time
import unittest

FAILING = {17: 18, 93: 90, 158: 1}


def compute(n):
    return n


class Suite(unittest.TestCase):
    pass


def make(n):
    def test(self):
        time.sleep(0.01)
        self.assertEqual(compute(n), FAILING.get(n, n), f"compute({n})")
    return test


for n in range(1, 201):
    setattr(Suite, f"test_{n:03}", make(n))

if __name__ == "__main__":
    unittest.main(verbosity=2)
'''


async def test_suite(meter, work):
    project = os.path.join(work, "project")
    os.makedirs(project)
    with open(os.path.join(project, "test_suite.py"), "w") as handle:
        handle.write(TEST_SUITE)
    text, data = await meter.call(
        "bg_run", {"command": "python3 -m unittest -v test_suite", "cwd": project, "yield_ms": 0}
    )
    suite = task_id_of(data)
    for command in ["git --version", "ls -la", "echo $((6 * 7))"]:
        await meter.call("bg_run", {"command": command, "cwd": project})
    # After the run: what failed and why.
    meter.mark("after the run")
    text, data = await meter.call("bg_wait", {"task_ids": [suite], "timeout_ms": 120000})
    learned = text
    if meter.offers("bg_output", "context"):
        text, data = await meter.call(
            "bg_output", {"task_id": suite, "grep": "^(FAIL|ERROR):|Error: ", "context": 3}
        )
        learned += text
    else:
        text, data = await meter.call("bg_output", {"task_id": suite, "grep": "^(FAIL|ERROR):"})
        learned += text
        text, data = await meter.call("bg_output", {"task_id": suite, "tail_lines": 40})
        learned += text
    for n, expected in [(17, 18), (93, 90), (158, 1)]:
        check(f"FAIL: test_{n:03}" in learned, f"test_{n:03} is known to fail", learned)
        check(f"AssertionError: {n} != {expected} : compute({n})" in learned, f"and why ({n})", learned)
        check(f"self.assertEqual(compute(n), FAILING.get(n, n)" in learned, "with the traceback", learned)


async def fan_out(meter, work, tend, home):
    subprocess.run([tend, "group", "set", "builds", "3"], env=dict(os.environ, TEND_HOME=home),
                   check=True, capture_output=True)
    calls = [
        meter.call("bg_run", {"command": f"sleep 0.5; echo built {n}", "group": "builds", "name": f"build {n}"})
        for n in range(1, 11)
    ]
    answers = await asyncio.gather(*calls)
    texts = "\n".join(text for text, _ in answers)
    for n in range(1, 11):
        check(re.search(rf"^built {n}$", texts, re.M), f"build {n}'s result", texts)


async def prompts(meter, work):
    command = "bash -c 'read -p \"Name? \" name; read -p \"Colour? \" colour; echo \"Hello $name, you like $colour\"'"
    text, data = await meter.call("bg_run", {"command": command, "stdin": True, "yield_ms": 1000})
    task = task_id_of(data)
    await meter.call("bg_input", {"task_id": task, "text": "Alice\n"})
    await meter.call("bg_input", {"task_id": task, "text": "blue\n", "eof": True})
    await meter.call("bg_wait", {"task_ids": [task], "timeout_ms": 30000})
    text, data = await meter.call("bg_output", {"task_id": task})
    check("Hello Alice, you like blue" in text, "the result", text)


async def log_watch(meter, work):
    script = os.path.join(work, "log.py")
    with open(script, "w") as handle:
        handle.write(textwrap.dedent("""\
            import sys, time
            errors = {1234, 3000, 5555, 7001, 9999}
            for n in range(1, 10001):
                if n in errors:
                    print(f"2026-12-04 12:00:{n % 60:02} ERROR request {n} failed: upstream timeout")
                else:
                    print(f"2026-12-04 12:00:{n % 60:02} INFO request {n} served in {n % 97} ms")
                if n % 1000 == 0:
                    sys.stdout.flush()
                    time.sleep(0.1)
            """))
    text, data = await meter.call("bg_run", {"command": f"python3 {script}", "yield_ms": 0})
    task = task_id_of(data)
    await meter.call("bg_wait", {"task_ids": [task], "timeout_ms": 60000})
    text, data = await meter.call("bg_output", {"task_id": task, "grep": "ERROR"})
    for n in [1234, 3000, 5555, 7001, 9999]:
        check(f"ERROR request {n} failed" in text, f"error {n} is learned", text)
    check("INFO" not in text, "without the rest", text)


async def long_run(meter, work):
    # (The summary is printed by printf so that the command line, shown in answers, lacks it.)
    command = "seq 30000; printf 'summary: %d checked, %d failed\\n' 30000 0"
    text, data = await meter.call("bg_run", {"command": command})
    if "summary: 30000 checked" not in text:
        # The answer did not reach the end: read it.
        text, data = await meter.call("bg_output", {"task_id": task_id_of(data), "tail_lines": 5})
    check("summary: 30000 checked, 0 failed" in text, "the summary is learned", text)


WORKFLOWS = [
    ("1 dev server", dev_server, "2 calls, < 1.5 KB text"),
    ("2 test suite", test_suite, "<= 2 calls after the run, < 4 KB"),
    ("3 fan out", fan_out, "3 calls"),
    ("4 prompts", prompts, "4 calls"),
    ("5 log watch", log_watch, "5 lines in notifications, < 2 KB"),
    ("6 long run", long_run, "1 call, the summary in it"),
]


async def run_one(name, workflow, tend):
    home = tempfile.mkdtemp(prefix="tend-bench-")
    os.chmod(home, 0o700)
    env = {"TEND_HOME": home, "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    server = StdioServerParameters(command=tend, args=["mcp"], env=env, cwd=home)
    started = time.monotonic()
    try:
        async with Client(server, read_timeout_seconds=300) as client:
            listed = await client.list_tools()
            meter = Meter(client, {tool.name: tool for tool in listed.tools})
            if workflow is fan_out:
                await workflow(meter, home, tend, home)
            else:
                await workflow(meter, home)
        return {
            "workflow": name,
            "calls": meter.calls,
            "text_bytes": meter.text_bytes,
            "structured_bytes": meter.structured_bytes,
            "seconds": round(time.monotonic() - started, 2),
            "since": {
                name: {
                    "calls": meter.calls - calls,
                    "text_bytes": meter.text_bytes - text,
                    "structured_bytes": meter.structured_bytes - structured,
                }
                for name, (calls, text, structured) in meter.marks.items()
            },
        }
    finally:
        subprocess.run([tend, "daemon", "stop", "--kill-tasks"], env=dict(env, TEND_NO_AUTOSTART="1"),
                       capture_output=True)
        shutil.rmtree(home, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tend", default=os.path.join(ROOT, "target/debug/tend"))
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--only", help="run only the workflows whose name contains this")
    parser.add_argument("--verbose", action="store_true", help="print every answer's text to stderr")
    args = parser.parse_args()
    global VERBOSE
    VERBOSE = args.verbose
    tend = os.path.abspath(args.tend)
    results = []
    for name, workflow, target in WORKFLOWS:
        if args.only and args.only not in name:
            continue
        try:
            result = asyncio.run(run_one(name, workflow, tend))
        except BaseException as error:  # a failed check, possibly inside exception groups
            while getattr(error, "exceptions", None):
                error = error.exceptions[0]
            print(f"FAILED {name}: {error}", file=sys.stderr)
            sys.exit(1)
        result["target"] = target
        results.append(result)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{'workflow':<14} {'calls':>5} {'text B':>8} {'struct B':>9} {'secs':>6}  target")
    for r in results:
        print(f"{r['workflow']:<14} {r['calls']:>5} {r['text_bytes']:>8} {r['structured_bytes']:>9} "
              f"{r['seconds']:>6}  {r['target']}")
        for name, since in r["since"].items():
            print(f"  {name}: {since['calls']} calls, {since['text_bytes']} B text, "
                  f"{since['structured_bytes']} B structured")


if __name__ == "__main__":
    main()
