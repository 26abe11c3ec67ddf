"""A source file that cannot be read as UTF-8 text.

## What it does
Reports a page, document, data file or `_config.yml` that could not be read: invalid UTF-8,
a file that vanished while the site was being read, or one the linter has no permission to
open.

## Why is this bad?
Jekyll reads sources as UTF-8 and stops the build on bytes it cannot decode; an unreadable
file is a page that will not be published.

## Example
A page saved as Latin-1 by an old editor: `Découvrir` stored as the single byte `0xe9`.

## Use instead
Save the file as UTF-8 (without byte-order mark).
"""

from __future__ import annotations

from collections.abc import Iterator

from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.rules.base import rule
from betacontent.site.front_matter import ProblemKind
from betacontent.site.index import Site


def check(site: Site) -> Iterator[Diagnostic]:
    for found in site.semantic.problems(ProblemKind.UNREADABLE):
        yield RULE.at(found.path, found.position, found.message)


RULE = rule("BC100", "unreadable-file", Severity.ERROR, __doc__)(check)
