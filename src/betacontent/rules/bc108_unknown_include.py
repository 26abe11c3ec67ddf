"""Include named in front matter that does not exist in `_includes/`.

## What it does
Reports a front matter value that names an include (`sidebar`, and the keys listed in
`front-matter.include-keys`) when no such file exists in `_includes/`. Runs only when the
site has an `_includes/` folder.

## Why is this bad?
A layout that does `{% include {{ page.sidebar }} %}` stops the whole Jekyll build with
"Could not locate the included file".

## Example
```yaml
---
layout: with-sidebar
sidebar: sidebar-aproche.html
---
```

## Use instead
```yaml
---
layout: with-sidebar
sidebar: sidebar-approche.html
---
```
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from betacontent.diagnostics import Diagnostic, Severity
from betacontent.rules.base import rule
from betacontent.site_index import Site


def check(site: Site) -> Iterator[Diagnostic]:
    if not site.has_includes_dir:
        return
    keys = site.lint.front_matter.include_keys
    for entry in site.pages():
        front_matter = entry.file.front_matter if entry.file else None
        if front_matter is None:
            continue
        for key in keys:
            value = front_matter.data.get(key)
            if not isinstance(value, str) or not value or value in site.includes:
                continue
            close = difflib.get_close_matches(value, sorted(site.includes), n=1, cutoff=0.75)
            hint = f"; did you mean `{close[0]}`?" if close else ""
            yield RULE.at(
                entry.rel,
                front_matter.position([key]),
                f"`{key}: {value}` names no file in _includes/{hint}",
            )


RULE = rule("BC108", "unknown-include", Severity.ERROR, __doc__)(check)
