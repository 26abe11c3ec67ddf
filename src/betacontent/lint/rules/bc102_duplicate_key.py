"""Duplicate key in a YAML mapping.

## What it does
Reports a key that appears twice in the same mapping of front matter, `_config.yml` or a data
file, at the repeated key, naming the line of the first one.

## Why is this bad?
YAML parsers, Jekyll's included, silently keep the last value. The first one looks
authoritative to whoever reads the file, but it is ignored: a page meant to use the
`with-sidebar` layout is rendered with another one and nobody notices.

## Example
```yaml
---
layout: with-sidebar
title: Découvrir le rôle d'intrapreneur
layout: intrapreneur-role
---
```

## Use instead
Keep one `layout`, the one you mean:
```yaml
---
layout: with-sidebar
title: Découvrir le rôle d'intrapreneur
---
```
"""

from __future__ import annotations

from collections.abc import Iterator

from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.rules.base import rule
from betacontent.site.front_matter import ProblemKind
from betacontent.site.index import Site


def check(site: Site) -> Iterator[Diagnostic]:
    for found in site.semantic.problems(ProblemKind.DUPLICATE_KEY):
        yield RULE.at(found.path, found.position, found.message, end=found.end)


RULE = rule("BC102", "duplicate-key", Severity.ERROR, __doc__)(check)
