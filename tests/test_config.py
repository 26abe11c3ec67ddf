"""Configuration: selection, per-file ignores, `betacontent config`, and errors naming the key."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import msgspec
import pytest

from betacontent.core.settings import ConfigError, LintConfig, load_config, parse_config
from conftest import ROOT, Run

CODES = re.compile(r"^[^:\n]+:\d+:\d+: (BC\d{3})", re.M)


# What the site declares: `title` and `layout` required on pages, no key beyond those declared.
DECLARED = '\n[front-matter]\nrequired = ["title", "layout"]\nclosed = true\n'


def make_site(root: Path, config: str) -> Path:
    """A site with one page holding an unknown key (BC106), a broken link (BC301) and a
    breadcrumb trail that does not start at home (BC202), plus a post without a layout; its
    configuration is `config` followed by `DECLARED`."""
    (root / "_config.yml").write_text("title: t\n")
    (root / "_layouts").mkdir()
    (root / "_layouts" / "default.html").write_text("{{ content }}\n")
    (root / "index.md").write_text("---\nlayout: default\ntitle: Accueil\n---\n")
    (root / "page.md").write_text(
        "---\nlayout: default\ntitle: Page\ninconnue: 1 # betacontent: ignore[BC106]\n"
        "breadcrumbs:\n  - {title: Page, link: /page.html}\n---\n[x](/nulle-part/)\n"
    )
    (root / "_posts").mkdir()
    (root / "_posts" / "2024-01-02-billet.md").write_text("---\ntitle: Billet\n---\nTexte.\n")
    (root / "betacontent.toml").write_text(config + DECLARED)
    return root


def codes(run: Run, root: Path, *args: str) -> list[str]:
    result = run("lint", *args, cwd=root)
    assert result.returncode in (0, 1), result.stderr
    return CODES.findall(result.stdout)


def test_extend_select_adds_to_select(run: Run, tmp_path: Path) -> None:
    site = make_site(tmp_path, 'select = ["BC1"]\nextend-select = ["BC301"]\n')
    found = codes(run, site)
    assert "BC301" in found and "BC104" in found
    assert not any(code.startswith("BC2") for code in found)
    # --select replaces `select`; `extend-select` still adds to it, as in ruff.
    assert set(codes(run, site, "--select", "BC2")) == {"BC202", "BC301"}
    (site / "betacontent.toml").write_text("")
    assert set(codes(run, site, "--select", "BC2", "--extend-select", "BC30")) == {
        "BC202",
        "BC301",
    }


def test_per_file_ignores_apply_to_matching_files_only(run: Run, tmp_path: Path) -> None:
    site = make_site(tmp_path, '[per-file-ignores]\n"_posts/*" = ["BC104"]\n')
    assert "BC104" not in codes(run, site)
    (site / "betacontent.toml").write_text('[per-file-ignores]\n"autre/*" = ["BC104"]\n' + DECLARED)
    assert "BC104" in codes(run, site)


def test_suppressions_of_rules_not_run_are_not_unused(run: Run, tmp_path: Path) -> None:
    site = make_site(tmp_path, "")
    assert "BC001" not in codes(run, site)  # the BC106 it names is there and suppressed
    assert "BC001" not in codes(run, site, "--select", "BC3,BC001")
    assert "BC106" not in codes(run, site, "--select", "BC1,BC001")
    (site / "page.md").write_text(
        (site / "page.md").read_text().replace("inconnue: 1", "description: x")
    )
    # Now nothing is left to suppress: unused when BC106 ran, silent when it did not.
    assert "BC001" in codes(run, site, "--select", "BC1,BC001")
    assert "BC001" not in codes(run, site, "--select", "BC3,BC001")


def test_config_command_shows_values_and_their_source(run: Run, tmp_path: Path) -> None:
    site = make_site(
        tmp_path,
        'ignore = ["BC207"]\n[breadcrumbs]\nlast-crumb-link = "required"\n'
        '[per-file-ignores]\n"_posts/*" = ["BC104"]\n',
    )
    result = run("config", cwd=site)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "# betacontent configuration: betacontent.toml"

    def source(key: str) -> str:
        line = next(line for line in lines if line.startswith(f"{key} ="))
        return line.rsplit("#", 1)[1].strip()

    assert source("ignore") == "betacontent.toml"
    assert source("last-crumb-link") == "betacontent.toml"
    assert source("per-file-ignores") == "betacontent.toml"
    assert source("select") == "default"
    assert source("fallback") == "default"
    # The output is valid TOML that means the same configuration.
    printed = parse_config(tomllib.loads(result.stdout), "printed")
    assert printed == load_config(site / "betacontent.toml")


def test_config_command_defaults_round_trip(run: Run) -> None:
    result = run("config", "content")
    assert result.returncode == 0, result.stderr
    printed = parse_config(tomllib.loads(result.stdout), "printed")
    assert printed == load_config(ROOT / "content" / "betacontent.toml")
    assert msgspec.to_builtins(printed) != msgspec.to_builtins(LintConfig())


def test_pyproject_table_is_read(run: Run, tmp_path: Path) -> None:
    site = make_site(tmp_path, "")
    (site / "betacontent.toml").unlink()
    (site / "pyproject.toml").write_text('[tool.betacontent]\nignore = ["BC3"]\n')
    assert "BC301" not in codes(run, site)
    assert "pyproject.toml" in run("config", cwd=site).stdout.splitlines()[0]


@pytest.mark.parametrize(
    ("config", "named"),
    [
        ('output-format = "sarf"', "did you mean `sarif`"),
        ('[breadcrumbs]\nlast-crumb-link = "requried"', "did you mean `required`"),
        ('extend-selct = ["BC1"]', "did you mean `extend-select`"),
        ('[per-file-ignores]\n"_posts/*" = ["BC9"]', "per-file-ignores._posts/*"),
        ('[links]\nown-domain = ["x"]', "did you mean `own-domains`"),
        ('[severity]\nBC301 = "warn"', "did you mean `warning`"),
    ],
)
def test_bad_settings_are_exit_2_with_the_key(
    run: Run, tmp_path: Path, config: str, named: str
) -> None:
    site = make_site(tmp_path, config + "\n")
    for command in ("lint", "config"):
        result = run(command, cwd=site)
        assert result.returncode == 2, (command, result.stdout)
        assert named in result.stderr
        assert "Traceback" not in result.stderr


def test_errors_say_whether_the_flag_or_the_file_is_wrong(run: Run, tmp_path: Path) -> None:
    site = make_site(tmp_path, 'ignore = ["BC9"]\n')
    from_file = run("lint", cwd=site)
    assert from_file.returncode == 2
    assert "betacontent.toml: `ignore`: `BC9`" in from_file.stderr
    (site / "betacontent.toml").write_text("")
    from_flag = run("lint", "--select", "BC9", cwd=site)
    assert from_flag.returncode == 2 and "`--select`: `BC9`" in from_flag.stderr


@pytest.mark.parametrize(
    ("data", "named"),
    [
        (
            {"front-matter": {"collections": {"a": {}, "phases": {"requird": ["x"]}}}},
            "unknown key `front-matter.collections.phases.requird`; did you mean `required`?",
        ),
        (
            {"front-matter": {"collections": {"phases": {"keys": {"label": "string"}}}}},
            "`front-matter.collections.phases.keys.label`: invalid value 'string'; expected one of",
        ),
        (
            {"front-matter": {"files": {"_data/x.yml": {"closed": "yes"}}}},
            '`front-matter.files."_data/x.yml".closed`: expected `bool`, got `str`',
        ),
        ({"per-file-ignores": {"x/*": "BC1"}}, '`per-file-ignores."x/*"`: expected `list`'),
    ],
)
def test_an_error_inside_a_table_of_tables_names_its_key(data: object, named: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config(data, "betacontent.toml")
    assert named in str(raised.value)
