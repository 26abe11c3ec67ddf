"""`parse_files` (worker processes, the cache) gives what parsing each file here gives."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import msgspec
import pytest

from bench.generate_site import main as generate
from betacontent.config import LintConfig
from betacontent.facts_cache import CACHE_FILENAME, FACTS_CACHE_DIR, RENDERED_FILENAME
from betacontent.front_matter import DEFAULT_YAML_LIMITS
from betacontent.loader import _read_config
from betacontent.parse_files import FileTask, parse_files, parse_task
from betacontent.parsing import ParsedFile, is_markdown
from betacontent.portable import DECODER, Unportable, pack
from betacontent.published import PublishedSite, load_published
from betacontent.render import render_markdown
from betacontent.search import SearchDocument, SearchIndex
from betacontent.sources import SourceFile, read_sources
from conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures"
SITES = [
    FIXTURES / "rules" / "site",
    FIXTURES / "rules" / "baseurl",
    FIXTURES / "rules" / "limits",
    FIXTURES / "anchors_site",
    FIXTURES / "oracle_site",
    FIXTURES / "realistic_site",
    FIXTURES / "bad" / "site",
    ROOT / "content",
]


def _sources(root: Path) -> tuple[list[SourceFile], frozenset[str]]:
    config, config_source, _ = _read_config(root)
    sources = read_sources(root, config, config_source, 5 * 1024 * 1024)
    return [s for s in sources.files if s.content is not None], config.markdown_extensions


def _reference(source: SourceFile, extensions: frozenset[str], render: bool = False) -> ParsedFile:
    limits = (DEFAULT_YAML_LIMITS.max_nodes, DEFAULT_YAML_LIMITS.max_depth)
    markdown = is_markdown(source.rel, extensions)
    task = FileTask(source.content or b"", markdown, limits, render)
    parsed = parse_task(task)
    parsed.rel, parsed.collection = source.rel, source.collection
    return parsed


def _same(found: list[ParsedFile], expected: list[ParsedFile]) -> None:
    assert len(found) == len(expected)
    for got, want in zip(found, expected, strict=True):
        for name in ("rel", "body", "body_line", "markdown", "collection", "problems"):
            assert getattr(got, name) == getattr(want, name), (got.rel, name)
        assert (got.directives, got.facts) == (want.directives, want.facts), got.rel
        assert (got.rendered, got.terms) == (want.rendered, want.terms), got.rel
        if want.front_matter is None:
            assert got.front_matter is None, got.rel
            continue
        assert got.front_matter is not None, got.rel
        for name in ("end_line", "text", "spans", "key_spans"):
            assert getattr(got.front_matter, name) == getattr(want.front_matter, name), got.rel
        # repr, not ==: `==` takes 1 for 1.0 and True, and recurses forever on a recursive
        # alias; repr shows the types and marks the recursion
        assert repr(got.data) == repr(want.data), got.rel


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("parse") / "site"
    assert generate([str(root), "--pages", "450", "--seed", "11", "--defects", "0.3"]) == 0
    return root


@pytest.mark.parametrize("site", SITES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_workers_give_the_reference_parse_on_fixtures(site: Path) -> None:
    sources, extensions = _sources(site)
    expected = [_reference(source, extensions) for source in sources]
    _same(parse_files(sources, extensions, DEFAULT_YAML_LIMITS, jobs=2), expected)


def test_workers_give_the_reference_parse_on_a_generated_site(generated: Path) -> None:
    sources, extensions = _sources(generated)
    expected = [_reference(source, extensions) for source in sources]
    assert len(expected) > 400
    _same(parse_files(sources, extensions, DEFAULT_YAML_LIMITS, jobs=2), expected)


@pytest.mark.parametrize("site", [*SITES[:1], ROOT / "content"], ids=["rules/site", "content"])
def test_workers_render_as_the_reference(site: Path) -> None:
    sources, extensions = _sources(site)
    expected = [_reference(source, extensions, render=True) for source in sources]
    assert any(parsed.rendered is not None for parsed in expected)
    found = parse_files(sources, extensions, DEFAULT_YAML_LIMITS, jobs=2, render=True)
    _same(found, expected)


def test_rendering_with_the_parse_anchors_changes_nothing() -> None:
    """`parse_task(render=True)` hands the linter's anchors to `render_markdown`, which
    would otherwise parse the body again for them: the output is the same."""
    for site in SITES:
        sources, extensions = _sources(site)
        for source in sources:
            parsed = _reference(source, extensions, render=True)
            if parsed.rendered is not None:
                assert parsed.rendered == render_markdown(parsed.body), source.rel


def test_an_index_of_counted_terms_answers_as_one_that_counts_them() -> None:
    """Term counts made with the parse (in workers) give the index `build` makes itself."""
    sources, extensions = _sources(ROOT / "content")
    pages = [_reference(source, extensions, render=True) for source in sources]
    plain, counted = [], []
    for page in pages:
        if page.rendered is None:
            continue
        title = str(page.data.get("title", page.rel))
        text = page.rendered.text
        plain.append(SearchDocument(url=page.rel, title=title, text=text))
        counted.append(SearchDocument(url=page.rel, title=title, text=text, terms=page.terms))
    assert all(doc.terms for doc in counted)
    with_counts, without = SearchIndex.build(counted), SearchIndex.build(plain)
    for query in ("phase", "investigation", "construction accélération", "comité", "intrapreneur"):
        found = without.search(query, limit=50)
        assert found[1] > 0, query
        assert with_counts.search(query, limit=50) == found, query


@pytest.mark.parametrize("site", SITES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_cache_hits_give_the_reference_parse(site: Path, tmp_path: Path) -> None:
    sources, extensions = _sources(site)
    expected = [_reference(source, extensions) for source in sources]
    _same(parse_files(sources, extensions, DEFAULT_YAML_LIMITS, 1, tmp_path), expected)
    assert (tmp_path / CACHE_FILENAME).is_file()
    _same(parse_files(sources, extensions, DEFAULT_YAML_LIMITS, 1, tmp_path), expected)


def test_yaml_data_keeps_its_types_through_msgpack() -> None:
    data = {
        "date": datetime.date(2024, 2, 29),
        "naive": datetime.datetime(2024, 2, 29, 10, 30, 5, 120000),
        "aware": datetime.datetime(
            2024, 2, 29, 10, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=2))
        ),
        "set": {1, "a"},
        1: "an int key",
        None: "a null key",
        2.5: [True, 1, 1.0, None, b"\x00bin"],
        "big": 2**70,
        "negative": -(2**63),
        "nested": {"list": [{"a": {"b": []}}]},
    }
    back = DECODER.decode(msgspec.msgpack.encode(pack(data)))
    assert back == data
    assert repr(back) == repr(data)


def test_data_that_cannot_travel_is_refused() -> None:
    looped: dict[str, object] = {}
    looped["self"] = looped
    with pytest.raises(Unportable):
        pack(looped)
    with pytest.raises(Unportable):
        pack({"tuple": (1, 2)})


def _documents(published: PublishedSite) -> dict[str, bytes]:
    found = {f"page {url}": doc.body for url, doc in published.pages.items()}
    found |= {f"collection {key}": doc.body for key, doc in published.collection_docs.items()}
    found |= {"navigation": published.navigation.body, "programme": published.programme.body}
    hits, total = published.search.search("projet", limit=20)
    found["search"] = repr((hits, total)).encode()
    return found


def test_a_cached_publication_serves_the_same_bytes(generated: Path) -> None:
    """`serve` and `export` keep parses and renderings in rendered-files.bin (not the lint's
    parsed-files.bin): a reload or restart from it publishes exactly what a fresh one does."""
    config = LintConfig()
    fresh = _documents(load_published(generated, config, cache=False))
    cache = generated / FACTS_CACHE_DIR
    assert not cache.exists()
    try:
        cold = _documents(load_published(generated, config, cache=True))
        assert (cache / RENDERED_FILENAME).is_file()
        assert not (cache / CACHE_FILENAME).exists()
        written = (cache / RENDERED_FILENAME).stat().st_mtime_ns
        warm = _documents(load_published(generated, config, cache=True))
        assert (cache / RENDERED_FILENAME).stat().st_mtime_ns == written, "all hits"
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    assert len(fresh) > 300  # pages with errors (the injected defects) are withheld
    assert cold == fresh
    assert warm == fresh
