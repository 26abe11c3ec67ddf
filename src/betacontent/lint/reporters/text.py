"""Show diagnostics to people: `path:line:col: CODE message`, then a summary line."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from betacontent.core.positions import split_lines
from betacontent.core.wording import counted
from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.reporters.common import display_path

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def totals(diagnostics: Sequence[Diagnostic]) -> str:
    """`2 errors, 1 warning, 0 info`."""
    counts = Counter(d.severity for d in diagnostics)
    return ", ".join(
        [
            counted(counts[Severity.ERROR], "error"),
            counted(counts[Severity.WARNING], "warning"),
            f"{counts[Severity.INFO]} info",
        ]
    )


def summary(diagnostics: Sequence[Diagnostic], files: int, seconds: float) -> str:
    parts = [
        f"{counted(files, 'file')} checked",
        totals(diagnostics),
        f"{seconds:.2f}s",
    ]
    fixable = sum(1 for d in diagnostics if d.fix is not None)
    if fixable:
        parts.insert(-1, f"{fixable} fixable with --fix")
    return ", ".join(parts)


def report_statistics(console: Console, diagnostics: Sequence[Diagnostic]) -> None:
    """ruff's `--statistics`: one line per rule, the most frequent first: count, code, `[*]`
    when `--fix` fixes some of its findings, the rule's name."""
    counts = Counter(d.code for d in diagnostics)
    names = {d.code: d.name for d in diagnostics}
    fixable = {d.code for d in diagnostics if d.fix is not None}
    width = len(str(max(counts.values(), default=0)))
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        mark = "[*]" if code in fixable else "   "
        console.print(
            f"{count:>{width}}  {code}  {mark} {names[code]}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


def _source(lines: Sequence[str], d: Diagnostic) -> list[str]:
    """The finding's line, numbered, with carets under its extent (one caret without one)."""
    if not 1 <= d.line <= len(lines):
        return []
    text = lines[d.line - 1].expandtabs(1)  # one column per character, as positions count
    end = d.end_column if d.end_line == d.line and d.end_column > d.column else d.column + 1
    number = str(d.line)
    gutter = " " * len(number)
    carets = " " * (d.column - 1) + "^" * max(min(end, len(text) + 1) - d.column, 1)
    return [f"{gutter} |", f"{number} | {text}", f"{gutter} | {carets}", ""]


def report_text(
    console: Console,
    diagnostics: Sequence[Diagnostic],
    root: Path,
    cwd: Path,
    summary_line: str | None,
    show_source: bool = False,
) -> None:
    """Each finding as `path:line:col: CODE message` (`[*]`: `--fix` fixes it), with its
    source line and carets when `show_source`; then `summary_line`, unless None."""
    sources: dict[str, list[str]] = {}
    for d in diagnostics:
        where = f"{display_path(root, d.path, cwd)}:{d.line}:{d.column}:"
        fixable = " [*]" if d.fix is not None else ""  # as ruff marks what --fix can fix
        if console.is_terminal:
            console.print(
                f"[bold]{escape(where)}[/] [{_STYLE[d.severity]}]{d.code}[/]{escape(fixable)} "
                f"{escape(d.message)}",
                highlight=False,
                soft_wrap=True,
            )
        else:
            console.print(
                f"{where} {d.code}{fixable} {d.message}",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
        if show_source:
            if d.path not in sources:
                try:
                    text = (root / d.path).read_text(encoding="utf-8", errors="replace")
                except OSError:
                    text = ""
                sources[d.path] = split_lines(text.removeprefix("\ufeff"))
            for line in _source(sources[d.path], d):
                console.print(line, markup=False, highlight=False, soft_wrap=True)
    if summary_line is not None:
        console.print(summary_line, markup=False, highlight=False, soft_wrap=True)
