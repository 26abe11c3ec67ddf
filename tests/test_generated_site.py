"""Recall and precision on generated sites: every injected defect is reported where the
generator's manifest says, and the clean twin (same seed, no defects) reports nothing."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from bench.generate_site import main as generate
from betacontent.core.settings import find_config, load_config
from betacontent.lint.rules import RULES
from betacontent.lint.runner import lint
from betacontent.site.loader import load_site

PAGES = 1000
SEED = 11

# Defect kinds of the generator, and the rule that must report each one (at the given line).
CODE_OF_KIND = {
    "duplicate-layout": "BC102",
    "missing-title": "BC104",
    "broken-crumb-link": "BC204",
    "crumb-title-accents": "BC205",
    "broken-internal-link": "BC301",
    "broken-anchor": "BC302",
    "missing-image": "BC303",
    "absolute-own-link": "BC304",
    "fallback-link": "BC305",
    "unsafe-link": "BC307",
    "empty-link": "BC301",  # an empty Markdown link leads nowhere: a broken link
    "broken-html-link": "BC301",
    "broken-reference": "BC301",
    "broken-srcset": "BC303",
    "unresolved-liquid": "BC310",
    "duplicate-heading-id": "BC311",
    "broken-data-target": "BC309",
}


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("generated")
    clean, broken = root / "clean", root / "broken"
    assert generate([str(clean), "--pages", str(PAGES), "--seed", str(SEED)]) == 0
    assert (
        generate([str(broken), "--pages", str(PAGES), "--seed", str(SEED), "--defects", "0.4"]) == 0
    )
    return clean, broken


def test_clean_twin_reports_nothing(sites: tuple[Path, Path]) -> None:
    clean, _ = sites
    found = lint(load_site(clean, load_config(find_config(clean))), RULES.values())
    assert found == [], "\n".join(
        f"{d.path}:{d.line}:{d.column} {d.code} {d.message}" for d in found[:20]
    )


def test_every_injected_defect_is_reported_at_its_line_and_column(
    sites: tuple[Path, Path],
) -> None:
    _, broken = sites
    manifest = json.loads((broken / "_defects.json").read_text("utf-8"))
    expected = Counter(
        (d["file"], d["line"], d["column"], CODE_OF_KIND[d["kind"]])
        for d in manifest["defects"]
        if d["kind"] in CODE_OF_KIND
    )
    assert sum(expected.values()) >= 40, "the generator injected too few defects to mean anything"
    kinds = {d["kind"] for d in manifest["defects"]}
    assert kinds == set(CODE_OF_KIND), (
        f"kinds not injected or not mapped: {kinds ^ set(CODE_OF_KIND)}"
    )
    config = load_config(find_config(broken))
    found = lint(load_site(broken, config), [RULES[code] for code in CODE_OF_KIND.values()])
    reported = Counter((d.path, d.line, d.column, d.code) for d in found)
    missed = expected - reported
    extra = reported - expected
    assert not missed, f"injected but not reported: {sorted(missed)[:10]}"
    assert not extra, f"reported but not injected: {sorted(extra)[:10]}"
