"""A breadcrumb link that works only through the server's fallback.

## What it does
Reports a crumb link that is not the target's own URL but reaches it through the web server's
`try_files` fallback (`/approche` for a page at `/approche/`), through a redirect, or by a
file path (`/approche/index.html`), and gives the canonical URL.

## Fix
`--fix` writes the target's own URL in place of a site-absolute crumb link (`/...`) that
works through the fallback or by its file name, keeping query and fragment. A crumb through
a redirect or written as a relative link is left to you.

## Why is this bad?
It works on nginx configured like production, but costs a redirect or an extra lookup, breaks
on servers configured otherwise (S3, some CDNs), and makes the same page appear under two URLs
in analytics and search engines.

## Example
```yaml
breadcrumbs:
  - {title: Accueil, link: /}
  - {title: L'approche beta.gouv.fr, link: /approche}
```

## Use instead
```yaml
  - {title: L'approche beta.gouv.fr, link: /approche/}
```
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.rules.base import rule
from betacontent.lint.rules.fixing import crumb_value_fix
from betacontent.site.index import EntryKind, Site


def check(site: Site) -> Iterator[Diagnostic]:
    for entry in site.pages():
        for target in site.semantic.crumb_targets(entry) or []:
            resolution, page = target.resolution, target.page
            if resolution is None or page is None:
                continue
            written = target.crumb.link or ""
            parts = urlsplit(written)
            fixable = written.startswith("/") and not written.startswith("//")
            if resolution.entry.kind is EntryKind.REDIRECT:
                how, fixable = "through a redirect", False
            elif resolution.exact:
                continue
            elif resolution.template == "$uri":
                how = "by its file name"
            else:
                how = f"only through the server fallback `{resolution.template}`"
            url = page.url + (f"?{parts.query}" if parts.query else "")
            url += f"#{parts.fragment}" if parts.fragment else ""
            end, fix = crumb_value_fix(entry, target.crumb.index, "link", url, f"write `{url}`")
            yield RULE.at(
                entry.rel,
                target.crumb.link_position,
                f"breadcrumb link `{target.crumb.link}` reaches {page.rel} {how}; "
                f"its URL is `{page.url}`",
                end=end,
                fix=fix if fixable else None,
            )


RULE = rule("BC207", "crumb-via-fallback", Severity.INFO, __doc__)(check)
