"""Front matter key that no schema knows.

## What it does
Reports a key that is neither one of the common keys, nor a key of the page's layout, nor one
the site declares in its configuration (`[front-matter] keys = {...}`), with a "did you mean"
when a known key is close.

## Why is this bad?
Templates read keys by exact name: `titel`, `bredcrumbs` or `sidbar` are silently ignored and
the page is published without a title, a trail or a menu.

## Example
```yaml
---
title: Manifeste
bredcrumbs:
  - {title: Accueil, link: /}
---
```

## Use instead
```yaml
---
title: Manifeste
breadcrumbs:
  - {title: Accueil, link: /}
---
```
If the key is real, declare it in `betacontent.toml`:
```toml
[front-matter.keys]
hero_image = "str"
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
            if issue.kind == "unknown":
                yield RULE.at(checked.path, checked.position(issue), issue.message)


RULE = rule("BC106", "unknown-key", Severity.WARNING, __doc__)(check)
