"""What every rule is: a code, a name, a default severity, its documentation and a check."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from betacontent.core.positions import Position
from betacontent.lint.diagnostics import Diagnostic, Fix, Severity
from betacontent.site.index import Site

Check = Callable[[Site], Iterable[Diagnostic]]


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    doc: str
    check: Check
    default: bool = True
    """Run unless the selection says otherwise; a rule off by default runs only when a
    `select` or `extend-select` entry names it (its code, a prefix of it, or `ALL`)."""

    def at(
        self,
        path: str,
        position: Position,
        message: str,
        *,
        end: Position | None = None,
        fix: Fix | None = None,
    ) -> Diagnostic:
        """A finding of this rule; `end` (exclusive) defaults to the start."""
        end = end or position
        return Diagnostic(
            path=path,
            line=position.line,
            column=position.column,
            end_line=end.line,
            end_column=end.column,
            code=self.code,
            name=self.name,
            severity=self.severity,
            message=message,
            fix=fix,
        )


def rule(
    code: str, name: str, severity: Severity, doc: str | None, *, default: bool = True
) -> Callable[[Check], Rule]:
    """Declare a rule from its check function; the module docstring is its documentation."""

    def wrap(check: Check) -> Rule:
        text = (doc or "").strip()
        summary = text.splitlines()[0] if text else name
        return Rule(code, name, severity, summary, text, check, default)

    return wrap
