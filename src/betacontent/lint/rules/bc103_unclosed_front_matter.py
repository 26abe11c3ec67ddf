"""Front matter opened with `---` but never closed.

## What it does
Reports a file whose first line is `---` with no later line that is `---` or `...`.

## Why is this bad?
Jekyll treats the file as a page with no front matter and renders the intended YAML as body
text: the keys show up on the published page and the layout, title and permalink are lost.

## Example
```markdown
---
title: Startups d'État
layout: default

Les startups d'État sont...
```

## Use instead
```markdown
---
title: Startups d'État
layout: default
---

Les startups d'État sont...
```
"""

from __future__ import annotations

from collections.abc import Iterator

from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.rules.base import rule
from betacontent.site.front_matter import ProblemKind
from betacontent.site.index import Site


def check(site: Site) -> Iterator[Diagnostic]:
    for found in site.semantic.problems(ProblemKind.UNCLOSED):
        yield RULE.at(found.path, found.position, found.message)


RULE = rule("BC103", "unclosed-front-matter", Severity.ERROR, __doc__)(check)
