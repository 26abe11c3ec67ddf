"""A breadcrumb title differs from the title of the page it links to.

## What it does
Compares each crumb's `title` with the `title` of the page its link resolves to (the last
crumb with the page's own title). When the two differ only by accents or case, the message
says so.

## Fix
`--fix` writes the page's title into the crumb when the crumb only lacks accents or differs
in case. When the crumb has accents the page title lacks, as in the example below, the page
title is the one to correct: no fix is offered.

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

from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.rules.base import rule
from betacontent.lint.rules.common import fold, nfc
from betacontent.lint.rules.fixing import crumb_value_fix
from betacontent.site.index import Site


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _accents(text: str) -> int:
    return sum(1 for c in unicodedata.normalize("NFKD", text) if unicodedata.combining(c))


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
        for target in site.semantic.crumb_targets(entry) or []:
            crumb, page = target.crumb, target.page
            if page is None or page.title is None or nfc(crumb.title) == nfc(page.title):
                continue
            whose = "this page's title" if page is entry else f"the title of {page.rel}"
            how = difference(crumb.title, page.title)
            end, fix = crumb_value_fix(
                entry, crumb.index, "title", page.title, f"write `{page.title}`"
            )
            if not how or _accents(page.title) < _accents(crumb.title):
                fix = None  # a different title, or one the crumb writes better
            yield RULE.at(
                entry.rel,
                crumb.position,
                f"crumb title `{crumb.title}` does not match {whose}, `{page.title}`" + how,
                end=end,
                fix=fix,
            )


RULE = rule("BC205", "crumb-title-mismatch", Severity.WARNING, __doc__)(check)
