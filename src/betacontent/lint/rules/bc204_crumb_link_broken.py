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
from urllib.parse import urljoin, urlsplit

from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.rules.base import rule
from betacontent.site.front_matter import node_span
from betacontent.site.index import Site


def check(site: Site) -> Iterator[Diagnostic]:
    for entry in site.pages():
        for target in site.semantic.crumb_targets(entry) or []:
            link = target.crumb.link
            if link is None or not target.checked or target.resolution is not None:
                continue
            own = not link.startswith("/") and link.lower().startswith(("http:", "https:", "//"))
            path = urlsplit(link).path or "/" if own else urljoin(entry.url, link)
            hint = site.semantic.why_broken(path, templated=not own)
            node = (
                entry.file.front_matter.node_at(["breadcrumbs", target.crumb.index, "link"])
                if entry.file and entry.file.front_matter
                else None
            )
            yield RULE.at(
                entry.rel,
                target.crumb.link_position,
                f"breadcrumb link `{link}` resolves to no page{hint}",
                end=node_span(node)[1] if node is not None else None,
            )


RULE = rule("BC204", "crumb-link-broken", Severity.ERROR, __doc__)(check)
