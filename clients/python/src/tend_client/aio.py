"""The asynchronous client (asyncio, or trio through anyio)."""

from __future__ import annotations

import os
import time
from typing import Any, AsyncIterator, Optional

import anyio
import httpx

from . import _ops
from ._home import START_TIMEOUT, PathLike, log_tail, spawn_daemon
from .client import FOLLOW_WAIT_MS, DEFAULT_TIMEOUT, _Base
from .errors import AutostartFailed
from .types import Created, EventsPage, Event, Health, Notification, OutputRead, RawOutput, Task, WaitResult


class AsyncClient(_Base):
    """The asynchronous twin of :class:`tend_client.Client`: the same methods, awaited; the
    followers are async iterators.

    A client of the daemon of one home, over its unix socket.

    ``home`` defaults to what the ``tend`` binary uses (``TEND_HOME``, then the XDG state
    directory). When no daemon answers, one is started (``tend daemon``, found through
    ``tend_bin``, ``TEND_BIN`` or PATH) unless ``autostart`` is false or ``TEND_NO_AUTOSTART``
    is set. Every request gives up after ``timeout`` seconds plus the time it asks the daemon
    to wait. Errors of the API raise the subclasses of :class:`tend_client.ApiError`.
    """

    def __init__(
        self,
        home: Optional[PathLike] = None,
        *,
        autostart: Optional[bool] = None,
        tend_bin: Optional[PathLike] = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        super().__init__(home, autostart, tend_bin, timeout)
        self._http = httpx.AsyncClient(
            transport=httpx.AsyncHTTPTransport(uds=os.fspath(self.socket)),
            base_url="http://localhost",
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- transport ---------------------------------------------------------------------------

    async def _send(self, op: _ops.Op) -> Any:
        try:
            return await self._once(op)
        except (httpx.ConnectError, FileNotFoundError) as error:
            if not self.autostart:
                raise self._unreachable(error) from error
        await self.start_daemon()
        try:
            return await self._once(op)
        except httpx.TransportError as error:
            raise self._unreachable(error) from error

    async def _once(self, op: _ops.Op) -> Any:
        response = await self._http.request(
            op.method, op.path, params=op.params, json=op.body, timeout=self._timeout(op)
        )
        return self._answer(op, response)

    async def _probe(self) -> Optional[Health]:
        try:
            return await self._once(_ops.health())
        except (httpx.TransportError, FileNotFoundError):
            return None

    async def start_daemon(self) -> Health:
        """Starts a daemon for the home unless one answers, and waits for its health."""
        health = await self._probe()
        if health is not None:
            return health
        child = spawn_daemon(self.home, self._binary())
        deadline = time.monotonic() + START_TIMEOUT
        pause = 0.005
        while time.monotonic() < deadline:
            health = await self._probe()
            if health is not None:
                return health
            await anyio.sleep(pause)
            pause = min(pause * 2, 0.1)
        child.poll()
        raise AutostartFailed(f"the daemon started for {self.home} did not answer: {log_tail(self.home)}")

    # -- tasks -------------------------------------------------------------------------------

    async def create(self, **body: Any) -> Created:
        """``POST /v1/tasks`` with the fields of ``CreateTaskParams`` as keywords."""
        return await self._send(_ops.create(body))

    async def create_shell(
        self, session: str, shell: Optional[str] = None, *, command: Optional[list[str]] = None, **fields: Any
    ) -> Created:
        """Runs ``shell`` (``sh -c``) or ``command`` (argv) as a task of ``session``."""
        return await self.create(**_ops.shell_body(session, shell, command, fields))

    async def create_external(self, session: str, name: str, *, kind: str = "subagent", **fields: Any) -> Created:
        """Registers work done elsewhere (a subagent): it runs until :meth:`complete`."""
        return await self.create(**_ops.external_body(session, name, kind, fields))

    async def get(self, task_id: str) -> Task:
        return await self._send(_ops.get(task_id))

    async def list(self, **query: Any) -> list[Task]:
        """``GET /v1/tasks``: ``session=``, ``state=`` (one or a list), ``kind=``, ``active=``, ``limit=``."""
        return (await self._send(_ops.list_tasks(**query)))["tasks"]

    async def remove(self, task_id: str) -> None:
        await self._send(_ops.remove(task_id))

    async def output(self, task_id: str, **query: Any) -> OutputRead:
        """One read: ``cursor=``, ``max_bytes=``, ``tail_lines=``, ``grep=``, ``wait_ms=``, ``stream=``."""
        return await self._send(_ops.output(task_id, **query))

    async def output_raw(self, task_id: str, **query: Any) -> RawOutput:
        """One read of the bytes as written (``format=raw``)."""
        return await self._send(_ops.output(task_id, raw=True, **query))

    async def follow(self, task_id: str, *, cursor: int = 0, wait_ms: int = FOLLOW_WAIT_MS, **query: Any) -> AsyncIterator[OutputRead]:
        """Yields each read with new output, as it is written, until the task ended and all of
        it was read."""
        while True:
            read = await self.output(task_id, cursor=cursor, wait_ms=wait_ms, **query)
            if read["data"]:
                yield read
            cursor = read["next_cursor"]
            if read["eof"]:
                return

    async def stop(self, task_id: str, *, grace_ms: Optional[int] = None) -> Task:
        """Stops a task; answers its terminal record."""
        return await self._send(_ops.stop(task_id, grace_ms))

    async def write_stdin(self, task_id: str, data: str, *, eof: bool = False) -> None:
        await self._send(_ops.stdin(task_id, data, eof))

    async def progress(self, task_id: str, message: Optional[str] = None, *, state: Optional[str] = None) -> Task:
        """An external task reports progress (``state``: ``running`` or ``waiting``)."""
        return await self._send(_ops.progress(task_id, message, state))

    async def complete(self, task_id: str, state: str = "completed", summary: Optional[str] = None) -> Task:
        """An external task reports its outcome: ``completed``, ``failed`` or ``cancelled``."""
        return await self._send(_ops.complete(task_id, state, summary))

    async def transfer(self, task_id: str, session: str) -> Task:
        return await self._send(_ops.transfer(task_id, session))

    async def wait(
        self,
        ids: Optional[list[str]] = None,
        *,
        session: Optional[str] = None,
        mode: Optional[str] = None,
        timeout_ms: Optional[int] = None,
    ) -> WaitResult:
        """Waits for tasks to end (``mode``: ``all`` or ``any``); ``done`` is false on timeout."""
        return await self._send(_ops.wait(ids, session, mode, timeout_ms))

    # -- events and notifications ------------------------------------------------------------

    async def events(self, **query: Any) -> EventsPage:
        """A page of events: ``after=SEQ``, ``session=``, ``task=``, ``wait_ms=``."""
        return await self._send(_ops.events(**query))

    async def follow_events(self, *, after: int = 0, wait_ms: int = FOLLOW_WAIT_MS, **query: Any) -> AsyncIterator[Event]:
        """Yields events after ``after`` as they happen, forever. Resume a follow that stopped
        with ``after=`` the ``seq`` of the last event it yielded."""
        while True:
            page = await self.events(after=after, wait_ms=wait_ms, **query)
            for event in page["events"]:
                yield event
            after = page["next_after"]

    async def stop_requested(self, task_id: str) -> Task:
        """Returns once a stop of the task was requested (by ``tend stop``, its parent, its
        session's close or a shutdown) or it ended, with its record then. A harness running a
        subagent as an external task waits for it to learn when to abort the subagent, then
        reports the outcome with :meth:`complete` (``cancelled``)."""
        async for event in self.follow_events(task=task_id, wait_ms=5_000):
            kind = event["type"]
            if (kind == "state_changed" and event.get("to") == "cancel_requested") or kind in ("finished", "removed"):
                return await self.get(task_id)
        raise AssertionError("unreachable: events are followed forever")

    async def notifications(self, session: str, *, wait_ms: Optional[int] = None) -> list[Notification]:
        return (await self._send(_ops.notifications(session, wait_ms)))["notifications"]

    async def ack(self, session: str, ids: list[str]) -> None:
        await self._send(_ops.ack(session, ids))

    async def close_session(self, session: str, *, successor: Optional[str] = None) -> list[Task]:
        return (await self._send(_ops.close_session(session, successor)))["tasks"]

    # -- groups and the daemon ---------------------------------------------------------------

    async def groups(self) -> list[dict[str, Any]]:
        return (await self._send(_ops.groups()))["groups"]

    async def set_group_limit(self, name: str, limit: int) -> dict[str, Any]:
        return await self._send(_ops.set_group_limit(name, limit))

    async def health(self) -> Health:
        return await self._send(_ops.health())

    async def stop_daemon(self, *, kill_tasks: bool = False, grace_ms: Optional[int] = None) -> dict[str, Any]:
        """Stops the daemon; with ``kill_tasks`` its live shell tasks too."""
        try:
            return await self._once(_ops.stop_daemon(kill_tasks, grace_ms))
        except (httpx.ConnectError, FileNotFoundError) as error:
            raise self._unreachable(error) from error

    async def openapi(self) -> dict[str, Any]:
        return await self._send(_ops.openapi())
