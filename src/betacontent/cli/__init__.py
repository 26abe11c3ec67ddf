"""The `betacontent` command: it assembles the layers below."""

from betacontent.cli.main import main

__all__ = ["main"]
