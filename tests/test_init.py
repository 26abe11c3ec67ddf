"""`betacontent init`: a configuration proposed from the site as it stands, which the site does
not violate, and with which typos and schema violations are then found at line:col."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import pytest

from conftest import ROOT, Run

STARTUPS = {
    "aidants": ("Accompagner les aidants.", 120000, "paris"),
    "cantines": ("Des menus locaux.", 80000, "lyon"),
    "mobilite": ("Se déplacer sans voiture.", 95000, "paris"),
    "santé": ("Trouver un médecin.", 150000, "lille"),
}


def make_site(root: Path) -> Path:
    """Startups naming their incubator, incubators, phases and pages with a layout."""
    (root / "_config.yml").write_text(
        "title: t\nurl: https://exemple.gouv.fr\ncollections:\n"
        "  startups: {output: true}\n  incubateurs: {output: true}\n  phases: {output: false}\n"
    )
    (root / "_layouts").mkdir()
    (root / "_layouts" / "default.html").write_text("{{ content }}\n")
    for slug, (mission, budget, incubator) in STARTUPS.items():
        (root / "_startups").mkdir(exist_ok=True)
        (root / "_startups" / f"{slug}.md").write_text(
            f"---\ntitle: {slug.title()}\nmission: {mission}\nbudget: {budget}\n"
            f"incubateur: {incubator}\n---\nTexte.\n"
        )
    for slug in ("paris", "lyon", "lille"):
        (root / "_incubateurs").mkdir(exist_ok=True)
        (root / "_incubateurs" / f"{slug}.md").write_text(f"---\nville: {slug.title()}\n---\n")
    for order, slug in enumerate(("investigation", "construction", "acceleration"), 1):
        (root / "_phases").mkdir(exist_ok=True)
        (root / "_phases" / f"{slug}.md").write_text(
            f"---\nlabel: {slug.title()}\norder: {order}\ndocumentation_url: /\n---\n"
        )
    (root / "index.md").write_text("---\nlayout: default\ntitle: Accueil\n---\n")
    return root


def findings(run: Run, site: Path, *args: str) -> list[tuple[str, int, int, str, str]]:
    result = run("lint", str(site), "--format", "json", "--no-cache", *args)
    assert result.returncode in (0, 1), result.stderr
    return [
        (d["path"], d["line"], d["column"], d["code"], d["message"])
        for d in json.loads(result.stdout)["diagnostics"]
    ]


def test_the_proposal_names_what_the_site_does(run: Run, tmp_path: Path) -> None:
    site = make_site(tmp_path)
    result = run("init", str(site), "--out", "-")
    assert result.returncode == 0, result.stderr
    config = tomllib.loads(result.stdout)
    startups = config["front-matter"]["collections"]["startups"]
    assert startups["required"] == ["budget", "incubateur", "mission", "title"]
    assert startups["keys"] == {"budget": "int", "incubateur": "str", "mission": "str"}
    assert startups["references"] == {"incubateur": "incubateurs"}
    assert config["phases"] == {
        "collection": "phases",
        "order": ["order"],
        "label": ["label"],
        "page": ["documentation_url"],
    }
    assert not (site / "betacontent.toml").exists()  # `--out -` only prints


@pytest.mark.parametrize(
    "fixture", ["realistic_site", "rules/schemas", "rules/vocabulary", "anchors_site"]
)
def test_the_site_as_it_stands_does_not_violate_its_proposal(
    run: Run, tmp_path: Path, fixture: str
) -> None:
    site = tmp_path / "site"
    shutil.copytree(ROOT / "tests" / "fixtures" / fixture, site)
    (site / "betacontent.toml").unlink(missing_ok=True)
    before = [finding[:4] for finding in findings(run, site)]
    assert run("init", str(site)).returncode == 0
    assert [finding[:4] for finding in findings(run, site)] == before


def test_with_the_proposal_typos_and_violations_are_found_at_line_and_column(
    run: Run, tmp_path: Path
) -> None:
    site = make_site(tmp_path)
    assert run("init", str(site)).returncode == 0
    assert findings(run, site) == []
    page = site / "_startups" / "cantines.md"
    page.write_text(
        "---\ntitle: Cantines\nmision: Des menus locaux.\nbudget: beaucoup\n"
        "incubateur: lyom\n---\nTexte.\n"
    )
    found = {
        (line, column, code): message for _, line, column, code, message in findings(run, site)
    }
    assert "required key `mission` is missing" in found[(1, 1, "BC104")]
    assert "did you mean `mission`" in found[(3, 1, "BC106")]
    assert "expected `int`, got `str`" in found[(4, 9, "BC105")]
    assert "did you mean `lyon`" in found[(5, 13, "BC115")]


def test_a_reference_most_values_keep_is_proposed_as_a_comment(run: Run, tmp_path: Path) -> None:
    site = make_site(tmp_path)
    (site / "_startups" / "mobilite.md").write_text(
        "---\ntitle: Mobilité\nmission: Se déplacer.\nbudget: 1\nincubateur: bordeaux\n---\n"
    )
    (site / "_startups" / "velo.md").write_text(
        "---\ntitle: Vélo\nmission: Pédaler.\nbudget: 2\nincubateur: lyon\n---\n"
    )
    text = run("init", str(site), "--out", "-").stdout
    assert "references" not in tomllib.loads(text)["front-matter"]["collections"]["startups"]
    assert '# "incubateur" = "incubateurs"' in text and "no document: `bordeaux`" in text


def test_an_existing_file_is_kept_unless_forced(run: Run, tmp_path: Path) -> None:
    site = make_site(tmp_path)
    (site / "betacontent.toml").write_text("# à moi\n")
    refused = run("init", str(site))
    assert refused.returncode == 2 and "--force" in refused.stderr
    assert (site / "betacontent.toml").read_text() == "# à moi\n"
    assert run("init", str(site), "--force").returncode == 0
    assert "[front-matter" in (site / "betacontent.toml").read_text()


def test_nothing_to_propose_where_no_site_is(run: Run, tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    make_site(tmp_path / "docs")
    empty = tmp_path / "vide"
    empty.mkdir()
    result = run("init", str(empty))
    assert result.returncode == 2
    assert "nothing to check" in result.stderr


def test_keys_in_any_language_and_recursive_aliases(run: Run, tmp_path: Path) -> None:
    site = make_site(tmp_path)
    for name in ("a", "b", "c"):
        (site / f"{name}.md").write_text(
            f"---\nlayout: default\ntitle: {name}\ndurée: 3 mois\nboucle: &b [*b]\n---\n"
        )
    result = run("init", str(site), "--out", "-")
    assert result.returncode == 0, result.stderr
    keys = tomllib.loads(result.stdout)["front-matter"]["layouts"]["default"]["keys"]
    assert keys["durée"] == "str"  # a quoted TOML key
    assert run("init", str(site)).returncode == 0
    assert [f[:4] for f in findings(run, site)] == []


def test_a_theme_layout_can_be_declared(run: Run, tmp_path: Path) -> None:
    """A layout from a theme is out of reach: declaring it is no configuration error."""
    site = make_site(tmp_path)
    config = site / "_config.yml"
    config.write_text(config.read_text() + "theme: minima\n")
    for name in ("a", "b", "c"):
        (site / f"{name}.md").write_text(f"---\nlayout: post\ntitle: {name}\nauteur: x\n---\n")
    assert run("init", str(site)).returncode == 0
    assert "[front-matter.layouts.post]" in (site / "betacontent.toml").read_text()
    assert run("lint", str(site)).returncode in (0, 1)


def test_an_existing_configuration_elsewhere_is_not_shadowed(run: Run, tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    site = make_site(tmp_path / "docs")
    (tmp_path / "pyproject.toml").write_text('[tool.betacontent]\nignore = ["BC304"]\n')
    refused = run("init", str(site))
    assert refused.returncode == 2 and "pyproject.toml already configures" in refused.stderr
    assert not (site / "betacontent.toml").exists()
