"""Unsafe content: `javascript:` URLs, `<script>`, inline event handlers.

## What it does
Reports `javascript:`, `vbscript:` and `data:text/html` URLs in any link or HTML attribute
(`<form action>` too; read as a browser does, tabs and newlines dropped), `<script>` elements,
`on*=` event handler attributes (`onclick=`, `onerror=`...) and `srcdoc=` documents in the raw
HTML of pages.

## Why is this bad?
On the Jekyll site it works (an embed, a widget): information, not an error. But content is
edited by many hands: script in it is a cross-site scripting vector and breaks the site's
Content-Security-Policy, and a frontend that inserts the API's HTML would run it under its own
origin. So `betacontent serve` withholds every page with one, whatever this rule's severity.

## Example
```html
<a href="javascript:void(0)" onclick="ouvrir()">Ouvrir</a>
```

## Use instead
A real link, and behaviour in the site's own scripts:
```html
<a href="/approche/">Ouvrir</a>
```
"""

from __future__ import annotations

from collections.abc import Iterator

from betacontent.kramdown.links import script_url
from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.rules.base import rule
from betacontent.lint.rules.fixing import link_end
from betacontent.site.index import Site


def check(site: Site) -> Iterator[Diagnostic]:
    for page in site.semantic.checked_links:
        for target in page.targets:
            if target.kind == "unsafe":
                kind = script_url(target.url)
                yield RULE.at(
                    page.path,
                    target.link.position,
                    f"`{kind}` URL in a link",
                    end=link_end(target.link),
                )
        for unsafe in page.unsafe:
            yield RULE.at(page.path, unsafe.position, unsafe.message)


RULE = rule("BC307", "unsafe-content", Severity.INFO, __doc__)(check)
