"""`parse_files` (worker processes, the cache) gives what parsing each file here gives."""

from __future__ import annotations

import datetime
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
import yaml

from bench.generate_site import main as generate
from betacontent.core import portable
from betacontent.core.portable import DECODER, Unportable, pack
from betacontent.core.settings import LintConfig
from betacontent.core.workers import map_chunks
from betacontent.kramdown.render import render_markdown
from betacontent.serve.api import cache_from_env
from betacontent.serve.prepared import PREPARE, prepared
from betacontent.serve.published import PublishedSite, load_published
from betacontent.serve.search import SearchDocument, SearchIndex
from betacontent.site import parse_files as parse_files_module
from betacontent.site.facts_cache import CACHE_FILENAME, FACTS_CACHE_DIR, cache_filename
from betacontent.site.front_matter import DEFAULT_YAML_LIMITS, mark_position, position_in
from betacontent.site.loader import _read_config
from betacontent.site.parse_files import FileTask, parse_files, parse_task
from betacontent.site.parsing import ParsedFile, is_markdown
from betacontent.site.sources import SourceFile, read_sources
from conftest import FIXTURE_SITES, ROOT, Run

FIXTURES = ROOT / "tests" / "fixtures"
SITES = [*FIXTURE_SITES, ROOT / "content"]


def _sources(root: Path) -> tuple[list[SourceFile], frozenset[str]]:
    config, config_source, _ = _read_config(root)
    sources = read_sources(root, config, config_source, 5 * 1024 * 1024)
    return [s for s in sources.files if s.content is not None], config.markdown_extensions


def _reference(source: SourceFile, extensions: frozenset[str], extra: str = "") -> ParsedFile:
    limits = (DEFAULT_YAML_LIMITS.max_nodes, DEFAULT_YAML_LIMITS.max_depth)
    markdown = is_markdown(source.rel, extensions)
    task = FileTask(source.content or b"", markdown, limits, extra)
    parsed = parse_task(task)
    parsed.rel, parsed.collection = source.rel, source.collection
    return parsed


def _same(found: list[ParsedFile], expected: list[ParsedFile]) -> None:
    assert len(found) == len(expected)
    for got, want in zip(found, expected, strict=True):
        for name in ("rel", "body", "body_line", "markdown", "collection", "problems"):
            assert getattr(got, name) == getattr(want, name), (got.rel, name)
        assert (got.directives, got.facts) == (want.directives, want.facts), got.rel
        assert got.extra == want.extra, got.rel
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


@pytest.fixture
def pools(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many records each worker pool sent back (a broken pool would be parsed here, and
    every comparison would hold without a worker having run)."""
    sent: list[int] = []

    def counted(*args: Any, **options: Any) -> Any:
        records = map_chunks(*args, **options)
        sent.append(-1 if records is None else sum(r is not None for r in records))
        return records

    monkeypatch.setattr(parse_files_module, "map_chunks", counted)
    return sent


@pytest.mark.parametrize("site", SITES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_workers_give_the_reference_parse_on_fixtures(site: Path, pools: list[int]) -> None:
    sources, extensions = _sources(site)
    expected = [_reference(source, extensions) for source in sources]
    _same(parse_files(sources, extensions, DEFAULT_YAML_LIMITS, jobs=2), expected)
    assert len(pools) == 1 and pools[0] > 0, pools


def test_workers_give_the_reference_parse_on_a_generated_site(
    generated: Path, pools: list[int]
) -> None:
    sources, extensions = _sources(generated)
    expected = [_reference(source, extensions) for source in sources]
    assert len(expected) > 400
    _same(parse_files(sources, extensions, DEFAULT_YAML_LIMITS, jobs=2), expected)
    assert pools == [len(expected)], "every file came back from a worker"


@pytest.mark.parametrize("site", [*SITES[:1], ROOT / "content"], ids=["rules/site", "content"])
def test_workers_render_as_the_reference(site: Path) -> None:
    sources, extensions = _sources(site)
    expected = [_reference(source, extensions, PREPARE) for source in sources]
    assert any(parsed.extra is not None for parsed in expected)
    found = parse_files(sources, extensions, DEFAULT_YAML_LIMITS, jobs=2, extra=PREPARE)
    _same(found, expected)


def test_rendering_with_the_parse_anchors_changes_nothing() -> None:
    """`prepare` hands the linter's anchors to `render_markdown`, which would otherwise
    parse the body again for them: the output is the same."""
    for site in SITES:
        sources, extensions = _sources(site)
        for source in sources:
            parsed = _reference(source, extensions, PREPARE)
            done = prepared(parsed)
            if done is not None:
                assert done.rendered == render_markdown(parsed.body, defer_liquid=True), source.rel


def test_an_index_of_counted_terms_answers_as_one_that_counts_them() -> None:
    """Term counts made with the parse (in workers) give the index `build` makes itself."""
    sources, extensions = _sources(ROOT / "content")
    pages = [_reference(source, extensions, PREPARE) for source in sources]
    plain, counted = [], []
    for page in pages:
        done = prepared(page)
        if done is None:
            continue
        title = str(page.data.get("title", page.rel))
        text = done.rendered.text
        plain.append(SearchDocument(url=page.rel, title=title, text=text))
        counted.append(SearchDocument(url=page.rel, title=title, text=text, terms=done.terms))
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
    written = (tmp_path / CACHE_FILENAME).stat().st_mtime_ns
    _same(parse_files(sources, extensions, DEFAULT_YAML_LIMITS, 1, tmp_path), expected)
    assert (tmp_path / CACHE_FILENAME).stat().st_mtime_ns == written, "read back, not redone"


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


def test_a_recursive_alias_is_refused_in_one_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Beside a loop, 89,000 values: the loop is found on entering it again, after one walk
    of the rest (not once per level of a depth limit)."""
    a = [0] * 10
    b = [a] * 10
    c = [b] * 10
    loop: dict[str, object] = {"pad": [c] * 80}
    loop["self"] = loop
    calls = 0
    walk = portable._pack

    def counted(value: Any, path: set[int]) -> Any:
        nonlocal calls
        calls += 1
        return walk(value, path)

    monkeypatch.setattr(portable, "_pack", counted)
    with pytest.raises(Unportable, match="contains itself"):
        pack(loop)
    assert 80 * 1111 < calls < 100_000
    shared = {"x": c, "y": c, "z": [c, c]}  # aliases that do not loop are fine
    assert DECODER.decode(msgspec.msgpack.encode(pack(shared))) == shared


@pytest.mark.parametrize("site", SITES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_spans_place_values_as_the_yaml_nodes_did(site: Path) -> None:
    """`position` and `key_position` from the spans give what the node tree gave (the
    closest existing parent of a missing path, the last of duplicate keys, merge keys)."""
    sources, extensions = _sources(site)
    checked = 0
    for source in sources:
        front_matter = _reference(source, extensions).front_matter
        if front_matter is None or front_matter.root is None:
            continue
        for path in _paths(front_matter.root, (), set()):
            checked += 1
            for probe in (path, (*path, "absent"), (*path, 7)):
                want = position_in(front_matter.root, list(probe))
                assert front_matter.position(list(probe)) == want, (source.rel, probe)
            if len(path) == 1 and isinstance(path[0], str):
                node = front_matter.key_node(path[0])
                assert node is not None
                assert front_matter.key_position(path[0]) == mark_position(node)
    assert checked > 10


def _paths(
    node: yaml.Node, path: tuple[str | int, ...], active: set[int]
) -> Iterator[tuple[str | int, ...]]:
    yield path
    if id(node) in active:
        return
    active = active | {id(node)}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                yield from _paths(value, (*path, key.value), active)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _paths(item, (*path, index), active)


def _documents(published: PublishedSite) -> dict[str, bytes]:
    found = {f"page {url}": doc.body for url, doc in published.pages.items()}
    found |= {f"collection {key}": doc.body for key, doc in published.collection_docs.items()}
    found |= {"navigation": published.navigation.body, "programme": published.programme.body}
    hits, total = published.search.search("projet", limit=20)
    found["search"] = repr((hits, total)).encode()
    return found


def test_a_cached_publication_serves_the_same_bytes(generated: Path) -> None:
    """`serve` and `export` keep parses and renderings in a file of their own (not the lint's
    parsed-files.bin): a reload or restart from it publishes exactly what a fresh one does."""
    config = LintConfig()
    fresh = _documents(load_published(generated, config, cache=False))
    cache = generated / FACTS_CACHE_DIR
    assert not cache.exists()
    try:
        cold = _documents(load_published(generated, config, cache=True))
        assert (cache / cache_filename(PREPARE)).is_file()
        assert not (cache / CACHE_FILENAME).exists()
        written = (cache / cache_filename(PREPARE)).stat().st_mtime_ns
        warm = _documents(load_published(generated, config, cache=True))
        assert (cache / cache_filename(PREPARE)).stat().st_mtime_ns == written, "all hits"
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    assert len(fresh) > 300  # pages with errors (the injected defects) are withheld
    assert cold == fresh
    assert warm == fresh


@pytest.mark.parametrize(
    ("flag", "kept"), [("--cache", True), ("--no-cache", False), (None, False)]
)
def test_export_cache_flag(flag: str | None, kept: bool, run: Run, tmp_path: Path) -> None:
    """`export --cache` keeps renderings even on a small site; `--no-cache`, and the default
    below 400 files, leave no cache folder in the site."""
    site = tmp_path / "site"
    shutil.copytree(ROOT / "content", site)
    done = run("export", str(site), str(tmp_path / "out"), *([flag] if flag else []))
    assert done.returncode == 0, done.stderr
    assert (site / FACTS_CACHE_DIR / cache_filename(PREPARE)).is_file() is kept
    assert (site / FACTS_CACHE_DIR).exists() is kept


@pytest.mark.parametrize(("value", "cache"), [("1", True), ("0", False), ("", None)])
def test_serve_passes_its_cache_flag_to_the_workers(
    value: str, cache: bool | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`serve` writes `BETACONTENT_CACHE` for its workers (and their reloaders) to read."""
    monkeypatch.setenv("BETACONTENT_CACHE", value)
    assert cache_from_env() is cache
