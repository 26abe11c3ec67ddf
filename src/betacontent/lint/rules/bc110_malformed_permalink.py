"""Malformed permalink.

## What it does
Reports a `permalink` that is empty, or contains whitespace, `..`, `?` or `#`. (One without
a leading `/` is not reported: Jekyll adds it, and the page is where its author meant.)

## Why is this bad?
Jekyll rewrites such permalinks silently: it turns `..` into `/`, and writes `?` and `#` into
file names that no URL can reach. The page ends up at a URL nobody links to.

## Example
```yaml
permalink: /approche/../construction
permalink: /approche/construction#equipe
```

## Use instead
```yaml
permalink: /approche/construction
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.rules.base import rule
from betacontent.site.index import Site

_WHITESPACE = re.compile(r"\s")


def problem(permalink: str) -> str | None:
    if _WHITESPACE.search(permalink):
        return "contains whitespace"
    if ".." in permalink:
        return "contains `..`"
    for char in "?#":
        if char in permalink:
            return f"contains `{char}`"
    return None


def check(site: Site) -> Iterator[Diagnostic]:
    for entry in site.pages():
        front_matter = entry.file.front_matter if entry.file else None
        if front_matter is None:
            continue
        permalink = front_matter.data.get("permalink")
        if not isinstance(permalink, str):
            continue
        if not permalink.strip():
            yield RULE.at(
                entry.rel,
                front_matter.position(["permalink"]),
                "permalink is empty; Jekyll stops the build with `Invalid permalink`",
            )
            continue
        found = problem(permalink)
        if found:
            yield RULE.at(
                entry.rel,
                front_matter.position(["permalink"]),
                f"permalink `{permalink}` {found}; Jekyll publishes it at `{entry.url}`",
            )


RULE = rule("BC110", "malformed-permalink", Severity.ERROR, __doc__)(check)
