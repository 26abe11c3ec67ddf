"""`--format json`: one `Report` document; its JSON Schema is schemas/diagnostics.schema.json."""

from __future__ import annotations

import msgspec

from betacontent import __version__
from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.reporters.common import LintRun


class Summary(msgspec.Struct, frozen=True, kw_only=True):
    """The counts of one run."""

    files: int
    """Files checked (those under the PATHS given, if any)."""
    errors: int
    warnings: int
    infos: int
    fixable: int
    """Diagnostics that carry a fix."""
    seconds: float


class Report(msgspec.Struct, frozen=True, kw_only=True):
    """The output of `betacontent lint --format json`."""

    version: str
    """betacontent's version."""
    root: str
    """The absolute path of the site root; diagnostic paths are relative to it."""
    diagnostics: list[Diagnostic]
    summary: Summary


def build_report(run: LintRun) -> Report:
    counts = run.counts()
    return Report(
        version=__version__,
        root=str(run.root),
        diagnostics=list(run.diagnostics),
        summary=Summary(
            files=len(run.files),
            errors=counts[Severity.ERROR],
            warnings=counts[Severity.WARNING],
            infos=counts[Severity.INFO],
            fixable=sum(1 for d in run.diagnostics if d.fix is not None),
            seconds=round(run.seconds, 3),
        ),
    )


def report_json(run: LintRun) -> str:
    encoded = msgspec.json.format(msgspec.json.encode(build_report(run)), indent=2)
    return encoded.decode("utf-8") + "\n"
