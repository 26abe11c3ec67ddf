"""Findings that say `jekyll build` stops, against the real Jekyll: in the rule fixture sites
`rules/dates` (BC114, and BC105 on a document's `date:`) and `rules/includes` (BC108), each
file with such a finding stops the build by itself, and the site without them builds.

Needs Jekyll 4.3 (Debian: `apt-get install jekyll`); skipped without it locally, a failure on
CI.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from betacontent.core.settings import find_config, load_config
from betacontent.lint.rules import RULES
from betacontent.lint.runner import lint
from betacontent.site.loader import load_site
from conftest import jekyll_run

RULE_SITES = Path(__file__).parent / "fixtures" / "rules"
STOPPING = {"dates": {"BC114", "BC105"}, "includes": {"BC108"}}


def _stoppers(site: Path, codes: set[str]) -> list[str]:
    found = lint(load_site(site, load_config(find_config(site))), RULES.values())
    return sorted({d.path for d in found if d.code in codes})


def _without(paths: list[str]) -> Callable[[Path], None]:
    def prepare(source: Path) -> None:
        for rel in paths:
            (source / rel).unlink()

    return prepare


@pytest.mark.parametrize("name", sorted(STOPPING))
def test_the_site_builds_without_the_files_reported(name: str, tmp_path: Path) -> None:
    site = RULE_SITES / name
    stoppers = _stoppers(site, STOPPING[name])
    assert stoppers, f"rules/{name} has cases that stop Jekyll"
    _, _, result = jekyll_run(site, tmp_path, _without(stoppers))
    assert result.returncode == 0, f"rules/{name} without {stoppers}:\n{result.stderr}"


@pytest.mark.parametrize(
    ("name", "rel"),
    [
        (name, rel)
        for name in sorted(STOPPING)
        for rel in _stoppers(RULE_SITES / name, STOPPING[name])
    ],
)
def test_each_file_reported_stops_jekyll(name: str, rel: str, tmp_path: Path) -> None:
    site = RULE_SITES / name
    others = [other for other in _stoppers(site, STOPPING[name]) if other != rel]
    _, _, result = jekyll_run(site, tmp_path, _without(others))
    assert result.returncode != 0, f"Jekyll built rules/{name} with {rel}"
    told = result.stdout + result.stderr
    # Jekyll names the page, or, for an include a layout makes of `sidebar:`, the layout and
    # the missing file.
    named = rel in told or any(f"'{name}'" in told for name in _names(site, rel))
    assert named, f"Jekyll stopped on something else:\n{result.stderr}"


def _names(site: Path, rel: str) -> list[str]:
    """The file names the findings of `rel` quote (`sidebar: x.html` gives `x.html`)."""
    found = lint(load_site(site, load_config(find_config(site))), RULES.values())
    return [
        word.split(": ")[-1]
        for d in found
        if d.path == rel
        for word in re.findall(r"`([^`]+)`", d.message)
    ]
