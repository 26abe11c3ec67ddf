"""ruff's habits on `betacontent lint`: --quiet, --statistics, --output-file, --exit-zero,
--show-source, NO_COLOR."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from betacontent.core.wording import counted
from conftest import Run


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """Two pages: three broken links (BC301) and one duplicate key (BC102)."""
    (tmp_path / "_config.yml").write_text("title: t\n")
    (tmp_path / "a.md").write_text(
        "---\ntitle: A\ntitle: A\n---\nVoir [x](/absent/) et [y](/ailleurs/).\n"
    )
    (tmp_path / "b.md").write_text("---\ntitle: B\n---\nUn\t[lien](/nulle-part/) après une TAB.\n")
    return tmp_path


def test_quiet_prints_the_findings_only(run: Run, site: Path) -> None:
    loud = run("lint", cwd=site)
    quiet = run("lint", "--quiet", cwd=site)
    assert quiet.returncode == loud.returncode == 1
    assert "files checked" in loud.stdout and "files checked" not in quiet.stdout
    assert quiet.stdout.splitlines() == loud.stdout.splitlines()[:-1]
    assert quiet.stdout.count("BC301") == 3


def test_statistics_count_each_rule(run: Run, site: Path) -> None:
    result = run("lint", "--statistics", cwd=site)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["3", "BC301", "broken-link"]
    assert lines[1].split()[:2] == ["1", "BC102"]
    assert "files checked" in lines[-1]
    refused = run("lint", "--statistics", "--format", "json", cwd=site)
    assert refused.returncode == 2 and "--statistics prints text" in refused.stderr


def test_output_file_holds_the_report(run: Run, site: Path, tmp_path: Path) -> None:
    out = tmp_path / "rapport.json"
    result = run("lint", "--format", "json", "--output-file", str(out), cwd=site)
    assert result.returncode == 1 and result.stdout == ""
    report = json.loads(out.read_text())
    assert sorted(d["code"] for d in report["diagnostics"]) == ["BC102", *["BC301"] * 3]
    text = tmp_path / "rapport.txt"
    result = run("lint", "-o", str(text), cwd=site)
    assert result.stdout == "" and text.read_text().count("BC301") == 3
    assert "\x1b[" not in text.read_text()
    refused = run("lint", "-o", str(site / "a.md" / "part.txt"), cwd=site)  # a file's "folder"
    assert refused.returncode == 2 and "cannot write" in refused.stderr


def test_exit_zero_keeps_the_findings(run: Run, site: Path) -> None:
    result = run("lint", "--exit-zero", cwd=site)
    assert result.returncode == 0 and result.stdout.count("BC301") == 3
    assert run("lint", "--exit-zero", "--select", "BC999", cwd=site).returncode == 2


def test_show_source_puts_carets_under_the_finding(run: Run, site: Path) -> None:
    plain = run("lint", "b.md", cwd=site)  # not a terminal: one line per finding
    assert "^" not in plain.stdout
    shown = run("lint", "b.md", "--show-source", cwd=site).stdout.splitlines()
    at = next(i for i, line in enumerate(shown) if line.startswith("b.md:4:"))
    column = int(shown[at].split(":")[2])
    assert shown[at + 1 : at + 4] == [
        "  |",
        "4 | Un [lien](/nulle-part/) après une TAB.",  # a TAB is one column, as positions count
        "  | " + " " * (column - 1) + "^" * len("/nulle-part/"),
    ]


def _colour_run(site: Path, *args: str, **env: str) -> str:
    base = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    result = subprocess.run(
        [sys.executable, "-m", "betacontent", "lint", *args],
        cwd=site,
        env={**base, "COLUMNS": "200", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result.stdout


def test_no_color_is_honoured_unless_colour_is_asked_for(site: Path) -> None:
    assert "\x1b[" in _colour_run(site, FORCE_COLOR="1")
    assert "\x1b[" not in _colour_run(site, FORCE_COLOR="1", NO_COLOR="1")
    assert "\x1b[" in _colour_run(site, "--color", NO_COLOR="1")


def test_rule_by_name(run: Run) -> None:
    by_code = run("rule", "BC102")
    by_name = run("rule", "duplicate-key")
    assert by_name.returncode == 0 and by_name.stdout == by_code.stdout
    assert run("rule", "no-such-rule").returncode == 2


def test_fix_names_the_files_it_changed(run: Run, tmp_path: Path) -> None:
    (tmp_path / "_config.yml").write_text("title: t\nurl: https://exemple.fr\n")
    (tmp_path / "a.md").write_text("---\ntitle: A\n---\nVers [b](https://exemple.fr/b/).\n")
    (tmp_path / "b.md").write_text("---\ntitle: B\npermalink: /b/\n---\nB.\n")
    result = run("lint", "--fix", cwd=tmp_path)
    assert "1 fix applied" in result.stdout and "fixed a.md" in result.stdout
    assert "fixed b.md" not in result.stdout
    assert "[b](/b/)" in (tmp_path / "a.md").read_text()


def test_counts_agree_with_their_nouns(run: Run, tmp_path: Path) -> None:
    (tmp_path / "_config.yml").write_text("title: t\n")
    (tmp_path / "a.md").write_text("---\ntitle: A\n---\n[x](/absent/)\n")
    result = run("lint", "a.md", cwd=tmp_path)
    assert "1 file checked, 1 error, 0 warnings, 0 info" in result.stdout
    assert counted(1, "entry", "entries") == "1 entry"
    assert counted(0, "fix", "fixes") == "0 fixes" and counted(2, "page") == "2 pages"
