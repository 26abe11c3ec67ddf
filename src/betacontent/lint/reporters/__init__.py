"""Reporters: the findings of one run as text for people, or as JSON, SARIF, GitHub Actions
commands or JUnit XML for tools. Each machine format is a pure function of a `LintRun`."""

from __future__ import annotations

from collections.abc import Callable

from betacontent.lint.reporters.common import LintRun, display_path
from betacontent.lint.reporters.github import append_step_summary, report_github, step_summary
from betacontent.lint.reporters.json_report import Report, report_json
from betacontent.lint.reporters.junit import report_junit
from betacontent.lint.reporters.sarif import report_sarif
from betacontent.lint.reporters.text import report_statistics, report_text, summary, totals

MACHINE_FORMATS: dict[str, Callable[[LintRun], str]] = {
    "json": report_json,
    "sarif": report_sarif,
    "github": report_github,
    "junit": report_junit,
}

__all__ = [
    "MACHINE_FORMATS",
    "LintRun",
    "Report",
    "append_step_summary",
    "display_path",
    "report_statistics",
    "report_text",
    "step_summary",
    "summary",
    "totals",
]
