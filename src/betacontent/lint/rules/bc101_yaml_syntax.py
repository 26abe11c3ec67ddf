"""YAML syntax error in front matter, `_config.yml` or a data file.

## What it does
Reports YAML that libyaml (the parser Jekyll uses, through Ruby's Psych) rejects, at the line
and column libyaml gives.

## Why is this bad?
Jekyll logs the error and builds the page with no front matter at all: no layout, no title,
no permalink. The page is published at the wrong URL, unstyled.

## Example
```yaml
---
title: Découvrir le rôle: intrapreneur
---
```

## Use instead
Quote values that contain `: `, `#` or start with a special character:
```yaml
---
title: "Découvrir le rôle : intrapreneur"
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
    for found in site.semantic.problems(ProblemKind.YAML_SYNTAX):
        yield RULE.at(found.path, found.position, found.message)


RULE = rule("BC101", "yaml-syntax", Severity.ERROR, __doc__)(check)
