"""A breadcrumb link resolves to no page.

## What it does
Resolves every crumb link the way the web server would (`try_files $uri $uri.html
$uri/index.html $uri/` by default, see `fallback`) against every page, document, redirect and
static file of the site, and reports the links that find nothing. When the link would work if
case were ignored, the message says so: servers are case-sensitive.

## Why is this bad?
A broken crumb is a 404 one click away from every page that shares the trail.

## Example
```yaml
breadcrumbs:
  - {title: Accueil, link: /}
  - {title: Devenir intrapreneur, link: /devenir-intraprenneur}
```

## Use instead
```yaml
  - {title: Devenir intrapreneur, link: /devenir-intrapreneur}
```
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urljoin

from betacontent.diagnostics import Diagnostic, Severity
from betacontent.rules.base import rule
from betacontent.rules.common import crumbs, is_internal, resolve
from betacontent.site_index import Site


def check(site: Site) -> Iterator[Diagnostic]:
    for entry in site.pages():
        for crumb in crumbs(entry) or []:
            if crumb.link is None or not is_internal(crumb.link):
                continue
            if resolve(site, entry, crumb.link) is not None:
                continue
            target = crumb.link if crumb.link.startswith("/") else urljoin(entry.url, crumb.link)
            folded = site.lookup(target, ignore_case=True)
            hint = f" (`{folded.entry.url}` exists: paths are case-sensitive)" if folded else ""
            yield RULE.at(
                entry.rel,
                crumb.link_position,
                f"breadcrumb link `{crumb.link}` resolves to no page{hint}",
            )


RULE = rule("BC204", "crumb-link-broken", Severity.ERROR, __doc__)(check)
