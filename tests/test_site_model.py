"""The site model: parsing positions, Jekyll's reading rules and server-style URL lookup."""

from __future__ import annotations

import os
from pathlib import Path

from betacontent.core.settings import LintConfig
from betacontent.site import urls
from betacontent.site.front_matter import ProblemKind, split
from betacontent.site.index import EntryKind
from betacontent.site.loader import find_site_root, load_site

ROOT = Path(__file__).resolve().parent.parent


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def test_lookup_distinguishes_exact_fallback_and_case() -> None:
    site = load_site(ROOT / "content")
    exact = site.lookup("/approche/")
    assert exact is not None and exact.exact and exact.entry.rel == "_pages/approche.md"
    fallback = site.lookup("/approche")
    assert fallback is not None and not fallback.exact
    assert fallback.template == "$uri/index.html" and fallback.entry is exact.entry
    # `/x` finds `x.html`, and so does `/x.html`, but `/x/` does not (nginx try_files).
    page = site.lookup("/devenir-intrapreneur")
    assert page is not None and page.exact
    assert site.lookup("/devenir-intrapreneur/") is None
    assert site.lookup("/Approche/") is None
    folded = site.lookup("/Approche/", ignore_case=True)
    assert folded is not None and folded.case_insensitive
    # Query strings and fragments do not change the page; percent-encoding is decoded.
    with_query = site.lookup("/approche/?x=1#phases")
    assert with_query is not None and with_query.entry is exact.entry


def test_fallback_list_is_configurable() -> None:
    strict = LintConfig(fallback=["$uri"])
    site = load_site(ROOT / "content", strict)
    assert site.lookup("/approche") is None
    assert site.lookup("/approche/") is not None  # a page's own URL always resolves


def test_redirects_and_their_targets() -> None:
    site = load_site(ROOT / "content")
    redirect = site.lookup("/approche/consolidation")
    assert redirect is not None and redirect.entry.kind is EntryKind.REDIRECT
    assert redirect.entry.redirect_to == "/approche/transfert"


def test_bare_folder_without_config_uses_jekyll_defaults(tmp_path: Path) -> None:
    write(tmp_path, {"a.md": "---\ntitle: A\n---\n", "sub/index.md": "---\n---\n", "i.png": b"x"})
    site = load_site(tmp_path)
    outputs = {e.rel: e.output for e in site.entries}
    assert outputs == {"a.md": "a.html", "sub/index.md": "sub/index.html", "i.png": "i.png"}


def test_site_root_is_the_nearest_config(tmp_path: Path) -> None:
    write(tmp_path, {"site/_config.yml": "title: t\n", "site/deep/er/p.md": "x"})
    assert find_site_root(tmp_path / "site/deep/er/p.md") == (tmp_path / "site").resolve()


def test_positions_are_in_the_original_file_with_crlf() -> None:
    parts = split("---\r\ntitle: a\r\nlayout: x\r\ntitle: b\r\n---\r\nbody\r\n")
    duplicate = [p for p in parts.problems if p.kind is ProblemKind.DUPLICATE_KEY]
    assert [(p.position.line, p.position.column) for p in duplicate] == [(4, 1)]
    assert parts.front_matter is not None and parts.front_matter.data["title"] == "b"
    assert parts.body_line == 6


def test_columns_count_characters_not_bytes() -> None:
    parts = split("---\ntitle: Écrire à l'été\nx: [\n---\n")
    assert parts.problems[0].kind is ProblemKind.YAML_SYNTAX
    assert parts.problems[0].position.line == 4
    node = split("---\ntitre_été: à\nlink: x\n---\n").front_matter
    assert node is not None and node.position(["link"]).column == 7


def test_libyaml_accepts_what_jekyll_accepts() -> None:
    # A TAB after a value is accepted by libyaml (and Psych), rejected by PyYAML's pure loader.
    parts = split("---\ntitle: Accueil\t\nlayout: default\n---\n")
    assert parts.problems == []
    assert parts.front_matter is not None and parts.front_matter.data["title"] == "Accueil"


def test_byte_order_mark_makes_a_page_static_as_in_jekyll(tmp_path: Path) -> None:
    write(tmp_path, {"p.md": b"\xef\xbb\xbf---\ntitle: P\n---\n"})
    site = load_site(tmp_path)
    (entry,) = site.entries
    assert entry.kind is EntryKind.STATIC and entry.output == "p.md"
    assert site.files[0].problems[0].kind is ProblemKind.NOT_READ


def test_unpublished_pages_are_not_written(tmp_path: Path) -> None:
    write(tmp_path, {"a.md": "---\npublished: false\n---\n", "b.md": "---\npublished:\n---\n"})
    assert all(e.output is None for e in load_site(tmp_path).entries)


def test_slugify_modes_follow_jekyll() -> None:
    assert urls.slugify("Île de France") == "île-de-france"
    assert urls.slugify("Mon_Service", "pretty", cased=True) == "Mon_Service"
    assert urls.slugify("  L'été, à Paris!  ") == "l-été-à-paris"
    assert urls.slugify("Île de France", "ascii") == "le-de-france"
    assert urls.slugify("Île de France", "latin") == "ile-de-france"


def test_sanitize_and_output_paths() -> None:
    assert urls.sanitize_url("approche//x/../y") == "/approche/x/y"
    assert urls.output_path("/x", ".html", document=False) == "x.html"
    assert urls.output_path("/x/", ".html", document=False) == "x/index.html"
    assert urls.output_path("/feed", ".json", document=False) == "feed.json"
    assert urls.output_path("/fast/laur%C3%A9ats", ".html", document=True) == "fast/lauréats.html"


def test_page_detection_is_jekylls_first_line_rule(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "rule.md": "-----\nhello\n",  # a Markdown rule, not front matter
            "dash.md": "---",  # no newline after the dashes
            "page.md": "---  \r\ntitle: P\r\n---\r\n",
        },
    )
    kinds = {e.rel: e.kind for e in load_site(tmp_path).entries}
    assert kinds == {
        "rule.md": EntryKind.STATIC,
        "dash.md": EntryKind.STATIC,
        "page.md": EntryKind.PAGE,
    }


def test_foreign_front_matter_with_accents_is_bc109_not_bc100(tmp_path: Path) -> None:
    write(tmp_path, {"toml.md": '+++\nété = "x"\n+++\n', "json.md": '{\n"abcdé": 1\n}\n'})
    site = load_site(tmp_path)
    kinds = {f.rel: [p.kind for p in f.problems] for f in site.files}
    assert kinds == {"toml.md": [ProblemKind.NOT_READ], "json.md": [ProblemKind.NOT_READ]}


def test_special_files_and_links_do_not_hang_or_crash(tmp_path: Path) -> None:
    write(tmp_path, {"a.md": "---\ntitle: A\n---\n", "sub/b.md": "---\ntitle: B\n---\n"})
    os.mkfifo(tmp_path / "fifo.md")
    (tmp_path / "sub" / "loop").symlink_to(tmp_path)  # a folder that contains itself
    (tmp_path / "dangling.md").symlink_to(tmp_path / "nowhere.md")
    site = load_site(tmp_path)
    pages = sorted(e.rel for e in site.entries if e.kind is EntryKind.PAGE)
    assert pages[:2] == ["a.md", "sub/b.md"]
    problems = {rel: p.message for rel, p in site.read_problems}
    assert "dangling" in problems["dangling.md"]
    fifo = [f for f in site.files if f.rel == "fifo.md"]
    assert fifo and "not a regular file" in fifo[0].problems[0].message


def test_a_wrong_setting_in_config_falls_back_alone(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "_config.yml": "include: [_pages]\nbaseurl: 5\ncollections: 3\n",
            "_pages/index.md": "---\ntitle: Accueil\npermalink: /\n---\n",
        },
    )
    site = load_site(tmp_path)
    assert site.config.include == ["_pages"]  # kept although two other settings are wrong
    assert site.config.baseurl == ""
    assert {e.rel for e in site.entries} == {"_pages/index.md"}
    assert len(site.config_problems) == 2
    assert {p.position.line for p in site.config_problems} == {2, 3}


def test_configured_folders_cannot_leave_the_site(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write(outside, {"secret.html": "x"})
    write(tmp_path / "site", {"_config.yml": "layouts_dir: ../outside\n", "p.md": "---\n---\n"})
    site = load_site(tmp_path / "site")
    assert site.layouts == frozenset()
    assert not site.has_layouts_dir


def test_dot_segments_and_baseurl_in_lookup(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"_config.yml": "baseurl: /base\n", "index.md": "---\n---\n", "a/b.md": "---\n---\n"},
    )
    site = load_site(tmp_path)
    assert site.lookup("/base/a/../a/b.html") is not None
    assert site.lookup("/a/b.html") is None  # content links must carry the baseurl
    assert site.lookup("/a/b.html", baseurl_included=False) is not None  # relative_url adds it
    assert site.home() is not None
