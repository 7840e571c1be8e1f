"""The async client against a real daemon."""

from __future__ import annotations

from pathlib import Path

import pytest

from tend_client import AsyncClient, Expired, NotFound

pytestmark = pytest.mark.anyio


async def test_async_follow_wait_and_external(home: Path, tend_bin: str) -> None:
    async with AsyncClient(home, tend_bin=tend_bin) as client:
        task = (await client.create_shell("aio", "echo one; sleep 0.3; echo two"))["task"]
        reads = [read async for read in client.follow(task["id"])]
        assert "".join(r["data"] for r in reads) == "one\ntwo\n"
        assert reads[0]["state"] == "running"
        sub = (await client.create_external("aio", "subagent work"))["task"]
        await client.progress(sub["id"], "working")
        waited = await client.wait([sub["id"]], timeout_ms=50)
        assert waited["done"] is False
        await client.complete(sub["id"], "failed", "it broke")
        record = await client.get(sub["id"])
        assert record["state"] == "failed" and record["summary"] == "it broke"


async def test_async_events_notifications_and_errors(home: Path, tend_bin: str) -> None:
    async with AsyncClient(home, tend_bin=tend_bin) as client:
        task = (await client.create_shell("aio2", "sleep 100"))["task"]
        stopped = await client.stop(task["id"], grace_ms=200)
        assert stopped["state"] == "cancelled"
        types = []
        async for event in client.follow_events(task=task["id"], wait_ms=1000):
            types.append(event["type"])
            if event["type"] == "finished":
                break
        assert types[0] == "registered" and types[-1] == "finished"
        notes = await client.notifications("aio2", wait_ms=5000)
        assert [n["task_id"] for n in notes if n["kind"] == "task_finished"] == [task["id"]]
        await client.ack("aio2", [n["id"] for n in notes])
        assert await client.notifications("aio2") == []
        with pytest.raises(NotFound):
            await client.get("t424242")
        await client.remove(task["id"])
        with pytest.raises(Expired):
            await client.get(task["id"])


async def test_async_stop_requested_and_autostart(homes, tend_bin: str) -> None:
    import anyio

    home = homes.new(create=False)
    async with AsyncClient(home, tend_bin=tend_bin) as client:
        task = (await client.create_external("aio3", "long subagent"))["task"]
        async with anyio.create_task_group() as group:
            stopped = {}

            async def stop() -> None:
                stopped["task"] = await client.stop(task["id"], grace_ms=20_000)

            group.start_soon(stop)
            seen = await client.stop_requested(task["id"])
            assert seen["state"] == "cancel_requested"
            await client.complete(task["id"], "cancelled", "aborted")
        assert stopped["task"]["state"] == "cancelled"
        assert (await client.health())["ok"] is True
