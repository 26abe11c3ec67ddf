"""The path arithmetic that reporters share."""

from __future__ import annotations

import os
from pathlib import Path


def display_path(root: Path, rel: str, cwd: Path) -> str:
    """The file's path relative to the current directory, as editors and CI parse it."""
    absolute = root / rel
    try:
        return os.path.relpath(absolute, cwd)
    except ValueError:  # another drive on Windows
        return str(absolute)
