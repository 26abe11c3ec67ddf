"""Front matter key that is likely misspelt, or that a closed schema does not declare.

## What it does
Without a closed schema, a key is reported only when it looks like a typo: no template of the
site reads it, and it is one or two edits away from a key that Jekyll reads, that the
configuration declares or that a template reads (`page.sidebar`); or, when it is used once
among its siblings (the documents of its collection, or the pages of its layout), from a key
most of them use. (A key several siblings share is compared with the first kind only, and
within one edit.) Another case of a key (`Title`) or `-` for `_` counts as a typo; a plural
(`tag`, `tags`) does not. With a closed schema (`closed = true`, or a schema file with
`additionalProperties: false`), every key the schema does not declare is reported. Both come
with a "did you mean".

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
If the key is real, declare it in `betacontent.toml` (for every page, or for a layout or a
collection):
```toml
[front-matter.keys]
hero_image = "str"
```
"""

from __future__ import annotations

from collections.abc import Iterator

from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.key_vocabulary import likely_typos
from betacontent.lint.rules.base import rule
from betacontent.site.index import Site


def check(site: Site) -> Iterator[Diagnostic]:
    reported: set[tuple[str, str]] = set()
    for checked in site.semantic.checked_files:
        for issue in checked.issues:
            if issue.kind == "unknown":
                reported.add((checked.path, str(issue.path[-1])))
                yield RULE.at(checked.path, checked.position(issue), issue.message)
    for typo in likely_typos(site):
        if (typo.rel, typo.key) in reported:
            continue
        yield RULE.at(typo.rel, typo.position, typo.message)


RULE = rule("BC106", "unknown-key", Severity.WARNING, __doc__)(check)
