"""Fixtures: the `tend` binary of this build, and private temporary homes whose daemons (and
their tasks) are stopped after each test."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from tend_client import Client

WORKSPACE = Path(__file__).resolve().parents[3]


def _tend_binary() -> str:
    if os.environ.get("TEND_BIN"):
        return os.environ["TEND_BIN"]
    target = Path(os.environ.get("CARGO_TARGET_DIR", WORKSPACE / "target"))
    subprocess.run(
        ["cargo", "build", "--quiet", "-p", "tend-cli", "--bin", "tend"],
        cwd=WORKSPACE,
        check=True,
    )
    return os.fspath(target / "debug" / "tend")


@pytest.fixture(scope="session")
def tend_bin() -> str:
    binary = _tend_binary()
    assert os.access(binary, os.X_OK), f"{binary} is not an executable"
    return binary


class Homes:
    """Makes homes and stops their daemons at the end."""

    def __init__(self, tend_bin: str) -> None:
        self.tend_bin = tend_bin
        self.dirs: list[tempfile.TemporaryDirectory] = []

    def new(self, create: bool = True) -> Path:
        holder = tempfile.TemporaryDirectory(prefix="tend-py-")
        self.dirs.append(holder)
        home = Path(holder.name) / "home"
        if create:
            home.mkdir(mode=0o700)
        return home

    def stop_all(self) -> None:
        for holder in self.dirs:
            home = Path(holder.name) / "home"
            if (home / "tend.sock").exists():
                subprocess.run(
                    [self.tend_bin, "daemon", "stop", "--kill-tasks"],
                    env=dict(os.environ, TEND_HOME=os.fspath(home), TEND_NO_AUTOSTART="1"),
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    timeout=60,
                )
            holder.cleanup()


@pytest.fixture
def homes(tend_bin: str):
    homes = Homes(tend_bin)
    yield homes
    homes.stop_all()


@pytest.fixture
def home(homes: Homes) -> Path:
    return homes.new()


@pytest.fixture
def client(home: Path, tend_bin: str):
    with Client(home, tend_bin=tend_bin, autostart=True) as client:
        client.start_daemon()
        yield client


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
