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

from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.rules.base import rule
from betacontent.site.index import Site


def check(site: Site) -> Iterator[Diagnostic]:
    home = site.home()
    for entry in site.pages():
        trail = site.semantic.crumb_targets(entry)
        if not trail:
            continue
        first = trail[0]
        if first.crumb.link is None:
            if len(trail) == 1 and entry is home:
                continue  # the home page's own one-crumb trail
            yield RULE.at(
                entry.rel, first.crumb.position, "the first crumb has no link; it should be `/`"
            )
            continue
        if home is not None and first.page is home:
            continue
        if home is None and first.checked and first.resolution is None:
            continue  # no home page on this site: BC204 reports the link
        yield RULE.at(
            entry.rel,
            first.crumb.link_position,
            f"the first crumb links to `{first.crumb.link}`, not to the home page `/`",
        )


RULE = rule("BC202", "first-crumb-not-home", Severity.ERROR, __doc__)(check)
