"""The command line, run as a subprocess: exit codes, output format, errors."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, Run

SEED = "tests/fixtures/seed/decouvrir-le-role-d-intrapreneur.md"
LINE = re.compile(
    r"^(?P<path>[^:\n]+):(?P<line>\d+):(?P<col>\d+): (?P<code>BC\d{3}) (?P<msg>.+)$", re.M
)


def test_seed_page_reports_duplicate_layout_and_accent_only_title(run: Run) -> None:
    result = run("lint", SEED)
    assert result.returncode == 1, result.stdout + result.stderr
    found = {(m["code"], m["line"], m["col"]): m["msg"] for m in LINE.finditer(result.stdout)}
    assert "line 2" in found[("BC102", "6", "1")]
    assert "Jekyll keeps the last value" in found[("BC102", "6", "1")]
    bc205 = [msg for (code, _, _), msg in found.items() if code == "BC205"]
    assert bc205 and "differ only in accents" in bc205[0]
    assert all(m["path"] == SEED for m in LINE.finditer(result.stdout))


def test_embedded_site_is_clean(run: Run) -> None:
    result = run("lint", "content/")
    assert result.returncode == 0, result.stdout + result.stderr
    assert not LINE.search(result.stdout)
    assert re.search(r"\d+ files checked, 0 errors, 0 warnings, 0 info", result.stdout)


def test_paths_only_narrow_what_is_shown(run: Run, tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "_config.yml").write_text("title: t\n")
    (site / "a.md").write_text("---\ntitle: A\ntitle: A\nlayout: x\n---\n")
    (site / "b.md").write_text("---\ntitle: B\ntitle: B\nlayout: x\n---\n")
    everything = run("lint", cwd=site)
    only_a = run("lint", "a.md", cwd=site)
    assert {m["path"] for m in LINE.finditer(everything.stdout)} == {"a.md", "b.md"}
    assert {m["path"] for m in LINE.finditer(only_a.stdout)} == {"a.md"}
    # Paths are shown relative to the current directory.
    from_above = run("lint", "site/a.md", cwd=tmp_path)
    assert {m["path"] for m in LINE.finditer(from_above.stdout)} == {"site/a.md"}


def test_output_is_sorted_by_file_and_position(run: Run) -> None:
    result = run("lint", "tests/fixtures/rules/site")
    keys = [(m["path"], int(m["line"]), int(m["col"])) for m in LINE.finditer(result.stdout)]
    assert keys and keys == sorted(keys)


def test_warnings_alone_exit_zero(run: Run, tmp_path: Path) -> None:
    (tmp_path / "_config.yml").write_text("title: t\n")
    (tmp_path / "p.md").write_text("---\ntitle: P\nlayout: default\ntitel: typo\n---\n")
    result = run("lint", cwd=tmp_path)
    assert "BC106" in result.stdout
    assert result.returncode == 0, result.stdout


def test_select_and_ignore_take_prefixes(run: Run) -> None:
    only_bc1 = run("lint", SEED, "--select", "BC1")
    assert {m["code"][:3] for m in LINE.finditer(only_bc1.stdout)} == {"BC1"}
    no_bc102 = run("lint", SEED, "--ignore", "BC102,BC204,BC303")
    codes = {m["code"] for m in LINE.finditer(no_bc102.stdout)}
    assert "BC102" not in codes and "BC204" not in codes and "BC205" in codes
    assert no_bc102.returncode == 0  # only the BC205 warning is left


def test_unknown_rule_code_is_a_usage_error(run: Run) -> None:
    result = run("lint", SEED, "--select", "BC999")
    assert result.returncode == 2
    assert "BC999" in result.stderr


def test_bad_flag_is_exit_2(run: Run) -> None:
    result = run("lint", "--no-such-flag")
    assert result.returncode == 2


def test_unknown_config_key_is_exit_2_with_the_key_named(run: Run, tmp_path: Path) -> None:
    (tmp_path / "_config.yml").write_text("title: t\n")
    (tmp_path / "betacontent.toml").write_text('[breadcrumbs]\nlast-crumb-lnk = "required"\n')
    result = run("lint", cwd=tmp_path)
    assert result.returncode == 2
    assert "breadcrumbs.last-crumb-lnk" in result.stderr
    assert "did you mean `last-crumb-link`" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_config_value_is_exit_2(run: Run, tmp_path: Path) -> None:
    (tmp_path / "_config.yml").write_text("title: t\n")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.betacontent.breadcrumbs]\nlast-crumb-link = "maybe"\n'
    )
    result = run("lint", cwd=tmp_path)
    assert result.returncode == 2
    assert "last-crumb-link" in result.stderr


def test_broken_files_are_diagnostics_not_tracebacks(run: Run, tmp_path: Path) -> None:
    (tmp_path / "_config.yml").write_text("title: t\ncollections: 3\n")
    (tmp_path / "bin.md").write_bytes(b"---\ntitle: \xff\xfe\n---\n")
    (tmp_path / "list.md").write_text("---\n- a\n- b\n---\n")
    result = run("lint", cwd=tmp_path)
    assert "Traceback" not in result.stderr
    codes = {(m["path"], m["code"]) for m in LINE.finditer(result.stdout)}
    assert ("_config.yml", "BC105") in codes  # a wrong setting falls back alone
    assert ("bin.md", "BC100") in codes
    assert ("list.md", "BC105") in codes
    assert result.returncode == 1


def test_rule_lists_and_explains(run: Run) -> None:
    listing = run("rule")
    assert listing.returncode == 0
    assert "BC102" in listing.stdout and "duplicate-key" in listing.stdout
    explained = run("rule", "bc205")
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
        assert section in explained.stdout
    assert run("rule", "BC999").returncode == 2


def test_python_dash_m_and_version(run: Run) -> None:
    result = run("--version")
    assert result.returncode == 0 and "betacontent" in result.stdout


def test_schema_check_detects_drift(run: Run, tmp_path: Path) -> None:
    assert run("schema", "--out", str(tmp_path)).returncode == 0
    assert run("schema", "--out", str(tmp_path), "--check").returncode == 0
    (tmp_path / "front-matter.schema.json").write_text("{}\n")
    assert run("schema", "--out", str(tmp_path), "--check").returncode == 1


def test_committed_schemas_match_the_structs() -> None:
    from betacontent.lint.schema_export import generate

    generated = generate()
    committed = {p.name: p.read_text("utf-8") for p in (ROOT / "schemas").glob("*.json")}
    assert committed == generated, "schemas/ is stale: run `make schemas` and commit"


def test_external_links_are_checked_only_on_request(run: Run, tmp_path: Path) -> None:
    from http_fixture_server import FixtureServer

    site = tmp_path / "site"
    site.mkdir()
    (site / "_config.yml").write_text("title: t\nexternal: {}\n")
    (site / "betacontent.toml").write_text("[external]\ndelay = 0\nretries = 0\ntimeout = 2\n")
    with FixtureServer() as server:
        line = f"[ok]({server.url('/ok')}) et [mort]({server.url('/404')})"
        (site / "p.md").write_text(f"---\ntitle: P\nlayout: default\n---\n{line}\n")
        offline = run("lint", cwd=site)
        assert "BC306" not in offline.stdout and offline.returncode == 0
        online = run("lint", "--external", cwd=site)
        again = run("lint", "--external", cwd=site)
    found = [m for m in LINE.finditer(online.stdout) if m["code"] == "BC306"]
    column = line.index(server.url("/404")) + 1
    assert [(m["line"], int(m["col"])) for m in found] == [("5", column)]
    assert "/404" in found[0]["msg"] and "404" in found[0]["msg"]
    assert online.returncode == 1
    assert "2 checked" in online.stderr
    # The second run is answered from .betacontent-cache/ and finds the same.
    assert "2 cached" in again.stderr
    assert [m["msg"] for m in LINE.finditer(again.stdout)] == [m["msg"] for m in found]


def test_selectors_cannot_silently_disable_everything(run: Run, tmp_path: Path) -> None:
    (tmp_path / "_config.yml").write_text("title: t\n")
    (tmp_path / "index.md").write_text("---\ntitle: T\ntitle: U\nlayout: x\n---\n")
    (tmp_path / "betacontent.toml").write_text('ignore = [""]\n')
    empty = run("lint", cwd=tmp_path)
    assert empty.returncode == 2 and "empty code" in empty.stderr
    (tmp_path / "betacontent.toml").write_text('ignore = ["all"]\n')
    assert run("lint", cwd=tmp_path).returncode == 0  # everything ignored, on purpose
    (tmp_path / "betacontent.toml").write_text('select = ["all"]\n[severity]\nBC102 = "warning"\n')
    relaxed = run("lint", cwd=tmp_path)
    assert relaxed.returncode == 0 and "BC102" in relaxed.stdout


def test_recursive_yaml_alias_is_a_diagnostic(run: Run, tmp_path: Path) -> None:
    (tmp_path / "r.md").write_text(
        "---\ntitle: x\nlayout: default\nbreadcrumbs: &a\n  - {title: A, link: /}\n  - *a\n---\n"
    )
    result = run("lint", cwd=tmp_path)
    assert "Traceback" not in result.stderr
    assert "BC201" in result.stdout


def test_bad_output_folder_and_bad_pyproject_are_usage_errors(run: Run, tmp_path: Path) -> None:
    assert run("schema", "--out", "/dev/null/x").returncode == 2
    (tmp_path / "pyproject.toml").write_text('tool = "x"\n')
    result = run("lint", "--config", str(tmp_path / "pyproject.toml"), cwd=tmp_path)
    assert "Traceback" not in result.stderr


def test_serve_strict_refuses_a_site_with_errors(run: Run, tmp_path: Path) -> None:
    (tmp_path / "_config.yml").write_text("title: t\n")
    (tmp_path / "index.md").write_text("---\ntitle: A\ntitle: B\nlayout: x\n---\n")
    result = run("serve", str(tmp_path), "--strict", "--port", "8765")
    assert result.returncode == 1
    assert "BC102" in result.stdout and "--strict" in result.stderr


def test_export_writes_the_api_documents(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "export"
    result = run("export", "content", str(out))
    assert result.returncode == 0, result.stderr
    assert (out / "api" / "phases.json").is_file()
    assert (out / "api" / "pages" / "approche" / "index.json").is_file()
    (out / "keep.txt").write_text("mine")
    again = run("export", "content", str(out))  # replaces OUT/api whole, and only it
    assert again.returncode == 0 and (out / "keep.txt").read_text() == "mine"
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
    assert oct((out / "api").stat().st_mode & 0o777) == oct(0o755)
    refused = run("export", "content", ".")  # the folder holding the site
    assert refused.returncode == 2 and "holds the site" in refused.stderr


def test_an_unparsable_config_is_the_only_finding(run: Run, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(ROOT / "content", site)
    config = site / "_config.yml"
    config.write_text(config.read_text("utf-8") + "\nx: [\n", "utf-8")
    result = run("lint", str(site))
    found = {(m["path"].rsplit("/", 1)[-1], m["code"]) for m in LINE.finditer(result.stdout)}
    assert found == {("_config.yml", "BC101")}
    assert result.returncode == 1 and "other checks skipped" in result.stderr


def test_readme_configuration_example_is_accepted(run: Run, tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    example = readme.split("```toml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "betacontent.toml").write_text(example, "utf-8")
    # What the example names: its collections, its layout and its schema files.
    (tmp_path / "_config.yml").write_text("title: t\ncollections:\n  members: {}\n  startups: {}\n")
    (tmp_path / "_layouts").mkdir()
    (tmp_path / "_layouts" / "startup.html").write_text("{{ content }}\n")
    (tmp_path / "_schemas").mkdir()
    (tmp_path / "_schemas" / "member.kwalify.yml").write_text("type: map\nmapping: {}\n")
    (tmp_path / "_schemas" / "menu.schema.json").write_text('{"type": "array"}\n')
    (tmp_path / "_data").mkdir()
    (tmp_path / "_data" / "menu.yml").write_text("- {title: Accueil, url: /}\n")
    result = run("lint", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_seed_findings_span_the_text_they_name(run: Run) -> None:
    """End positions cover exactly the key, crumb link or URL a finding is about."""
    result = run("lint", SEED, "--format", "json")
    lines = (ROOT / SEED).read_text("utf-8").split("\n")
    spans = {}
    for d in json.loads(result.stdout)["diagnostics"]:
        assert d["end_line"] == d["line"], d
        spans[(d["code"], d["line"])] = lines[d["line"] - 1][d["column"] - 1 : d["end_column"] - 1]
    assert spans[("BC102", 6)] == "layout"
    assert spans[("BC204", 9)] == "/"
    assert spans[("BC204", 11)] == "/devenir-intrapreneur"
    assert spans[("BC303", 27)] == "/img/recap_phases.png"
    assert spans[("BC205", 12)] == "title: Decouvrir le rôle d'intrapreneur"  # the crumb's title


def test_new_files_get_the_umask_mode_not_0600(run: Run, tmp_path: Path) -> None:
    result = run("rule", "--all", "--out", str(tmp_path / "rules"))
    assert result.returncode == 0, result.stderr
    modes = {(p.stat().st_mode & 0o777) for p in (tmp_path / "rules").iterdir()}
    umask = os.umask(0)
    os.umask(umask)
    assert modes == {0o666 & ~umask}


def test_a_folder_with_nothing_to_check_is_exit_2_naming_the_sites_below(
    run: Run, tmp_path: Path
) -> None:
    (tmp_path / "README.md").write_text("# Un dépôt\n", encoding="utf-8")
    for site in ("docs", "sites/deux", "node_modules/paquet", "a/b/c/trop-profond"):
        (tmp_path / site).mkdir(parents=True)
        (tmp_path / site / "_config.yml").write_text("title: Site\n", encoding="utf-8")
    result = run("lint", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert "no site here" in result.stderr
    assert "found docs/_config.yml, sites/deux/_config.yml: run `betacontent lint docs`" in (
        result.stderr
    )
    assert "node_modules" not in result.stderr and "trop-profond" not in result.stderr
    empty = tmp_path / "vide"
    empty.mkdir()
    result = run("lint", str(empty), "--format", "json")
    assert result.returncode == 2 and result.stdout == ""
    assert "nothing to check in" in result.stderr and "no _config.yml" in result.stderr


def test_a_bare_folder_is_said_once_on_stderr(run: Run, tmp_path: Path) -> None:
    page = "---\ntitle: Page\nlayout: default\n---\nTexte.\n"
    (tmp_path / "page.md").write_text(page, encoding="utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "_config.yml").write_text("title: Site\n", encoding="utf-8")
    result = run("lint", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    json.loads(result.stdout)  # stdout is the document alone
    notes = [line for line in result.stderr.splitlines() if "no _config.yml" in line]
    assert notes == [
        "betacontent: no _config.yml: linting . as a bare folder with Jekyll's defaults "
        "(found docs/_config.yml: `betacontent lint docs` lints that site)"
    ]
    result = run("lint", cwd=tmp_path / "docs")  # a site: no note, and it is not empty
    assert result.returncode == 0 and "bare folder" not in result.stderr
    assert "1 file checked" in result.stdout


def test_progress_shows_on_a_terminal_after_the_delay_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rich.console import Console

    from betacontent.cli.main import _Progress

    def shown(tty: bool, delay: float, wait: float) -> str:
        monkeypatch.setattr(sys.stderr, "isatty", lambda: tty)
        out = io.StringIO()
        console = Console(file=out, force_terminal=True, width=80)
        with _Progress(console, "lecture du site", delay=delay) as progress:
            time.sleep(wait)
            progress.update("vérification")
            time.sleep(wait)
        return out.getvalue()

    assert "vérification" in shown(tty=True, delay=0.01, wait=0.3)
    assert shown(tty=True, delay=5.0, wait=0.05) == ""  # a short run shows nothing
    assert shown(tty=False, delay=0.0, wait=0.2) == ""  # nor does a pipe
