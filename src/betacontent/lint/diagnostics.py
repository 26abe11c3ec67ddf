"""What a rule reports: a code, a severity and a message at a span of a file, maybe a fix."""

from __future__ import annotations

from enum import StrEnum

import msgspec


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Edit(msgspec.Struct, frozen=True, kw_only=True):
    """Replace the text from (line, column) up to, not including, (end_line, end_column) with
    `content`; an empty span inserts. Positions are 1-based, columns in characters, in the
    original file."""

    line: int
    column: int
    end_line: int
    end_column: int
    content: str


class Fix(msgspec.Struct, frozen=True, kw_only=True):
    """A change that cannot alter what the site means (see `betacontent lint --fix`)."""

    message: str
    edits: tuple[Edit, ...]


class Diagnostic(msgspec.Struct, frozen=True, kw_only=True):
    """One finding. `path` is relative to the site root, POSIX style; lines and columns are
    1-based, in characters, in the original file. The end is exclusive; it equals the start
    when the finding has no extent (a missing key, a whole file)."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    name: str
    severity: Severity
    message: str
    fix: Fix | None = None

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.code, self.message)
