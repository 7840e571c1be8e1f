"""The sync client against a real daemon."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tend_client import Client, Conflict, DaemonUnreachable, Expired, InvalidArgument, NotFound


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().split(") ")[-1].split()[0] != "Z"
    except OSError:
        return False


def eventually(check, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, "the condition did not hold in time"
        time.sleep(0.02)


def test_shell_output_is_followed_live(client: Client) -> None:
    created = client.create_shell("py", "for i in 1 2 3; do echo line$i; sleep 0.3; done")
    assert created["created"] is True
    task = created["task"]
    assert task["kind"] == "shell" and task["id"].startswith("t")
    reads = list(client.follow(task["id"]))
    assert "".join(r["data"] for r in reads) == "line1\nline2\nline3\n"
    # The first lines arrived while the command still ran, not all at the end.
    assert len(reads) >= 2, reads
    assert reads[0]["state"] == "running", reads[0]
    assert client.get(task["id"])["state"] == "completed"
    raw = client.output_raw(task["id"])
    assert raw["data"] == b"line1\nline2\nline3\n" and raw["eof"] is True
    assert raw["next_cursor"] == raw["total_bytes"] == 18


def test_argv_tasks_and_wait(client: Client) -> None:
    first = client.create_shell("py", command=["sh", "-c", "exit 3"])["task"]
    second = client.create_shell("py", "sleep 0.2")["task"]
    result = client.wait([first["id"], second["id"]], timeout_ms=20_000)
    assert result["done"] is True
    states = {t["id"]: (t["state"], t["exit_code"]) for t in result["tasks"]}
    assert states == {first["id"]: ("failed", 3), second["id"]: ("completed", 0)}


def test_external_task_reports_progress_and_completes(client: Client) -> None:
    task = client.create_external("py", "review the diff", child_session="child-1")["task"]
    assert task["kind"] == "subagent" and task["state"] == "running"
    assert client.progress(task["id"], "half way", state="waiting")["state"] == "waiting"
    assert client.wait([task["id"]], timeout_ms=50)["done"] is False
    done = client.complete(task["id"], "completed", "no findings")
    assert done["state"] == "completed" and done["summary"] == "no findings"
    assert client.wait([task["id"]], timeout_ms=1000)["done"] is True
    with pytest.raises(Conflict):
        client.complete(task["id"], "failed")


def test_a_subagent_learns_that_a_stop_was_requested(client: Client, home: Path, tend_bin: str) -> None:
    import threading

    task = client.create_external("py", "long subagent")["task"]
    stopped = {}

    def stop() -> None:
        with Client(home, tend_bin=tend_bin) as other:
            stopped["task"] = other.stop(task["id"], grace_ms=20_000)  # answers once terminal

    stopper = threading.Thread(target=stop)
    stopper.start()
    seen = client.stop_requested(task["id"])
    assert seen["state"] == "cancel_requested"
    assert client.complete(task["id"], "cancelled", "aborted on request")["state"] == "cancelled"
    stopper.join(timeout=30)
    assert stopped["task"]["state"] == "cancelled"
    assert stopped["task"]["summary"] == "aborted on request"


def test_stop_ends_the_process(client: Client) -> None:
    task = client.create_shell("py", "echo started; exec sleep 100")["task"]
    eventually(lambda: client.output(task["id"], wait_ms=1000)["data"])
    pid = client.get(task["id"])["pid"]
    assert pid and alive(pid)
    stopped = client.stop(task["id"], grace_ms=2000)
    assert stopped["state"] == "cancelled"
    eventually(lambda: not alive(pid))


def test_events_resume_after_a_gap(client: Client) -> None:
    first = client.create_shell("gap", "true")["task"]
    client.wait([first["id"]], timeout_ms=20_000)
    seen = []
    for event in client.follow_events(session="gap", wait_ms=1000):
        seen.append(event)
        if event["type"] == "finished":
            break
    assert [e["type"] for e in seen][0] == "registered"
    last = seen[-1]["seq"]
    # While nobody follows, more happens.
    second = client.create_shell("gap", "true")["task"]
    client.wait([second["id"]], timeout_ms=20_000)
    resumed = []
    for event in client.follow_events(after=last, session="gap", wait_ms=1000):
        resumed.append(event)
        if event["type"] == "finished":
            break
    assert {e["task_id"] for e in resumed} == {second["id"]}
    assert resumed[0]["type"] == "registered" and resumed[0]["seq"] > last
    seqs = [e["seq"] for e in resumed]
    assert seqs == sorted(set(seqs))


def test_notifications_are_acknowledged(client: Client) -> None:
    task = client.create_shell("notes", "exit 0")["task"]
    client.wait([task["id"]], timeout_ms=20_000)
    notes = eventually(lambda: client.notifications("notes", wait_ms=1000))
    finished = [n for n in notes if n["kind"] == "task_finished"]
    assert finished and finished[0]["task_id"] == task["id"]
    assert finished[0]["state"] == "completed"
    client.ack("notes", [n["id"] for n in notes])
    assert client.notifications("notes") == []


def test_errors_are_typed(client: Client) -> None:
    with pytest.raises(NotFound) as missing:
        client.get("t999999")
    assert missing.value.code == "not_found" and missing.value.status == 404
    running = client.create_shell("errors", "sleep 100")["task"]
    with pytest.raises(Conflict) as conflict:
        client.remove(running["id"])
    assert conflict.value.status == 409
    client.stop(running["id"], grace_ms=100)
    client.remove(running["id"])
    with pytest.raises(Expired) as expired:
        client.get(running["id"])
    assert expired.value.code == "expired" and expired.value.status == 410
    with pytest.raises(InvalidArgument):
        client.create(session="errors")


def test_a_daemon_is_started_when_none_runs(homes, tend_bin: str) -> None:
    home = homes.new(create=False)
    assert not home.exists()
    with Client(home, tend_bin=tend_bin, autostart=True) as client:
        task = client.create_shell("auto", "echo up")["task"]
        assert client.wait([task["id"]], timeout_ms=20_000)["done"]
        assert client.health()["ok"] is True
    assert (home / "tend.sock").exists()
    assert home.stat().st_mode & 0o077 == 0, "the home is private"


def test_without_autostart_no_daemon_is_an_error(homes, tend_bin: str) -> None:
    home = homes.new()
    with Client(home, tend_bin=tend_bin, autostart=False) as client:
        with pytest.raises(DaemonUnreachable):
            client.health()
    assert not (home / "tend.sock").exists()
