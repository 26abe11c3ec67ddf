"""The first breadcrumb is not the home page.

## What it does
Reports a trail whose first crumb does not link to the home page `/`.

## Why is this bad?
Visitors use the first step to go back to the start; a trail that begins elsewhere (or with no
link) breaks that habit and the site's consistency, and search engines read a broken
`BreadcrumbList`.

## Example
```yaml
breadcrumbs:
  - {title: Devenir intrapreneur, link: /devenir-intrapreneur}
  - {title: Découvrir le rôle d'intrapreneur}
```

## Use instead
```yaml
breadcrumbs:
  - {title: Accueil, link: /}
  - {title: Devenir intrapreneur, link: /devenir-intrapreneur}
  - {title: Découvrir le rôle d'intrapreneur}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from betacontent.diagnostics import Diagnostic, Severity
from betacontent.rules.base import rule
from betacontent.rules.common import crumbs, resolve
from betacontent.site_index import Site


def check(site: Site) -> Iterator[Diagnostic]:
    home = site.home()
    for entry in site.pages():
        trail = crumbs(entry)
        if not trail:
            continue
        first = trail[0]
        if first.link is None:
            yield RULE.at(
                entry.rel, first.position, "the first crumb has no link; it should be `/`"
            )
            continue
        resolution = resolve(site, entry, first.link)
        if home is not None and resolution is not None and resolution.entry is home:
            continue
        if home is None and site.site_path(first.link) == "/":
            continue
        yield RULE.at(
            entry.rel,
            first.link_position,
            f"the first crumb links to `{first.link}`, not to the home page `/`",
        )


RULE = rule("BC202", "first-crumb-not-home", Severity.ERROR, __doc__)(check)
