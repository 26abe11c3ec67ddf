"""Required front matter key missing once `defaults:` apply.

## What it does
Reports a key the site requires and a file lacks, once the `defaults:` of `_config.yml` have
been applied: the keys `[front-matter] required` asks of every Markdown page (an output
collection document gets its `title` from Jekyll), those a layout, collection or glob requires
(`required = [...]` in `[front-matter.layouts.NAME]`, `.collections.NAME`, `.files."GLOB"`),
and those its JSON Schema or Kwalify file requires, at any depth. Nothing is required unless
the site declares it: `betacontent init` writes a starting declaration from the site.

## Why is this bad?
Without `layout`, Jekyll outputs the bare HTML fragment with no header, menu or styles; without
`title`, the browser tab, the breadcrumbs and search results show nothing.

## Example
```yaml
---
permalink: /communaute/
---
```

## Use instead
With `required = ["title", "layout"]` in `[front-matter]`:
```yaml
---
layout: default
title: La communauté
permalink: /communaute/
---
```
or give the layout to a whole folder in `_config.yml`:
```yaml
defaults:
  - scope: {path: _pages}
    values: {layout: default}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.rules.base import rule
from betacontent.site.index import Site


def check(site: Site) -> Iterator[Diagnostic]:
    for checked in site.semantic.checked_files:
        for issue in checked.issues:
            if issue.kind == "missing":
                yield RULE.at(checked.path, checked.position(issue), issue.message)


RULE = rule("BC104", "missing-required-key", Severity.ERROR, __doc__)(check)
