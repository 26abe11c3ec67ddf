"""What every reporter is given, and the path arithmetic they share."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from betacontent.lint.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from betacontent.lint.rules.base import Rule


def display_path(root: Path, rel: str, cwd: Path) -> str:
    """The file's path relative to the current directory, as editors and CI parse it."""
    absolute = root / rel
    try:
        return os.path.relpath(absolute, cwd)
    except ValueError:  # another drive on Windows
        return str(absolute)


@dataclass(frozen=True, slots=True)
class LintRun:
    """One `betacontent lint`: its findings and what a reporter needs to place them."""

    diagnostics: Sequence[Diagnostic]
    root: Path  # absolute site root; diagnostic paths are relative to it
    cwd: Path  # shown paths are relative to it
    files: Sequence[str]  # the files checked, relative to the site root, POSIX
    seconds: float
    rules: Sequence[Rule] = ()  # every rule, described in SARIF

    def path(self, rel: str) -> str:
        """`rel` (site-relative) relative to the current directory, POSIX style."""
        return PurePath(display_path(self.root, rel, self.cwd)).as_posix()

    def counts(self) -> Counter[Severity]:
        return Counter(d.severity for d in self.diagnostics)
