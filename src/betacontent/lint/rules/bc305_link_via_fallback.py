"""Link that works, but only through the server's fallback, a redirect or ignoring case.

## What it does
Reports internal links that reach their target but not by its own URL: through the web
server's `try_files` fallback (`/approche` for a page at `/approche/`), through a redirect, by
the file name (`/approche/index.html`), or because the server ignores case (`/Approche/`,
with `ignore-case = true`; otherwise such a link is broken: BC301). The message gives the
canonical URL. Information: the link works. Breadcrumbs have their own rule, BC207.

## Fix
`--fix` writes the canonical URL of a site-absolute link (`/...`) that works through the
fallback or by its file name, keeping its query, fragment and baseurl. A link through a
redirect, one that matches only when case is ignored, and a relative link are left to you.

## Why is this bad?
Each costs a redirect or a lookup, splits analytics between two URLs, and breaks when the site
moves to a server configured otherwise; a case mismatch is a 404 on nginx.

## Example
```markdown
[L'approche](/approche)
```

## Use instead
```markdown
[L'approche](/approche/)
```
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from betacontent.core.positions import Position
from betacontent.lint.diagnostics import Diagnostic, Fix, Severity
from betacontent.lint.rules.base import rule
from betacontent.lint.rules.fixing import url_fix
from betacontent.site.index import Entry, EntryKind, Site
from betacontent.site.semantic import TEMPLATED, Target


def _canonical_fix(
    site: Site, target: Target, canonical: Entry
) -> tuple[Position | None, Fix | None]:
    """The canonical URL written as the link was: same baseurl form, query and fragment."""
    written = target.link.url
    parts = urlsplit(written)
    if not written.startswith("/") or written.startswith("//"):
        end, _ = url_fix(site, target.path, target.link, written, "")
        return end, None
    base = "" if target.link.origin in TEMPLATED else site.config.baseurl.rstrip("/")
    url = base + canonical.url
    if parts.query:
        url += "?" + parts.query
    if parts.fragment:
        url += "#" + parts.fragment
    return url_fix(site, target.path, target.link, url, f"write `{url}`")


def check(site: Site) -> Iterator[Diagnostic]:
    for page in site.semantic.checked_links:
        for target in page.targets:
            if target.link.origin == "breadcrumb" or target.kind not in ("internal", "own-domain"):
                continue
            resolution = target.resolution
            fixable = False
            if resolution is None or (
                resolution.exact and resolution.entry.kind is not EntryKind.REDIRECT
            ):
                continue
            if resolution.case_insensitive:  # `ignore-case = true`: a match, not the URL
                how = "only because the server ignores case (`ignore-case`)"
                canonical = resolution.entry
            elif resolution.entry.kind is EntryKind.REDIRECT:
                how = "through a redirect"
                canonical = site.semantic.final_page(resolution)
            elif resolution.template == "$uri":
                how, fixable = "by its file name", True
                canonical = resolution.entry
            else:
                how, fixable = f"only through the server fallback `{resolution.template}`", True
                canonical = resolution.entry
            end, fix = _canonical_fix(site, target, canonical)
            yield RULE.at(
                page.path,
                target.link.position,
                f"`{target.url}` reaches {canonical.rel} {how}; its URL is `{canonical.url}`",
                end=end,
                fix=fix if fixable else None,
            )


RULE = rule("BC305", "link-via-fallback", Severity.INFO, __doc__)(check)
