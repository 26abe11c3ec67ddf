"""bench.run end to end on a tiny site: it runs, writes valid results, restores what it edits.
No timing is asserted: the benchmark alone judges speed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench import run

REPO = Path(__file__).resolve().parent.parent
PAGES = 30


def test_quick_run_writes_json_and_markdown_with_every_target(tmp_path: Path) -> None:
    work, results = tmp_path / "work", tmp_path / "results"
    site = run.prepare_site(work, PAGES, run.SEED, 0.0)
    edited = run.edited_page(site.root)
    original = edited.read_bytes()
    argv = [sys.executable, "-m", "bench.run", "--quick", "--sizes", str(PAGES), "--runs", "1"]
    argv += ["--no-competitors", "--no-serving", "--work", str(work), "--results", str(results)]
    done = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr

    (json_path,) = results.glob("bench-*.json")
    assert json_path.with_suffix(".md").is_file()
    document = json.loads(json_path.read_text("utf-8"))
    scenarios = {s["name"]: s for s in document["scenarios"]}
    for name in (
        "floor-frontmatter-2p",
        "floor-markdown-1p",
        "floor-markdown-2p",
        "betacontent-lint-cold",
        "betacontent-lint-warm",
        "betacontent-export",
        "betacontent-serve-start",
        "betacontent-serve-start-warm",
    ):
        assert not scenarios[name]["skipped"], scenarios[name]
        assert len(scenarios[name]["runs"]) == 1
        assert scenarios[name]["median_wall_s"] > 0
    assert scenarios["lychee"]["skipped"] == "--no-competitors"
    assert document["serving"] is None
    numbers = [t["name"].split(".")[0] for t in document["targets"]]
    assert numbers == ["1", "2", "3a", "3b", "3c", "4a", "4b", "4c", "4d", "5"]
    assert {t["status"] for t in document["targets"]} <= {"PASS", "FAIL", "n/a"}
    assert document["sites"][0]["pages"] == PAGES
    assert document["sites"][0]["generated_s"] is None  # taken from the cache made above
    assert edited.read_bytes() == original  # the warm scenario's edits are undone
    assert not (site.root / ".betacontent-cache").exists()
    assert (site.root / run.COMPLETE).is_file()


def test_timed_reports_the_child_exit_code_and_memory(tmp_path: Path) -> None:
    grow = "b = b'x' * (96 * 1024 * 1024); raise SystemExit(3)"  # 96 MiB written
    sample = run.timed([sys.executable, "-c", grow], tmp_path, tmp_path / "log", 60)
    assert sample.exit == 3
    assert sample.rss_mib >= 96
    assert sample.tree_rss_mib >= sample.rss_mib


def test_rss_linearity_passes_sublinear_growth_and_fails_superlinear() -> None:
    sublinear = run._linearity({1000: 60.0, 10_000: 150.0, 50_000: 500.0})
    superlinear = run._linearity({1000: 60.0, 10_000: 150.0, 50_000: 900.0})
    two_sizes = run._linearity({1000: 60.0, 10_000: 150.0})
    assert (sublinear.status, superlinear.status, two_sizes.status) == ("PASS", "FAIL", "n/a")
