"""Suppression directives as written: the `betacontent-…` HTML comments of a body and the
`# betacontent: ignore[…]` comments of YAML, read with the file (what they silence, and which
silenced nothing, is the linter's: `lint.suppressions`).

In a body (Markdown or HTML), a directive is an HTML comment alone on its line (at most three
spaces of indentation, outside fenced code: anywhere else it is text, as Markdown shows it);
in front matter and `_data/` YAML, a trailing comment outside quotes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from betacontent.core.positions import Position, split_lines

MARK = "betacontent"  # files without it hold no directive: the scan is skipped


class Kind(StrEnum):
    DISABLE = "disable"
    ENABLE = "enable"
    NEXT_LINE = "disable-next-line"
    FILE = "disable-file"
    IGNORE = "ignore"  # YAML trailing comment
    UNKNOWN = "unknown"  # a betacontent comment that is no directive


@dataclass(frozen=True, slots=True)
class Directive:
    """One suppression comment as written: its kind, codes (empty: all) and where it is."""

    kind: Kind
    codes: tuple[str, ...]
    position: Position
    end: Position
    text: str


_HTML = re.compile(
    r"<!--\s*betacontent-(?P<kind>[A-Za-z-]*[A-Za-z])(?=\s|-->)(?P<codes>[^>]*?)\s*-->"
)
_HTML_KINDS = {k.value: k for k in (Kind.DISABLE, Kind.ENABLE, Kind.NEXT_LINE, Kind.FILE)}
_YAML = re.compile(r"#\s*betacontent\s*:\s*(?P<word>[A-Za-z-]*)(?:\[(?P<codes>[^\]]*)\])?")
_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})")


def _codes(text: str) -> tuple[str, ...]:
    return tuple(part.upper() for part in re.split(r"[\s,]+", text.strip()) if part)


def _comment_start(line: str) -> int | None:
    """Where a YAML comment starts on a line: a `#` at the start or after a space, outside
    single- and double-quoted scalars; None without one."""
    quote = None
    index = 0
    while index < len(line):
        char = line[index]
        if quote == "'":
            if char == "'" and line[index + 1 : index + 2] == "'":
                index += 1  # '' is a quote inside a single-quoted scalar
            elif char == "'":
                quote = None
        elif quote == '"':
            if char == "\\":
                index += 1
            elif char == '"':
                quote = None
        elif char in "'\"" and (index == 0 or line[index - 1] in " \t[{,:-"):
            quote = char
        elif char == "#" and (index == 0 or line[index - 1] in " \t"):
            return index
        index += 1
    return None


def _yaml_directives(lines: Sequence[str], first: int) -> list[Directive]:
    found = []
    for index, line in enumerate(lines):
        if MARK not in line:
            continue
        start = _comment_start(line)
        match = _YAML.match(line, start) if start is not None else None
        if match is None:
            continue
        kind = Kind.IGNORE if match["word"].lower() == "ignore" else Kind.UNKNOWN
        number = first + index
        found.append(
            Directive(
                kind,
                _codes(match["codes"] or ""),
                Position(number, match.start() + 1),
                Position(number, match.end() + 1),
                match[0],
            )
        )
    return found


def _alone(line: str, start: int, end: int) -> bool:
    """The comment is the only thing on its line, indented by at most three spaces."""
    before = line[:start]
    return not before.strip() and len(before.expandtabs(4)) <= 3 and not line[end:].strip()


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
        if MARK not in line:
            continue
        for match in _HTML.finditer(line):
            if not _alone(line, match.start(), match.end()):
                continue  # inline: in a paragraph or a code span, it is text
            number = first + index
            found.append(
                Directive(
                    _HTML_KINDS.get(match["kind"].lower(), Kind.UNKNOWN),
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
