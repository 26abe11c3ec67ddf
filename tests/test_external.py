"""The external link checker against a real local HTTP server (no internet)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest

from betacontent.lint.external import (
    CACHE_FILENAME,
    ExternalOptions,
    ExternalResult,
    Summary,
    check_urls,
    check_urls_async,
    parse_retry_after,
    strip_fragment,
)
from http_fixture_server import FixtureServer, Stats

FAST = ExternalOptions(
    timeout=0.5, connect_timeout=0.5, delay=0, backoff=0.02, retries=2, per_host=4
)


def options(**changes: object) -> ExternalOptions:
    return msgspec.structs.replace(FAST, **changes)


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    with FixtureServer() as running:
        yield running


def check(
    urls: list[str], opts: ExternalOptions = FAST, cache_dir: Path | None = None
) -> tuple[dict[str, ExternalResult], Summary, list[str]]:
    return check_urls(urls, opts, cache_dir)


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def read_cache(cache_dir: Path) -> dict[str, dict[str, object]]:
    data = json.loads((cache_dir / CACHE_FILENAME).read_text())
    assert data["version"] == 1
    entries: dict[str, dict[str, object]] = data["entries"]
    return entries


# --- Statuses ----------------------------------------------------------------------------


def test_ok_and_redirect_chain(server: FixtureServer) -> None:
    ok, chain = server.url("/ok"), server.url("/r301")
    results, summary, warnings = check([ok, chain])
    assert results[ok].status == "ok" and results[ok].code == 200
    assert results[ok].final_url is None
    assert results[chain].status == "ok" and results[chain].code == 200
    assert results[chain].final_url == ok
    assert "301, 302" in results[chain].detail
    assert server.stats.methods("/r301") == ["HEAD"]
    assert summary == Summary(checked=2, ok=2)
    assert warnings == []


def test_redirect_loop_is_broken(server: FixtureServer) -> None:
    url = server.url("/loop-a")
    results, _, _ = check([url])
    assert results[url].status == "broken"
    assert results[url].code == 302
    assert "redirect loop" in results[url].detail
    # Followed once around the loop, then stopped: a loop is a verdict, not retried with GET.
    assert server.stats.count("/loop-a") == 1 and server.stats.count("/loop-b") == 1


def test_too_many_redirects_is_broken(server: FixtureServer) -> None:
    url = server.url("/r301")
    results, _, _ = check([url], options(max_redirects=1))
    assert results[url].status == "broken"
    assert "more than 1 redirects" in results[url].detail


@pytest.mark.parametrize("code", [404, 410])
def test_not_found_and_gone_are_broken_after_get_confirms(server: FixtureServer, code: int) -> None:
    url = server.url(f"/{code}")
    results, summary, _ = check([url])
    assert results[url].status == "broken"
    assert results[url].code == code
    assert server.stats.methods(f"/{code}") == ["HEAD", "GET"]
    assert summary.broken == 1


@pytest.mark.parametrize("path", ["/head-405", "/head-404"])
def test_head_refused_then_get_succeeds(server: FixtureServer, path: str) -> None:
    url = server.url(path)
    results, _, _ = check([url])
    assert results[url].status == "ok" and results[url].code == 200
    assert server.stats.methods(path) == ["HEAD", "GET"]


def test_retry_after_is_honoured_on_429_and_503(server: FixtureServer) -> None:
    urls = [server.url("/429-once"), server.url("/503-once")]
    start = time.monotonic()
    results, summary, _ = check(urls)
    elapsed = time.monotonic() - start
    assert [results[u].status for u in urls] == ["ok", "ok"]
    assert summary.unknown == summary.broken == 0
    for path in ("/429-once", "/503-once"):
        assert server.stats.methods(path) == ["HEAD", "HEAD"]
    assert 1.0 <= elapsed < 2.5


def test_persistent_429_is_unknown_never_broken(server: FixtureServer) -> None:
    url = server.url("/429-always")
    results, summary, _ = check([url])
    assert results[url].status == "unknown"
    assert results[url].code == 429
    assert "still throttled after 3 attempts" in results[url].detail
    assert server.stats.count("/429-always") == 3  # 1 + 2 retries
    assert summary.broken == 0 and summary.unknown == 1


def test_retry_after_above_the_cap_is_not_waited_for(server: FixtureServer) -> None:
    url = server.url("/429-long")
    start = time.monotonic()
    results, _, _ = check([url], options(max_retry_after=5))
    assert time.monotonic() - start < 1.0
    assert results[url].status == "unknown"
    assert "retry in 120 s" in results[url].detail
    assert server.stats.count("/429-long") == 1


def test_persistent_500_is_broken_after_retries(server: FixtureServer) -> None:
    url = server.url("/500")
    results, _, _ = check([url])
    assert results[url].status == "broken"
    assert results[url].code == 500
    assert "3 attempts" in results[url].detail
    assert server.stats.methods("/500") == ["HEAD", "GET", "GET", "GET"]


def test_answer_slower_than_the_timeout_is_broken(server: FixtureServer) -> None:
    slow, ok = server.url("/slow"), server.url("/ok")
    start = time.monotonic()
    results, _, _ = check([slow, ok], options(timeout=0.3, retries=1))
    assert time.monotonic() - start < 1.5
    assert results[slow].status == "broken"
    assert results[slow].code is None
    assert "timed out" in results[slow].detail and "2 attempts" in results[slow].detail
    assert server.stats.count("/slow") == 2
    assert results[ok].status == "ok"


def test_dropped_connection_is_broken_after_retries(server: FixtureServer) -> None:
    drop, ok = server.url("/drop"), server.url("/ok")
    results, _, _ = check([drop, ok])
    assert results[drop].status == "broken"
    assert "closed without an answer" in results[drop].detail
    assert server.stats.count("/drop") == 3


def test_dead_host_is_broken_when_other_hosts_answer(server: FixtureServer) -> None:
    dead, ok = closed_port_url(), server.url("/ok")
    results, _, warnings = check([dead, ok])
    assert results[dead].status == "broken"
    assert "connection failed" in results[dead].detail
    assert warnings == []


def test_offline_like_run_reports_unknown_and_caches_nothing(tmp_path: Path) -> None:
    dead = [closed_port_url() + "a", closed_port_url() + "b"]
    results, summary, warnings = check(dead, cache_dir=tmp_path)
    assert {results[u].status for u in dead} == {"unknown"}
    assert all("connection failed" in results[u].detail for u in dead)
    assert summary.unknown == 2 and summary.broken == 0
    assert any("network may be down" in w for w in warnings)
    assert not (tmp_path / CACHE_FILENAME).exists()


def test_bot_challenge_is_unknown(server: FixtureServer) -> None:
    url = server.url("/challenge")
    results, _, _ = check([url])
    assert results[url].status == "unknown" and results[url].code == 403
    assert server.stats.methods("/challenge") == ["HEAD", "GET"]


def test_redirect_to_another_scheme_is_unknown(server: FixtureServer) -> None:
    url = server.url("/to-mailto")
    results, _, _ = check([url])
    assert results[url].status == "unknown"
    assert results[url].final_url == "mailto:someone@example.org"


def test_redirect_to_an_invalid_url_is_broken(server: FixtureServer) -> None:
    url = server.url("/bad-location")
    results, _, _ = check([url])
    assert results[url].status == "broken" and results[url].code == 302
    assert "redirects to an invalid URL http://[bad" in results[url].detail
    assert server.stats.count("/bad-location") == 1


def test_invalid_url_is_broken_without_a_request() -> None:
    results, _, _ = check(["https://", "http://[::1/"])
    assert results["https://"].status == "broken"
    assert results["http://[::1/"].status == "broken"


# --- What is requested -------------------------------------------------------------------


def test_other_schemes_are_skipped_and_excludes_not_requested(server: FixtureServer) -> None:
    skipped = ["mailto:a@example.org", "tel:+33100000000", "ftp://example.org/f", "/local"]
    excluded = server.url("/404?private=1")
    results, summary, _ = check([*skipped, excluded], options(exclude=[r"private=\d"]))
    assert {results[u].status for u in skipped} == {"skipped"}
    assert results[excluded].status == "excluded"
    assert server.stats.requests == []
    assert summary == Summary(excluded=1, skipped=4)


def test_fragments_are_stripped_and_duplicates_requested_once(server: FixtureServer) -> None:
    ok = server.url("/ok")
    given = [f"{ok}#a", f"{ok}#b", ok, ok, f"{ok}#a"]
    results, summary, _ = check(given)
    assert set(results) == {f"{ok}#a", f"{ok}#b", ok}
    assert {r.url for r in results.values()} == {ok}
    assert server.stats.requests[0][1] == "/ok"
    assert server.stats.count("/ok") == 1
    assert summary == Summary(checked=1, ok=1)
    assert strip_fragment(" https://x/p?q#a ") == "https://x/p?q"


def test_progress_is_reported(server: FixtureServer) -> None:
    calls: list[tuple[int, int]] = []
    urls = [server.url(f"/ok?{i}") for i in range(3)] + ["mailto:x@example.org"]
    check_urls(urls, FAST, None, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(0, 3), (1, 3), (2, 3), (3, 3)]


# --- Limits ------------------------------------------------------------------------------


def test_per_host_limit_holds(server: FixtureServer) -> None:
    urls = [server.url(f"/slowish?{i}") for i in range(8)]
    results, _, _ = check(urls, options(per_host=2, concurrency=16))
    assert {r.status for r in results.values()} == {"ok"}
    assert server.stats.max_active == 2


def test_global_limit_holds_across_hosts() -> None:
    stats = Stats()
    with FixtureServer(stats) as one, FixtureServer(stats) as two:
        urls = [s.url(f"/slowish?{i}") for s in (one, two) for i in range(5)]
        results, _, _ = check(urls, options(per_host=4, concurrency=3))
    assert {r.status for r in results.values()} == {"ok"}
    assert stats.max_active == 3


def test_politeness_delay_between_requests_to_one_host(server: FixtureServer) -> None:
    urls = [server.url(f"/ok?{i}") for i in range(5)]
    check(urls, options(per_host=4, delay=0.15))
    starts = server.stats.starts()
    assert len(starts) == 5
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= 0.1, gaps  # 0.15 s apart when sent, give or take the server's jitter


def test_parse_retry_after() -> None:
    now = 1_700_000_000.0  # 2023-11-14T22:13:20Z
    assert parse_retry_after("3", now) == 3.0
    assert parse_retry_after(" 1.5 ", now) == 1.5
    assert parse_retry_after("Tue, 14 Nov 2023 22:13:30 GMT", now) == 10.0
    assert parse_retry_after("Tue, 14 Nov 2023 22:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after("-1", now) is None
    assert parse_retry_after(None, now) is None


def test_options_decode_from_kebab_keys_and_reject_bad_patterns() -> None:
    decoded = msgspec.convert(
        {"per-host": 3, "max-retry-after": 5, "ttl-hours": 1, "exclude": ["x"]}, ExternalOptions
    )
    assert (decoded.per_host, decoded.max_retry_after, decoded.ttl_hours) == (3, 5.0, 1.0)
    with pytest.raises(msgspec.ValidationError, match="invalid exclude pattern"):
        msgspec.convert({"exclude": ["("]}, ExternalOptions)
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({"per-host": 0}, ExternalOptions)
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({"typo": 1}, ExternalOptions)


# --- Cache -------------------------------------------------------------------------------


def test_second_run_is_served_from_the_cache(server: FixtureServer, tmp_path: Path) -> None:
    urls = [server.url("/ok"), server.url("/404"), server.url("/r301")]
    first, summary, _ = check(urls, cache_dir=tmp_path)
    assert summary.checked == 3 and summary.cached == 0
    assert set(read_cache(tmp_path)) == set(urls)
    made = len(server.stats.requests)

    second, summary, warnings = check(urls, cache_dir=tmp_path)
    assert len(server.stats.requests) == made
    assert summary == Summary(checked=0, cached=3, ok=2, broken=1)
    assert all(r.cached for r in second.values())
    for url in urls:
        assert msgspec.structs.replace(second[url], cached=False) == first[url]
    assert warnings == []


def test_expired_entries_are_requested_again(server: FixtureServer, tmp_path: Path) -> None:
    url = server.url("/ok")
    clock = [1_000_000.0]
    opts = options(ttl_hours=1)
    check_urls([url], opts, tmp_path, now=lambda: clock[0])
    clock[0] += 3599
    _, summary, _ = check_urls([url], opts, tmp_path, now=lambda: clock[0])
    assert summary.cached == 1 and server.stats.count("/ok") == 1
    clock[0] += 2
    results, summary, _ = check_urls([url], opts, tmp_path, now=lambda: clock[0])
    assert summary.checked == 1 and not results[url].cached
    assert server.stats.count("/ok") == 2
    assert read_cache(tmp_path)[url]["checked_at"] == clock[0]


def test_unknown_results_are_not_cached(server: FixtureServer, tmp_path: Path) -> None:
    unknown, ok = server.url("/429-always"), server.url("/ok")
    opts = options(retries=0)
    check([unknown, ok], opts, tmp_path)
    assert set(read_cache(tmp_path)) == {ok}
    _, summary, _ = check([unknown, ok], opts, tmp_path)
    assert summary.checked == 1 and summary.cached == 1
    assert server.stats.count("/429-always") == 2


@pytest.mark.parametrize("garbage", [b'{"version": 1, "entries": {"http', b"", b"[1, 2]"])
def test_corrupted_cache_is_discarded_with_a_warning(
    server: FixtureServer, tmp_path: Path, garbage: bytes
) -> None:
    (tmp_path / CACHE_FILENAME).write_bytes(garbage)
    url = server.url("/ok")
    results, _, warnings = check([url], cache_dir=tmp_path)
    assert results[url].status == "ok"
    assert len(warnings) == 1 and "corrupted" in warnings[0]
    assert set(read_cache(tmp_path)) == {url}


def test_cache_written_by_another_run_meanwhile_is_merged(
    server: FixtureServer, tmp_path: Path
) -> None:
    other = "https://other.example/page"
    entry = {"status": "broken", "code": 404, "detail": "", "checked_at": time.time()}

    def meanwhile(done: int, total: int) -> None:
        if done == total:  # another run saves while this one is about to
            data = {"version": 1, "entries": {other: entry}}
            (tmp_path / CACHE_FILENAME).write_text(json.dumps(data))

    url = server.url("/ok")
    check_urls([url], FAST, tmp_path, progress=meanwhile)
    assert set(read_cache(tmp_path)) == {url, other}


def test_concurrent_runs_end_with_a_valid_merged_cache(
    server: FixtureServer, tmp_path: Path
) -> None:
    groups = [[server.url(f"/slowish?{name}{i}") for i in range(4)] for name in "abc"]
    errors: list[BaseException] = []

    def run(urls: list[str]) -> None:
        try:
            check(urls, options(per_host=8), tmp_path)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(urls,)) for urls in groups]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert errors == []
    assert set(read_cache(tmp_path)) == {u for urls in groups for u in urls}
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_interrupted_run_keeps_what_was_finished(server: FixtureServer, tmp_path: Path) -> None:
    ok, slow = server.url("/ok"), server.url("/slow")

    async def interrupted() -> None:
        task = asyncio.create_task(check_urls_async([ok, slow], options(timeout=5), tmp_path))
        await asyncio.sleep(0.3)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    asyncio.run(interrupted())
    assert set(read_cache(tmp_path)) == {ok}
