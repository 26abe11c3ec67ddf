"""`betacontent lint --fix` and `--diff` over fixture cases, byte for byte.

Each file under tests/fixtures/fixes/expected/<site>/ is a case: the file of the same path in
the fixture site tests/fixtures/fixes/<site>/ is the text before, and the expected file the
exact bytes `--fix` must write (the same bytes when nothing may be fixed). They live apart
because Jekyll reads any file with front matter as a page. A case is a pair of files.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from betacontent.cli.main import main
from betacontent.core.settings import find_config, load_config
from betacontent.lint.diagnostics import Diagnostic, Edit, Fix, Severity
from betacontent.lint.fixes import file_kinds, fix_text, plan, write
from betacontent.lint.rules import RULES
from betacontent.lint.runner import lint
from betacontent.lint.yaml_edit import scalar_text, scalar_value
from betacontent.site.loader import load_site
from conftest import require_tool

FIXTURES = Path(__file__).parent / "fixtures" / "fixes"
EXPECTED = FIXTURES / "expected"
APPLIED = re.compile(r"^(\d+) fix(?:es)? applied$", re.MULTILINE)


def cases() -> list[tuple[str, str]]:
    return [
        (site.name, path.relative_to(site).as_posix())
        for site in sorted(EXPECTED.iterdir())
        for path in sorted(site.rglob("*"))
        if path.is_file()
    ]


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, ["lint", "--no-color", *args])


def files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def applied(result: Result) -> int:
    found = APPLIED.search(result.stdout)
    assert found, result.output
    return int(found.group(1))


@pytest.mark.parametrize(("site", "rel"), cases(), ids=lambda v: v)
def test_fix_case(site: str, rel: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = FIXTURES / site
    before = (source / rel).read_bytes()
    expected = (EXPECTED / site / rel).read_bytes()
    monkeypatch.chdir(tmp_path)

    shutil.copytree(source, tmp_path / "fix")
    first = invoke("--fix", f"fix/{rel}")
    assert (tmp_path / "fix" / rel).read_bytes() == expected, first.output
    assert (applied(first) > 0) == (expected != before)
    fixed = files(tmp_path / "fix")
    second = invoke("--fix", f"fix/{rel}")
    assert applied(second) == 0, second.output
    assert files(tmp_path / "fix") == fixed

    shutil.copytree(source, tmp_path / "diff")
    pristine = files(tmp_path / "diff")
    shown = invoke("--diff", f"diff/{rel}")
    assert files(tmp_path / "diff") == pristine, "--diff wrote a file"
    assert shown.exit_code == (1 if expected != before else 0), shown.output
    assert (shown.stdout == "") == (expected == before)
    # The diff is what --fix writes, chained fixes included: applied once, it gives the same
    # bytes, and nothing is left to show.
    patch = require_tool("patch", "patch")
    if shown.stdout:
        subprocess.run([patch, "-p1", "-s"], input=shown.stdout_bytes, cwd=tmp_path, check=True)
    assert (tmp_path / "diff" / rel).read_bytes() == expected
    assert invoke("--diff", f"diff/{rel}").stdout == ""


@pytest.fixture
def site_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the fixture site at ./site, in a temporary current directory."""
    monkeypatch.chdir(tmp_path)
    return Path(shutil.copytree(FIXTURES / "site", tmp_path / "site"))


def test_text_output_marks_fixable_findings(site_copy: Path) -> None:
    result = invoke("site/flow-comment.md", "site/left-alone.md")
    lines = result.stdout.splitlines()
    assert any(line.startswith("site/flow-comment.md:7:28: BC207 [*] ") for line in lines)
    # a case-only match is broken on nginx; no safe fix, so no mark
    assert any(" BC301 " in line and "/Section/" in line for line in lines)
    assert "1 fixable with --fix" in lines[-1]


def test_fix_and_diff_together_is_a_usage_error() -> None:
    result = invoke("--fix", "--diff", str(FIXTURES / "site"))
    assert result.exit_code == 2
    assert "--fix and --diff" in result.stderr


def test_refused_fix_is_reported_and_not_written(site_copy: Path) -> None:
    result = invoke("--fix", "site/alias-refused.md")
    assert "site/alias-refused.md:5:7: BC207 fix not applied: the value is shared" in (
        result.stderr
    )
    assert "BC207 [*]" in result.stdout  # still there, still offered


def test_fix_is_refused_when_the_text_changed_since_the_lint(site_copy: Path) -> None:
    site = load_site(site_copy, load_config(find_config(site_copy)))
    diagnostics = [d for d in lint(site, RULES.values()) if d.path == "flow-comment.md"]
    assert any(d.fix for d in diagnostics)
    page = site_copy / "flow-comment.md"
    changed = page.read_text("utf-8").replace("link: /section}", "link: /sectio}")
    page.write_text(changed, "utf-8")
    results = plan(site_copy, diagnostics, file_kinds(site))
    write(site_copy, results)
    assert page.read_text("utf-8") == changed
    (result,) = results
    assert not result.applied
    assert [r.reason for r in result.refused] == ["`/sectio}` is no longer a YAML value as written"]


def test_overlapping_fixes_wait_for_the_next_run(site_copy: Path) -> None:
    site = load_site(site_copy, load_config(find_config(site_copy)))
    (diagnostic,) = [d for d in lint(site, RULES.values()) if d.path == "flow-comment.md" and d.fix]
    results = plan(site_copy, [diagnostic, diagnostic], file_kinds(site))
    assert [len(r.applied) for r in results] == [1]
    assert results[0].deferred == [diagnostic]


def test_fix_keeps_the_file_mode(site_copy: Path) -> None:
    page = site_copy / "flow-comment.md"
    page.chmod(0o640)
    assert applied(invoke("--fix", "site/flow-comment.md")) == 1
    assert page.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in page.parent.glob(".flow-comment.md.*")] == []  # no temp file left


def test_only_paths_in_scope_are_fixed(site_copy: Path) -> None:
    before = files(site_copy)
    assert applied(invoke("--fix", "site/flow-comment.md")) == 1
    after = files(site_copy)
    assert {name for name in before if before[name] != after[name]} == {"flow-comment.md"}


@pytest.mark.parametrize(
    ("value", "style", "flow", "written"),
    [
        ("/section/", "", True, "/section/"),
        ("Découvrir le rôle", "'", False, "'Découvrir le rôle'"),
        ("l'accueil", "'", True, "'l''accueil'"),
        ('dit "oui"', '"', False, '"dit \\"oui\\""'),
        ("Accueil, bienvenue", "", True, None),  # a comma ends a plain scalar in flow
        ("Accueil, bienvenue", "", False, "Accueil, bienvenue"),
        ("titre: sous-titre", "", False, None),  # would be a mapping
        ("yes", "", False, None),  # would be a boolean
        ("deux\nlignes", "'", False, None),
    ],
)
def test_scalar_keeps_its_style_or_gives_no_text(
    value: str, style: str, flow: bool, written: str | None
) -> None:
    assert scalar_text(value, style, flow) == written
    if written is not None:
        assert scalar_value(written, flow) == value


def _fix_at(line: int, column: int, end_column: int, content: str) -> tuple[Diagnostic, Fix]:
    edit = Edit(line=line, column=column, end_line=line, end_column=end_column, content=content)
    fix = Fix(message=f"write `{content}`", edits=(edit,))
    diagnostic = Diagnostic(
        path="x.md",
        line=line,
        column=column,
        end_line=line,
        end_column=end_column,
        code="BC305",
        name="link-via-fallback",
        severity=Severity.WARNING,
        message="m",
        fix=fix,
    )
    return diagnostic, fix


def test_a_fix_that_would_change_more_is_dropped_and_the_others_kept() -> None:
    text = "---\ntitle: T\nlink: /a\n---\n[x](/b) et [y](/c)\n"
    good_yaml = _fix_at(3, 7, 9, "/a/")
    bad_body = _fix_at(5, 5, 7, "/b) [z](/d")  # would add a link
    good_body = _fix_at(5, 16, 18, "/c/")
    result = fix_text("markdown", text, [good_yaml, bad_body, good_body])
    assert result.after == "---\ntitle: T\nlink: /a/\n---\n[x](/b) et [y](/c/)\n"
    assert result.applied == [good_yaml[0], good_body[0]]
    assert [(r.diagnostic, r.reason) for r in result.refused] == [
        (bad_body[0], "the links would change beyond the fixed URLs")
    ]


def test_a_yaml_edit_that_is_not_one_string_where_it_goes_is_dropped() -> None:
    text = "---\nbreadcrumbs: [{title: A, link: /a}]\n---\n"
    comment = _fix_at(2, 32, 34, "/a # }")  # the comment would swallow the closing brackets
    result = fix_text("markdown", text, [comment])
    assert result.after == text
    assert [r.reason for r in result.refused] == ["`/a # }` is not one string in this place"]


def test_fixes_never_write_through_a_symlink_out_of_the_site(
    site_copy: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(site_copy / "markdown-links.md", outside / "page.md")
    original = (outside / "page.md").read_bytes()
    (site_copy / "dehors.md").symlink_to(outside / "page.md")
    (site_copy / "alias.md").symlink_to(site_copy / "markdown-links.md")
    result = invoke("--fix", "site")
    assert (outside / "page.md").read_bytes() == original
    assert "dehors.md" in result.stderr and "out of the site" in result.stderr
    # The alias and its target are one file: fixed once, through one name, not twice.
    assert (site_copy / "markdown-links.md").read_bytes() == (
        EXPECTED / "site" / "markdown-links.md"
    ).read_bytes()
