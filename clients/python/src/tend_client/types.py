"""The records of the API as typed dictionaries (what the daemon writes, field for field).

Fields added by later versions of the daemon appear in the dictionaries as well; these types
name the ones this version of the client knows.
"""

from __future__ import annotations

from typing import Any, Literal, Optional, TypedDict

State = Literal["pending", "running", "waiting", "cancel_requested", "completed", "failed", "cancelled"]
"""The lifecycle states; ``completed``, ``failed`` and ``cancelled`` are terminal."""

TERMINAL: frozenset[str] = frozenset({"completed", "failed", "cancelled"})

Kind = Literal["shell", "subagent", "monitor", "observer", "other"]
FinalState = Literal["completed", "failed", "cancelled"]
Reason = Literal[
    "exited",
    "reported",
    "signaled",
    "timed_out",
    "stale",
    "queue_timeout",
    "spawn_failed",
    "dependency_failed",
]


class OutputCounters(TypedDict):
    total_bytes: int
    dropped_bytes: int


class Progress(TypedDict, total=False):
    message: Optional[str]
    at: str


class Task(TypedDict):
    """A task's record."""

    id: str
    kind: Kind
    session: str
    parent: Optional[str]
    child_session: Optional[str]
    key: Optional[str]
    name: str
    command: Optional[list[str]]
    cwd: Optional[str]
    group: str
    state: State
    reason: Optional[Reason]
    exit_code: Optional[int]
    signal: Optional[int]
    summary: Optional[str]
    attempt: int
    max_attempts: int
    after: list[str]
    pid: Optional[int]
    progress: Optional[dict[str, Any]]
    output: Optional[OutputCounters]
    close_policy: str
    timeout_ms: Optional[int]
    idle_timeout_ms: Optional[int]
    created_at: str
    started_at: Optional[str]
    updated_at: str
    finished_at: Optional[str]


class OutputRead(TypedDict):
    """One read of a task's output."""

    task_id: str
    state: State
    data: str
    cursor: int
    next_cursor: int
    total_bytes: int
    dropped_bytes: int
    truncated: bool
    eof: bool


class Created(TypedDict):
    """The answer of a create: ``created`` is false when a live task had the same key."""

    created: bool
    task: Task
    output: Optional[OutputRead]


class WaitResult(TypedDict):
    done: bool
    tasks: list[Task]


class Event(TypedDict, total=False):
    """One event of the log; ``type`` tells which of the other fields it has."""

    seq: int
    at: str
    task_id: str
    session: str
    type: Literal[
        "registered", "started", "progress", "state_changed", "retrying", "finished", "transferred", "removed"
    ]
    task: Task
    attempt: int
    pid: Optional[int]
    message: Optional[str]
    state: State
    to: State
    retry_at: str


class EventsPage(TypedDict):
    events: list[Event]
    next_after: int


class Notification(TypedDict, total=False):
    """One notification of a session, kept until acknowledged."""

    id: str
    session: str
    task_id: Optional[str]
    kind: Literal["task_finished", "all_finished"]
    state: Optional[State]
    reason: Optional[Reason]
    exit_code: Optional[int]
    name: Optional[str]
    text: str
    tasks: list[str]
    created_at: str


class Health(TypedDict, total=False):
    ok: bool
    version: str
    pid: int
    store: dict[str, Any]
    capacity: Optional[dict[str, Any]]


class RawOutput(TypedDict):
    """A raw output read: the bytes, and the numbers the daemon sent in headers."""

    data: bytes
    cursor: int
    next_cursor: int
    total_bytes: int
    dropped_bytes: int
    truncated: bool
    eof: bool
    state: str
