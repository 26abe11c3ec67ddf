"""A suppression comment that suppresses nothing.

## What it does
Reports a `betacontent-disable…` HTML comment or a `# betacontent: ignore[…]` YAML comment
that silenced no finding in this run, or that names a code no rule has. It is found after
every other rule ran; only codes of rules that ran count (a `--select` that leaves a rule out
does not make its suppressions unused).

## Why is this bad?
A suppression outlives the problem it was written for: the link was fixed, the key renamed.
Left in place it silences the next, real problem on that line, and a code with a typo
silences nothing while it looks as if it did.

## Example
```markdown
<!-- betacontent-disable-next-line BC301 -->
Voir la [page d'accueil](/).
```
(`/` exists: there is nothing to suppress.)

## Use instead
Remove the comment, or name the code of the finding it is meant for.
"""

from __future__ import annotations

from collections.abc import Iterator

from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.rules.base import rule
from betacontent.site.index import Site


def check(site: Site) -> Iterator[Diagnostic]:
    """Nothing here: `lint.lint` reports BC001 once all other rules have run."""
    return iter(())


RULE = rule("BC001", "unused-suppression", Severity.WARNING, __doc__)(check)
