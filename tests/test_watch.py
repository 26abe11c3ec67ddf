"""`lint --watch` shows what changed between two runs, not the whole report again."""

from __future__ import annotations

from betacontent.diagnostics import Diagnostic, Severity
from betacontent.watch import compare, relevant


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
