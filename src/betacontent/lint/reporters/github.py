"""`--format github`: GitHub Actions workflow commands, one annotation per finding, and a
Markdown summary for `$GITHUB_STEP_SUMMARY`."""

from __future__ import annotations

from pathlib import Path

from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.reporters.common import LintRun

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
SUMMARY_ROWS = 500  # a step summary is capped at 1 MiB; a longer table is cut


def escape_data(value: str) -> str:
    """Escape a command's message as the Actions runner decodes it."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a command's property value (`file=`, `title=`): data escapes plus `:` and `,`."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(run: LintRun, d: Diagnostic) -> str:
    properties = {
        "file": run.path(d.path),
        "line": str(d.line),
        "col": str(d.column),
        "endLine": str(d.end_line),
        "endColumn": str(d.end_column),
        "title": d.code,
    }
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{COMMANDS[d.severity]} {joined}::{escape_data(d.message)}"


def report_github(run: LintRun) -> str:
    return "".join(annotation(run, d) + "\n" for d in run.diagnostics)


def _cell(value: str) -> str:
    return " ".join(value.split()).replace("|", "\\|")


def step_summary(run: LintRun, limit: int = SUMMARY_ROWS) -> str:
    """The run as Markdown: a heading, the counts, and a table of at most `limit` findings."""
    counts = run.counts()
    files = len(run.files)
    lines = [
        "## betacontent lint",
        "",
        f"{files} file{'s' if files != 1 else ''} checked: "
        f"**{counts[Severity.ERROR]}** error{'s' if counts[Severity.ERROR] != 1 else ''}, "
        f"{counts[Severity.WARNING]} warning{'s' if counts[Severity.WARNING] != 1 else ''}, "
        f"{counts[Severity.INFO]} info.",
        "",
    ]
    if run.diagnostics:
        lines += ["| Where | Code | Severity | Message |", "| --- | --- | --- | --- |"]
        for d in run.diagnostics[:limit]:
            where = _cell(f"{run.path(d.path)}:{d.line}")
            lines.append(f"| {where} | {d.code} | {d.severity.value} | {_cell(d.message)} |")
        if len(run.diagnostics) > limit:
            lines += ["", f"and {len(run.diagnostics) - limit} more."]
        lines.append("")
    return "\n".join(lines) + "\n"


def append_step_summary(path: Path, text: str) -> None:
    """Add `text` to the step summary file: other steps' summaries in it stay."""
    with path.open("a", encoding="utf-8") as stream:
        stream.write(text)
