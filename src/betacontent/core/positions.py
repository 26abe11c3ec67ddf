"""Positions in the original file: 1-based line and column, columns counted in characters."""

from __future__ import annotations

import bisect
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


class LineIndex:
    """Where each line of a text starts, its lines ending as `LINE_BREAK` says: built once per
    text, it turns an offset into a position (and back) in logarithmic time. `first_line`:
    the file line of the text's first line (a body below its front matter)."""

    __slots__ = ("first_line", "starts", "text")

    def __init__(self, text: str, first_line: int = 1) -> None:
        self.text = text
        self.first_line = first_line
        self.starts = [0, *(m.end() for m in LINE_BREAK.finditer(text))]

    def moved(self, first_line: int) -> LineIndex:
        """The same index, its text starting at file line `first_line` (nothing recomputed)."""
        index = LineIndex.__new__(LineIndex)
        index.text, index.starts, index.first_line = self.text, self.starts, first_line
        return index

    def line_of(self, offset: int) -> int:
        """The 0-based index of the line holding `offset`."""
        return bisect.bisect_right(self.starts, offset) - 1

    def position(self, offset: int) -> Position:
        """The file position of the character at `offset` of the text."""
        index = bisect.bisect_right(self.starts, offset) - 1
        return Position(self.first_line + index, offset - self.starts[index] + 1)

    def offset(self, position: Position) -> int | None:
        """The offset of a file position in the text; None when it is not on one of its lines
        (a column may stand just past the line's last character)."""
        index = position.line - self.first_line
        if not 0 <= index < len(self.starts):
            return None
        start = self.starts[index]
        if not 1 <= position.column <= self.line_end(index) - start + 1:
            return None
        return start + position.column - 1

    def line_end(self, index: int) -> int:
        """The offset of the line break that ends line `index` (0-based), or the text's end."""
        if index + 1 >= len(self.starts):
            return len(self.text)
        following = self.starts[index + 1]
        return following - (2 if self.text.startswith("\r\n", following - 2) else 1)


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
