"""`betacontent.kramdown.anchors` against the real Jekyll: build `fixtures/anchors_site` with
`jekyll build` and compare, page by page and heading by heading, the ids in Jekyll's HTML with the
anchors betacontent predicts from the Markdown source.

Needs Jekyll 4.3 with kramdown 2.4 and kramdown-parser-gfm (Debian: `apt-get install jekyll`).
Skipped when `jekyll` is missing, except on CI (`CI` set) where the missing tool is a failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from betacontent.kramdown.anchors import Anchor, page_anchors
from betacontent.site.loader import load_site
from conftest import jekyll_build

FIXTURE = Path(__file__).parent / "fixtures" / "anchors_site"
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Pages whose every non-HTML anchor is a heading (`ancres.md` also has IALs on other elements
# and a raw HTML <h2>, so it is only in the all-ids comparison).
HEADING_PAGES = ("titres.md", "doublons.md", "html.md", "pieges.md")
ALL_PAGES = (*HEADING_PAGES, "ancres.md")


class _Ids(HTMLParser):
    """The ids of a built page, in document order: of its h1-h6, and of every element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[str] = []
        self.all: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        ids = [value for key, value in attrs if key == "id" and value]
        if tag in HEADINGS and ids:
            self.headings.append(ids[-1])
        if ids:
            self.all.append(ids[-1])
        names = [value for key, value in attrs if key == "name" and value]
        if tag == "a" and names:
            self.all.append(names[-1])


@dataclass(frozen=True)
class Page:
    rel: str
    body_line: int
    anchors: list[Anchor]
    built: _Ids


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Page]:
    source, dest = jekyll_build(FIXTURE, tmp_path_factory.mktemp("anchors"))
    site = load_site(source)
    found: dict[str, Page] = {}
    for parsed in site.files:
        entry = site.entry_for(parsed.rel)
        if entry is None or entry.output is None or not parsed.markdown:
            continue
        built = _Ids()
        built.feed((dest / entry.output).read_text(encoding="utf-8"))
        anchors = page_anchors(parsed.tokens, parsed.body)
        found[parsed.rel] = Page(parsed.rel, parsed.body_line, anchors, built)
    assert sorted(found) == sorted(ALL_PAGES)
    return found


def _diff(page: Page, jekyll: list[str], ours: list[Anchor]) -> str:
    """One row per position: Jekyll's id, betacontent's, and where betacontent found it."""
    rows = [f"{page.rel}: ids differ (Jekyll | betacontent | source line: text or kind)"]
    for index in range(max(len(jekyll), len(ours))):
        left = repr(jekyll[index]) if index < len(jekyll) else "(none)"
        right, source = "(none)", ""
        if index < len(ours):
            anchor = ours[index]
            right = repr(anchor.id)
            source = f"{page.rel}:{anchor.line + page.body_line - 1}: {anchor.text or anchor.kind}"
        mark = "  " if left == right else "!!"
        rows.append(f"{mark} {index + 1:3} {left:45} | {right:45} | {source}")
    return "\n".join(rows)


@pytest.mark.parametrize("rel", HEADING_PAGES)
def test_heading_ids_match_jekyll(pages: dict[str, Page], rel: str) -> None:
    page = pages[rel]
    ours = [a for a in page.anchors if a.kind != "html"]
    assert [a.id for a in ours] == page.built.headings, _diff(page, page.built.headings, ours)


@pytest.mark.parametrize("rel", ALL_PAGES)
def test_every_id_matches_jekyll(pages: dict[str, Page], rel: str) -> None:
    """Every anchor of the page, HTML ids and IALs included, in document order. Footnote ids
    (`fn:1`, `fnref:1`) are kramdown's own and out of scope."""
    page = pages[rel]
    jekyll = [i for i in page.built.all if not i.startswith(("fn:", "fnref:"))]
    assert [a.id for a in page.anchors] == jekyll, _diff(page, jekyll, page.anchors)


def test_fixture_covers_the_hard_cases(pages: dict[str, Page]) -> None:
    """The fixture keeps the cases it is for (a guard against an edit that drops them)."""
    ids = {a.id for page in pages.values() for a in page.anchors}
    expected = {
        "lété-à-paris",  # apostrophe
        "étape-1--créer",  # ' : ' with normal spaces
        "étape-2-vérifier-espace-insécable",  # U+00A0
        "étape-3-publier-espace-fine-insécable",  # U+202F
        "guillemets-tapés-et-collés",  # << >> eat their spaces
        "ça-marche--ou-pas",  # ---
        "résumé-1",  # Résumé, Résumé, Résumé-1
        "-1",  # the second empty id
        "mon-id",  # {#id}
        "autre-id",  # IAL below
        "t-2024--bilan-1",  # kramdown's old generator inside <div markdown="1">
        "titre-visible-pour-kramdown",  # unclosed fence
    }
    assert expected <= ids, sorted(expected - ids)
