"""Absolute URL to the site's own domain.

## What it does
Reports links written as `https://beta.gouv.fr/...` (the `url` of `_config.yml`, plus the
hosts listed in `links.own-domains`, such as `www.beta.gouv.fr`). They are checked as internal
links, so a dead one is also BC301. A live one gets this note with the relative link to use.

## Fix
`--fix` writes the relative link in place of the absolute one (query and fragment kept; for
breadcrumbs and `_data/` links, which templates pass through `relative_url`, without the
baseurl). Autolinks, include parameters and other front matter keys are left to you.

## Why is this bad?
Absolute links bypass staging and preview builds (they jump to production), break when the
domain changes, and nobody checks them: link checkers treat them as external.

## Example
```markdown
Une [phase d'investigation](https://beta.gouv.fr/approche/investigation).
```

## Use instead
```markdown
Une [phase d'investigation](/approche/investigation).
```
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.rules.base import rule
from betacontent.lint.rules.fixing import url_fix
from betacontent.site.index import Site
from betacontent.site.semantic import TEMPLATED


def check(site: Site) -> Iterator[Diagnostic]:
    for page in site.semantic.checked_links:
        for target in page.targets:
            if target.kind != "own-domain":
                continue
            parts = urlsplit(target.url)
            relative = parts.path or "/"
            site_path = site.site_path(relative)
            if target.link.origin in TEMPLATED:  # templates add the baseurl to these
                relative = site_path or relative
            if parts.query:
                relative += "?" + parts.query
            if parts.fragment:
                relative += "#" + parts.fragment
            end, fix = url_fix(site, page.path, target.link, relative, f"write `{relative}`")
            if target.link.origin in TEMPLATED and site_path is None:
                fix = None  # outside the baseurl: no relative form reaches it
            yield RULE.at(
                page.path,
                target.link.position,
                f"`{target.url}` points to this site: use a relative link, `{relative}`",
                end=end,
                fix=fix,
            )


RULE = rule("BC304", "own-domain-url", Severity.INFO, __doc__)(check)
