"""`lint --write-baseline` and `--baseline`: adopting the linter on a site with findings."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import Run


def _site(root: Path) -> Path:
    (root / "_config.yml").write_text("title: t\n")
    (root / "a.md").write_text(
        "---\ntitle: A\ntitle: A\n---\nVoir [x](/absent/) et [y](/absent/).\n"
    )
    (root / "b.md").write_text("---\ntitle: B\n---\nUn [lien](/nulle-part/).\n")
    return root


def test_a_baseline_holds_the_findings_as_they_are(run: Run, tmp_path: Path) -> None:
    site = _site(tmp_path)
    written = run("lint", "--write-baseline", "baseline.json", cwd=site)
    assert written.returncode == 0, written.stderr
    assert "4 findings recorded in baseline.json" in written.stderr
    entries = json.loads((site / "baseline.json").read_text())["findings"]
    # two identical findings are one entry, counted; line numbers are left out
    assert {(e["code"], e["path"], e["count"]) for e in entries} == {
        ("BC102", "a.md", 1),
        ("BC301", "a.md", 2),
        ("BC301", "b.md", 1),
    }
    assert all("line 2" not in e["message"] for e in entries)
    result = run("lint", "--baseline", "baseline.json", cwd=site)
    assert result.returncode == 0, result.stdout
    assert "BC301" not in result.stdout and "; 4 in the baseline" in result.stdout


def test_only_new_findings_fail_and_gone_entries_are_counted(run: Run, tmp_path: Path) -> None:
    site = _site(tmp_path)
    assert run("lint", "--write-baseline", "baseline.json", cwd=site).returncode == 0
    # lines shift above the known findings; one is mended; a new one appears
    (site / "a.md").write_text(
        "---\ntitle: A\nlayout: page\ntitle: A\n---\nIntro.\n\n"
        "Voir [x](/absent/) et [y](/a.html).\n\nNouveau : [z](/encore-absent/).\n"
    )
    result = run("lint", "--baseline", "baseline.json", cwd=site)
    assert result.returncode == 1
    shown = [line for line in result.stdout.splitlines() if ": BC" in line]
    assert len(shown) == 1 and "/encore-absent/" in shown[0]
    assert "; 3 in the baseline, 1 baseline entry gone" in result.stdout


def test_a_missing_or_foreign_baseline_is_a_usage_error(run: Run, tmp_path: Path) -> None:
    site = _site(tmp_path)
    missing = run("lint", "--baseline", "absent.json", cwd=site)
    assert missing.returncode == 2 and "cannot read the baseline absent.json" in missing.stderr
    (site / "autre.json").write_text('{"findings": [{"code": 1}]}')
    foreign = run("lint", "--baseline", "autre.json", cwd=site)
    assert foreign.returncode == 2 and "autre.json is not a betacontent baseline" in foreign.stderr
    both = run("lint", "--baseline", "autre.json", "--write-baseline", "x.json", cwd=site)
    assert both.returncode == 2
