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

from betacontent.diagnostics import Diagnostic, Severity
from betacontent.rules.base import rule
from betacontent.rules.common import Crumb, crumbs, final_page, is_internal, nfc, resolve
from betacontent.site_index import Entry, Site


def _target(site: Site, entry: Entry, crumb: Crumb) -> Entry | None:
    if crumb.link is None or not is_internal(crumb.link):
        return None
    resolution = resolve(site, entry, crumb.link)
    return final_page(site, resolution) if resolution else None


def check(site: Site) -> Iterator[Diagnostic]:
    for entry in site.pages():
        trail = crumbs(entry)
        if not trail:
            continue
        targets = [_target(site, entry, crumb) for crumb in trail]
        if trail[-1].link is None:
            targets[-1] = entry
        seen: dict[int, int] = {}
        for crumb, target in zip(trail, targets, strict=True):
            if target is None:
                continue
            if id(target) in seen:
                yield RULE.at(
                    entry.rel,
                    crumb.position,
                    f"`{target.url}` appears twice in the trail (crumbs {seen[id(target)] + 1} "
                    f"and {crumb.index + 1})",
                )
            seen.setdefault(id(target), crumb.index)
        if len(trail) < 2:
            continue
        parent = targets[-2]
        if parent is None or parent is entry:
            continue
        parent_trail = crumbs(parent)
        if not parent_trail:
            continue
        parent_targets = [_target(site, parent, crumb) for crumb in parent_trail]
        if parent_trail[-1].link is None:
            parent_targets[-1] = parent
        mine = list(zip(trail[:-1], targets[:-1], strict=True))
        theirs = list(zip(parent_trail, parent_targets, strict=True))
        for index in range(max(len(mine), len(theirs))):
            if index >= len(mine):
                crumb = trail[-1]
                expected = theirs[index][0]
                yield RULE.at(
                    entry.rel,
                    crumb.position,
                    f"the trail skips `{expected.title}`, which the parent page "
                    f"{parent.rel} has at step {index + 1}",
                )
                break
            crumb, target = mine[index]
            if index >= len(theirs):
                yield RULE.at(
                    entry.rel,
                    crumb.position,
                    f"crumb `{crumb.title}` is not in the trail of the parent page {parent.rel}",
                )
                break
            their_crumb, their_target = theirs[index]
            if nfc(crumb.title) != nfc(their_crumb.title) or target is not their_target:
                yield RULE.at(
                    entry.rel,
                    crumb.position,
                    f"crumb {index + 1} is `{crumb.title}` ({crumb.link}) but the parent page "
                    f"{parent.rel} has `{their_crumb.title}` ({their_crumb.link}) there",
                )
                break


RULE = rule("BC206", "trail-inconsistent", Severity.WARNING, __doc__)(check)
