"""Image or other asset that does not exist.

## What it does
Reports images (Markdown `![]()`, `<img src>`, `srcset` candidates), media (`<video>`,
`<audio>`, `<source>`), stylesheets (`<link href>`), scripts, embeds and `<object data>` whose
file is not on the site, resolved like any internal link.

## Why is this bad?
A broken image icon, or a missing illustration that the text refers to ("the picture below").

## Example
```html
<img src="/img/recap-phases.png" alt="Les quatre phases">
```

## Use instead
```html
<img src="/img/recap_phases.png" alt="Les quatre phases">
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
            if not target.link.asset or target.link.origin == "data":
                continue  # an asset named in `_data/` is BC309's
            if target.kind not in ("internal", "own-domain", "source-path"):
                continue
            if target.resolution is None:
                yield RULE.at(
                    page.path,
                    target.link.position,
                    f"{target.link.element} `{target.url}`: no such file on the site"
                    + broken_hint(site, target),
                    end=link_end(target.link),
                )


RULE = rule("BC303", "missing-asset", Severity.ERROR, __doc__)(check)
