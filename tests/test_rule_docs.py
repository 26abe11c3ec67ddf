"""docs/rules/: one page per rule from its docstring, an index, kept in step with the rules."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from betacontent.core.settings import parse_config
from betacontent.lint.rule_docs import INDEX, generate, page
from betacontent.lint.rules import RULES
from betacontent.lint.runner import check_settings, select_rules
from conftest import ROOT, Run

DOCS = ROOT / "docs" / "rules"


def test_committed_pages_match_the_rules() -> None:
    committed = {path.name: path.read_text("utf-8") for path in DOCS.iterdir()}
    generated = generate()
    assert sorted(committed) == sorted(generated), "docs/rules/ has stray or missing files"
    stale = [name for name in generated if committed[name] != generated[name]]
    assert not stale, f"docs/rules/ is stale ({', '.join(stale)}): run `make docs` and commit"


def test_a_page_is_the_docstring_with_its_code_name_severity_and_how_to_turn_it_off() -> None:
    for rule in RULES.values():
        text = page(rule)
        assert text.startswith(f"# {rule.code} {rule.name}\n\n{rule.summary}\n\n")
        assert f"Default severity: **{rule.severity.value}**" in text
        assert rule.doc.partition("\n\n")[2] in text
        if not rule.default:  # a rule off by default says how to turn it on
            settings = re.search(r"## Turning it on\n.*?```toml\n(.*?)```", text, re.S)
            assert settings, rule.code
            config = parse_config(tomllib.loads(settings[1]), "page")
            assert config.extend_select == [rule.code]
            assert rule in select_rules(config.select, config.ignore, config.extend_select)
            assert rule not in select_rules([], [])
            continue
        settings = re.search(r"## Turning it off\n.*?```toml\n(.*?)```", text, re.S)
        assert settings, rule.code
        # The settings shown are valid betacontent configuration naming this rule.
        config = parse_config(tomllib.loads(settings[1]), "page")
        check_settings(config)
        assert config.ignore == [rule.code]
        assert config.per_file_ignores == {"_drafts/*": [rule.code]}
        assert list(config.severity) == [rule.code]
        assert config.severity[rule.code] != rule.severity.value


def test_the_index_links_every_page_in_code_order() -> None:
    rows = re.findall(
        r"^\| \[(BC\d{3})\]\((BC\d{3}\.md)\) \| ([a-z-]+) \|", generate()[INDEX], re.M
    )
    assert [code for code, _, _ in rows] == list(RULES)
    assert all(target == f"{code}.md" for code, target, _ in rows)
    assert [name for _, _, name in rows] == [rule.name for rule in RULES.values()]


def test_rule_out_writes_checks_and_removes_stray_pages(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "rules"
    (out / "BC999.md").parent.mkdir()
    (out / "BC999.md").write_text("# a rule that no longer exists\n")
    (out / "notes.md").write_text("not a rule page\n")

    assert run("rule", "--all", "--out", str(out), "--check").returncode == 1
    assert run("rule", "--all", "--out", str(out)).returncode == 0
    written = {p.name: p.read_text("utf-8") for p in out.iterdir() if p.name != "notes.md"}
    assert written == generate()  # BC999.md removed
    assert (out / "notes.md").exists()
    assert run("rule", "--all", "--out", str(out), "--check").returncode == 0

    (out / "BC102.md").write_text("edited by hand\n")
    drift = run("rule", "--all", "--out", str(out), "--check")
    assert drift.returncode == 1 and "BC102.md" in drift.stderr
    assert (out / "BC102.md").read_text() == "edited by hand\n"  # --check writes nothing


def test_rule_all_prints_every_page_and_rule_prints_one(run: Run) -> None:
    every = run("rule", "--all")
    assert every.returncode == 0
    assert every.stdout == "\n".join(page(rule) for rule in RULES.values())
    assert run("rule", "bc102").stdout == page(RULES["BC102"])


def test_contradictory_rule_options_are_usage_errors(run: Run, tmp_path: Path) -> None:
    for args in (["BC102", "--all"], ["--out", str(tmp_path)], ["--all", "--check"]):
        result = run("rule", *args)
        assert result.returncode == 2, args
        assert "error:" in result.stderr
    assert not any(tmp_path.iterdir())


def test_format_markdown_prints_the_committed_pages(run: Run) -> None:
    """`betacontent rule --all --format markdown` is what docs/rules/ is made of."""
    every = run("rule", "--all", "--format", "markdown")
    assert every.returncode == 0, every.stderr
    for rule in RULES.values():
        assert page(rule) in every.stdout
    one = run("rule", "BC304", "--format", "markdown")
    assert one.stdout == (ROOT / "docs" / "rules" / "BC304.md").read_text("utf-8")
    listing = run("rule", "--format", "markdown")
    assert listing.stdout == (ROOT / "docs" / "rules" / INDEX).read_text("utf-8")
