"""Link containing Liquid that cannot be resolved statically.

## What it does
Notes links whose target is built by Liquid that only a full Jekyll render can evaluate
(`{{ page.url }}`, `{{ site.data.x }}`, loops, includes). They are not checked. Links using
`{{ site.url }}`, `{{ site.baseurl }}`, `relative_url`/`absolute_url` on a string, `{% link %}`
and `{% post_url %}` are resolved exactly as Jekyll does and checked normally. Info only,
never an error.

## Why is this bad?
It is not bad; it says which links the linter could not verify.

## Example
```markdown
[Dernier article]({{ site.posts.first.url }})
```

## Use instead
If the target is fixed, write it: `[Dernier article](/actualites/2024/bilan)`, or use
`{% link _posts/2024-01-10-bilan.md %}`.
"""

from __future__ import annotations

from collections.abc import Iterator

from betacontent.diagnostics import Diagnostic, Severity
from betacontent.rules.base import rule
from betacontent.rules.common import checked_links
from betacontent.rules.fixing import link_end
from betacontent.site_index import Site


def check(site: Site) -> Iterator[Diagnostic]:
    for page in checked_links(site):
        for target in page.targets:
            if target.kind == "liquid":
                yield RULE.at(
                    page.path,
                    target.link.position,
                    f"`{target.url}` is built by Liquid and cannot be checked statically",
                    end=link_end(site, page.path, target.link),
                )


RULE = rule("BC310", "unresolved-liquid", Severity.INFO, __doc__)(check)
