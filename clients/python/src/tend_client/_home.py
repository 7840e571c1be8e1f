"""Where a home is, and starting a daemon for it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Mapping, Optional, Union

from .errors import DaemonUnreachable

PathLike = Union[str, "os.PathLike[str]"]

START_TIMEOUT = 5.0
"""How long a started daemon has to answer its health check, in seconds."""


def resolve_home(home: Optional[PathLike] = None, env: Optional[Mapping[str, str]] = None) -> Path:
    """The home: ``home`` if given, else ``TEND_HOME``, else ``$XDG_STATE_HOME/tend``, else
    ``$HOME/.local/state/tend`` (what the ``tend`` binary uses)."""
    env = os.environ if env is None else env
    if home is not None:
        return Path(home).absolute()
    if env.get("TEND_HOME"):
        return Path(env["TEND_HOME"]).absolute()
    for var, tail in (("XDG_STATE_HOME", "tend"), ("HOME", ".local/state/tend")):
        value = env.get(var)
        if value and os.path.isabs(value):
            return Path(value) / tail
    raise DaemonUnreachable("cannot choose a home: set TEND_HOME")


def find_binary(tend_bin: Optional[PathLike] = None) -> Optional[str]:
    """The ``tend`` binary that starts daemons: ``tend_bin``, ``TEND_BIN``, or ``tend`` on PATH."""
    if tend_bin is not None:
        return os.fspath(tend_bin)
    if os.environ.get("TEND_BIN"):
        return os.environ["TEND_BIN"]
    return shutil.which("tend")


def spawn_daemon(home: Path, tend_bin: str) -> subprocess.Popen:
    """Starts ``tend daemon`` for ``home``, detached (its own session), its log in
    ``HOME/daemon.log``. The home is created private (0700) when missing."""
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    log = os.open(home / "daemon.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        env = dict(os.environ, TEND_HOME=os.fspath(home))
        return subprocess.Popen(
            [tend_bin, "daemon"],
            env=env,
            cwd="/",
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,
        )
    finally:
        os.close(log)


def log_tail(home: Path, limit: int = 2000) -> str:
    try:
        return (home / "daemon.log").read_text(errors="replace")[-limit:].strip()
    except OSError:
        return ""
