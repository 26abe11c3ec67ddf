from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


class Run:
    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd

    def __call__(self, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
        return subprocess.run(
            [sys.executable, "-m", "betacontent", *args],
            cwd=cwd or self.cwd,
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
            check=False,
        )


@pytest.fixture
def run() -> Run:
    """Run the real `betacontent` command as a subprocess."""
    return Run(ROOT)


def require_tool(command: str, package: str) -> str:
    """The path of an oracle tool: skipped locally when missing, a failure on CI (`CI` set),
    where `.ci/run` installs it."""
    found = shutil.which(command)
    if found is None:
        message = f"{command} not installed (apt-get install {package})"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found
