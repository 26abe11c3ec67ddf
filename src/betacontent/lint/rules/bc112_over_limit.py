"""A file over one of betacontent's limits, so it was not (fully) checked.

## What it does
Reports a file larger than `limits.max-file-size`, YAML that expands to more than
`limits.max-yaml-nodes` values once its aliases are followed or nests deeper than
`limits.max-yaml-depth`, JSON nested too deep to read, and a file with more links than
`limits.max-links-per-page` (the links past the limit are not checked). The file itself is
not checked past the limit; the rest of the site is.

## Why is this bad?
A content page of several megabytes, thousands of links, or YAML built from aliases of
aliases ("billion laughs": nine aliases of nine aliases are a billion values) is generated or
hostile, not written by an editor. Every tool that walks it (the linter, Jekyll's Liquid, the
JSON API) pays for its expanded size; bounded limits keep a lint run and the API from hanging
on one file.

## Example
```yaml
a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]
a1: &a1 [*a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0]
a2: &a2 [*a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1]
# ... up to a9: a billion values
```

## Use instead
Write the values out, split the page, or move the generated data out of the site. Where a
large file is legitimate, raise the limit in `[limits]` of the configuration.
"""

from __future__ import annotations

from collections.abc import Iterator

from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.rules.base import rule
from betacontent.site.front_matter import ProblemKind
from betacontent.site.index import Site


def check(site: Site) -> Iterator[Diagnostic]:
    for found in site.semantic.problems(ProblemKind.LIMIT):
        yield RULE.at(found.path, found.position, found.message)
    most = site.lint.limits.max_links_per_page
    for page in site.semantic.checked_links:
        if page.skipped:
            total = most + len(page.skipped)
            yield RULE.at(
                page.path,
                page.skipped[0].position,
                f"{total:,} links, over `limits.max-links-per-page` ({most:,}); the links from "
                "here on are not checked",
            )


RULE = rule("BC112", "over-limit", Severity.ERROR, __doc__)(check)
