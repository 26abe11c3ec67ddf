"""The hot path answers exactly what the Litestar application answers, for every published page
and every variant of the request (GET or HEAD, gzip or not, 304 or 200), and hands the rest on.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

from bench.generate_site import main as generate
from betacontent.core.settings import find_config, load_config
from betacontent.serve import api as api_module
from betacontent.serve import published as published_module
from betacontent.serve.api import API_PAGES, create_app, preload
from betacontent.serve.hot_path import HotPath, create_server, page_paths
from betacontent.serve.published import PublishedSite, load_published, render_entries

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"

Answer = tuple[int, list[tuple[bytes, bytes]], bytes]


class Counting:
    """The Litestar application, counting the requests that reach it."""

    def __init__(self, app: Litestar) -> None:
        self.app = app
        self.calls = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            self.calls += 1
        await self.app(scope, receive, send)


def _call(app: ASGIApp, method: str, raw: str, headers: dict[str, str]) -> Answer:
    path, _, query = raw.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    start, *rest = sent
    body = b"".join(m.get("body", b"") for m in rest)
    return start["status"], sorted(start["headers"]), body


def _site(tmp: Path) -> PublishedSite:
    return load_published(tmp, load_config(find_config(tmp)))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> PublishedSite:
    root = tmp_path_factory.mktemp("generated") / "site"
    with contextlib.redirect_stdout(None):
        assert generate([str(root), "--pages", "60", "--seed", "7", "--defects", "0.2"]) == 0
    return _site(root)


@pytest.fixture(scope="module")
def content() -> PublishedSite:
    return _site(CONTENT)


def _variants(etag: str) -> Iterator[tuple[str, dict[str, str]]]:
    for method in ("GET", "HEAD"):
        for encoding in ({}, {"accept-encoding": "gzip, deflate"}, {"accept-encoding": "br"}):
            for match in ({}, {"if-none-match": etag}, {"if-none-match": f'W/{etag}, "x"'}):
                yield method, {**encoding, **match}
            yield method, {**encoding, "if-none-match": '"other"'}


@pytest.mark.parametrize("name", ["content", "generated"])
def test_every_page_answers_as_litestar_does(name: str, request: pytest.FixtureRequest) -> None:
    published: PublishedSite = request.getfixturevalue(name)
    reference = create_app(published)
    inner = Counting(create_app(published))
    hot = HotPath(inner.app)
    hot.app = inner  # type: ignore[assignment]
    paths = page_paths(published)
    assert len(paths) == len(published.pages) > 0  # every page of these sites is hot
    compared = 0
    for raw, encoded in sorted(paths.items()):
        for method, headers in _variants(encoded.etag):
            expected = _call(Counting(reference), method, raw.decode(), headers)
            assert _call(hot, method, raw.decode(), headers) == expected, (raw, method, headers)
            compared += 1
    assert inner.calls == 0  # all of it answered by the hot path
    assert compared == len(paths) * 2 * 3 * 4


def test_everything_else_is_handed_to_litestar(generated: PublishedSite) -> None:
    reference = create_app(generated)
    inner = Counting(create_app(generated))
    hot = HotPath(inner.app)
    hot.app = inner  # type: ignore[assignment]
    url = sorted(generated.pages)[1]
    others: list[tuple[str, str, dict[str, str]]] = [
        ("GET", API_PAGES + url + "?x=1", {}),  # a query string
        ("GET", API_PAGES + url, {"origin": "https://example.org"}),  # CORS
        ("OPTIONS", API_PAGES + url, {"origin": "https://example.org"}),
        ("POST", API_PAGES + url, {}),
        ("GET", API_PAGES + url + ".html", {}),  # found as the web server finds it
        ("GET", API_PAGES + "/nowhere", {}),
        ("GET", API_PAGES, {}),
        ("GET", "/api/navigation", {"accept-encoding": "gzip"}),
        ("GET", "/health", {}),
    ]
    others += [("GET", API_PAGES + withheld, {}) for withheld in sorted(generated.withheld)]
    assert generated.withheld  # the defects withhold some pages
    for method, raw, headers in others:
        assert _call(hot, method, raw, headers) == _call(reference, method, raw, headers), raw
    assert inner.calls == len(others)


def test_a_reload_replaces_the_table(content: PublishedSite, generated: PublishedSite) -> None:
    hot = HotPath(create_app(content))
    url = next(u for u in sorted(generated.pages) if u not in content.pages)
    assert _call(hot, "GET", API_PAGES + url, {})[0] == 404
    hot.holder.swap(generated)
    status, _, body = _call(hot, "GET", API_PAGES + url, {})
    assert (status, body) == (200, generated.pages[url].body)


def test_render_workers_give_what_one_process_gives(
    generated: PublishedSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    entries = [e for e in generated.site.entries if e.file is not None]
    alone = render_entries(entries, processes=1)
    monkeypatch.setattr(published_module, "POOL_MIN_PAGES", 1)
    shared = render_entries(entries, processes=2)
    assert len(alone) == len(entries) > 60
    assert shared == alone


def test_server_workers_start_with_the_preloaded_site(
    content: PublishedSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **options: object) -> None:
        raise AssertionError("the site was loaded again")

    monkeypatch.setenv("BETACONTENT_SITE", str(CONTENT))
    monkeypatch.setattr(api_module, "load_published", refuse)
    preload(content)
    try:
        assert create_server().holder.published is content
    finally:
        api_module._PRELOADED.clear()
    with pytest.raises(AssertionError, match="loaded again"):
        create_server()
