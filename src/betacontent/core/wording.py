"""Counts in messages: a number and its noun in the right number, everywhere the same way."""

from __future__ import annotations


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """`1 page`, `0 pages`, `2 fixes` (`plural` when adding "s" is not it)."""
    return f"{count} {singular if count == 1 else plural or singular + 's'}"
