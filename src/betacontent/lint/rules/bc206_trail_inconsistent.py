"""A breadcrumb trail disagrees with its parent page's trail, or names a page twice.

## What it does
Takes the page the second-to-last crumb links to (the parent) and checks that this page's
crumbs, minus the last, are the parent's own crumbs: same titles, same pages, same order. Also
reports a trail that goes through the same page twice. Parents without breadcrumbs are not
compared.

## Why is this bad?
Trails are copied by hand from page to page. When a section is renamed or moved, the pages
below it keep the old trail, and visitors see two different paths to the same place.

## Example
`/approche/` has the trail Accueil › L'approche beta.gouv.fr, but
`/approche/construction` says:
```yaml
breadcrumbs:
  - {title: Accueil, link: /}
  - {title: Notre approche, link: /approche/}
  - {title: Phase de construction, link: /approche/construction}
```

## Use instead
```yaml
breadcrumbs:
  - {title: Accueil, link: /}
  - {title: L'approche beta.gouv.fr, link: /approche/}
  - {title: Phase de construction, link: /approche/construction}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.rules.base import rule
from betacontent.site.index import Entry, Site


def _describe(entry: Entry | None) -> str:
    return f"`{entry.url}`" if entry is not None else "no page"


def check(site: Site) -> Iterator[Diagnostic]:
    for entry in site.pages():
        trail = site.semantic.crumb_targets(entry)
        if not trail:
            continue
        seen: dict[int, int] = {}
        for target in trail:
            if target.page is None:
                continue
            first = seen.setdefault(id(target.page), target.crumb.index)
            if first != target.crumb.index:
                yield RULE.at(
                    entry.rel,
                    target.crumb.position,
                    f"`{target.page.url}` appears twice in the trail (crumbs {first + 1} and "
                    f"{target.crumb.index + 1})",
                )
        parent = trail[-2].page if len(trail) >= 2 else None
        if parent is None or parent is entry:
            continue
        theirs = site.semantic.crumb_targets(parent)
        if not theirs:
            continue
        mine = trail[:-1]
        # Titles are BC205's: the trails are compared by the pages they lead to.
        for index in range(max(len(mine), len(theirs))):
            if index >= len(mine):
                yield RULE.at(
                    entry.rel,
                    trail[-1].crumb.position,
                    f"the trail skips {_describe(theirs[index].page)}, which the parent page "
                    f"{parent.rel} has at step {index + 1}",
                )
                break
            if index >= len(theirs):
                yield RULE.at(
                    entry.rel,
                    mine[index].crumb.position,
                    f"crumb {index + 1} (`{mine[index].crumb.title}`) is not in the trail of "
                    f"the parent page {parent.rel}",
                )
                break
            if mine[index].page is not theirs[index].page:
                yield RULE.at(
                    entry.rel,
                    mine[index].crumb.position,
                    f"crumb {index + 1} leads to {_describe(mine[index].page)} but the parent "
                    f"page {parent.rel} has {_describe(theirs[index].page)} there",
                )
                break


RULE = rule("BC206", "trail-inconsistent", Severity.WARNING, __doc__)(check)
