"""`betacontent serve` as a real process on 127.0.0.1, started for a test module's own site
(tests/test_serve.py has one server for its module)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from test_serve import Server, serve_process


@contextmanager
def running_server(site: Path, work: Path, *, watch: bool = False) -> Iterator[Server]:
    """Start `betacontent serve SITE` on a free port, wait until it answers, stop it after."""
    with serve_process(site, work, *(["--watch"] if watch else [])) as running:
        yield running
