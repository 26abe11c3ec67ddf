"""A `_data/` file names a target that does not exist.

## What it does
Reads the link targets of data files (menus, footers): every value, whatever its key, that
is a root-relative URL (`/startups/`), an absolute URL to the site's own domain, or a source
path such as `_pages/intrapreneur.md` (and the values of keys listed in `links.data-keys`).
A URL is resolved like any internal link; a source path must be a file of the site, or a path
from the site's root. Reports those that resolve to nothing, or only when case is ignored,
with what explains it when something does.

## Why is this bad?
Menus appear on every page: one dead entry is a broken link site-wide, and a renamed source
file breaks the menu without any error from Jekyll.

## Example
```yaml
- title: Devenir intrapreneur
  path: _pages/intrapreneur.md
```
when the file is `_pages/devenir-intrapreneur.md`.

## Use instead
```yaml
- title: Devenir intrapreneur
  path: _pages/devenir-intrapreneur.md
```
"""

from __future__ import annotations

from collections.abc import Iterator

from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.rules.base import rule
from betacontent.lint.rules.common import broken_hint
from betacontent.lint.rules.fixing import link_end
from betacontent.site.index import Site


def check(site: Site) -> Iterator[Diagnostic]:
    for page in site.semantic.checked_links:
        for target in page.targets:
            if target.link.origin != "data":
                continue
            if target.kind == "source-path" and target.resolution is None:
                yield RULE.at(
                    page.path,
                    target.link.position,
                    f"`{target.link.element}: {target.url}` names no source file or URL of the "
                    "site" + broken_hint(site, target),
                    end=link_end(target.link),
                )
            elif target.kind in ("internal", "own-domain") and target.resolution is None:
                yield RULE.at(
                    page.path,
                    target.link.position,
                    f"`{target.link.element}: {target.url}` resolves to no page or file"
                    + broken_hint(site, target),
                    end=link_end(target.link),
                )


RULE = rule("BC309", "broken-data-target", Severity.ERROR, __doc__)(check)
