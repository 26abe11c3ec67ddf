"""`lint --watch` shows what changed between two runs, not the whole report again."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.watch import compare, relevant


def finding(path: str, line: int, code: str = "BC301", message: str = "broken") -> Diagnostic:
    return Diagnostic(
        path=path,
        line=line,
        column=1,
        end_line=line,
        end_column=1,
        code=code,
        name="x",
        severity=Severity.ERROR,
        message=message,
    )


def test_a_finding_that_only_moved_is_neither_new_nor_resolved() -> None:
    before = [finding("a.md", 3), finding("b.md", 1, message="other")]
    after = [finding("a.md", 7), finding("c.md", 2)]
    delta = compare(before, after)
    assert delta.appeared == [finding("c.md", 2)]
    assert delta.resolved == [finding("b.md", 1, message="other")]
    assert delta.current == after


def test_repeated_findings_are_counted() -> None:
    before = [finding("a.md", 3), finding("a.md", 5)]
    after = [finding("a.md", 3)]
    delta = compare(before, after)
    assert delta.appeared == []
    assert len(delta.resolved) == 1
    assert len(compare(after, before).appeared) == 1


def test_caches_builds_and_git_are_not_watched() -> None:
    assert relevant("/site/_pages/a.md")
    assert not relevant("/site/.git/index")
    assert not relevant("/site/_site/index.html")
    assert not relevant("/site/.betacontent-cache/external.json")


def test_lint_watch_prints_what_appears_and_what_is_resolved(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "_layouts").mkdir(parents=True)
    (site / "_config.yml").write_text("title: t\n")
    (site / "_layouts" / "default.html").write_text("{{ content }}\n")
    (site / "index.md").write_text("---\nlayout: default\ntitle: Accueil\n---\n")
    page = site / "page.md"
    page.write_text("---\nlayout: default\ntitle: Page\n---\n[accueil](/)\n")
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "betacontent", "lint", "--watch"],
        cwd=site,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    lines: queue.Queue[str] = queue.Queue()

    def pump(stream: IO[str]) -> None:
        for line in stream:
            lines.put(line)

    for stream in (process.stdout, process.stderr):
        assert stream is not None
        threading.Thread(target=pump, args=(stream,), daemon=True).start()

    def wait_for(pattern: str, write: str | None = None, timeout: float = 20) -> str:
        """The next line matching `pattern`; `write` is written to the page, and again every
        two seconds while nothing matches (the watcher may not be listening yet)."""
        deadline = time.monotonic() + timeout
        poke = 0.0
        while time.monotonic() < deadline:
            if write is not None and time.monotonic() >= poke:
                page.write_text(write)
                poke = time.monotonic() + 2
            try:
                line = lines.get(timeout=0.2)
            except queue.Empty:
                continue
            if re.search(pattern, line):
                return line
        raise AssertionError(f"no line matching {pattern!r} within {timeout}s")

    try:
        wait_for(r"^watching ")
        broken = "---\nlayout: default\ntitle: Page\n---\n\n[cassé](/nulle-part/)\n"
        appeared = wait_for(r"^\+ page\.md:", broken)
        assert "BC301" in appeared and ":6:" in appeared
        wait_for(r"now 1 error, 0 warnings, 0 info")
        fixed = "---\nlayout: default\ntitle: Page\n---\n[accueil](/)\n"
        resolved = wait_for(r"^- page\.md:", fixed)
        assert "BC301" in resolved
        wait_for(r"now 0 errors, 0 warnings, 0 info")
    finally:
        process.send_signal(signal.SIGINT)
        try:
            code = process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert code == 0  # the last run found no error
