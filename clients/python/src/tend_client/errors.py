"""Errors of the client: one class per error code of the API, and the client's own."""

from __future__ import annotations


class TendError(Exception):
    """Any error of the client."""


class ApiError(TendError):
    """The daemon answered with an error body ``{"error": {"code", "message"}}``."""

    code: str = "internal"

    def __init__(self, message: str, *, status: int, code: str | None = None, body: dict | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        if code is not None:
            self.code = code
        self.body = body or {}

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class NotFound(ApiError):
    """``not_found`` (404): the id was never issued."""

    code = "not_found"


class Expired(ApiError):
    """``expired`` (410): the record or the events are no longer retained."""

    code = "expired"


class InvalidArgument(ApiError):
    """``invalid_argument`` (400, 408, 413): the request was malformed or not allowed."""

    code = "invalid_argument"


class Conflict(ApiError):
    """``conflict`` (409): the request conflicts with the task's state."""

    code = "conflict"


class Unavailable(ApiError):
    """``unavailable`` (503): the daemon is shutting down, its store does not commit, or a
    limit is reached."""

    code = "unavailable"


class Internal(ApiError):
    """``internal`` (500): the daemon failed."""

    code = "internal"


_BY_CODE = {cls.code: cls for cls in (NotFound, Expired, InvalidArgument, Conflict, Unavailable, Internal)}


def from_response(status: int, body: object) -> ApiError:
    """The error for an answer with ``status`` and the decoded JSON ``body`` (if any)."""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and isinstance(error.get("code"), str):
        code = error["code"]
        message = str(error.get("message", ""))
        cls = _BY_CODE.get(code, ApiError)
        return cls(message, status=status, code=code, body=body)  # type: ignore[arg-type]
    return Internal(f"unexpected answer with status {status}", status=status)


class DaemonUnreachable(TendError):
    """No daemon answers on the home's socket (and none could be started)."""


class AutostartFailed(DaemonUnreachable):
    """A daemon was started for the home but did not answer in time."""
