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
