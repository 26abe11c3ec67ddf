"""Suppression comments: where editors silence a finding, and which silences silenced nothing.

In a body (Markdown or HTML), as HTML comments:

- `<!-- betacontent-disable BC301 -->` ... `<!-- betacontent-enable BC301 -->`: the lines from
  the first comment to the second (to the end of the file without one);
- `<!-- betacontent-disable-next-line BC302 -->`: the line after the comment;
- `<!-- betacontent-disable-file BC106 -->`: the whole file.

In front matter and `_data/` YAML, a trailing `# betacontent: ignore[BC106]` on a key's line
covers that line, and the whole value when the key's value is a block below it.

Codes are separated by spaces or commas; none means every rule. Comments inside fenced code
blocks are text, not directives. A directive that suppresses nothing is reported as BC001 by
`apply` (as ruff reports an unused `noqa`), but only for codes whose rule ran.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import yaml

from betacontent.diagnostics import Diagnostic
from betacontent.positions import Position, split_lines

MARK = "betacontent"  # files without it hold no directive: the scan is skipped


class Kind(StrEnum):
    DISABLE = "disable"
    ENABLE = "enable"
    NEXT_LINE = "disable-next-line"
    FILE = "disable-file"
    IGNORE = "ignore"  # YAML trailing comment


@dataclass(frozen=True, slots=True)
class Directive:
    """One suppression comment as written: its kind, codes (empty: all) and where it is."""

    kind: Kind
    codes: tuple[str, ...]
    position: Position
    end: Position
    text: str


_HTML = re.compile(
    r"<!--\s*betacontent-(?P<kind>disable-next-line|disable-file|disable|enable)\b"
    r"(?P<codes>[^>]*?)\s*-->"
)
_YAML = re.compile(r"(?:^|\s)(?P<all>#\s*betacontent:\s*ignore(?:\[(?P<codes>[^\]]*)\])?)")
_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})")


def _codes(text: str) -> tuple[str, ...]:
    return tuple(part.upper() for part in re.split(r"[\s,]+", text.strip()) if part)


def _yaml_directives(lines: Sequence[str], first: int) -> list[Directive]:
    found = []
    for index, line in enumerate(lines):
        match = _YAML.search(line)
        if match is None:
            continue
        number = first + index
        start, end = match.start("all"), match.end("all")
        found.append(
            Directive(
                Kind.IGNORE,
                _codes(match["codes"] or ""),
                Position(number, start + 1),
                Position(number, end + 1),
                match["all"],
            )
        )
    return found


def _html_directives(lines: Sequence[str], first: int) -> list[Directive]:
    found = []
    fence: str | None = None
    for index, line in enumerate(lines):
        opening = _FENCE.match(line)
        if fence is not None:
            if opening and opening["fence"][0] == fence[0] and len(opening["fence"]) >= len(fence):
                fence = None
            continue
        if opening:
            fence = opening["fence"]
            continue
        for match in _HTML.finditer(line):
            number = first + index
            found.append(
                Directive(
                    Kind(match["kind"]),
                    _codes(match["codes"]),
                    Position(number, match.start() + 1),
                    Position(number, match.end() + 1),
                    match[0],
                )
            )
    return found


def scan_page(text: str, body_line: int) -> list[Directive]:
    """The directives of a page: YAML comments before `body_line`, HTML comments from it."""
    if MARK not in text:
        return []
    lines = split_lines(text)
    return _yaml_directives(lines[: body_line - 1], 1) + _html_directives(
        lines[body_line - 1 :], body_line
    )


def scan_yaml(text: str) -> list[Directive]:
    """The directives of a YAML data file."""
    return _yaml_directives(split_lines(text), 1) if MARK in text else []


# --- applying them ---------------------------------------------------------------------------


@dataclass(slots=True)
class _Scope:
    directive: Directive
    first: int
    last: int  # inclusive; a large number for "to the end"
    used: set[str] = field(default_factory=set)

    def covers(self, diagnostic: Diagnostic) -> bool:
        codes = self.directive.codes
        return self.first <= diagnostic.line <= self.last and (
            not codes or diagnostic.code in codes
        )


_END = 1 << 62


def _value_end(root: yaml.Node | None, line: int) -> int:
    """The last line of the value of the mapping key written on `line` (1-based); `line`
    itself when no key starts there or its value is on the same line."""
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.start_mark.line + 1 == line:
                    end = value.end_mark
                    last = end.line + 1 if end.column > 0 else end.line
                    return max(line, int(last))
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return line


def _scopes(directives: Sequence[Directive], root: yaml.Node | None) -> list[_Scope]:
    scopes: list[_Scope] = []
    open_blocks: list[_Scope] = []
    for directive in directives:
        line = directive.position.line
        if directive.kind is Kind.FILE:
            scopes.append(_Scope(directive, 1, _END))
        elif directive.kind is Kind.NEXT_LINE:
            scopes.append(_Scope(directive, line + 1, line + 1))
        elif directive.kind is Kind.IGNORE:
            scopes.append(_Scope(directive, line, _value_end(root, line)))
        elif directive.kind is Kind.DISABLE:
            scope = _Scope(directive, line, _END)
            scopes.append(scope)
            open_blocks.append(scope)
        else:  # ENABLE closes the open blocks it names (all of them without codes)
            for scope in list(open_blocks):
                codes = scope.directive.codes
                if not directive.codes or (codes and set(codes) <= set(directive.codes)):
                    scope.last = line
                    open_blocks.remove(scope)
    return scopes


@dataclass(frozen=True, slots=True)
class FileDirectives:
    """A file's directives and the YAML tree that tells a key's extent."""

    path: str
    directives: Sequence[Directive]
    root: yaml.Node | None


@dataclass(frozen=True, slots=True)
class Unused:
    path: str
    directive: Directive
    codes: tuple[str, ...]  # the codes that suppressed nothing (empty: the whole directive)
    unknown: tuple[str, ...]  # codes that name no rule


def apply(
    diagnostics: Iterable[Diagnostic],
    files: Iterable[FileDirectives],
    ran: frozenset[str],
    known: frozenset[str],
) -> tuple[list[Diagnostic], list[Unused]]:
    """Drop suppressed diagnostics; return the rest and the directives that suppressed nothing
    among the codes in `ran` (the rules that ran), or that name unknown codes."""
    by_file: dict[str, list[_Scope]] = {}
    for file in files:
        scopes = _scopes(file.directives, file.root)
        if scopes:
            by_file[file.path] = scopes
    kept = []
    for diagnostic in diagnostics:
        covering = [s for s in by_file.get(diagnostic.path, ()) if s.covers(diagnostic)]
        for scope in covering:
            scope.used.add(diagnostic.code)
        if not covering:
            kept.append(diagnostic)
    unused = []
    for path, scopes in by_file.items():
        for scope in scopes:
            codes = scope.directive.codes
            unknown = tuple(c for c in codes if c not in known)
            if not codes:
                idle: tuple[str, ...] = () if scope.used else ("*",)
            else:
                idle = tuple(c for c in codes if c in ran and c not in scope.used)
            if idle or unknown:
                unused.append(Unused(path, scope.directive, idle, unknown))
    return kept, unused


def describe(unused: Unused) -> str:
    """The BC001 message for an unused or mistaken directive."""
    parts = []
    if unused.unknown:
        names = ", ".join(f"`{c}`" for c in unused.unknown)
        parts.append(f"names no rule: {names}")
    if unused.codes == ("*",):
        parts.append("suppresses nothing")
    elif unused.codes:
        names = ", ".join(f"`{c}`" for c in unused.codes)
        parts.append(f"suppresses no {names} finding")
    return f"`{unused.directive.text}` " + "; ".join(parts)
