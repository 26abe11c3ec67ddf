"""Show diagnostics to people: `path:line:col: CODE message`, then a summary line."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.reporters.common import display_path

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def totals(diagnostics: Sequence[Diagnostic]) -> str:
    """`2 errors, 1 warning, 0 info`."""
    counts = Counter(d.severity for d in diagnostics)
    return ", ".join(
        [
            f"{counts[Severity.ERROR]} error{'s' if counts[Severity.ERROR] != 1 else ''}",
            f"{counts[Severity.WARNING]} warning{'s' if counts[Severity.WARNING] != 1 else ''}",
            f"{counts[Severity.INFO]} info",
        ]
    )


def summary(diagnostics: Sequence[Diagnostic], files: int, seconds: float) -> str:
    parts = [
        f"{files} file{'s' if files != 1 else ''} checked",
        totals(diagnostics),
        f"{seconds:.2f}s",
    ]
    fixable = sum(1 for d in diagnostics if d.fix is not None)
    if fixable:
        parts.insert(-1, f"{fixable} fixable with --fix")
    return ", ".join(parts)


def report_text(
    console: Console,
    diagnostics: Sequence[Diagnostic],
    root: Path,
    cwd: Path,
    summary_line: str,
) -> None:
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
    console.print(summary_line, markup=False, highlight=False, soft_wrap=True)
