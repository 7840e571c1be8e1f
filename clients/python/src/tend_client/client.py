"""The synchronous client."""

from __future__ import annotations

import os
import time
from typing import Any, Iterator, Optional

import httpx

from . import _ops
from ._home import START_TIMEOUT, PathLike, find_binary, log_tail, resolve_home, spawn_daemon
from .errors import AutostartFailed, DaemonUnreachable, from_response
from .types import Created, EventsPage, Event, Health, Notification, OutputRead, RawOutput, Task, WaitResult

DEFAULT_TIMEOUT = 30.0
"""Seconds a request may take, on top of the time it asks the daemon to wait (``wait_ms``)."""

FOLLOW_WAIT_MS = 10_000
"""How long each long poll of a follower waits for something new."""


class _Base:
    def __init__(
        self,
        home: Optional[PathLike],
        autostart: Optional[bool],
        tend_bin: Optional[PathLike],
        timeout: float,
    ) -> None:
        self.home = resolve_home(home)
        self.socket = self.home / "tend.sock"
        self.timeout = timeout
        if autostart is None:
            autostart = not os.environ.get("TEND_NO_AUTOSTART")
        self.autostart = autostart
        self._tend_bin = tend_bin

    def _timeout(self, op: _ops.Op) -> httpx.Timeout:
        total = self.timeout + op.wait_ms / 1000
        return httpx.Timeout(total, connect=min(self.timeout, 5.0))

    def _answer(self, op: _ops.Op, response: httpx.Response) -> Any:
        if response.status_code >= 400:
            try:
                body = response.json()
            except ValueError:
                body = None
            raise from_response(response.status_code, body)
        if response.status_code == 204:
            return None
        if op.raw:
            return _ops.raw_output(response.content, response.headers)
        return response.json()

    def _binary(self) -> str:
        binary = find_binary(self._tend_bin)
        if binary is None:
            raise DaemonUnreachable(
                f"no daemon answers on {self.socket} and no tend binary to start one (give tend_bin= or set TEND_BIN)"
            )
        return binary

    def _unreachable(self, error: Exception) -> DaemonUnreachable:
        return DaemonUnreachable(f"no daemon answers on {self.socket}: {error}")


class Client(_Base):
    """A client of the daemon of one home, over its unix socket.

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
        self._http = httpx.Client(
            transport=httpx.HTTPTransport(uds=os.fspath(self.socket)),
            base_url="http://localhost",
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transport ---------------------------------------------------------------------------

    def _send(self, op: _ops.Op) -> Any:
        try:
            return self._once(op)
        except (httpx.ConnectError, FileNotFoundError) as error:
            if not self.autostart:
                raise self._unreachable(error) from error
        self.start_daemon()
        try:
            return self._once(op)
        except httpx.TransportError as error:
            raise self._unreachable(error) from error

    def _once(self, op: _ops.Op) -> Any:
        response = self._http.request(
            op.method, op.path, params=op.params, json=op.body, timeout=self._timeout(op)
        )
        return self._answer(op, response)

    def _probe(self) -> Optional[Health]:
        try:
            return self._once(_ops.health())
        except (httpx.TransportError, FileNotFoundError):
            return None

    def start_daemon(self) -> Health:
        """Starts a daemon for the home unless one answers, and waits for its health."""
        health = self._probe()
        if health is not None:
            return health
        child = spawn_daemon(self.home, self._binary())
        deadline = time.monotonic() + START_TIMEOUT
        pause = 0.005
        while time.monotonic() < deadline:
            health = self._probe()
            if health is not None:
                return health
            time.sleep(pause)
            pause = min(pause * 2, 0.1)
        child.poll()
        raise AutostartFailed(f"the daemon started for {self.home} did not answer: {log_tail(self.home)}")

    # -- tasks -------------------------------------------------------------------------------

    def create(self, **body: Any) -> Created:
        """``POST /v1/tasks`` with the fields of ``CreateTaskParams`` as keywords."""
        return self._send(_ops.create(body))

    def create_shell(
        self, session: str, shell: Optional[str] = None, *, command: Optional[list[str]] = None, **fields: Any
    ) -> Created:
        """Runs ``shell`` (``sh -c``) or ``command`` (argv) as a task of ``session``."""
        return self.create(**_ops.shell_body(session, shell, command, fields))

    def create_external(self, session: str, name: str, *, kind: str = "subagent", **fields: Any) -> Created:
        """Registers work done elsewhere (a subagent): it runs until :meth:`complete`."""
        return self.create(**_ops.external_body(session, name, kind, fields))

    def get(self, task_id: str) -> Task:
        return self._send(_ops.get(task_id))

    def list(self, **query: Any) -> list[Task]:
        """``GET /v1/tasks``: ``session=``, ``state=`` (one or a list), ``kind=``, ``active=``, ``limit=``."""
        return self._send(_ops.list_tasks(**query))["tasks"]

    def remove(self, task_id: str) -> None:
        self._send(_ops.remove(task_id))

    def output(self, task_id: str, **query: Any) -> OutputRead:
        """One read: ``cursor=``, ``max_bytes=``, ``tail_lines=``, ``grep=``, ``wait_ms=``, ``stream=``."""
        return self._send(_ops.output(task_id, **query))

    def output_raw(self, task_id: str, **query: Any) -> RawOutput:
        """One read of the bytes as written (``format=raw``)."""
        return self._send(_ops.output(task_id, raw=True, **query))

    def follow(self, task_id: str, *, cursor: int = 0, wait_ms: int = FOLLOW_WAIT_MS, **query: Any) -> Iterator[OutputRead]:
        """Yields each read with new output, as it is written, until the task ended and all of
        it was read."""
        while True:
            read = self.output(task_id, cursor=cursor, wait_ms=wait_ms, **query)
            if read["data"]:
                yield read
            cursor = read["next_cursor"]
            if read["eof"]:
                return

    def stop(self, task_id: str, *, grace_ms: Optional[int] = None) -> Task:
        """Stops a task; answers its terminal record."""
        return self._send(_ops.stop(task_id, grace_ms))

    def write_stdin(self, task_id: str, data: str, *, eof: bool = False) -> None:
        self._send(_ops.stdin(task_id, data, eof))

    def progress(self, task_id: str, message: Optional[str] = None, *, state: Optional[str] = None) -> Task:
        """An external task reports progress (``state``: ``running`` or ``waiting``)."""
        return self._send(_ops.progress(task_id, message, state))

    def complete(self, task_id: str, state: str = "completed", summary: Optional[str] = None) -> Task:
        """An external task reports its outcome: ``completed``, ``failed`` or ``cancelled``."""
        return self._send(_ops.complete(task_id, state, summary))

    def transfer(self, task_id: str, session: str) -> Task:
        return self._send(_ops.transfer(task_id, session))

    def wait(
        self,
        ids: Optional[list[str]] = None,
        *,
        session: Optional[str] = None,
        mode: Optional[str] = None,
        timeout_ms: Optional[int] = None,
    ) -> WaitResult:
        """Waits for tasks to end (``mode``: ``all`` or ``any``); ``done`` is false on timeout."""
        return self._send(_ops.wait(ids, session, mode, timeout_ms))

    # -- events and notifications ------------------------------------------------------------

    def events(self, **query: Any) -> EventsPage:
        """A page of events: ``after=SEQ``, ``session=``, ``task=``, ``wait_ms=``."""
        return self._send(_ops.events(**query))

    def follow_events(self, *, after: int = 0, wait_ms: int = FOLLOW_WAIT_MS, **query: Any) -> Iterator[Event]:
        """Yields events after ``after`` as they happen, forever. Resume a follow that stopped
        with ``after=`` the ``seq`` of the last event it yielded."""
        while True:
            page = self.events(after=after, wait_ms=wait_ms, **query)
            yield from page["events"]
            after = page["next_after"]

    def stop_requested(self, task_id: str) -> Task:
        """Returns once a stop of the task was requested (by ``tend stop``, its parent, its
        session's close or a shutdown) or it ended, with its record then. A harness running a
        subagent as an external task waits for it to learn when to abort the subagent, then
        reports the outcome with :meth:`complete` (``cancelled``)."""
        for event in self.follow_events(task=task_id, wait_ms=5_000):
            kind = event["type"]
            if (kind == "state_changed" and event.get("to") == "cancel_requested") or kind in ("finished", "removed"):
                return self.get(task_id)
        raise AssertionError("unreachable: events are followed forever")

    def notifications(self, session: str, *, wait_ms: Optional[int] = None) -> list[Notification]:
        return self._send(_ops.notifications(session, wait_ms))["notifications"]

    def ack(self, session: str, ids: list[str]) -> None:
        self._send(_ops.ack(session, ids))

    def close_session(self, session: str, *, successor: Optional[str] = None) -> list[Task]:
        return self._send(_ops.close_session(session, successor))["tasks"]

    # -- groups and the daemon ---------------------------------------------------------------

    def groups(self) -> list[dict[str, Any]]:
        return self._send(_ops.groups())["groups"]

    def set_group_limit(self, name: str, limit: int) -> dict[str, Any]:
        return self._send(_ops.set_group_limit(name, limit))

    def health(self) -> Health:
        return self._send(_ops.health())

    def stop_daemon(self, *, kill_tasks: bool = False, grace_ms: Optional[int] = None) -> dict[str, Any]:
        """Stops the daemon; with ``kill_tasks`` its live shell tasks too."""
        try:
            return self._once(_ops.stop_daemon(kill_tasks, grace_ms))
        except (httpx.ConnectError, FileNotFoundError) as error:
            raise self._unreachable(error) from error

    def openapi(self) -> dict[str, Any]:
        return self._send(_ops.openapi())
