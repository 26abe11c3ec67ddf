"""The site model against the real Jekyll: build `fixtures/oracle_site` with `jekyll build` and
compare the files Jekyll writes with the outputs `load_site` predicts.

Needs Jekyll 4.3 and jekyll-redirect-from (Debian: `apt-get install jekyll
ruby-jekyll-redirect-from`). Skipped when `jekyll` is missing, except on CI (`CI` set) where the
missing tool is a failure.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest

from betacontent.site.index import Entry, EntryKind, Site
from betacontent.site.loader import load_site
from conftest import jekyll_build

FIXTURE = Path(__file__).parent / "fixtures" / "oracle_site"
_META_REFRESH = re.compile(
    r"""<meta\s+http-equiv=["']refresh["']\s+content=["']\d+;\s*url=([^"']*)["']""",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Built:
    """The fixture as the model sees it and as Jekyll built it."""

    site: Site
    dest: Path  # Jekyll's `_site/`
    written: frozenset[str]  # files under `dest`, POSIX paths relative to it


def _files_under(folder: Path) -> frozenset[str]:
    return frozenset(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def _listing(items: Iterable[str]) -> str:
    return "".join(f"\n    {item}" for item in sorted(items)) or "\n    (none)"


def _by_output(site: Site, outputs: Iterable[str]) -> list[str]:
    """`output  <- source (kind)` lines, to say where the model got a file from."""
    lines = []
    for output in sorted(outputs):
        sources = ", ".join(f"{e.rel} ({e.kind})" for e in site.outputs.get(output, []))
        lines.append(f"{output}  <- {sources}" if sources else output)
    return lines


def _same_url(left: str, right: str) -> bool:
    """URLs equal once percent-decoded and NFC-normalised (Jekyll's `absolute_url` encodes)."""

    def norm(url: str) -> str:
        return unicodedata.normalize("NFC", unquote(url))

    return norm(left) == norm(right)


def _absolute(site: Site, target: str) -> str:
    """jekyll-redirect-from's target: kept when it is a URL, else `absolute_url` of it."""
    if re.match(r"^https?://", target):
        return target
    return site.config.url.rstrip("/") + site.config.baseurl.rstrip("/") + target


def _redirecting(site: Site) -> list[Entry]:
    """Written entries whose file is a redirect: `redirect_from` pages and `redirect_to` pages."""
    return [e for e in site.entries if e.output and e.redirect_to is not None]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    source, dest = jekyll_build(FIXTURE, tmp_path_factory.mktemp("jekyll_oracle"))
    return Built(load_site(source), dest, _files_under(dest))


def test_model_predicts_exactly_the_files_jekyll_writes(built: Built) -> None:
    predicted = {e.output for e in built.site.entries if e.output}
    missing = built.written - predicted
    extra = predicted - built.written
    assert not (missing or extra), (
        "the site model and `jekyll build` disagree on the files written under _site/\n"
        f"  written by Jekyll, not predicted by the model:{_listing(missing)}\n"
        f"  predicted by the model, not written by Jekyll:"
        f"{_listing(_by_output(built.site, extra))}"
    )


def test_every_page_and_document_is_at_its_predicted_output(built: Built) -> None:
    absent = [
        f"{e.rel} ({e.kind}, url {e.url}) -> {e.output}"
        for e in built.site.entries
        if e.kind in (EntryKind.PAGE, EntryKind.DOCUMENT, EntryKind.REDIRECT)
        and e.output
        and not (built.dest / e.output).is_file()
    ]
    assert not absent, f"no file at the predicted output in _site/:{_listing(absent)}"


def test_redirect_files_refresh_to_their_target(built: Built) -> None:
    entries = _redirecting(built.site)
    assert any(e.kind is EntryKind.REDIRECT for e in entries), "the fixture has redirects"
    assert any(e.kind is EntryKind.PAGE for e in entries), "the fixture has a redirect_to page"
    wrong = []
    for entry in entries:
        assert entry.output is not None and entry.redirect_to is not None
        path = built.dest / entry.output
        expected = _absolute(built.site, entry.redirect_to)
        if not path.is_file():
            wrong.append(f"{entry.output} ({entry.rel}): not written, expected -> {expected}")
            continue
        refresh = _META_REFRESH.search(path.read_text(encoding="utf-8"))
        if refresh is None:
            wrong.append(f"{entry.output} ({entry.rel}): no meta refresh, expected -> {expected}")
        elif not _same_url(refresh.group(1), expected):
            wrong.append(
                f"{entry.output} ({entry.rel}): refreshes to {refresh.group(1)}, "
                f"the model says {expected}"
            )
    assert not wrong, f"redirect files that do not go where the model says:{_listing(wrong)}"


def test_redirects_json_lists_the_model_redirects(built: Built) -> None:
    """jekyll-redirect-from's `redirects.json` maps every redirect (from -> to)."""
    raw = json.loads((built.dest / "redirects.json").read_text(encoding="utf-8"))
    assert isinstance(raw, dict)
    jekyll = {unquote(str(k)): unquote(str(v)) for k, v in raw.items()}
    model = {
        unquote(e.url): unquote(_absolute(built.site, e.redirect_to))
        for e in _redirecting(built.site)
        if e.redirect_to is not None
    }
    only_jekyll = [f"{k} -> {v}" for k, v in jekyll.items() if model.get(k) != v]
    only_model = [f"{k} -> {v}" for k, v in model.items() if jekyll.get(k) != v]
    assert not (only_jekyll or only_model), (
        "redirects.json and the model's redirects differ\n"
        f"  in redirects.json only:{_listing(only_jekyll)}\n"
        f"  in the model only:{_listing(only_model)}"
    )


def _writer(built: Built, output: str) -> str:
    """Which claimant's content Jekyll left in `_site/output`: `redirect -> target`, the
    source of a page or document (each fixture body says `Contenu de REL.`), or a static
    file's source."""
    path = built.dest / output
    raw = path.read_bytes()
    for entry in built.site.outputs[output]:
        source = built.site.root / entry.rel
        if entry.kind is EntryKind.STATIC and source.is_file() and source.read_bytes() == raw:
            return f"static {entry.rel}"
    text = raw.decode("utf-8", "replace")
    refresh = _META_REFRESH.search(text)
    if refresh is not None:
        return f"redirect -> {unquote(refresh.group(1))}"
    found = re.search(r"Contenu de ([^<\n]+?)\.(?:<|\n)", text)
    return found.group(1) if found else "(unknown)"


def _expected_writer(built: Built, entry: Entry) -> str:
    if entry.kind is EntryKind.STATIC:
        return f"static {entry.rel}"
    if entry.redirect_to is not None:
        return f"redirect -> {unquote(_absolute(built.site, entry.redirect_to))}"
    return entry.rel


def test_lookups_find_what_jekyll_leaves_on_disk(built: Built) -> None:
    """Where two sources claim one file, Jekyll writes both and the last written stays
    (Site#each_site_file: pages sorted by file name, then the redirect stubs, then static
    files, then documents, posts first). A lookup must find that one."""
    site = built.site
    collided = {o: c for o, c in site.outputs.items() if len({id(e) for e in c}) > 1}
    kinds = {frozenset(e.kind for e in claimants) for claimants in collided.values()}
    assert frozenset({EntryKind.PAGE, EntryKind.REDIRECT}) in kinds, "page and redirect stub"
    assert frozenset({EntryKind.PAGE}) in kinds, "two pages"
    assert frozenset({EntryKind.PAGE, EntryKind.DOCUMENT}) in kinds, "page and document"
    assert frozenset({EntryKind.DOCUMENT}) in kinds, "a post and a document of a collection"
    wrong = []
    for output, claimants in sorted(collided.items()):
        on_disk = _writer(built, output)
        winner = site.written(output)
        assert winner is not None
        if _expected_writer(built, winner) != on_disk:
            wrong.append(f"{output}: Jekyll left {on_disk}, the model says {winner.rel}")
        for entry in claimants:
            resolution = site.lookup(entry.url, baseurl_included=False)
            if resolution is None or resolution.entry is not winner:
                found = resolution.entry.rel if resolution else None
                wrong.append(f"{output}: lookup({entry.url}) finds {found}, not {winner.rel}")
    assert not wrong, f"lookups that miss what Jekyll wrote:{_listing(wrong)}"


LIQUID_IDS = Path(__file__).parent / "fixtures" / "rules" / "liquid_ids"


class _Ids(HTMLParser):
    """The anchors of an HTML page: `id` of any element, `name` of `<a>`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is not None and (name == "id" or (name == "name" and tag == "a")):
                self.ids.add(value)


def test_ids_written_by_liquid_loops_are_those_jekyll_writes(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """The ids betacontent evaluates in layouts, includes and bodies (`liquid_ids`: loops over
    a collection and over `_data/`, assigns, filters) are those in Jekyll's HTML; where it
    cannot evaluate them, it knows fewer, never others."""
    source, dest = jekyll_build(LIQUID_IDS, tmp_path_factory.mktemp("liquid_ids"))
    site = load_site(source)
    pages = [e for e in site.entries if e.kind is EntryKind.PAGE and e.output]
    assert pages
    # What writes ids betacontent cannot evaluate: templates, the page's own Liquid (an id
    # attribute, a heading whose text is Liquid's output).
    unknown_of = {id(page.entry): page.liquid for page in site.semantic.checked_links if page.entry}
    wrong = []
    for entry in pages:
        assert entry.output is not None
        parser = _Ids()
        parser.feed((dest / entry.output).read_text(encoding="utf-8"))
        model = {anchor for anchor, _, _ in site.semantic.anchors_of(entry)}
        unknown = unknown_of.get(id(entry), ())
        if unknown and not model <= parser.ids:
            wrong.append(f"{entry.rel}: betacontent has {sorted(model - parser.ids)} too")
        elif not unknown and model != parser.ids:
            wrong.append(
                f"{entry.rel}: only Jekyll {sorted(parser.ids - model)}, "
                f"only betacontent {sorted(model - parser.ids)}"
            )
    assert not wrong, f"ids that differ from Jekyll's:{_listing(wrong)}"
