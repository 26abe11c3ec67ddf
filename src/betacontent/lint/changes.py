"""The files git reports as changed since a commit, for `betacontent lint --changed`."""

from __future__ import annotations

import subprocess
from pathlib import Path

GIT_TIMEOUT = 60  # seconds, for each git command
# Without rename detection a rename is a deletion plus an addition, and the filter (no
# deletions) keeps the new path. Paths are relative to the top level, unquoted with -z.
_DIFF = ("diff", "-z", "--name-only", "--no-renames", "--diff-filter=d")


class ChangesError(Exception):
    """No answer from git (not a repository, an unknown commit); the CLI exits 2 with it."""


def _git(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", *args],
            cwd=folder,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="surrogateescape",
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        raise ChangesError("--changed needs git, which is not installed") from None
    except subprocess.TimeoutExpired:
        raise ChangesError(f"`git {args[0]}` did not answer within {GIT_TIMEOUT}s") from None


def _names(folder: Path, *args: str) -> list[str]:
    result = _git(folder, *args)
    if result.returncode != 0:
        raise ChangesError(f"`git {' '.join(args)}` failed: {result.stderr.strip()}")
    return [name for name in result.stdout.split("\0") if name]


def changed_files(folder: Path, ref: str = "HEAD") -> set[Path]:
    """The paths (the repository's real top, then the names git gives: a symbolic link is not
    followed) of the files changed in the working tree of the repository holding
    `folder` since commit `ref`, staged or not, plus the untracked files git does not ignore.
    A renamed file counts as its new path; deleted files are left out."""
    if ref.startswith("-"):
        raise ChangesError(f"`{ref}` is not a git revision")
    top = _git(folder, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise ChangesError(f"--changed: {folder} is not in a git repository")
    toplevel = Path(top.stdout.rstrip("\n"))
    commit = _git(toplevel, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if commit.returncode == 0:
        tracked = _names(toplevel, *_DIFF, commit.stdout.strip(), "--")
    elif ref == "HEAD":  # no commit yet: everything in the index is new
        tracked = _names(toplevel, "ls-files", "-z", "--cached")
    else:
        raise ChangesError(f"`{ref}` is not a commit of the repository at {toplevel}")
    untracked = _names(toplevel, "ls-files", "-z", "--others", "--exclude-standard")
    return {toplevel.resolve() / name for name in (*tracked, *untracked)}
