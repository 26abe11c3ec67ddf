"""Positions in the original file: 1-based line and column, columns counted in characters."""

from __future__ import annotations

import re
from typing import NamedTuple


class Position(NamedTuple):
    line: int
    column: int


# Line breaks as markdown-it, kramdown and libyaml count them: CRLF, a lone CR, LF. Every
# position betacontent reports counts lines this way, so a file saved with old Mac line ends
# (or a mix) gets the same lines in the editor as in the report.
LINE_BREAK = re.compile(r"\r\n?|\n")


def split_lines(text: str) -> list[str]:
    """The lines of `text`, without their line breaks."""
    return LINE_BREAK.split(text)


def count_breaks(text: str) -> int:
    return len(LINE_BREAK.findall(text))


def clamp(position: Position, text: str) -> Position:
    """`position`, moved back into `text` when a parser placed it past the end (libyaml puts
    an error at end of stream on the line after the last one when the file has no final line
    break)."""
    lines = split_lines(text)
    if position.line <= len(lines):
        return Position(position.line, min(position.column, len(lines[position.line - 1]) + 1))
    return Position(len(lines), len(lines[-1]) + 1)
