"""`betacontent lint --watch`: lint again after each batch of file changes and show only what
changed: findings that appeared and findings that went away."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from betacontent.lint.diagnostics import Diagnostic

# Folders whose changes are not the site's (caches, the build, version control).
IGNORED = (".betacontent-cache", ".jekyll-cache", "_site", ".git", ".sass-cache")

# A finding is "the same" across runs when its file, code and message are: editing a line
# above it moves it without making it new.
Identity = tuple[str, str, str]


def identity(diagnostic: Diagnostic) -> Identity:
    return (diagnostic.path, diagnostic.code, diagnostic.message)


@dataclass(frozen=True, slots=True)
class Delta:
    appeared: list[Diagnostic]
    resolved: list[Diagnostic]  # as they were in the previous run
    current: list[Diagnostic]


def compare(before: Sequence[Diagnostic], after: Sequence[Diagnostic]) -> Delta:
    """What appeared and what was resolved between two runs, counting repeated findings."""
    old = Counter(identity(d) for d in before)
    new = Counter(identity(d) for d in after)
    appeared_left = new - old
    resolved_left = old - new
    appeared, resolved = [], []
    for diagnostic in after:
        key = identity(diagnostic)
        if appeared_left[key] > 0:
            appeared_left[key] -= 1
            appeared.append(diagnostic)
    for diagnostic in before:
        key = identity(diagnostic)
        if resolved_left[key] > 0:
            resolved_left[key] -= 1
            resolved.append(diagnostic)
    return Delta(appeared, resolved, list(after))


def relevant(path: str) -> bool:
    """Whether a changed path belongs to the site (not a cache, the build or git)."""
    return not any(part in IGNORED for part in path.replace("\\", "/").split("/"))


def watch(
    paths: Sequence[str],
    relint: Callable[[], list[Diagnostic] | None],
    show: Callable[[Delta], None],
    first: Sequence[Diagnostic],
    stop: threading.Event | None = None,
) -> None:
    """Block, re-linting after each batch of changes under `paths`. `relint` returns None when
    the run could not be made (a broken configuration, already reported): the previous
    findings stay the reference."""
    from watchfiles import watch as watch_files

    previous = list(first)
    for batch in watch_files(
        *paths,
        watch_filter=lambda _change, path: relevant(path),
        debounce=200,
        step=50,
        stop_event=stop,
        rust_timeout=500,
        yield_on_timeout=False,
    ):
        if not batch:
            continue
        found = relint()
        if found is None:
            continue
        show(compare(previous, found))
        previous = found
