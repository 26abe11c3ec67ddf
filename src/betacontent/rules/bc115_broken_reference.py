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

from betacontent.diagnostics import Diagnostic, Severity
from betacontent.positions import Position
from betacontent.rules.base import rule
from betacontent.site_index import Site
from betacontent.site_schemas import referenced_values
from betacontent.validation import suggest


def check(site: Site) -> Iterator[Diagnostic]:
    schemas = site.schemas
    names: dict[str, frozenset[str]] = {}
    for entry in site.pages():
        front_matter = entry.file.front_matter if entry.file is not None else None
        if front_matter is None:
            continue
        layout = entry.data.get("layout")
        for declared in schemas.for_file(entry.rel, layout=layout, collection=entry.collection):
            for reference, collection in declared.references:
                known = names.get(collection)
                if known is None:
                    known = names[collection] = site.document_names(collection)
                for path, value in referenced_values(front_matter.data, reference):
                    if not isinstance(value, str) or value in known:
                        continue
                    span = front_matter.spans.get(path)
                    start = Position(span[0], span[1]) if span else front_matter.position(path)
                    end = Position(span[2], span[3]) if span else None
                    hint = suggest(value, known)
                    message = f"`{value}` names no document of collection `{collection}`"
                    message += f"; did you mean `{hint}`?" if hint else ""
                    yield RULE.at(entry.rel, start, message, end=end)


RULE = rule("BC115", "broken-reference", Severity.ERROR, __doc__)(check)
