"""Positions in the original file: 1-based line and column, columns counted in characters."""

from __future__ import annotations

from typing import NamedTuple


class Position(NamedTuple):
    line: int
    column: int
