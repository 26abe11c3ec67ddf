"""Run rules over a site and collect their diagnostics, in a stable order."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from betacontent.diagnostics import Diagnostic
from betacontent.rules import RULES, Rule
from betacontent.site_index import Site


class SelectorError(ValueError):
    """A `select`/`ignore` entry that names no rule."""


def _matches(code: str, selectors: Iterable[str]) -> bool:
    return any(code.startswith(selector.upper()) for selector in selectors)


def select_rules(select: Sequence[str], ignore: Sequence[str]) -> list[Rule]:
    """Rules whose code starts with a `select` entry (all when empty) and no `ignore` entry."""
    for option, selectors in (("select", select), ("ignore", ignore)):
        for selector in selectors:
            if not any(code.startswith(selector.upper()) for code in RULES) and selector != "ALL":
                raise SelectorError(f"`{option}`: `{selector}` matches no rule code")
    return [
        rule
        for code, rule in RULES.items()
        if (not select or "ALL" in select or _matches(code, select)) and not _matches(code, ignore)
    ]


def lint(site: Site, rules: Iterable[Rule]) -> list[Diagnostic]:
    found: set[Diagnostic] = set()
    for rule in rules:
        found.update(rule.check(site))
    return sorted(found, key=Diagnostic.sort_key)
