"""tend-client: the client of tend's daemon for Python harnesses.

:class:`Client` (sync) and :class:`AsyncClient` (async) have one method per route of the HTTP
API, followers for output and events, and start a daemon when none runs. Records are typed
dictionaries (:mod:`tend_client.types`); errors of the API raise one class per error code.
"""

from .aio import AsyncClient
from .client import Client
from .errors import (
    ApiError,
    AutostartFailed,
    Conflict,
    DaemonUnreachable,
    Expired,
    Internal,
    InvalidArgument,
    NotFound,
    TendError,
    Unavailable,
)
from .types import TERMINAL

__all__ = [
    "ApiError",
    "AsyncClient",
    "AutostartFailed",
    "Client",
    "Conflict",
    "DaemonUnreachable",
    "Expired",
    "Internal",
    "InvalidArgument",
    "NotFound",
    "TERMINAL",
    "TendError",
    "Unavailable",
]
