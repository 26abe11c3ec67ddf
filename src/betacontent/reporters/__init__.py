"""Reporters: the findings of one run as text for people."""

from __future__ import annotations

from betacontent.reporters.common import display_path
from betacontent.reporters.text import report_text, summary

__all__ = ["display_path", "report_text", "summary"]
