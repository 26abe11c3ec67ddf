"""A symbolic link that leads out of the site.

## What it does
Reports a file or folder of the site that is a symbolic link to something outside the site
folder. betacontent follows it, as `jekyll build` does, so links to it resolve; but as an
error the page (or data file) is withheld by the API: `betacontent serve` never publishes a
file from outside the site folder.

## Why is this bad?
The site then depends on files that are not in its repository: a clone elsewhere, a CI job
or GitHub Pages (whose safe mode leaves such links out) builds another site. A link to a
folder such as `/etc` or a home folder also publishes whatever lies there.

## Example
```sh
ln -s ../../partage/charte.md charte.md
```

## Use instead
Copy the file into the site, or make it part of the repository (a git submodule).
"""

from __future__ import annotations

from collections.abc import Iterator

from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.rules.base import rule
from betacontent.site.front_matter import ProblemKind
from betacontent.site.index import Site


def check(site: Site) -> Iterator[Diagnostic]:
    for found in site.semantic.problems(ProblemKind.OUTSIDE):
        yield RULE.at(found.path, found.position, found.message)


RULE = rule("BC113", "symlink-outside-site", Severity.ERROR, __doc__)(check)
