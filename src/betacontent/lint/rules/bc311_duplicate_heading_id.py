"""Two headings of a page get the same id.

## What it does
Computes the id of each heading as Jekyll's kramdown does and reports an id that the page
already defines. kramdown numbers repeated headings (`résumé`, `résumé-1`) by their base id,
so a heading literally written `Résumé-1` after two `Résumé` collides; explicit ids
(`{#id}`) and HTML `id=` can collide too.

## Why is this bad?
A link to the second one lands on the first; the HTML is invalid (ids must be unique).

## Example
```markdown
## Résumé
## Résumé
## Résumé-1
```

## Use instead
Give the headings distinct titles, or explicit ids: `## Résumé de la phase {#resume-phase}`.
"""

from __future__ import annotations

from collections.abc import Iterator

from betacontent.core.positions import Position
from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.rules.base import rule
from betacontent.site.index import Site


def check(site: Site) -> Iterator[Diagnostic]:
    for entry in site.pages():
        if entry.file is None or entry.file.front_matter is None:
            continue
        seen: dict[str, Position] = {}
        for anchor, position, kind in site.semantic.anchors_of(entry):
            if kind == "template":
                continue  # ids of layouts and includes are the templates' business
            if anchor in seen:
                yield RULE.at(
                    entry.rel,
                    position,
                    f"id `{anchor}` is already used at line {seen[anchor].line}",
                )
            else:
                seen[anchor] = position


RULE = rule("BC311", "duplicate-heading-id", Severity.WARNING, __doc__)(check)
