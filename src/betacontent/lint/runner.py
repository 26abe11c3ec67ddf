"""Run rules over a site and collect their diagnostics, in a stable order."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Iterator, Sequence

import msgspec

from betacontent.core.settings import LintConfig
from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.rules import RULES, Rule
from betacontent.lint.suppressions import FileDirectives, Unused, describe
from betacontent.lint.suppressions import apply as suppress
from betacontent.site.front_matter import ProblemKind
from betacontent.site.index import Site


class SelectorError(ValueError):
    """A `select`/`ignore` entry that names no rule."""


def _matches(code: str, selectors: Iterable[str]) -> bool:
    return any(selector == "ALL" or code.startswith(selector) for selector in selectors)


def _normalise(option: str, selectors: Sequence[str]) -> list[str]:
    normalised = []
    for selector in selectors:
        value = selector.strip().upper()
        if not value:
            raise SelectorError(f"`{option}`: an empty code would match every rule")
        if value != "ALL" and not any(code.startswith(value) for code in RULES):
            raise SelectorError(f"`{option}`: `{selector}` matches no rule code")
        normalised.append(value)
    return normalised


def check_codes(option: str, codes: Sequence[str]) -> None:
    """Raise SelectorError when a code or prefix given to `option` names no rule."""
    _normalise(option, codes)


def select_rules(
    select: Sequence[str], ignore: Sequence[str], extend_select: Sequence[str] = ()
) -> list[Rule]:
    """Rules whose code starts with a `select` or `extend-select` entry (every rule on by
    default when `select` is empty) and with no `ignore` entry; `ALL` matches every rule."""
    chosen, dropped = _normalise("select", select), _normalise("ignore", ignore)
    extra = _normalise("extend-select", extend_select)
    return [
        rule
        for code, rule in RULES.items()
        if ((not chosen and rule.default) or _matches(code, chosen) or _matches(code, extra))
        and not _matches(code, dropped)
    ]


def check_settings(config: LintConfig) -> None:
    """Settings that name rules or patterns must name real ones (the CLI exits 2 otherwise)."""
    for code in config.severity:
        if code.upper() not in RULES:
            raise SelectorError(f"`severity`: `{code}` is not a rule code")
    for pattern, codes in config.per_file_ignores.items():
        _normalise(f"per-file-ignores.{pattern}", codes)
    for pattern in config.links.exclude_urls:
        try:
            re.compile(pattern)
        except re.error as error:
            message = f"`links.exclude-urls`: `{pattern}` is not a regex: {error}"
            raise SelectorError(message) from None


def config_unreadable(site: Site) -> bool:
    """Whether `_config.yml` could not be parsed at all."""
    return site.config_rel is not None and any(
        problem.kind is ProblemKind.YAML_SYNTAX for problem in site.config_problems
    )


def _suppression_files(site: Site) -> Iterator[FileDirectives]:
    for file in site.files:
        if file.directives:
            root = file.front_matter.root if file.front_matter else None
            yield FileDirectives(file.rel, file.directives, root)
    for data in site.data_files:
        if data.directives:
            yield FileDirectives(data.rel, data.directives, data.yaml.root if data.yaml else None)


def _unused_diagnostics(unused: Iterable[Unused]) -> Iterator[Diagnostic]:
    rule = RULES["BC001"]
    for item in unused:
        directive = item.directive
        yield rule.at(item.path, directive.position, describe(item), end=directive.end)


def lint(site: Site, rules: Iterable[Rule]) -> list[Diagnostic]:
    """Run the rules; drop findings in excluded files, per-file ignores and suppressed ones;
    report unused suppressions (BC001) and apply severity overrides."""
    rules = list(rules)
    found: set[Diagnostic] = set()
    for rule in rules:
        found.update(rule.check(site))
    if config_unreadable(site):
        # Without its settings the site is not the one Jekyll builds: any other finding would
        # be about a different site. Jekyll itself stops on such a _config.yml.
        found = {d for d in found if d.path == site.config_rel}
    excluded = site.lint.exclude
    per_file = [
        (pattern, [code.strip().upper() for code in codes])
        for pattern, codes in site.lint.per_file_ignores.items()
    ]

    def reported(diagnostic: Diagnostic) -> bool:
        return not any(
            fnmatch.fnmatchcase(diagnostic.path, pattern) for pattern in excluded
        ) and not any(
            fnmatch.fnmatchcase(diagnostic.path, pattern) and _matches(diagnostic.code, codes)
            for pattern, codes in per_file
        )

    ran = frozenset(
        rule.code for rule in rules if rule.code != "BC306" or site.external is not None
    )
    kept, unused = suppress(
        [d for d in found if reported(d)],
        _suppression_files(site),
        ran,
        frozenset(RULES),
    )
    if "BC001" in ran and not config_unreadable(site):
        kept.extend(d for d in _unused_diagnostics(unused) if reported(d))
    overrides = {code.upper(): Severity(level) for code, level in site.lint.severity.items()}
    final = []
    for diagnostic in kept:
        level = overrides.get(diagnostic.code)
        if level is not None and level is not diagnostic.severity:
            diagnostic = msgspec.structs.replace(diagnostic, severity=level)
        final.append(diagnostic)
    return sorted(final, key=Diagnostic.sort_key)
