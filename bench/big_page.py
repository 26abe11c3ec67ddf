"""One page with many broken links: the time a lint takes grows with the page, not its square.

    python -m bench.big_page [--links 4000,60000] [--runs 3] [--work DIR] [--out DIR]

For each size N, a site of two pages: the home page and one Markdown page of N/2 lines, each
line holding a broken Markdown link and a broken raw HTML link (N links, all broken). In this
process, for each of `--runs` runs: `load_site` (read, parse, extract: the body's links and
anchors) and the rules (`lint --select ALL`), each timed with `time.perf_counter`;
then `betacontent lint --no-cache` as a whole process, timed the same way. Medians are
reported, with the number of findings (`max-links-per-page`, 5,000 by default, bounds what is
resolved: past it BC112 reports the rest, unchecked).

The target (issue 14): 4,000 findings in one page take under a second of rule time.
Results: `bench/results/big-page-<UTC timestamp>.json` and `.md`. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from bench import load
from betacontent import __version__
from betacontent.core.atomic import write_atomic
from betacontent.core.settings import LintConfig
from betacontent.lint.runner import lint, select_rules
from betacontent.site.loader import load_site

REPO = Path(__file__).resolve().parent.parent
TARGET_RULE_SECONDS = 1.0
TARGET_FINDINGS = 4_000


def write_site(root: Path, links: int) -> None:
    """The home page and `page.md`, whose `links` links (half Markdown, half HTML) all break."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    (root / "_config.yml").write_text("title: Une grande page\n", encoding="utf-8")
    (root / "index.md").write_text("---\ntitle: Accueil\n---\n\nBonjour.\n", encoding="utf-8")
    lines = ["---", "title: Beaucoup de liens", "---", ""]
    for i in range(links // 2):
        lines.append(f'- [lien {i}](/nulle-part/{i}/) et <a href="/absent/{i}.html">page {i}</a>')
    (root / "page.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def measure(root: Path, runs: int) -> dict[str, object]:
    loads, rules, processes = [], [], []
    findings = 0
    for _ in range(runs):
        began = time.perf_counter()
        site = load_site(root, LintConfig(), jobs=1, cache=False)
        loaded = time.perf_counter()
        found = lint(site, select_rules(["ALL"], []))
        rules.append(time.perf_counter() - loaded)
        loads.append(loaded - began)
        findings = len(found)
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "betacontent",
                "lint",
                str(root),
                "--no-cache",
                "--select",
                "ALL",
            ],
            stdout=subprocess.DEVNULL,
            check=False,
        )
        processes.append(time.perf_counter() - began)
    return {
        "findings": findings,
        "load_s": round(statistics.median(loads), 3),
        "rules_s": round(statistics.median(rules), 3),
        "process_s": round(statistics.median(processes), 3),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.big_page", description=__doc__)
    parser.add_argument("--links", default="4000,60000", help="page sizes, in links")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=REPO / "bench" / ".work" / "big-page")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.links.split(",")]
    commit = load.git_commit()  # at the start: the code that runs
    rows = []
    for size in sizes:
        root = args.work / f"links-{size}"
        write_site(root, size)
        row = {"links": size, **measure(root, args.runs)}
        rows.append(row)
        print(json.dumps(row), flush=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    report = {"version": __version__, "git": commit, "runs": args.runs, "rows": rows}
    args.out.mkdir(parents=True, exist_ok=True)
    write_atomic(args.out / f"big-page-{stamp}.json", json.dumps(report, indent=2) + "\n")
    table = [
        "| links | findings | load (s) | rules (s) | `betacontent lint` (s) |",
        "|---:|---:|---:|---:|---:|",
        *(
            f"| {r['links']:,} | {r['findings']:,} | {r['load_s']} | {r['rules_s']} "
            f"| {r['process_s']} |"
            for r in rows
        ),
    ]
    verdicts = [
        f"- {r['links']:,} links: {r['findings']:,} findings in {r['rules_s']} s of rule time"
        + (
            f" ({'PASS' if float(str(r['rules_s'])) < TARGET_RULE_SECONDS else 'FAIL'}: "
            f"under {TARGET_RULE_SECONDS:g} s)"
            if int(str(r["findings"])) >= TARGET_FINDINGS
            else ""
        )
        for r in rows
    ]
    text = "\n".join(
        [
            f"# One page, many broken links ({stamp}, betacontent {__version__} at {commit})",
            "",
            f"Medians of {args.runs} runs; `python -m bench.big_page --links {args.links}`.",
            "",
            *table,
            "",
            *verdicts,
            "",
        ]
    )
    write_atomic(args.out / f"big-page-{stamp}.md", text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
