"""A value that must name a document of another collection names none.

## What it does
Checks the references the configuration declares between collections: each value at the
declared path (`missions[].startups[]` in a member's front matter, `incubator` in a
startup's) must be the name of a document of the target collection (its file name without
extension or date, or its `slug`). Reports each value that names none, with the closest name.

## Why is this bad?
Templates join collections by these names (`site.startups | where: "slug", id`). A misspelt
name silently drops the member from the startup's team page, or the startup from its
incubator's list: nothing fails, something is just missing.

## Example
```toml
[front-matter.collections.members]
references = { "missions[].startups[]" = "startups" }
```
```yaml
---
fullname: Ada Lovelace
missions:
  - startups: [aidant-connect]
---
```

## Use instead
```yaml
---
fullname: Ada Lovelace
missions:
  - startups: [aidants-connect]
---
```
"""

from __future__ import annotations

from collections.abc import Iterator

from betacontent.core.positions import Position
from betacontent.core.validation import suggest
from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.rules.base import rule
from betacontent.site.front_matter import node_spans
from betacontent.site.index import Site
from betacontent.site.schemas import referenced_values


def check(site: Site) -> Iterator[Diagnostic]:
    schemas = site.schemas
    names: dict[str, frozenset[str]] = {}

    def known(collection: str) -> frozenset[str]:
        if collection not in names:
            names[collection] = site.document_names(collection)
        return names[collection]

    for entry in site.pages():
        front_matter = entry.file.front_matter if entry.file is not None else None
        if front_matter is None:
            continue
        layout = entry.data.get("layout")
        for declared in schemas.for_file(entry.rel, layout=layout, collection=entry.collection):
            for reference, collection in declared.references:
                for path, value in referenced_values(front_matter.data, reference):
                    span = front_matter.spans.get(path)
                    yield from _judged(entry.rel, path, value, collection, known(collection), span)
    for data in site.data_files:
        declared_here = schemas.for_file(data.rel)
        if data.data is None or not declared_here:
            continue
        spans = node_spans(data.yaml.root)[0] if data.yaml is not None else {}
        for declared in declared_here:
            for reference, collection in declared.references:
                for path, value in referenced_values(data.data, reference):
                    span = spans.get(path)
                    yield from _judged(data.rel, path, value, collection, known(collection), span)


def _judged(
    rel: str,
    path: tuple[str | int, ...],
    value: object,
    collection: str,
    known: frozenset[str],
    span: tuple[int, int, int, int] | None,
) -> Iterator[Diagnostic]:
    if not isinstance(value, str) or value in known:
        return
    start = Position(span[0], span[1]) if span else Position(1, 1)
    end = Position(span[2], span[3]) if span else None
    hint = suggest(value, known)
    message = f"`{value}` names no document of collection `{collection}`"
    message += f"; did you mean `{hint}`?" if hint else ""
    yield RULE.at(rel, start, message, end=end)


RULE = rule("BC115", "broken-reference", Severity.ERROR, __doc__)(check)
