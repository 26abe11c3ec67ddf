"""A document date that Jekyll cannot read: the build stops.

## What it does
Reports a post, or a document of any collection, whose date Ruby's `Time.parse` refuses: the
date of its file name (`_posts/2019-13-01-bilan.md`), which Jekyll reads when the front
matter has no `date:`, or its `date:` (`2024-02-32`, `2024-03-05 25:00`, or text with no
digit nor English month or day name, such as `hier soir`: "no time information"). Dates of
pages are not read by Jekyll and not checked. A day past the month's end (`2019-02-30`) is no
error to Jekyll, which carries it over (2 March), and is not reported.

## Why is this bad?
`jekyll build` stops on it, published or not, output or not: "Invalid date '2019-13-01':
Document '_posts/2019-13-01-bilan.md' does not have a valid date in the filename". Nothing is
published until it is fixed.

## Example
```yaml
---
title: Bilan de l'année
date: 2024-13-01
---
```

## Use instead
```yaml
---
title: Bilan de l'année
date: 2024-12-01
---
```
"""

from __future__ import annotations

from collections.abc import Iterator

from betacontent.core.positions import Position
from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.rules.base import rule
from betacontent.site.index import EntryKind, Site


def check(site: Site) -> Iterator[Diagnostic]:
    for entry in site.entries:
        invalid = entry.invalid_date
        if entry.kind is not EntryKind.DOCUMENT or invalid is None:
            continue
        front_matter = entry.file.front_matter if entry.file else None
        if invalid.source == "file name":
            where = Position(1, 1)
            source = f"the file name's date `{invalid.text}`"
        elif front_matter is not None and "date" in front_matter.data:
            where = front_matter.position(["date"])
            source = f"`date: {invalid.text}`"
        else:
            where = Position(1, 1)
            source = f"`date: {invalid.text}` (set by `defaults:` in _config.yml)"
        yield RULE.at(
            entry.rel,
            where,
            f"{source} is no date to Jekyll ({invalid.reason}): `jekyll build` stops on it",
        )


RULE = rule("BC114", "invalid-date", Severity.ERROR, __doc__)(check)
