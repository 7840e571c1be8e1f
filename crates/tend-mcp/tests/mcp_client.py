"""Drives `tend mcp` with the official MCP Python SDK, one scenario per run.

    python mcp_client.py SCENARIO --tend PATH/TO/tend --home TEND_HOME [--url URL --token T]

Each scenario launches `tend mcp` over stdio (or connects over Streamable HTTP), makes its
calls, checks what a client sees, and exits 0 when every check held. A failed check prints what
was expected and what came, and exits 1. The Rust tests in tests/stdio.rs, tests/http.rs run
these scenarios with a fresh TEND_HOME each and stop its daemon afterwards.
"""

import argparse
import asyncio
import json
import os
import random
import re
import subprocess
import sys
import time

import httpx2
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

TOOLS = ["bg_run", "bg_output", "bg_wait", "bg_stop", "bg_list", "bg_input"]


class Failed(Exception):
    pass


def check(condition, message, *context):
    if not condition:
        details = "\n".join(str(item) for item in context)
        raise Failed(f"{message}\n{details}" if details else message)


class Answer:
    """What a tool call answered: its text, its structured content and whether it failed."""

    def __init__(self, result):
        self.text = "\n".join(block.text for block in result.content if hasattr(block, "text"))
        self.data = result.structured_content
        self.is_error = result.is_error

    def __repr__(self):
        return f"Answer(is_error={self.is_error}, text={self.text!r}, data={json.dumps(self.data)[:2000]})"


class Session:
    """One MCP client connected to a server, with helpers for the tools."""

    def __init__(self, client):
        self.client = client

    async def call(self, name, arguments=None, progress=None, timeout=None):
        result = await self.client.call_tool(
            name, arguments or {}, read_timeout_seconds=timeout, progress_callback=progress
        )
        return Answer(result)

    async def ok(self, name, arguments=None, **options):
        answer = await self.call(name, arguments, **options)
        check(not answer.is_error, f"{name} {arguments} failed", answer)
        return answer

    async def error(self, name, arguments, code):
        answer = await self.call(name, arguments)
        check(answer.is_error, f"{name} {arguments} should fail with {code}", answer)
        check(answer.text.startswith(f"{code}: "), f"{name} should answer the code {code}", answer)
        check(answer.data["error"]["code"] == code, "the structured error carries the code", answer)
        return answer


def stdio_client(args, mode="auto", extra_env=None, extra_args=()):
    env = {"TEND_HOME": args.home, "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    env.update(extra_env or {})
    server = StdioServerParameters(command=args.tend, args=["mcp", *extra_args], env=env, cwd=args.home)
    return Client(server, mode=mode, read_timeout_seconds=120)


def tend_cli(args, *command, exit_codes=(0,)):
    env = dict(os.environ, TEND_HOME=args.home)
    done = subprocess.run([args.tend, *command], env=env, capture_output=True, text=True, timeout=60)
    check(done.returncode in exit_codes, f"tend {' '.join(command)} failed", done.stdout, done.stderr)
    return done.stdout


def tasks_from_cli(args):
    document = json.loads(tend_cli(args, "ls", "--json"))
    tasks = document["tasks"] if isinstance(document, dict) else document
    return {task["id"]: task for task in tasks}


def processes_matching(pattern, prefix=""):
    """Command lines of live processes containing `pattern` and starting with `prefix`
    (zombies excluded)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                cmdline = handle.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{pid}/stat") as handle:
                state = handle.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if pattern in cmdline and cmdline.startswith(prefix) and state != "Z" and "mcp_client.py" not in cmdline:
            found.append(f"{pid}: {cmdline}")
    return found


def has_null_union(schema):
    if isinstance(schema, dict):
        kind = schema.get("type")
        if isinstance(kind, list) and "null" in kind:
            return True
        if kind == "null":
            return True
        return any(has_null_union(value) for value in schema.values())
    if isinstance(schema, list):
        return any(has_null_union(item) for item in schema)
    return False


# ----- scenarios over stdio -----


async def scenario_tools(args):
    """The tool list and its schemas, over the modern and the legacy protocol."""
    for mode in ["auto", "legacy"]:
        async with stdio_client(args, mode=mode) as client:
            listed = await client.list_tools()
            tools = {tool.name: tool for tool in listed.tools}
            check(sorted(tools) == sorted(TOOLS), f"the six tools ({mode})", sorted(tools))
            for name, tool in tools.items():
                schema = tool.input_schema
                check(schema.get("type") == "object", f"{name}: an object schema", schema)
                check(not has_null_union(schema), f"{name}: no null in any type", json.dumps(schema))
                check("$ref" not in json.dumps(schema), f"{name}: no $ref", json.dumps(schema))
                check(len(tool.description or "") > 80, f"{name}: a helpful description", tool.description)
                check(len(tool.description) < 700, f"{name}: a short description", len(tool.description))
                check("Costs " in tool.description, f"{name}: says what it costs in context", tool.description)
                required = set(schema.get("required", []))
                for field, spec in schema["properties"].items():
                    check("description" in spec, f"{name}.{field}: described", spec)
                    if field not in required and spec.get("type") in ("integer", "boolean", "array", "object"):
                        if field != "grace_ms":
                            check("default" in spec, f"{name}.{field}: optional, so it has a default", spec)
            run = tools["bg_run"].input_schema
            check(run["required"] == ["command"], "bg_run needs only command", run)
            check(run["properties"]["yield_ms"]["default"] == 15000, "yield_ms defaults to 15000", run)
            output = tools["bg_output"].input_schema
            check(output["properties"]["max_bytes"]["default"] == 16384, "max_bytes defaults to 16384", output)
            wait = tools["bg_wait"].input_schema
            check(wait["properties"]["timeout_ms"]["default"] == 60000, "timeout_ms defaults to 60000", wait)
            check(wait["properties"]["mode"]["default"] == "any", "mode defaults to any", wait)
            for word in ["yield_ms"]:
                check(word in tools["bg_run"].description, "bg_run says when to use yield_ms")
            for word in ["cursor", "tail_lines", "grep"]:
                check(word in tools["bg_output"].description, f"bg_output explains {word}")


async def scenario_inline(args):
    """A fast command answered inline with its exit code and output."""
    async with stdio_client(args) as client:
        session = Session(client)
        answer = await session.ok("bg_run", {"command": "echo hello from tend"})
        task = answer.data["task"]
        check(task["state"] == "completed" and task["exit_code"] == 0, "completed with exit 0", answer)
        check(answer.data["output"]["data"] == "hello from tend\n", "the output in the JSON", answer)
        check("hello from tend" in answer.text, "the output in the text", answer)
        check("completed (exit 0)" in answer.text, "the exit code in the text", answer)
        answer = await session.ok("bg_run", {"command": "echo oops >&2; exit 3", "name": "failing"})
        check(answer.data["task"]["state"] == "failed", "a failing command is failed", answer)
        check(answer.data["task"]["exit_code"] == 3, "with its exit code", answer)
        check("failed (exit 3)" in answer.text and "oops" in answer.text, "stderr and exit 3 shown", answer)
        check(answer.data["task"]["name"] == "failing", "the name is kept", answer)
        answer = await session.ok("bg_run", {"command": "pwd; echo $GREETING", "cwd": "/tmp", "env": {"GREETING": "hi"}})
        check(answer.data["output"]["data"] == "/tmp\nhi\n", "cwd and env apply", answer)
        answer = await session.ok("bg_run", {"command": "pwd"})
        check(answer.data["output"]["data"].strip() == os.path.realpath(args.home), "the default cwd is the server's", answer)


async def scenario_yield(args):
    """`sleep 2; echo done` with a 200 ms yield, then bg_wait, then bg_output."""
    async with stdio_client(args) as client:
        session = Session(client)
        answer = await session.ok("bg_run", {"command": "sleep 2; echo done", "yield_ms": 200})
        task = answer.data["task"]
        check(task["state"] in ("running", "pending"), "still running after 200 ms", answer)
        task_id = task["id"]
        check(task_id in answer.text and "bg_output" in answer.text, "the id and how to go on", answer)
        check(task["pid"] is not None and f"pid {task['pid']}" in answer.text, "the pid", answer)
        progress = []

        async def on_progress(value, total, message):
            progress.append((value, total, message))

        started = time.monotonic()
        answer = await session.ok("bg_wait", {"task_ids": [task_id], "timeout_ms": 30000}, progress=on_progress)
        waited = time.monotonic() - started
        check(answer.data["done"] is True, "the wait is done", answer)
        check(answer.data["tasks"][0]["state"] == "completed", "completed", answer)
        check(waited < 10, "returned as soon as the task ended", waited)
        check(len(progress) >= 2, "progress notifications while waiting", progress)
        check(progress[0][2] == f"waiting for {task_id}", "the first says what it waits for", progress)
        check(all(total == 30.0 for _, total, _ in progress), "progress totals are the timeout", progress)
        answer = await session.ok("bg_output", {"task_id": task_id})
        check(answer.data["data"] == "done\n" and answer.data["eof"] is True, "the output is done", answer)
        check("done" in answer.text, "the text holds the output", answer)
        # Without a progress token the wait still returns at the end, and on a timeout says so.
        answer = await session.ok("bg_run", {"command": "sleep 30", "yield_ms": 0})
        slow = answer.data["task"]["id"]
        answer = await session.ok("bg_wait", {"task_ids": [slow], "timeout_ms": 300})
        check(answer.data["done"] is False and "timed out" in answer.text, "a timed-out wait", answer)
        await session.ok("bg_stop", {"task_id": slow, "grace_ms": 100})
        answer = await session.ok("bg_wait", {})
        check(answer.data["done"] is True, "nothing left to wait for", answer)


async def scenario_cursor(args):
    """Continuing from a cursor gives every byte once, finished or still writing."""
    async with stdio_client(args) as client:
        session = Session(client)
        answer = await session.ok("bg_run", {"command": "seq 1 3000 | sed 's/^/line /'", "max_bytes": 100})
        check(len(answer.data["output"]["data"].encode()) <= 100, "bg_run answers at most max_bytes", answer)
        check("left out" in answer.text and "cursor=" in answer.text, "says what was left out", answer)
        task_id = answer.data["task"]["id"]
        expected = "".join(f"line {n}\n" for n in range(1, 3001))
        cursor, pieces = 0, []
        for _ in range(1000):
            answer = await session.ok("bg_output", {"task_id": task_id, "cursor": cursor, "max_bytes": 1000})
            data = answer.data["data"]
            check(len(data.encode()) <= 1000, "at most max_bytes per read", len(data))
            check(answer.data["cursor"] == cursor, "the read starts at the cursor", answer)
            pieces.append(data)
            cursor = answer.data["next_cursor"]
            if answer.data["eof"]:
                break
            check(f"cursor={cursor}" in answer.text, "the text names the next cursor", answer)
        check("".join(pieces) == expected, "every byte once, in order", len("".join(pieces)), len(expected))
        # A command still writing: follow it with wait_ms.
        command = "for i in 1 2 3 4 5; do echo n$i; sleep 0.3; done"
        answer = await session.ok("bg_run", {"command": command, "yield_ms": 0})
        task_id = answer.data["task"]["id"]
        cursor, pieces = 0, []
        for _ in range(100):
            answer = await session.ok("bg_output", {"task_id": task_id, "cursor": cursor, "wait_ms": 3000})
            pieces.append(answer.data["data"])
            cursor = answer.data["next_cursor"]
            if answer.data["eof"]:
                break
        check("".join(pieces) == "n1\nn2\nn3\nn4\nn5\n", "followed without duplicates", pieces)


async def scenario_tail_grep(args):
    """`tail_lines` answers the end, `grep` the matching lines."""
    async with stdio_client(args) as client:
        session = Session(client)
        answer = await session.ok("bg_run", {"command": "seq 1 100"})
        task_id = answer.data["task"]["id"]
        answer = await session.ok("bg_output", {"task_id": task_id, "tail_lines": 3})
        check(answer.data["data"] == "98\n99\n100\n", "the last three lines", answer)
        check("last 3 lines" in answer.text, "the text says it is a tail", answer)
        answer = await session.ok("bg_output", {"task_id": task_id, "grep": "^5"})
        expected = "5\n" + "".join(f"{n}\n" for n in range(50, 60))
        check(answer.data["data"] == expected, "the matching lines", answer)
        check("matching /^5/" in answer.text, "the text names the pattern", answer)
        answer = await session.ok("bg_output", {"task_id": task_id, "grep": "^nothing$"})
        check(answer.data["data"] == "" and "no line matches" in answer.text, "no match said plainly", answer)


async def scenario_stop(args):
    """bg_stop of a process tree leaves no process."""
    marker = str(random.randint(40000, 49999))
    async with stdio_client(args) as client:
        session = Session(client)
        command = f"(sleep {marker}1 &) ; sleep {marker}2 & sh -c 'sleep {marker}3' & wait"
        answer = await session.ok("bg_run", {"command": command, "yield_ms": 0})
        task_id = answer.data["task"]["id"]
        sleeps = lambda: processes_matching(f"sleep {marker}", prefix="sleep ")  # noqa: E731
        deadline = time.monotonic() + 10
        while len(sleeps()) < 3 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        check(len(sleeps()) == 3, "three sleeps running", sleeps())
        answer = await session.ok("bg_stop", {"task_id": task_id, "grace_ms": 2000})
        check(answer.data["state"] == "cancelled" and answer.data["reason"] == "stopped", "stopped", answer)
        check(answer.text.startswith("stopped t"), "the text says it was stopped", answer)
        deadline = time.monotonic() + 5
        while processes_matching(f"sleep {marker}") and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        check(processes_matching(f"sleep {marker}") == [], "no process left", processes_matching(f"sleep {marker}"))
        answer = await session.ok("bg_stop", {"task_id": task_id})
        check(answer.text.startswith("nothing to stop"), "stopping again changes nothing", answer)


async def scenario_input(args):
    """bg_input writes to a task's stdin."""
    async with stdio_client(args) as client:
        session = Session(client)
        command = "read a; echo got:$a; read b; echo got:$b; cat; echo end"
        answer = await session.ok("bg_run", {"command": command, "stdin": True, "yield_ms": 0})
        task_id = answer.data["task"]["id"]
        answer = await session.ok("bg_input", {"task_id": task_id, "text": "one\n"})
        check(answer.data["ok"] is True and "wrote 4 bytes" in answer.text, "written", answer)
        await session.ok("bg_input", {"task_id": task_id, "text": "two\nthree\n", "eof": True})
        answer = await session.ok("bg_wait", {"task_ids": [task_id], "timeout_ms": 10000})
        check(answer.data["tasks"][0]["state"] == "completed", "ended once stdin closed", answer)
        answer = await session.ok("bg_output", {"task_id": task_id})
        check(answer.data["data"] == "got:one\ngot:two\nthree\nend\n", "the task read its input", answer)
        answer = await session.ok("bg_run", {"command": "sleep 5", "yield_ms": 0})
        await session.error("bg_input", {"task_id": answer.data["task"]["id"], "text": "x"}, "conflict")


async def scenario_tty(args):
    """A REPL in a terminal: three inputs with keys, answers read from the screen."""
    async with stdio_client(args) as client:
        session = Session(client)
        answer = await session.ok("bg_run", {
            "command": "PYTHON_BASIC_REPL=1 exec python3 -q -i", "tty": True, "yield_ms": 0,
        })
        task_id = answer.data["task"]["id"]
        check(answer.data["task"]["tty"] == {"rows": 40, "cols": 120}, "a 40x120 terminal", answer)

        async def screen_shows(line):
            deadline = time.monotonic() + 20
            while True:
                answer = await session.ok("bg_output", {"task_id": task_id, "screen": True})
                if line in answer.data["screen"]["lines"]:
                    return answer
                check(time.monotonic() < deadline, f"the screen shows {line!r}", answer)
                await asyncio.sleep(0.05)

        # Typed before the REPL reads, input would be echoed by the terminal first (typeahead).
        await screen_shows(">>>")
        for text, shown in [("2+2", "4"), ("x = 6*7", ">>> x = 6*7"), ("print(x)", "42")]:
            await session.ok("bg_input", {"task_id": task_id, "text": text, "keys": ["enter"]})
            answer = await screen_shows(shown)
        check(answer.data["screen"]["lines"][0] == ">>> 2+2", "the first row", answer)
        check(">>> print(x)" in answer.text and "42" in answer.text, "the screen as text", answer)
        answer = await session.ok("bg_output", {"task_id": task_id})
        check("\x1b" not in answer.text and "\r" not in answer.text, "tty output text is plain", answer)
        check(">>> 2+2\n4\n" in answer.text, "the session in the text", answer)
        check(">>> 2+2\r\n4\r\n" in answer.data["data"], "the exact bytes in structuredContent", answer)
        await session.error("bg_input", {"task_id": task_id, "keys": ["nokey"]}, "invalid_argument")
        await session.ok("bg_input", {"task_id": task_id, "keys": ["ctrl-d"]})
        answer = await session.ok("bg_wait", {"task_ids": [task_id], "timeout_ms": 10000})
        check(answer.data["tasks"][0]["state"] == "completed", "ctrl-d ends the REPL", answer)


async def scenario_errors(args):
    """Unknown ids, bad regexes and bad arguments are tool errors with the API's codes."""
    async with stdio_client(args) as client:
        session = Session(client)
        answer = await session.error("bg_output", {"task_id": "t99"}, "not_found")
        check("t99" in answer.text, "the message names the task", answer)
        await session.error("bg_stop", {"task_id": "t99"}, "not_found")
        await session.error("bg_input", {"task_id": "t99", "text": "x"}, "not_found")
        await session.error("bg_wait", {"task_ids": ["t99"], "timeout_ms": 100}, "not_found")
        answer = await session.ok("bg_run", {"command": "echo hi"})
        task_id = answer.data["task"]["id"]
        answer = await session.error("bg_output", {"task_id": task_id, "grep": "("}, "invalid_argument")
        await session.error("bg_output", {"task_id": "nonsense"}, "invalid_argument")
        answer = await session.error("bg_output", {"task_id": task_id, "colour": "red"}, "invalid_argument")
        check("colour" in answer.text, "the unknown argument is named", answer)
        await session.error("bg_run", {"command": "  "}, "invalid_argument")
        await session.error("bg_run", {"command": "true", "after": ["t99"]}, "invalid_argument")


async def scenario_notify(args):
    """A task's end is told in exactly one later answer."""
    async with stdio_client(args) as client:
        session = Session(client)
        answer = await session.ok("bg_run", {"command": "sleep 1", "name": "napping", "yield_ms": 0})
        task_id = answer.data["task"]["id"]
        line = f'[tend] {task_id} "napping" finished: completed'
        check(line not in answer.text, "not told before it ends", answer)
        tend_cli(args, "wait", task_id, "--timeout", "30s")
        answers = [await session.ok("bg_wait", {}) for _ in range(3)]
        seen = [a for a in answers if line in a.text]
        check(len(seen) == 1, "told in exactly one answer", answers)
        check(seen[0] is answers[0], "told in the first answer after its end", answers)
        notes = answers[0].data["notifications"]
        check(any(n["task_id"] == task_id and n["kind"] == "task_finished" for n in notes), "and in the JSON", answers[0])
        check(all(a.data["notifications"] == [] for a in answers[1:]), "acknowledged once shown", answers)
        check(answers[0].text.rstrip().splitlines()[-1].startswith("[tend] "), "at the end of the answer", answers[0])
        # A failed task's notification carries the exit code, also at the end of an error answer.
        four = await session.ok("bg_run", {"command": "sleep 1; exit 4", "name": "four", "yield_ms": 0})
        check("four\" finished" not in four.text, "not told before it ends", four)
        tend_cli(args, "wait", four.data["task"]["id"], "--timeout", "30s", exit_codes=(1,))
        answer = await session.error("bg_output", {"task_id": "t999"}, "not_found")
        check('"four" finished: failed, exit 4' in answer.text, "told at the end of an error answer", answer)


async def scenario_close(args):
    """Closing the client cancels its tasks unless detached."""
    async with stdio_client(args, extra_args=["--session", "closing"]) as client:
        session = Session(client)
        kept = (await session.ok("bg_run", {"command": "sleep 300", "yield_ms": 0, "detach": True}))
        gone = (await session.ok("bg_run", {"command": "sleep 301", "yield_ms": 0}))
        kept, gone = kept.data["task"]["id"], gone.data["task"]["id"]
        answer = await session.ok("bg_list")
        check("session closing" in answer.text, "the session is the flag's", answer)
    deadline = time.monotonic() + 10
    tasks = tasks_from_cli(args)
    while tasks[gone]["state"] != "cancelled" and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        tasks = tasks_from_cli(args)
    check(tasks[gone]["state"] == "cancelled", "the task is cancelled", tasks[gone])
    check(tasks[gone]["reason"] == "session_closed", "because its session closed", tasks[gone])
    check(tasks[kept]["state"] == "running", "the detached task runs on", tasks[kept])
    check(tasks[kept]["session"] == "closing", "in its session", tasks[kept])
    tend_cli(args, "stop", kept)


async def scenario_sessions(args):
    """Two sessions do not see each other's tasks unless all_sessions."""
    async with stdio_client(args, extra_args=["--session", "alpha"]) as alpha_client, stdio_client(
        args, extra_env={"TEND_SESSION": "beta"}
    ) as beta_client:
        alpha, beta = Session(alpha_client), Session(beta_client)
        a = (await alpha.ok("bg_run", {"command": "sleep 30", "yield_ms": 0, "name": "alpha-task"})).data["task"]
        b = (await beta.ok("bg_run", {"command": "sleep 0.3", "name": "beta-task"})).data["task"]
        check(a["session"] == "alpha" and b["session"] == "beta", "sessions from the flag and TEND_SESSION", a, b)
        mine = await alpha.ok("bg_list")
        ids = [task["id"] for task in mine.data["tasks"]]
        check(ids == [a["id"]], "alpha sees only its task", mine)
        check("beta-task" not in mine.text, "not beta's", mine)
        theirs = await beta.ok("bg_list")
        check([task["id"] for task in theirs.data["tasks"]] == [b["id"]], "beta sees only its task", theirs)
        everyone = await alpha.ok("bg_list", {"all_sessions": True})
        ids = {task["id"] for task in everyone.data["tasks"]}
        check({a["id"], b["id"]} <= ids, "all_sessions shows both", everyone)
        check("alpha-task" in everyone.text and "beta-task" in everyone.text, "in the text too", everyone)
        answer = await beta.ok("bg_wait", {"timeout_ms": 5000})
        check(answer.data["done"] is True, "beta's wait ignores alpha's task", answer)
        mine = await alpha.ok("bg_list")
        check("beta-task" not in mine.text, "alpha is not told of beta's task", mine)
        await alpha.ok("bg_stop", {"task_id": a["id"], "grace_ms": 100})
    async with stdio_client(args) as client:
        answer = await Session(client).ok("bg_list")
        check(re.search(r"session mcp-[0-9a-f]{8}", answer.text), "a random mcp- session by default", answer)


async def scenario_big(args):
    """A 50 MB output read through bg_output never answers more than max_bytes of data."""
    size = 50 * 1024 * 1024
    async with stdio_client(args) as client:
        session = Session(client)
        command = f"yes 'tend reads big output in bounded pieces, line after line' | head -c {size}"
        answer = await session.ok("bg_run", {"command": command, "yield_ms": 120000}, timeout=300)
        check(answer.data["task"]["state"] == "completed", "the big command finished", answer)
        check(len(answer.data["output"]["data"].encode()) <= 16384, "bg_run's answer is bounded", len(answer.text))
        check(len(answer.text.encode()) <= 16384 + 2048, "and so is its text", len(answer.text))
        task_id = answer.data["task"]["id"]
        for arguments, limit in [
            ({}, 16384),
            ({"max_bytes": 1000}, 1000),
            ({"tail_lines": 1000000}, 16384),
            ({"tail_lines": 10, "max_bytes": 100}, 100),
            ({"grep": "line"}, 16384),
            ({"grep": "bounded", "max_bytes": 3000}, 3000),
            ({"cursor": size - 10}, 16384),
        ]:
            answer = await session.ok("bg_output", {"task_id": task_id, **arguments})
            data = answer.data["data"].encode()
            check(len(data) <= limit, f"{arguments}: at most {limit} bytes", len(data))
            check(len(answer.text.encode()) <= limit + 2048, f"{arguments}: the text too", len(answer.text))
            check(answer.data["total_bytes"] == size, "the total is known", answer.data["total_bytes"])
            check(len(data) > 0, f"{arguments}: something was read", answer)
        cursor, read, reads = 0, 0, 0
        while True:
            answer = await session.ok("bg_output", {"task_id": task_id, "cursor": cursor, "max_bytes": 4 << 20}, timeout=120)
            length = len(answer.data["data"].encode())
            check(length <= 4 << 20, "at most max_bytes per read", length)
            read += length
            reads += 1
            cursor = answer.data["next_cursor"]
            if answer.data["eof"]:
                break
            check(reads < 100, "the reads end", reads)
        check(read + answer.data["dropped_bytes"] == size, "every byte kept was read once", read, size)


def tend_lines(text):
    return [line for line in text.splitlines() if line.startswith("[tend] ")]


async def scenario_head_tail(args):
    """More output than max_bytes: the head, a marker naming the cursor of the middle, the tail."""
    async with stdio_client(args) as client:
        session = Session(client)
        answer = await session.ok("bg_run", {"command": "seq 30000"})
        check(answer.data["task"]["state"] == "completed", "seq finished", answer)
        check(answer.text.rstrip().splitlines()[-1] == "30000", "the answer ends with the last line", answer)
        marker = re.search(r"\[\.\.\. (\d+) bytes left out: bg_output task_id=(t\d+) cursor=(\d+) max_bytes=(\d+) reads them \.\.\.\]", answer.text)
        check(marker is not None, "one marker line between head and tail", answer)
        left, task_id, cursor, budget = int(marker[1]), marker[2], int(marker[3]), int(marker[4])
        check(answer.text.count("bytes left out") == 1, "a single marker", answer)
        output = answer.data["output"]
        head, tail = output["data"], output["tail"]["data"]
        check(len((head + tail).encode()) <= 16384, "head and tail within max_bytes", len(head + tail))
        check(3000 <= len(head.encode()) <= 4096, "the head is about a quarter", len(head))
        check(head.endswith("\n") and head.startswith("1\n"), "the head ends at a line end", head[-20:])
        check(tail.endswith("29999\n30000\n"), "the tail is the end", tail[-20:])
        check(output["next_cursor"] == cursor and output["left_out"]["cursor"] == cursor, "the JSON names the cursor", output)
        middle = await session.ok("bg_output", {"task_id": task_id, "cursor": cursor, "max_bytes": budget})
        full = "".join(f"{n}\n" for n in range(1, 30001))
        check(len(middle.data["data"].encode()) == left, "the middle is what was left out", left)
        check(head + middle.data["data"] + tail == full, "head, middle and tail are the whole output", len(full))
        check(middle.data["next_cursor"] == output["tail"]["cursor"], "the middle ends where the tail starts", middle)
        # bg_output from the start shows head and tail too; from a cursor it pages.
        answer = await session.ok("bg_output", {"task_id": task_id, "max_bytes": 4000})
        check(answer.text.rstrip().splitlines()[-1] == "30000", "bg_output ends with the last line", answer)
        check(len((answer.data["data"] + answer.data["tail"]["data"]).encode()) <= 4000, "within max_bytes", answer)


async def scenario_model_text(args):
    """Text without escape sequences, redraws settled, repeated lines folded; JSON exact."""
    async with stdio_client(args) as client:
        session = Session(client)
        colour = "printf '\\033[32mPASSED\\033[0m test_a\\n\\033[1;31mFAILED\\033[0m test_b\\n'; printf '10%%\\r50%%\\r100%%\\n'"
        answer = await session.ok("bg_run", {"command": colour})
        data = answer.data["output"]["data"]
        check("\x1b[32m" in data and "\r" in data, "the JSON keeps the escape sequences", answer)
        check("\x1b" not in answer.text and "\r" not in answer.text, "the text has none", answer)
        check("PASSED test_a\nFAILED test_b\n100%" in answer.text, "the text reads as a terminal shows it", answer)
        answer = await session.ok("bg_run", {"command": "echo start; yes same | head -500; echo end"})
        check(answer.data["output"]["data"] == "start\n" + "same\n" * 500 + "end\n", "the JSON is exact", answer)
        check("start\nsame\n[... same line 499 more times]\nend" in answer.text, "500 identical lines fold", answer)
        check(len(answer.text.encode()) < 400, "into a few bytes", len(answer.text))


async def scenario_echoes(args):
    """No echo of an end the answer reports; one line for a task that ended elsewhere;
    all_finished only for two or more tasks."""
    async with stdio_client(args) as client:
        session = Session(client)
        answer = await session.ok("bg_run", {"command": "echo quick; exit 2", "name": "quick"})
        task_id = answer.data["task"]["id"]
        check(tend_lines(answer.text) == [], "no [tend] line for the end the answer reports", answer)
        kinds = [(n["kind"], n["task_id"]) for n in answer.data["notifications"]]
        check(kinds == [("task_finished", task_id)], "acknowledged with the answer; no all_finished", answer)
        answer = await session.ok("bg_wait", {})
        check(answer.data["notifications"] == [] and tend_lines(answer.text) == [], "nothing left over", answer)
        # Two tasks ending together: both reported by bg_wait, and one all_finished.
        first = (await session.ok("bg_run", {"command": "sleep 0.5", "yield_ms": 0}))
        second = (await session.ok("bg_run", {"command": "sleep 0.5", "yield_ms": 0}))
        ids = [first.data["task"]["id"], second.data["task"]["id"]]
        answer = await session.ok("bg_wait", {"task_ids": ids, "mode": "all", "timeout_ms": 30000})
        kinds = sorted(n["kind"] for n in answer.data["notifications"])
        check(kinds == ["all_finished", "task_finished", "task_finished"], "two tasks: one all_finished", answer)
        summary = [n for n in answer.data["notifications"] if n["kind"] == "all_finished"][0]
        check(sorted(summary["tasks"]) == sorted(ids), "summing up both", summary)
        check(tend_lines(answer.text) == [], "all reported by the answer: no [tend] line", answer)
        # A task that ended elsewhere: one line.
        answer = await session.ok("bg_run", {"command": "sleep 0.3", "name": "elsewhere", "yield_ms": 0})
        task_id = answer.data["task"]["id"]
        tend_cli(args, "wait", task_id, "--timeout", "30s")
        answer = await session.ok("bg_wait", {})
        lines = tend_lines(answer.text)
        check(len(lines) == 1 and lines[0].startswith(f'[tend] {task_id} "elsewhere" finished: completed'), "one line", answer)


async def scenario_context(args):
    """grep with context: the traceback lines around each failure."""
    script = (
        "for i in $(seq 1 50); do echo test_$i PASSED; done; "
        "echo 'Traceback (most recent call last):'; echo '  File \"t.py\", line 3, in test_x'; "
        "echo '    assert add(1, 1) == 3'; echo 'AssertionError: 2 != 3'; "
        "for i in $(seq 51 99); do echo test_$i PASSED; done; echo '1 failed, 99 passed'"
    )
    async with stdio_client(args) as client:
        session = Session(client)
        answer = await session.ok("bg_run", {"command": script})
        task_id = answer.data["task"]["id"]
        answer = await session.ok("bg_output", {"task_id": task_id, "grep": "Error", "context": 3})
        expected = (
            "Traceback (most recent call last):\n  File \"t.py\", line 3, in test_x\n"
            "    assert add(1, 1) == 3\nAssertionError: 2 != 3\ntest_51 PASSED\ntest_52 PASSED\ntest_53 PASSED\n"
        )
        check(answer.data["data"] == expected, "three lines before and after the match", answer)
        check("with 3 lines of context" in answer.text, "the text says so", answer)
        answer = await session.ok("bg_output", {"task_id": task_id, "grep": "test_(10|20)\\b", "context": 1})
        check(answer.data["data"] == "test_9 PASSED\ntest_10 PASSED\ntest_11 PASSED\n--\ntest_19 PASSED\ntest_20 PASSED\ntest_21 PASSED\n",
              "groups separated by --", answer)
        await session.error("bg_output", {"task_id": task_id, "context": 2}, "invalid_argument")


async def scenario_environment(args):
    """bg_run commands see tend mcp's own environment plus the call's env, not the daemon's."""
    # The daemon is started first by another client, without the variable.
    tend_cli(args, "ls")
    extra = {"TEND_TEST_EXPORTED": "from-the-agent", "TEND_TEST_OVERRIDDEN": "old"}
    async with stdio_client(args, extra_env=extra) as client:
        session = Session(client)
        answer = await session.ok(
            "bg_run",
            {
                "command": 'echo "$TEND_TEST_EXPORTED $TEND_TEST_OVERRIDDEN"',
                "env": {"TEND_TEST_OVERRIDDEN": "new"},
            },
        )
        check(answer.data["output"]["data"] == "from-the-agent new\n", "the server's environment", answer)
    check("from-the-agent" not in tend_cli(args, "show", answer.data["task"]["id"]), "never shown")


SCENARIOS = {
    name[len("scenario_"):]: function for name, function in globals().items() if name.startswith("scenario_")
}


# ----- over Streamable HTTP -----


async def scenario_http(args):
    """The HTTP transport with the token works; without it, or from a foreign Origin, it is refused."""
    headers = {"Authorization": f"Bearer {args.token}"}
    async with httpx2.AsyncClient(headers=headers, timeout=60) as http:
        async with Client(streamable_http_client(args.url, http_client=http)) as client:
            session = Session(client)
            listed = await client.list_tools()
            check(sorted(tool.name for tool in listed.tools) == sorted(TOOLS), "the six tools over HTTP", listed)
            answer = await session.ok("bg_run", {"command": "echo over http"})
            check(answer.data["output"]["data"] == "over http\n", "a command over HTTP", answer)
            check(answer.data["task"]["session"] == "mcp-http", "the default HTTP session", answer)
    named = args.url + "?session=http-named"
    async with httpx2.AsyncClient(headers=headers, timeout=60) as http:
        async with Client(streamable_http_client(named, http_client=http)) as client:
            answer = await Session(client).ok("bg_run", {"command": "true"})
            check(answer.data["task"]["session"] == "http-named", "the URL names the session", answer)
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    accept = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    async with httpx2.AsyncClient(timeout=30) as raw:
        refused = await raw.post(args.url, json=body, headers=accept)
        check(refused.status_code == 401, "no token: 401", refused.status_code, refused.text)
        wrong = await raw.post(args.url, json=body, headers={**accept, "Authorization": "Bearer nope"})
        check(wrong.status_code == 401, "a wrong token: 401", wrong.status_code)
        foreign = await raw.post(args.url, json=body, headers={**accept, **headers, "Origin": "http://evil.example"})
        check(foreign.status_code == 403, "a foreign Origin: 403", foreign.status_code, foreign.text)
        host = await raw.post(args.url, json=body, headers={**accept, **headers, "Host": "evil.example"})
        check(host.status_code == 403, "a foreign Host: 403", host.status_code, host.text)
        local = await raw.post(args.url, json=body, headers={**accept, **headers, "Origin": "http://localhost:3000"})
        check(local.status_code != 403 and local.status_code != 401, "a loopback Origin passes", local.status_code)
    try:
        async with Client(args.url) as client:
            await client.list_tools()
        raise Failed("the SDK client without the token was let in")
    except Failed:
        raise
    except BaseException as error:  # the SDK raises its own error types, possibly in a group
        print(f"without the token the SDK client failed as it should: {type(error).__name__}")


SCENARIOS["http"] = scenario_http


def first_failure(error):
    """The failed check in `error`, which task groups may have wrapped in exception groups."""
    if isinstance(error, Failed):
        return error
    for inner in getattr(error, "exceptions", ()):
        found = first_failure(inner)
        if found is not None:
            return found
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario", choices=sorted(SCENARIOS))
    parser.add_argument("--tend", required=True)
    parser.add_argument("--home", required=True)
    parser.add_argument("--url")
    parser.add_argument("--token")
    args = parser.parse_args()
    try:
        asyncio.run(SCENARIOS[args.scenario](args))
    except BaseException as error:
        failure = first_failure(error)
        if failure is None:
            raise
        print(f"FAILED {args.scenario}: {failure}", file=sys.stderr)
        sys.exit(1)
    print(f"ok {args.scenario}")


if __name__ == "__main__":
    main()
