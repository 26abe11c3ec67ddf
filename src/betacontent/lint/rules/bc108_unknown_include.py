"""Include that does not exist: in `_includes/`, or beside the page for `include_relative`.

## What it does
Reports `{% include name %}` in a page or document body when `name` is no file of
`_includes/`, and `{% include_relative name %}` when there is no such file in the page's own
folder, at the tag; a name Jekyll refuses (quotes, `..`) too. A name built by Liquid
(`{% include {{ page.sidebar }} %}`) and tags inside `{% raw %}` or `{% comment %}` are not
checked; tags inside Markdown code blocks are, since Jekyll runs Liquid first. Also reports a
front matter value that names an include (`sidebar`, and the keys listed in
`front-matter.include-keys`) when no such file exists in `_includes/` (only when the site has
an `_includes/` folder). Body includes are not checked on a site with a `theme:` or
`remote_theme:`, whose includes betacontent cannot see, nor in a file with
`render_with_liquid: false`.

## Why is this bad?
`jekyll build` stops on it: "Could not locate the included file". So does a layout that does
`{% include {{ page.sidebar }} %}` with a `sidebar` that names no file.

## Example
```markdown
{% include carte-startup.html url="/startups/" %}
```
when `_includes/` has `carte_startup.html`; or:
```yaml
---
layout: with-sidebar
sidebar: sidebar-aproche.html
---
```

## Use instead
```markdown
{% include carte_startup.html url="/startups/" %}
```
```yaml
---
layout: with-sidebar
sidebar: sidebar-approche.html
---
```
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.rules.base import rule
from betacontent.site.index import EntryKind, Site
from betacontent.site.links import include_tags

# Jekyll's IncludeTag::VALID_FILENAME_CHARS and INVALID_SEQUENCES.
_VALID_NAME = re.compile(r"^[\w/.\-()+~#@]+$", re.ASCII)  # Ruby: \w is ASCII
_INVALID_SEQUENCES = re.compile(r"[./]{2,}")


def _hint(name: str, known: frozenset[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.75)
    return f"; did you mean `{close[0]}`?" if close else ""


def _front_matter_keys(site: Site) -> Iterator[Diagnostic]:
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
            yield RULE.at(
                entry.rel,
                front_matter.position([key]),
                f"`{key}: {value}` names no file in _includes/{_hint(value, site.includes)}",
            )


def _body_tags(site: Site) -> Iterator[Diagnostic]:
    if site.config.theme or site.config.remote_theme:
        return  # the theme's includes are not on disk here
    includes_dir = site.config.includes_dir.strip("/") or "_includes"
    for entry in site.pages():
        file = entry.file
        if file is None or entry.data.get("render_with_liquid") is False:
            continue
        if entry.output is None and entry.kind is EntryKind.PAGE:
            continue  # an unpublished page is never read, let alone rendered
        for tag in include_tags(file):
            name = tag.name
            if name is None:
                continue  # built by Liquid: known only when the page renders
            if _INVALID_SEQUENCES.search(name) or not _VALID_NAME.match(name):
                message = (
                    f"Jekyll refuses the file name `{name}` of `{{% {tag.tag} %}}` (quotes, "
                    "`..` or other characters it does not allow), and `jekyll build` stops on it"
                )
                yield RULE.at(entry.rel, tag.position, message)
                continue
            hint = ""
            if tag.tag == "include":
                if name in site.includes:
                    continue
                where = f"{includes_dir}/"
                hint = _hint(name, site.includes)
            else:
                folder = str(PurePosixPath(file.rel).parent)
                # Jekyll reads it from disk wherever it is (in a folder it skips, or
                # excluded, alike): the site's file list cannot answer, the disk can.
                if (site.root / folder / name).is_file():
                    continue
                where = "the site's root" if folder == "." else f"{folder}/"
            yield RULE.at(
                entry.rel,
                tag.position,
                f"`{{% {tag.tag} {name} %}}`: no such file in {where}, and `jekyll build` "
                f"stops on it{hint}",
            )


def check(site: Site) -> Iterator[Diagnostic]:
    yield from _front_matter_keys(site)
    yield from _body_tags(site)


RULE = rule("BC108", "unknown-include", Severity.ERROR, __doc__)(check)
