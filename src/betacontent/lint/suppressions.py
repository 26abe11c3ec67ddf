"""Suppression comments: where editors silence a finding, and which silences silenced nothing.

In a body (Markdown or HTML), as an HTML comment alone on its line (at most three spaces of
indentation, outside fenced code: anywhere else it is text, as Markdown shows it):

- `<!-- betacontent-disable BC301 -->` ... `<!-- betacontent-enable BC301 -->`: the lines from
  the first comment to the second (to the end of the file without one); an `enable` may name
  some of the codes of a `disable` and leave the others disabled;
- `<!-- betacontent-disable-next-line BC302 -->`: the line after the comment;
- `<!-- betacontent-disable-file BC106 -->`: the whole file.

In front matter and `_data/` YAML, a trailing `# betacontent: ignore[BC106]` comment (outside
quotes) covers its line, and the whole value when the key's value is a block below it.

Codes are separated by spaces or commas; none means every rule. `apply` reports, as BC001 (as
ruff reports an unused `noqa`): a directive that silenced nothing among the codes whose rule
ran, a code no rule has, an `enable` that enables nothing, and a `betacontent-…` comment that
is no directive (a misspelt `disable-nextline` would otherwise silence nothing, unseen).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import yaml

from betacontent.lint.diagnostics import Diagnostic
from betacontent.site.directives import Directive, Kind

# --- applying them ---------------------------------------------------------------------------


@dataclass(slots=True)
class _Scope:
    """Lines where one code (None: every code) is silenced by one directive."""

    directive: Directive
    code: str | None
    first: int
    last: int  # inclusive; a large number for "to the end"
    used: bool = False

    def covers(self, diagnostic: Diagnostic) -> bool:
        return self.first <= diagnostic.line <= self.last and self.code in (None, diagnostic.code)


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


def _each(directive: Directive, first: int, last: int) -> list[_Scope]:
    codes: Sequence[str | None] = directive.codes or [None]
    return [_Scope(directive, code, first, last) for code in codes]


@dataclass(frozen=True, slots=True)
class Unused:
    path: str
    directive: Directive
    codes: tuple[str, ...]  # codes that suppressed nothing ("*": the directive as a whole)
    unknown: tuple[str, ...]  # codes that name no rule
    problem: str = ""  # what else is wrong with it (an enable that enables nothing...)


@dataclass(slots=True)
class _FileScopes:
    scopes: list[_Scope] = field(default_factory=list)
    idle_enables: list[Directive] = field(default_factory=list)
    unknown: list[Directive] = field(default_factory=list)


def _scopes(directives: Sequence[Directive], root: yaml.Node | None) -> _FileScopes:
    result = _FileScopes()
    open_blocks: list[_Scope] = []
    for directive in directives:
        line = directive.position.line
        if directive.kind is Kind.FILE:
            result.scopes += _each(directive, 1, _END)
        elif directive.kind is Kind.NEXT_LINE:
            result.scopes += _each(directive, line + 1, line + 1)
        elif directive.kind is Kind.IGNORE:
            result.scopes += _each(directive, line, _value_end(root, line))
        elif directive.kind is Kind.DISABLE:
            block = _each(directive, line, _END)
            result.scopes += block
            open_blocks += block
        elif directive.kind is Kind.ENABLE:
            closed = [
                scope
                for scope in open_blocks
                if not directive.codes or scope.code in directive.codes
            ]
            for scope in closed:
                scope.last = line
                open_blocks.remove(scope)
            if not closed:
                result.idle_enables.append(directive)
        else:
            result.unknown.append(directive)
    return result


@dataclass(frozen=True, slots=True)
class FileDirectives:
    """A file's directives and the YAML tree that tells a key's extent."""

    path: str
    directives: Sequence[Directive]
    root: yaml.Node | None


def apply(
    diagnostics: Iterable[Diagnostic],
    files: Iterable[FileDirectives],
    ran: frozenset[str],
    known: frozenset[str],
) -> tuple[list[Diagnostic], list[Unused]]:
    """Drop suppressed diagnostics; return the rest and the directives to report: those that
    suppressed nothing among the codes in `ran` (the rules that ran), name unknown codes,
    enable nothing, or are no directive at all."""
    by_file = {file.path: _scopes(file.directives, file.root) for file in files}
    kept = []
    for diagnostic in diagnostics:
        file = by_file.get(diagnostic.path)
        covering = [s for s in file.scopes if s.covers(diagnostic)] if file else []
        for scope in covering:
            scope.used = True
        if not covering:
            kept.append(diagnostic)
    unused = []
    for path, file in by_file.items():
        grouped: dict[int, list[_Scope]] = {}
        for scope in file.scopes:
            grouped.setdefault(id(scope.directive), []).append(scope)
        for scopes in grouped.values():
            directive = scopes[0].directive
            unknown = tuple(c for c in directive.codes if c not in known)
            if not directive.codes:
                idle: tuple[str, ...] = () if scopes[0].used else ("*",)
            else:
                idle = tuple(s.code for s in scopes if s.code in ran and not s.used)
            if idle or unknown:
                unused.append(Unused(path, directive, idle, unknown))
        for directive in file.idle_enables:
            unknown = tuple(c for c in directive.codes if c not in known)
            unused.append(Unused(path, directive, (), unknown, "enables nothing disabled above"))
        for directive in file.unknown:
            unused.append(
                Unused(
                    path,
                    directive,
                    (),
                    (),
                    "is not a betacontent directive (disable, disable-next-line, "
                    "disable-file, enable; in YAML `# betacontent: ignore[CODE]`)",
                )
            )
    return kept, unused


def describe(unused: Unused) -> str:
    """The BC001 message for an unused or mistaken directive."""
    parts = [unused.problem] if unused.problem else []
    if unused.unknown:
        names = ", ".join(f"`{c}`" for c in unused.unknown)
        parts.append(f"names no rule: {names}")
    if unused.codes == ("*",):
        parts.append("suppresses nothing")
    elif unused.codes:
        names = ", ".join(f"`{c}`" for c in unused.codes)
        parts.append(f"suppresses no {names} finding")
    return f"`{unused.directive.text}` " + "; ".join(parts)
