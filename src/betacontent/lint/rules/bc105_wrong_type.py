"""Front matter or data value of the wrong type or shape.

## What it does
Checks the keys Jekyll and its common plugins read against the types they accept
(`schemas/front-matter.schema.json`: `permalink` is text, `published` a boolean...), and
every file against the schemas the site declares: typed `keys` of its configuration, and the
JSON Schema or Kwalify files bound to a layout, a collection or a glob (`enum`, `pattern`,
`minimum`... as the schema says). Reports each value refused at the value itself, with the
path of the key (`duration.unit`). Also reports front matter that is not a mapping and
`_config.yml` settings of the wrong type. Breadcrumbs have their own rule, BC201.

## Why is this bad?
Liquid templates do not fail on a wrong type: they print nothing, or iterate over the letters
of a string. A `redirect_from: 12` or a `published: "false"` (a string, so true) changes what is
published without any warning from Jekyll.

## Example
```yaml
---
title: Construction
published: "false"
---
```

## Use instead
```yaml
---
title: Construction
published: false
---
```
"""

from __future__ import annotations

from collections.abc import Iterator

from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.rules.base import rule
from betacontent.site.front_matter import ProblemKind
from betacontent.site.index import Site


def check(site: Site) -> Iterator[Diagnostic]:
    for found in site.semantic.problems(ProblemKind.NOT_MAPPING):
        yield RULE.at(found.path, found.position, found.message)
    for checked in site.semantic.checked_files:
        for issue in checked.issues:
            if issue.kind == "type" and (not issue.path or issue.path[0] != "breadcrumbs"):
                yield RULE.at(checked.path, checked.position(issue), issue.message)


RULE = rule("BC105", "wrong-type", Severity.ERROR, __doc__)(check)
