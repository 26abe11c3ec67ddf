"""`betacontent serve` as a real process on 127.0.0.1, started for a test module's own site
(tests/test_serve.py has one server for its module)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from test_serve import STARTUP_TIMEOUT, Server, free_port, wait_until


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
