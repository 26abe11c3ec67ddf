"""betacontent: a headless content API and content linter for Jekyll sites."""

__version__ = "0.1.0"
