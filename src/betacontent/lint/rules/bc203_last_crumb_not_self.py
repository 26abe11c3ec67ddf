"""The last breadcrumb does not link to the page itself.

## What it does
Reports a trail whose last crumb links to another page than the one that carries it. A last
crumb without `link` is accepted, unless `breadcrumbs.last-crumb-link = "required"`.
A last crumb whose link resolves to nothing is BC204's.

## Fix
`--fix` adds the missing `link:` of a last crumb, with the page's own URL, in the crumb's
style: `{title: X}` becomes `{title: X, link: /url}`; a block crumb gets a new `link:` line.
When the last crumb's title is this page's title but its link points elsewhere, the crumb
plainly names this page: `--fix` writes the page's own URL in its `link`.

## Why is this bad?
The last step of a trail is "you are here". When it points elsewhere, usually because the page
was copied from a sibling, the trail describes another page.

## Example
In `_pages/construction.md` (`permalink: /approche/construction`):
```yaml
breadcrumbs:
  - {title: Accueil, link: /}
  - {title: L'approche beta.gouv.fr, link: /approche/}
  - {title: Phase d'investigation, link: /approche/investigation}
```

## Use instead
```yaml
  - {title: Phase de construction, link: /approche/construction}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.rules.base import rule
from betacontent.lint.rules.common import nfc
from betacontent.lint.rules.fixing import crumb_key_fix, crumb_value_fix
from betacontent.site.index import Site


def check(site: Site) -> Iterator[Diagnostic]:
    required = site.lint.breadcrumbs.last_crumb_link == "required"
    for entry in site.pages():
        trail = site.semantic.crumb_targets(entry)
        if not trail or entry.output is None:
            continue
        last = trail[-1]
        if last.crumb.link is None:
            if required:
                fix = crumb_key_fix(
                    entry, last.crumb.index, "link", entry.url, f"add `link: {entry.url}`"
                )
                message = f"the last crumb has no link; use `{entry.url}`"
                yield RULE.at(entry.rel, last.crumb.position, message, fix=fix)
            continue
        if last.checked and last.resolution is None:
            continue  # resolves to nothing: BC204
        if last.page is not entry:
            where = f" ({last.page.rel})" if last.page is not None else ""
            end, fix = None, None
            if (
                entry.title is not None
                and nfc(last.crumb.title).strip() == nfc(entry.title).strip()
            ):
                message = f"link to this page, `{entry.url}`"
                end, fix = crumb_value_fix(entry, last.crumb.index, "link", entry.url, message)
            yield RULE.at(
                entry.rel,
                last.crumb.link_position,
                f"the last crumb links to `{last.crumb.link}`{where}, not to this page "
                f"(`{entry.url}`)",
                end=end,
                fix=fix,
            )


RULE = rule("BC203", "last-crumb-not-self", Severity.ERROR, __doc__)(check)
