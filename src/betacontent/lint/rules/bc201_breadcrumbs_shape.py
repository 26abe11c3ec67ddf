"""`breadcrumbs` is not a list of `{title, link}` mappings.

## What it does
Reports `breadcrumbs` that is not a list, items that are not mappings, items without a string
`title`, a `link` that is not a string, and keys other than `title` and `link`.

## Why is this bad?
The breadcrumb include loops over the list and prints `crumb.title` and `crumb.link`: a
malformed item prints an empty step or a link to nowhere, and the other breadcrumb checks
cannot see it.

## Example
```yaml
breadcrumbs:
  - Accueil
  - title: Devenir intrapreneur
    url: /devenir-intrapreneur
```

## Use instead
```yaml
breadcrumbs:
  - title: Accueil
    link: /
  - title: Devenir intrapreneur
    link: /devenir-intrapreneur
```
"""

from __future__ import annotations

from collections.abc import Iterator

from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.rules.base import rule
from betacontent.site.index import Site
from betacontent.site.semantic import crumbs


def check(site: Site) -> Iterator[Diagnostic]:
    for checked in site.semantic.checked_files:
        for issue in checked.issues:
            if issue.kind == "type" and issue.path and issue.path[0] == "breadcrumbs":
                yield RULE.at(checked.path, checked.position(issue), issue.message)
    for entry in site.pages():
        trail = crumbs(entry) or []
        for crumb in trail[:-1]:
            if crumb.link is None:
                yield RULE.at(
                    entry.rel,
                    crumb.position,
                    f"crumb `{crumb.title}` has no `link`; only the last crumb may omit it",
                )


RULE = rule("BC201", "breadcrumbs-shape", Severity.ERROR, __doc__)(check)
