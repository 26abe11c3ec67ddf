from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_SITES = [  # every fixture site: what per-file machinery is checked against
    ROOT / "tests" / "fixtures" / "rules" / "site",
    ROOT / "tests" / "fixtures" / "rules" / "baseurl",
    ROOT / "tests" / "fixtures" / "rules" / "limits",
    ROOT / "tests" / "fixtures" / "rules" / "dates",
    ROOT / "tests" / "fixtures" / "rules" / "includes",
    ROOT / "tests" / "fixtures" / "rules" / "liquid_ids",
    ROOT / "tests" / "fixtures" / "anchors_site",
    ROOT / "tests" / "fixtures" / "oracle_site",
    ROOT / "tests" / "fixtures" / "realistic_site",
    ROOT / "tests" / "fixtures" / "bad" / "site",
]


class Run:
    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd

    def __call__(
        self, *args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        env = {**(os.environ if env is None else env), "NO_COLOR": "1", "COLUMNS": "200"}
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


class Git:
    """git in a new repository at `top`, away from the user's configuration and any GIT_*
    variable of the caller (a hook running the tests sets GIT_DIR)."""

    def __init__(self, top: Path) -> None:
        self.top = top
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        self.env |= {
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CEILING_DIRECTORIES": str(top.parent),
            "GIT_AUTHOR_NAME": "Test",
            "GIT_AUTHOR_EMAIL": "test@example.org",
            "GIT_COMMITTER_NAME": "Test",
            "GIT_COMMITTER_EMAIL": "test@example.org",
        }
        top.mkdir(parents=True, exist_ok=True)
        self("init", "--quiet", "--initial-branch=main")

    def __call__(self, *args: str) -> str:
        result = subprocess.run(
            ["git", *args],
            cwd=self.top,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
        return result.stdout

    def commit(self, message: str) -> None:
        self("add", "--all")
        self("commit", "--quiet", "--message", message)


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


TOOL_TIMEOUT = 120  # seconds


def run_tool(
    command: list[str],
    cwd: Path,
    env: Mapping[str, str] | None = None,
    timeout: float = TOOL_TIMEOUT,
) -> subprocess.CompletedProcess[str]:
    """Run a tool (jekyll, htmlproofer, pre-commit), bounded in time, in a UTF-8 locale (the
    fixtures have non-ASCII file names)."""
    env = {**(os.environ if env is None else env), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    try:
        return subprocess.run(
            command,
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        pytest.fail(f"`{' '.join(command)}` did not finish within {timeout}s: {error}")


def jekyll_run(
    fixture: Path, work: Path, prepare: Callable[[Path], None] | None = None
) -> tuple[Path, Path, subprocess.CompletedProcess[str]]:
    """Copy a fixture site into `work` (so nothing Jekyll leaves lands in the repository),
    let `prepare` change the copy, build it with the real Jekyll, and return (source copy,
    destination, the finished process), whether the build succeeded or not."""
    jekyll = require_tool("jekyll", "jekyll ruby-jekyll-redirect-from")
    source, dest = work / "source", work / "_site"
    shutil.copytree(fixture, source)
    if prepare is not None:
        prepare(source)
    command = [jekyll, "build", "--source", str(source), "--destination", str(dest)]
    result = run_tool([*command, "--disable-disk-cache", "--trace"], work)
    return source, dest, result


def jekyll_build(
    fixture: Path, work: Path, prepare: Callable[[Path], None] | None = None
) -> tuple[Path, Path]:
    """`jekyll_run`, which must succeed: (source copy, destination)."""
    source, dest, result = jekyll_run(fixture, work, prepare)
    assert result.returncode == 0, (
        f"`jekyll build` of {fixture.name} exited with {result.returncode}\n"
        f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
    )
    return source, dest
