"""Every rule case is a file of a fixture site that carries its expected diagnostics inline.

A marker `expect: CODE LINE:COL [text]` (in a YAML comment or an HTML comment) expects one
diagnostic of that code at that position whose message contains `text`; `expect: nothing`
expects none. Each file's diagnostics must match its markers exactly, count included.
Adding a case is adding a file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from betacontent.core.settings import find_config, load_config
from betacontent.lint.diagnostics import Diagnostic
from betacontent.lint.rules import RULES
from betacontent.lint.runner import lint
from betacontent.site.loader import load_site

FIXTURES = Path(__file__).parent / "fixtures" / "rules"
MARKER = re.compile(
    r"expect:\s*(?:(?P<nothing>nothing)|(?P<code>BC\d{3})\s+(?P<line>\d+):(?P<col>\d+)(?P<text>[^\n]*?))\s*(?:-->)?\s*$",
    re.MULTILINE,
)
NOT_CASES = {"_layouts", "_includes", "_schemas"}
CASE_SUFFIXES = {".md", ".markdown", ".html", ".yml", ".yaml", ".toml", ".json"}


@dataclass(frozen=True)
class Expected:
    code: str
    line: int
    column: int
    text: str


def case_files() -> list[tuple[Path, str]]:
    cases = []
    for site in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        for path in sorted(site.rglob("*")):
            rel = path.relative_to(site)
            if (
                path.is_file()
                and path.suffix in CASE_SUFFIXES
                and not NOT_CASES.intersection(rel.parts)
            ):
                cases.append((site, rel.as_posix()))
    return cases


@cache
def diagnostics_of(site: Path) -> tuple[Diagnostic, ...]:
    config = load_config(find_config(site))
    return tuple(lint(load_site(site, config), RULES.values()))


def expectations(path: Path) -> list[Expected] | None:
    text = path.read_bytes().decode("utf-8", "replace")
    markers = list(MARKER.finditer(text))
    if not markers:
        return None
    return [
        Expected(m["code"], int(m["line"]), int(m["col"]), m["text"].strip())
        for m in markers
        if not m["nothing"]
    ]


@pytest.mark.parametrize(
    ("site", "rel"), case_files(), ids=lambda v: v if isinstance(v, str) else v.name
)
def test_rule_case(site: Path, rel: str) -> None:
    expected = expectations(site / rel)
    assert expected is not None, f"{rel} has no `expect:` marker"
    actual = [d for d in diagnostics_of(site) if d.path == rel]
    found = sorted((d.code, d.line, d.column) for d in actual)
    wanted = sorted((e.code, e.line, e.column) for e in expected)
    shown = "\n".join(f"  {d.code} {d.line}:{d.column} {d.message}" for d in actual)
    assert found == wanted, f"{rel}: expected {wanted}, got:\n{shown}"
    for item in expected:
        messages = [
            d.message
            for d in actual
            if (d.code, d.line, d.column) == (item.code, item.line, item.column)
        ]
        assert any(item.text in message for message in messages), (item, messages)


# BC306 needs a live server: tests/test_cli.py runs it against one on 127.0.0.1.
FIXTURE_RULES = sorted(code for code in RULES if code != "BC306")


@pytest.mark.parametrize("code", FIXTURE_RULES)
def test_every_rule_has_a_failing_and_a_passing_case(code: str) -> None:
    names = [rel.rsplit("/", 1)[-1] for _, rel in case_files()]
    prefix = code.lower()
    assert any(n.startswith(f"{prefix}-fail") for n in names), f"no {prefix}-fail* fixture"
    assert any(n.startswith(f"{prefix}-pass") for n in names), f"no {prefix}-pass* fixture"
    failing = [
        (site, rel)
        for site, rel in case_files()
        if rel.rsplit("/", 1)[-1].startswith(f"{prefix}-fail")
    ]
    assert any(
        any(e.code == code for e in expectations(site / rel) or []) for site, rel in failing
    ), f"no failing fixture of {code} expects {code}"
