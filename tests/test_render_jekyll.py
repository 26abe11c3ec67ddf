"""The API's page HTML against the real Jekyll: build `fixtures/render_site` with `jekyll build`
and compare, page by page, what a reader sees: the headings (level, id, text), the text of each
paragraph, list item, cell and quote, and every `href` and `src`, in order.

The fixture gathers what the API used to render unlike kramdown: ATX markers kramdown reads as
text (indented by 1-3 spaces, `##` alone), smart quotes and typographic symbols, and links
written with Liquid under a baseurl (`{{ site.baseurl }}/x/`, `{% link %}`, `{% post_url %}`,
`relative_url`, `absolute_url`, `{{ site.KEY }}`, in Markdown, raw HTML and reference
definitions).

Needs Jekyll 4.3 with kramdown 2.4 and kramdown-parser-gfm (Debian: `apt-get install jekyll`).
Skipped when `jekyll` is missing, except on CI (`CI` set) where the missing tool is a failure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import msgspec
import pytest

from betacontent.core.settings import LintConfig
from betacontent.serve.published import PublishedSite, load_published
from conftest import jekyll_build

FIXTURE = Path(__file__).parent / "fixtures" / "render_site"
PAGES = {  # source -> URL
    "index.md": "/",
    "typographie.md": "/typographie.html",
    "titres.md": "/titres.html",
    "liens.md": "/liens.html",
    "autre.md": "/autre/",
    "notes.md": "/notes.html",
    "blocs.md": "/blocs.html",
}
TEXT_ELEMENTS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "th", "td"))


@dataclass
class Reading:
    """What a reader of a page sees: its text blocks and where its links go."""

    blocks: list[tuple[str, str | None, str]] = field(default_factory=list)  # tag, id, text
    links: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.reading = Reading()
        self.open: list[tuple[str, str | None, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("href", "src"):
            if values.get(name) is not None:
                self.reading.links.append(str(values[name]))
        for candidate in (values.get("srcset") or "").split(","):
            if candidate.split():
                self.reading.links.append(candidate.split()[0])
        if tag in TEXT_ELEMENTS:
            self.open.append((tag, values.get("id"), []))

    def handle_endtag(self, tag: str) -> None:
        if self.open and self.open[-1][0] == tag:
            name, anchor_id, text = self.open.pop()
            words = " ".join("".join(text).split())
            self.reading.blocks.append((name, anchor_id, words))
            if self.open:
                self.open[-1][2].append(words)

    def handle_data(self, data: str) -> None:
        if self.open:
            self.open[-1][2].append(data)


def read(html: str) -> Reading:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.reading


def _main(page: str) -> str:
    match = re.search(r"<main>(.*)</main>", page, re.DOTALL)
    assert match is not None
    return match.group(1)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _, dest = jekyll_build(FIXTURE, tmp_path_factory.mktemp("render"))
    return dest


@pytest.fixture(scope="module")
def published() -> PublishedSite:
    return load_published(FIXTURE, LintConfig(), processes=1, cache=False)


def _api_html(published: PublishedSite, url: str) -> str:
    document = msgspec.json.decode(published.pages[url].body)
    return str(document["html"])


def _jekyll_file(dest: Path, url: str) -> Path:
    path = dest / url.lstrip("/")
    return path / "index.html" if url.endswith("/") else path


@pytest.mark.parametrize("source", sorted(PAGES))
def test_the_api_reads_as_jekyll_writes(built: Path, published: PublishedSite, source: str) -> None:
    url = PAGES[source]
    jekyll = read(_main(_jekyll_file(built, url).read_text(encoding="utf-8")))
    ours = read(_api_html(published, url))
    assert ours.blocks == jekyll.blocks
    assert ours.links == jekyll.links


def test_the_fixture_holds_what_used_to_differ(built: Path) -> None:
    """The comparison above would pass on a fixture without the cases: they are there."""
    titles = read(_main((built / "titres.html").read_text(encoding="utf-8")))
    assert ("p", None, "## Un titre indenté d’un espace") in titles.blocks
    assert ("p", None, "##") in titles.blocks
    typography = read(_main((built / "typographie.html").read_text(encoding="utf-8")))
    texts = " ".join(text for _, _, text in typography.blocks)
    assert all(symbol in texts for symbol in "’“”…–—«»")
    links = read(_main((built / "liens.html").read_text(encoding="utf-8"))).links
    assert "/base/autre/" in links
    assert "/base/2024/01/02/billet.html" in links
    assert "/base/img/logo.png" in links
    assert "https://exemple.gouv.fr/base/autre/" in links
    assert "https://forge.exemple.org/depot/tickets/1" in links  # {{ site.depot }}
