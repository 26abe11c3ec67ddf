"""Front matter that Jekyll will not see.

## What it does
Reports a file whose front matter Jekyll skips: one that starts with a UTF-8 byte-order mark
before `---` (Jekyll checks the raw first line), or one written in TOML (`+++`) or JSON, the
formats of other generators.

## Why is this bad?
Jekyll copies such a file as a static file: the Markdown is published raw, with no layout, at
the file's own path instead of its permalink.

## Example
A page saved by a Windows editor "with BOM", or front matter copied from a Hugo site:
```markdown
+++
title = "Manifeste"
+++
```

## Use instead
Save as UTF-8 without BOM, and write the front matter in YAML between `---` lines.
"""

from __future__ import annotations

from collections.abc import Iterator

from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.rules.base import rule
from betacontent.site.front_matter import ProblemKind
from betacontent.site.index import Site


def check(site: Site) -> Iterator[Diagnostic]:
    for found in site.semantic.problems(ProblemKind.NOT_READ):
        yield RULE.at(found.path, found.position, found.message)


RULE = rule("BC109", "front-matter-not-read", Severity.ERROR, __doc__)(check)
