"""What a rule reports: a code, a severity and a message at a position in a file."""

from __future__ import annotations

from enum import StrEnum

import msgspec


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Diagnostic(msgspec.Struct, frozen=True, kw_only=True):
    """One finding. `path` is relative to the site root, POSIX style; line and column are
    1-based, in characters, in the original file."""

    path: str
    line: int
    column: int
    code: str
    name: str
    severity: Severity
    message: str

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.code, self.message)
