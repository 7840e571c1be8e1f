"""The routes of the API as request descriptions, shared by the sync and the async client."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional
from urllib.parse import quote


@dataclass
class Op:
    """One request: what to send, and how long the daemon may hold it (``wait_ms``)."""

    method: str
    path: str
    params: dict[str, Any] = field(default_factory=dict)
    body: Optional[dict[str, Any]] = None
    wait_ms: int = 0
    raw: bool = False


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    """Drops the values left out (``None``)."""
    return {key: value for key, value in values.items() if value is not None}


def _query(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in _clean(values).items():
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, (list, tuple)):
            out[key] = ",".join(str(v) for v in value)
        else:
            out[key] = value
    return out


def segment(name: str) -> str:
    """A path segment: ids and names percent-encoded (a session may hold ``/``)."""
    return quote(name, safe="")


def create(body: dict[str, Any]) -> Op:
    return Op("POST", "/v1/tasks", body=_clean(body), wait_ms=int(body.get("yield_ms") or 0))


def list_tasks(**query: Any) -> Op:
    return Op("GET", "/v1/tasks", params=_query(query))


def get(task_id: str) -> Op:
    return Op("GET", f"/v1/tasks/{segment(task_id)}")


def remove(task_id: str) -> Op:
    return Op("DELETE", f"/v1/tasks/{segment(task_id)}")


def output(task_id: str, *, raw: bool = False, **query: Any) -> Op:
    if raw:
        query["format"] = "raw"
    params = _query(query)
    return Op(
        "GET",
        f"/v1/tasks/{segment(task_id)}/output",
        params=params,
        wait_ms=int(query.get("wait_ms") or 0),
        raw=raw,
    )


def stop(task_id: str, grace_ms: Optional[int]) -> Op:
    # A stop answers once the task is terminal: at most the grace (and the kill) later.
    return Op(
        "POST",
        f"/v1/tasks/{segment(task_id)}/stop",
        body=_clean({"grace_ms": grace_ms}),
        wait_ms=int(grace_ms or 0) + 30_000,
    )


def stdin(task_id: str, data: str, eof: bool) -> Op:
    return Op("POST", f"/v1/tasks/{segment(task_id)}/stdin", body={"data": data, "eof": eof})


def progress(task_id: str, message: Optional[str], state: Optional[str]) -> Op:
    return Op(
        "POST",
        f"/v1/tasks/{segment(task_id)}/progress",
        body=_clean({"message": message, "state": state}),
    )


def complete(task_id: str, state: str, summary: Optional[str]) -> Op:
    return Op(
        "POST",
        f"/v1/tasks/{segment(task_id)}/complete",
        body=_clean({"state": state, "summary": summary}),
    )


def transfer(task_id: str, session: str) -> Op:
    return Op("POST", f"/v1/tasks/{segment(task_id)}/transfer", body={"session": session})


def wait(ids: Optional[list[str]], session: Optional[str], mode: Optional[str], timeout_ms: Optional[int]) -> Op:
    body = _clean({"ids": ids, "session": session, "mode": mode, "timeout_ms": timeout_ms})
    return Op("POST", "/v1/wait", body=body, wait_ms=int(timeout_ms or 0))


def events(**query: Any) -> Op:
    return Op("GET", "/v1/events", params=_query(query), wait_ms=int(query.get("wait_ms") or 0))


def notifications(session: str, wait_ms: Optional[int]) -> Op:
    return Op(
        "GET",
        f"/v1/sessions/{segment(session)}/notifications",
        params=_query({"wait_ms": wait_ms}),
        wait_ms=int(wait_ms or 0),
    )


def ack(session: str, ids: list[str]) -> Op:
    return Op("POST", f"/v1/sessions/{segment(session)}/notifications/ack", body={"ids": list(ids)})


def close_session(session: str, successor: Optional[str]) -> Op:
    return Op("POST", f"/v1/sessions/{segment(session)}/close", body=_clean({"successor": successor}))


def groups() -> Op:
    return Op("GET", "/v1/groups")


def set_group_limit(name: str, limit: int) -> Op:
    return Op("PUT", f"/v1/groups/{segment(name)}", body={"limit": limit})


def health() -> Op:
    return Op("GET", "/v1/health")


def stop_daemon(kill_tasks: bool, grace_ms: Optional[int]) -> Op:
    return Op(
        "POST",
        "/v1/daemon/stop",
        body=_clean({"kill_tasks": kill_tasks, "grace_ms": grace_ms}),
        wait_ms=int(grace_ms or 0) + 30_000,
    )


def openapi() -> Op:
    return Op("GET", "/v1/openapi.json")


def shell_body(
    session: str,
    shell: Optional[str],
    command: Optional[list[str]],
    fields: dict[str, Any],
) -> dict[str, Any]:
    if (shell is None) == (command is None):
        raise ValueError("give exactly one of shell= and command=")
    return {"session": session, "shell": shell, "command": command, **fields}


def external_body(session: str, name: str, kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    return {"session": session, "kind": kind, "name": name, **fields}


def raw_output(data: bytes, headers: Any) -> dict[str, Any]:
    def number(name: str) -> int:
        return int(headers.get(f"x-tend-{name}", "0"))

    return {
        "data": data,
        "cursor": number("cursor"),
        "next_cursor": number("next-cursor"),
        "total_bytes": number("total-bytes"),
        "dropped_bytes": number("dropped-bytes"),
        "truncated": headers.get("x-tend-truncated") == "true",
        "eof": headers.get("x-tend-eof") == "true",
        "state": headers.get("x-tend-state", ""),
    }
