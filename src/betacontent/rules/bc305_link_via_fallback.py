"""Link that works only through the server's fallback, or only when case is ignored.

## What it does
Reports internal links that reach their target but not by its own URL: through the web
server's `try_files` fallback (`/approche` for a page at `/approche/`), through a redirect, by
the file name (`/approche/index.html`), or only on a case-insensitive host (`/Approche/`). The
message gives the canonical URL. Breadcrumbs have their own rule, BC207.

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

from betacontent.diagnostics import Diagnostic, Severity
from betacontent.rules.base import rule
from betacontent.rules.common import checked_links, final_page
from betacontent.site_index import EntryKind, Site


def check(site: Site) -> Iterator[Diagnostic]:
    for page in checked_links(site):
        for target in page.targets:
            if target.link.origin == "breadcrumb" or target.kind not in ("internal", "own-domain"):
                continue
            resolution = target.resolution
            if resolution is None and target.folded is not None:
                how = "only where case is ignored (not on nginx)"
                canonical = target.folded.entry
            elif resolution is None or (
                resolution.exact and resolution.entry.kind is not EntryKind.REDIRECT
            ):
                continue
            elif resolution.entry.kind is EntryKind.REDIRECT:
                how = "through a redirect"
                canonical = final_page(site, resolution)
            elif resolution.template == "$uri":
                how = "by its file name"
                canonical = resolution.entry
            else:
                how = f"only through the server fallback `{resolution.template}`"
                canonical = resolution.entry
            yield RULE.at(
                page.path,
                target.link.position,
                f"`{target.url}` reaches {canonical.rel} {how}; its URL is `{canonical.url}`",
            )


RULE = rule("BC305", "link-via-fallback", Severity.WARNING, __doc__)(check)
