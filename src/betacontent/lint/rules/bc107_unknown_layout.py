"""Layout that does not exist in `_layouts/`.

## What it does
Reports a page or document whose `layout` (from its front matter or from `defaults:`) names no
file in `_layouts/`. Runs only when the site has a `_layouts/` folder and no `theme` (a theme
brings layouts of its own). `layout: none` and an empty layout mean "no layout" and are fine.

## Why is this bad?
Jekyll only prints a build warning and publishes the page without any layout: no header, no
styles, no navigation.

## Example
```yaml
---
layout: intrapreneur-role
---
```
when `_layouts/` holds `default.html`, `home.html` and `with-sidebar.html`.

## Use instead
```yaml
---
layout: with-sidebar
---
```
"""

from __future__ import annotations

from collections.abc import Iterator

from betacontent.core.positions import Position
from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.rules.base import rule
from betacontent.site.index import Site


def check(site: Site) -> Iterator[Diagnostic]:
    if not site.has_layouts_dir or site.config.theme or site.config.remote_theme:
        return
    for entry in site.pages():
        layout = entry.data.get("layout")
        if not isinstance(layout, str) or layout in ("", "none", "null") or entry.file is None:
            continue
        if layout in site.layouts or entry.redirect_to is not None:
            continue
        front_matter = entry.file.front_matter
        own = front_matter is not None and "layout" in front_matter.data
        position = front_matter.position(["layout"]) if own and front_matter else Position(1, 1)
        origin = "" if own else " (set by `defaults:` in _config.yml)"
        known = ", ".join(sorted(site.layouts)) or "none"
        yield RULE.at(
            entry.rel,
            position,
            f"layout `{layout}`{origin} does not exist in _layouts/ (known: {known})",
        )


RULE = rule("BC107", "unknown-layout", Severity.ERROR, __doc__)(check)
