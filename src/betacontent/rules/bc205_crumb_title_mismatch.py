"""A breadcrumb title differs from the title of the page it links to.

## What it does
Compares each crumb's `title` with the `title` of the page its link resolves to (the last
crumb with the page's own title). When the two differ only by accents or case, the message
says so.

## Why is this bad?
The same page gets two names: one in its heading and tab, another in every trail that leads to
it. Accent-only differences are the common case, from a title typed without accents on one
side: "Decouvrir le role" here, "Découvrir le rôle" there.

## Example
```yaml
title: Decouvrir le role d'intrapreneur
breadcrumbs:
  - {title: Accueil, link: /}
  - title: Découvrir le rôle d'intrapreneur
    link: /devenir-intrapreneur/decouvrir-le-role-d-intrapreneur
```

## Use instead
```yaml
title: Découvrir le rôle d'intrapreneur
```
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from betacontent.diagnostics import Diagnostic, Severity
from betacontent.rules.base import rule
from betacontent.rules.common import crumbs, final_page, fold, is_internal, nfc, resolve
from betacontent.site_index import Entry, Site


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def difference(written: str, expected: str) -> str:
    """How two different titles differ: only in accents, only in case, in both, or more."""
    if fold(written) != fold(expected):
        return ""
    if _strip_accents(written) == _strip_accents(expected):
        return "; they differ only in accents"
    if nfc(written).casefold() == nfc(expected).casefold():
        return "; they differ only in case"
    return "; they differ only in accents and case"


def check(site: Site) -> Iterator[Diagnostic]:
    for entry in site.pages():
        trail = crumbs(entry)
        if not trail:
            continue
        for index, crumb in enumerate(trail):
            target: Entry | None = None
            if crumb.link is None:
                target = entry if index == len(trail) - 1 else None
            elif is_internal(crumb.link):
                resolution = resolve(site, entry, crumb.link)
                target = final_page(site, resolution) if resolution else None
            if target is None or target.title is None or nfc(crumb.title) == nfc(target.title):
                continue
            whose = "this page's title" if target is entry else f"the title of {target.rel}"
            yield RULE.at(
                entry.rel,
                crumb.position,
                f"crumb title `{crumb.title}` does not match {whose}, `{target.title}`"
                + difference(crumb.title, target.title),
            )


RULE = rule("BC205", "crumb-title-mismatch", Severity.WARNING, __doc__)(check)
