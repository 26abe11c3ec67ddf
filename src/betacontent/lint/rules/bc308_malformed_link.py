"""Empty or malformed link.

## What it does
Reports HTML links with an empty target (`href=""`, which scripts sometimes fill; an empty
Markdown link, `[texte]()`, is BC301's), a `%` that does not start a percent-encoded byte,
or whitespace inside the URL.

## Why is this bad?
An empty link reloads the current page; browsers and servers repair malformed URLs in
different ways, so the link works for some visitors and not others.

## Example
```markdown
[Le manifeste]() et [le guide](/docs/guide pratique.pdf)
```

## Use instead
```markdown
[Le manifeste](/approche/manifeste) et [le guide](/docs/guide%20pratique.pdf)
```
"""

from __future__ import annotations

from collections.abc import Iterator

from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.rules.base import rule
from betacontent.lint.rules.fixing import link_end
from betacontent.site.index import Site

# An empty Markdown link (`[texte]()`) leads nowhere a person meant: BC301's, an error.
_WRITTEN_BY_HAND = frozenset({"markdown", "reference"})


def check(site: Site) -> Iterator[Diagnostic]:
    for page in site.semantic.checked_links:
        for target in page.targets:
            if target.kind == "empty" and target.link.origin not in _WRITTEN_BY_HAND:
                yield RULE.at(
                    page.path,
                    target.link.position,
                    "empty link target",
                    end=link_end(target.link),
                )
            elif target.problem and target.kind not in ("liquid-error", "completed"):
                yield RULE.at(
                    page.path,
                    target.link.position,
                    f"`{target.url}` {target.problem}",
                    end=link_end(target.link),
                )


RULE = rule("BC308", "malformed-link", Severity.WARNING, __doc__)(check)
