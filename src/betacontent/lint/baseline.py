"""A baseline, to adopt the linter on a site that already has findings.

`lint --write-baseline FILE` records the findings of a run; `lint --baseline FILE` shows and
fails only on the findings that are not in it, and counts the entries no finding matches any
more (the file can shrink: write it again). A finding's fingerprint is its rule, its file and
its message with line numbers left out, so that it survives lines added or removed above it;
identical fingerprints are counted, not merged.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import msgspec

from betacontent.core.atomic import write_atomic
from betacontent.lint.diagnostics import Diagnostic

VERSION = 1
_LINE_NUMBERS = re.compile(r"\b(line|lines|ligne|lignes) \d+(?:[-–]\d+)?")


class Entry(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    path: str
    message: str  # line numbers replaced by `N`
    count: int = 1


class Baseline(msgspec.Struct, kw_only=True):
    """The file `--write-baseline` writes (JSON)."""

    version: int = VERSION
    findings: list[Entry] = []


class BaselineError(Exception):
    """The baseline file cannot be read: its message names the file."""


Fingerprint = tuple[str, str, str]


def fingerprint(diagnostic: Diagnostic) -> Fingerprint:
    message = _LINE_NUMBERS.sub(lambda m: f"{m.group(1)} N", diagnostic.message)
    return diagnostic.code, diagnostic.path, message


def write_baseline(path: Path, diagnostics: Sequence[Diagnostic]) -> int:
    """Record `diagnostics` in `path` (whole or not at all); the number of findings."""
    counts = Counter(fingerprint(d) for d in diagnostics)
    entries = [
        Entry(code=code, path=rel, message=message, count=count)
        for (code, rel, message), count in sorted(counts.items())
    ]
    document = msgspec.json.format(msgspec.json.encode(Baseline(findings=entries)), indent=2)
    write_atomic(path, document.decode("utf-8") + "\n")
    return len(diagnostics)


def read_baseline(path: Path) -> Counter[Fingerprint]:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise BaselineError(f"cannot read the baseline {path}: {error.strerror}") from None
    try:
        baseline = msgspec.json.decode(data, type=Baseline)
    except msgspec.DecodeError as error:
        raise BaselineError(f"{path} is not a betacontent baseline: {error}") from None
    if baseline.version != VERSION:
        raise BaselineError(f"{path}: baseline version {baseline.version}, expected {VERSION}")
    counts: Counter[Fingerprint] = Counter()
    for entry in baseline.findings:
        counts[(entry.code, entry.path, entry.message)] += entry.count
    return counts


@dataclass(frozen=True, slots=True)
class Filtered:
    new: list[Diagnostic]  # not in the baseline: shown, and they decide the exit status
    known: int  # findings the baseline holds
    gone: int  # baseline entries no finding matches any more


def apply_baseline(
    diagnostics: Sequence[Diagnostic], baseline: Counter[Fingerprint], in_scope: set[str] | None
) -> Filtered:
    """Split `diagnostics` by `baseline`; `in_scope`: the files shown (None: all), so that the
    entries of files not linted this time are not counted as gone."""
    left = Counter(baseline)
    new: list[Diagnostic] = []
    known = 0
    for diagnostic in diagnostics:
        key = fingerprint(diagnostic)
        if left[key] > 0:
            left[key] -= 1
            known += 1
        else:
            new.append(diagnostic)
    gone = sum(count for (_, rel, _), count in left.items() if in_scope is None or rel in in_scope)
    return Filtered(new, known, gone)
