"""Required front matter key missing once `defaults:` apply.

## What it does
Reports a Markdown page without `title` or `layout` (after the `defaults:` of `_config.yml`
have been applied), an output collection document without `layout`, a phase document or
`_data/programme.yml` without one of the keys their schema requires, and the keys the
configuration requires for a layout (`[front-matter.layouts.NAME] required = [...]`).

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

from betacontent.diagnostics import Diagnostic, Severity
from betacontent.rules.base import rule
from betacontent.rules.common import checked_files
from betacontent.site_index import Site


def check(site: Site) -> Iterator[Diagnostic]:
    for checked in checked_files(site):
        for issue in checked.issues:
            if issue.kind == "missing":
                yield RULE.at(checked.path, checked.position(issue), issue.message)


RULE = rule("BC104", "missing-required-key", Severity.ERROR, __doc__)(check)
