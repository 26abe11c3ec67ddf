"""`betacontent serve` as a real process on 127.0.0.1, for the tests that speak HTTP to it."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

STARTUP_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    site: Path
    base: str
    port: int
    process: subprocess.Popen[str]
    log: Path

    def output(self) -> str:
        return self.log.read_text("utf-8", "replace")


def wait_until(check: Callable[[], bool], timeout: float, what: str, server: Server) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"the server exited while waiting for {what}:\n{server.output()}")
        try:
            if check():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}:\n{server.output()}")


@contextmanager
def running_server(site: Path, work: Path, *, watch: bool = False) -> Iterator[Server]:
    """Start `betacontent serve SITE` on a free port, wait until it answers, stop it after."""
    port = free_port()
    log = work / f"server-{port}.log"
    command = [sys.executable, "-m", "betacontent", "serve", str(site), "--port", str(port)]
    with log.open("w") as stream:
        process = subprocess.Popen(
            [*command, "--watch"] if watch else command,
            cwd=work,
            stdout=stream,
            stderr=subprocess.STDOUT,
            text=True,
        )
    running = Server(site, f"http://127.0.0.1:{port}", port, process, log)
    try:
        wait_until(
            lambda: httpx.get(running.base + "/health", timeout=1).status_code == 200,
            STARTUP_TIMEOUT,
            "the server to answer",
            running,
        )
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
