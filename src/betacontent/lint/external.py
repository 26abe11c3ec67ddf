"""External link checker, behind `betacontent lint --external`.

`check_urls` (sync) and `check_urls_async` take the URLs a site links to and return one
`ExternalResult` per URL given, a `Summary` and a list of warnings (never raised).

What is requested
-----------------
* Only `http:` and `https:` URLs; anything else (`mailto:`, `tel:`, `ftp:`, relative or
  protocol-relative URLs) is "skipped" without a request.
* The fragment is removed first (`https://x/p#a` -> `https://x/p`); URLs that are equal once
  the fragment is removed are requested once and share one result.
* URLs matching an `exclude` regex (`re.search` against the URL without its fragment) are
  "excluded" and not requested.
* HEAD first. If HEAD is answered with any 4xx or 5xx status (405 and 501 mean "no HEAD here",
  but many servers also answer 403, 404 or 500 to HEAD alone), the URL is requested again
  with GET, whose answer decides; this switch does not use up a retry. GET reads the status
  and headers only, never the body.
* Redirects are followed by hand (at most `max-redirects` hops), each hop through the limits
  of its own host; the final status is reported, with `final_url`.

Limits
------
* At most `per-host` requests in flight per host (host and port) and `concurrency` in all.
* Two requests to one host start at least `delay` seconds apart.
* `connect-timeout` to connect, `timeout` for each read; one hop never takes longer than
  their sum.
* Connection errors, timeouts and 5xx answers are retried `retries` times, after
  `backoff`, 2 x `backoff`, 4 x `backoff`... seconds.
* 429, and 503 with a `Retry-After` header, are "throttled": the whole host pauses for
  `Retry-After` (seconds or an HTTP date) or the backoff when there is none, then the same
  request is retried (this uses up a retry). A `Retry-After` above `max-retry-after` is not
  waited for at all: the result is "unknown" at once.

Verdicts
--------
* "ok": a final status below 400 (2xx, or a 3xx without `Location`).
* "broken":
  - a 4xx other than 429, confirmed by GET (404, 410, 403, 401...);
  - a 5xx still there after the retries (503 without `Retry-After` included);
  - a redirect loop, more than `max-redirects` redirects, an invalid `Location`, an invalid URL;
  - a connection error (DNS failure, refused, reset, TLS error), a timeout or a connection
    closed without an answer, still there after the retries; `detail` says which.
* "unknown" (the link may well be fine; never cached):
  - still throttled (429, or 503 with `Retry-After`) after the retries, or asked to wait
    longer than `max-retry-after`;
  - a bot-protection challenge (`cf-mitigated: challenge`);
  - a redirect to a scheme other than http(s);
  - offline-like runs: when no host at all answered over HTTP during the run, connection
    errors and timeouts are not trusted to mean "broken" (the machine is probably offline).
    They are reported per URL as "unknown", with a warning, and are not cached. A single
    dead host whose URLs are the only ones not in the cache therefore stays "unknown" until
    a run where some other host answers.
* "excluded", "skipped": see above; never requested, never cached.

Cache
-----
`<cache_dir>/external.json` (the CLI passes `<site>/.betacontent-cache`): one entry per URL
(fragment removed) with status, code, detail, final URL and `checked_at` (`now()`, seconds).
"ok" and "broken" are cached for `ttl-hours`; "unknown" never is. The file is written once, at
the end of the run (also when the run is interrupted, with what was finished): under an
exclusive `flock` on `external.json.lock`, the current file is read again, merged (the newer
`checked_at` wins for each URL; entries older than max(TTL, 7 days) are dropped), written to a
temporary file in the same folder, fsynced and moved over with `os.replace`. Readers never see a
partial file, and concurrent runs do not lose each other's results. An unreadable, corrupted
or truncated file is treated as empty, with a warning.

Summary
-------
Counts distinct URLs once fragments are removed: `checked` were requested in this run,
`cached` came from the cache; `ok + broken + unknown` covers both, plus `excluded`, `skipped`.

`progress(done, total)` is called with (0, total) before the first request and after each URL
requested over the network; `total` counts only those (not cached, excluded or skipped ones).
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import os
import re
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Literal
from urllib.parse import urljoin

import httpx
import msgspec

from betacontent.core.settings import ExternalOptions

if sys.platform != "win32":
    import fcntl

__all__ = [
    "CACHE_DIRNAME",
    "CACHE_FILENAME",
    "ExternalOptions",
    "ExternalResult",
    "Status",
    "Summary",
    "check_urls",
    "check_urls_async",
    "parse_retry_after",
    "strip_fragment",
]

CACHE_DIRNAME = ".betacontent-cache"
"""Name of the cache folder the CLI creates at the root of the site."""
CACHE_FILENAME = "external.json"
CACHE_VERSION = 1
LOCK_TIMEOUT = 10.0
"""Seconds to wait for another run's lock on the cache before giving up saving."""
_KEEP_AT_LEAST = 7 * 24 * 3600.0

Status = Literal["ok", "broken", "unknown", "excluded", "skipped"]

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_HTTP_SCHEMES = frozenset({"http", "https"})
_DIGITS = re.compile(r"^\d+(?:\.\d+)?$")
_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


class ExternalResult(msgspec.Struct, frozen=True, kw_only=True):
    url: str
    """The URL as requested: the given one without its fragment."""
    status: Status
    code: int | None = None
    """The final HTTP status, when there was one."""
    detail: str = ""
    final_url: str | None = None
    """Where redirects led, when they did."""
    cached: bool = False
    checked_at: float | None = None
    """When the URL was requested (`now()`), for "ok", "broken" and "unknown"."""


class Summary(msgspec.Struct, kw_only=True):
    checked: int = 0
    cached: int = 0
    ok: int = 0
    broken: int = 0
    unknown: int = 0
    excluded: int = 0
    skipped: int = 0


def strip_fragment(url: str) -> str:
    """The URL without surrounding blanks and without its `#fragment`."""
    return url.strip().split("#", 1)[0]


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a `Retry-After` value (delay in seconds or HTTP date), or None."""
    if value is None:
        return None
    value = value.strip()
    if _DIGITS.match(value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)


# --- Cache -------------------------------------------------------------------------------


class _CacheEntry(msgspec.Struct, kw_only=True):
    status: Literal["ok", "broken"]
    code: int | None = None
    detail: str = ""
    final_url: str | None = None
    checked_at: float


class _CacheFile(msgspec.Struct, kw_only=True):
    version: int
    entries: dict[str, _CacheEntry]


def _read_cache(path: Path, warn: Callable[[str], None]) -> dict[str, _CacheEntry]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        warn(f"cannot read the link cache {path}: {exc}; it is ignored")
        return {}
    try:
        decoded = msgspec.json.decode(data, type=_CacheFile)
    except msgspec.DecodeError as exc:
        warn(f"the link cache {path} is corrupted ({exc}); it is ignored and will be rewritten")
        return {}
    if decoded.version != CACHE_VERSION:
        warn(f"the link cache {path} has version {decoded.version}; it is ignored")
        return {}
    return decoded.entries


@contextlib.contextmanager
def _locked(lock_path: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """An exclusive advisory lock (flock) on `lock_path`; TimeoutError if it stays taken."""
    with lock_path.open("a+b") as handle:
        if sys.platform != "win32":
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"{lock_path} stayed locked") from None
                    time.sleep(0.02)
        try:
            yield
        finally:
            if sys.platform != "win32":
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _atomic_write(path: Path, data: bytes) -> None:
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        temp.replace(path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _save_cache(
    path: Path,
    fresh: dict[str, _CacheEntry],
    now: float,
    keep: float,
    warn: Callable[[str], None],
) -> None:
    """Read-merge-write under the lock; problems become warnings."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _locked(path.with_name(path.name + ".lock")):
            merged = {
                url: entry
                for url, entry in _read_cache(path, warn).items()
                if now - entry.checked_at < keep
            }
            for url, entry in fresh.items():
                old = merged.get(url)
                if old is None or entry.checked_at >= old.checked_at:
                    merged[url] = entry
            data = msgspec.json.encode(
                _CacheFile(version=CACHE_VERSION, entries=merged), order="sorted"
            )
            _atomic_write(path, data)
    except (OSError, TimeoutError) as exc:
        warn(f"cannot save the link cache {path}: {exc}")


# --- Checking ----------------------------------------------------------------------------


@dataclass(slots=True)
class _Outcome:
    status: Literal["ok", "broken", "unknown"]
    code: int | None = None
    detail: str = ""
    final_url: str | None = None
    connection_failure: bool = False


@dataclass(slots=True)
class _Answer:
    """The last response of a redirect chain."""

    code: int
    url: str
    redirects: list[int]
    retry_after: str | None
    challenge: bool


@dataclass(slots=True)
class _Failure:
    """No answer: connection error, timeout, dropped connection."""

    detail: str


@dataclass(slots=True)
class _Host:
    slots: asyncio.Semaphore
    not_before: float = 0.0


_LAST_RESPONSE: ContextVar[httpx.Response | None] = ContextVar("last_response", default=None)


async def _remember_response(response: httpx.Response) -> None:
    """Response hook: keeps the response for when `send` fails after receiving it."""
    _LAST_RESPONSE.set(response)


def _host_key(url: httpx.URL) -> str:
    return f"{url.host}:{url.port}" if url.port is not None else url.host


def _reason(code: int) -> str:
    phrase = httpx.codes.get_reason_phrase(code)
    return f"HTTP {code} {phrase}" if phrase else f"HTTP {code}"


def _attempts(count: int) -> str:
    return "1 attempt" if count == 1 else f"{count} attempts"


def _describe(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.ConnectTimeout):
        return "connection timed out"
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return "timed out waiting for the answer"
    if isinstance(exc, httpx.ConnectError):
        return f"connection failed: {text}"
    if isinstance(exc, httpx.RemoteProtocolError) and "without sending" in text:
        return "connection closed without an answer"
    return f"{type(exc).__name__}: {text}"


class _Checker:
    def __init__(
        self, options: ExternalOptions, client: httpx.AsyncClient, now: Callable[[], float]
    ) -> None:
        self.options = options
        self.client = client
        self.now = now
        self.hosts: dict[str, _Host] = {}
        self.everywhere = asyncio.Semaphore(max(1, options.concurrency))
        self.answered: set[str] = set()
        self.hop_limit = options.connect_timeout + options.timeout

    def _host(self, key: str) -> _Host:
        host = self.hosts.get(key)
        if host is None:
            host = self.hosts[key] = _Host(asyncio.Semaphore(max(1, self.options.per_host)))
        return host

    @contextlib.asynccontextmanager
    async def _slot(self, key: str) -> AsyncIterator[None]:
        """A per-host slot, the host's pacing, then a global slot (not held while pacing)."""
        host = self._host(key)
        loop = asyncio.get_running_loop()
        async with host.slots:
            while True:
                await self.everywhere.acquire()
                wait = host.not_before - loop.time()
                if wait <= 0:
                    host.not_before = loop.time() + self.options.delay
                    break
                self.everywhere.release()
                await asyncio.sleep(wait)
            try:
                yield
            finally:
                self.everywhere.release()

    def _pause(self, key: str, seconds: float) -> None:
        host = self._host(key)
        host.not_before = max(host.not_before, asyncio.get_running_loop().time() + seconds)

    async def _fetch(self, method: str, url: str) -> _Answer | _Failure | _Outcome:
        """One request and its redirects. An `_Outcome` is a final verdict (never retried)."""
        redirects: list[int] = []
        seen = [url]
        current = url
        while True:
            what = f"redirects to an invalid URL {current}" if redirects else "invalid URL"
            last = redirects[-1] if redirects else None
            try:
                request = self.client.build_request(method, current)
            except httpx.InvalidURL as exc:
                return _Outcome("broken", code=last, detail=f"{what}: {exc}")
            if not request.url.host:
                return _Outcome("broken", code=last, detail=f"{what}: no host")
            key = _host_key(request.url)
            _LAST_RESPONSE.set(None)
            try:
                async with self._slot(key), asyncio.timeout(self.hop_limit):
                    response = await self.client.send(request, stream=True)
                    await response.aclose()
            except (httpx.RemoteProtocolError, httpx.InvalidURL) as exc:
                # httpx builds the next request of a redirect even when not following it, and
                # fails on a Location it cannot use: the response is judged below all the same.
                answered = _LAST_RESPONSE.get()
                if answered is None:
                    return _Failure(_describe(exc))
                response = answered
            except (httpx.UnsupportedProtocol, httpx.LocalProtocolError) as exc:
                return _Outcome("broken", code=last, detail=f"{what}: {exc}")
            except (httpx.TransportError, TimeoutError) as exc:
                return _Failure(_describe(exc))
            self.answered.add(key)
            location = response.headers.get("location")
            if not (response.has_redirect_location and location):
                return _Answer(
                    code=response.status_code,
                    url=current,
                    redirects=redirects,
                    retry_after=response.headers.get("retry-after"),
                    challenge=response.headers.get("cf-mitigated", "").lower() == "challenge",
                )
            redirects.append(response.status_code)
            try:
                target = strip_fragment(urljoin(current, location))
            except ValueError as exc:
                return _Outcome(
                    "broken",
                    code=response.status_code,
                    detail=f"redirects to an invalid URL {location}: {exc}",
                )
            scheme = _SCHEME.match(target)
            if scheme is None or scheme.group(1).lower() not in _HTTP_SCHEMES:
                return _Outcome(
                    "unknown",
                    code=response.status_code,
                    detail=f"redirects to a URL that is not http(s): {target}",
                    final_url=target,
                )
            if target in seen:
                loop = " -> ".join([*seen[seen.index(target) :], target])
                return _Outcome(
                    "broken", code=response.status_code, detail=f"redirect loop: {loop}"
                )
            if len(redirects) > self.options.max_redirects:
                return _Outcome(
                    "broken",
                    code=response.status_code,
                    detail=f"more than {self.options.max_redirects} redirects",
                    final_url=target,
                )
            seen.append(target)
            current = target

    async def check(self, url: str) -> _Outcome:
        options = self.options
        method = "HEAD"
        retried = 0
        while True:
            got = await self._fetch(method, url)
            if isinstance(got, _Outcome):
                return got
            if isinstance(got, _Failure):
                if retried < options.retries:
                    retried += 1
                    await asyncio.sleep(options.backoff * 2 ** (retried - 1))
                    continue
                detail = f"{got.detail} ({_attempts(retried + 1)})"
                return _Outcome("broken", detail=detail, connection_failure=True)
            code = got.code
            final_url = got.url if got.url != url else None
            if code < 400:
                detail = ""
                if got.redirects:
                    chain = ", ".join(str(c) for c in got.redirects)
                    detail = f"redirected ({chain}) to {got.url}"
                return _Outcome("ok", code=code, detail=detail, final_url=final_url)
            key = _host_key(httpx.URL(got.url))
            if code == 429 or (code == 503 and got.retry_after is not None):
                wait = parse_retry_after(got.retry_after, self.now())
                if wait is not None and wait > options.max_retry_after:
                    return _Outcome(
                        "unknown",
                        code=code,
                        detail=f"{_reason(code)}: the server asks to retry in {wait:g} s "
                        f"(more than max-retry-after, {options.max_retry_after:g} s)",
                        final_url=final_url,
                    )
                if retried < options.retries:
                    retried += 1
                    self._pause(key, options.backoff * 2 ** (retried - 1) if wait is None else wait)
                    continue
                return _Outcome(
                    "unknown",
                    code=code,
                    detail=f"{_reason(code)}: still throttled after {_attempts(retried + 1)}",
                    final_url=final_url,
                )
            if method == "HEAD":
                method = "GET"
                continue
            if got.challenge:
                return _Outcome(
                    "unknown",
                    code=code,
                    detail=f"{_reason(code)}: blocked by a bot-protection challenge",
                    final_url=final_url,
                )
            if code >= 500:
                if retried < options.retries:
                    retried += 1
                    await asyncio.sleep(options.backoff * 2 ** (retried - 1))
                    continue
                detail = f"{_reason(code)} ({_attempts(retried + 1)})"
                return _Outcome("broken", code=code, detail=detail, final_url=final_url)
            return _Outcome("broken", code=code, detail=_reason(code), final_url=final_url)

    async def check_safely(self, url: str) -> _Outcome:
        try:
            return await self.check(url)
        except Exception as exc:  # a bug here must not take the whole lint down
            return _Outcome("unknown", detail=f"internal error: {type(exc).__name__}: {exc}")


def _classify(url: str, excludes: list[re.Pattern[str]]) -> ExternalResult | None:
    """The result of a URL that is not requested, or None for one to request."""
    scheme = _SCHEME.match(url)
    if scheme is None:
        return ExternalResult(url=url, status="skipped", detail="not an absolute URL")
    if scheme.group(1).lower() not in _HTTP_SCHEMES:
        return ExternalResult(
            url=url, status="skipped", detail=f"{scheme.group(1).lower()}: URLs are not checked"
        )
    for pattern in excludes:
        if pattern.search(url):
            return ExternalResult(
                url=url, status="excluded", detail=f"matches exclude pattern {pattern.pattern!r}"
            )
    return None


async def check_urls_async(
    urls: Iterable[str],
    options: ExternalOptions,
    cache_dir: Path | None,
    progress: Callable[[int, int], None] | None = None,
    now: Callable[[], float] = time.time,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> tuple[dict[str, ExternalResult], Summary, list[str]]:
    """Check `urls`; see the module's documentation. Results are keyed by the URLs as given."""
    warnings: list[str] = []
    ttl = options.ttl_hours * 3600.0
    cache_path = cache_dir / CACHE_FILENAME if cache_dir is not None else None
    cached = _read_cache(cache_path, warnings.append) if cache_path is not None else {}
    excludes = [re.compile(pattern) for pattern in options.exclude]
    started = now()

    key_of: dict[str, str] = {}
    by_key: dict[str, ExternalResult] = {}
    to_check: dict[str, None] = {}  # ordered set
    for given in urls:
        if given in key_of:
            continue
        key = key_of[given] = strip_fragment(given)
        if key in by_key or key in to_check:
            continue
        known = _classify(key, excludes)
        if known is not None:
            by_key[key] = known
            continue
        entry = cached.get(key)
        if entry is not None and 0 <= started - entry.checked_at < ttl:
            by_key[key] = ExternalResult(
                url=key,
                status=entry.status,
                code=entry.code,
                detail=entry.detail,
                final_url=entry.final_url,
                cached=True,
                checked_at=entry.checked_at,
            )
            continue
        to_check[key] = None

    outcomes: dict[str, tuple[_Outcome, float]] = {}
    total = len(to_check)
    answered: set[str] = set()
    try:
        if to_check:
            if progress is not None:
                progress(0, total)
            async with httpx.AsyncClient(
                headers={"User-Agent": options.user_agent, "Accept": _ACCEPT},
                timeout=httpx.Timeout(options.timeout, connect=options.connect_timeout),
                limits=httpx.Limits(
                    max_connections=max(1, options.concurrency),
                    max_keepalive_connections=max(1, options.concurrency),
                ),
                follow_redirects=False,
                event_hooks={"response": [_remember_response]},
                transport=transport,
            ) as client:
                checker = _Checker(options, client, now)
                answered = checker.answered

                async def one(url: str) -> None:
                    outcome = await checker.check_safely(url)
                    outcomes[url] = (outcome, now())
                    if progress is not None:
                        progress(len(outcomes), total)

                async with asyncio.TaskGroup() as group:
                    for url in to_check:
                        group.create_task(one(url))
    finally:
        # Also on cancellation (Ctrl-C): what was finished is kept.
        offline = not answered and any(o.connection_failure for o, _ in outcomes.values())
        fresh: dict[str, _CacheEntry] = {}
        for url, (outcome, checked_at) in outcomes.items():
            status = outcome.status
            detail = outcome.detail
            if offline and outcome.connection_failure:
                status = "unknown"
                detail = f"{detail}; no host answered, the network may be down"
            by_key[url] = ExternalResult(
                url=url,
                status=status,
                code=outcome.code,
                detail=detail,
                final_url=outcome.final_url,
                checked_at=checked_at,
            )
            if status != "unknown":
                fresh[url] = _CacheEntry(
                    status=status,
                    code=outcome.code,
                    detail=detail,
                    final_url=outcome.final_url,
                    checked_at=checked_at,
                )
        if offline:
            warnings.append(
                "no host answered during the external link check: the network may be down; "
                "connection failures are reported as unknown and not cached"
            )
        if cache_path is not None and fresh:
            _save_cache(cache_path, fresh, now(), max(ttl, _KEEP_AT_LEAST), warnings.append)

    summary = Summary()
    for key, result in by_key.items():
        if result.cached:
            summary.cached += 1
        elif key in to_check:
            summary.checked += 1
        setattr(summary, result.status, getattr(summary, result.status) + 1)
    results = {given: by_key[key] for given, key in key_of.items()}
    return results, summary, list(dict.fromkeys(warnings))


def check_urls(
    urls: Iterable[str],
    options: ExternalOptions,
    cache_dir: Path | None,
    progress: Callable[[int, int], None] | None = None,
    now: Callable[[], float] = time.time,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> tuple[dict[str, ExternalResult], Summary, list[str]]:
    """`check_urls_async` run with `asyncio.run` (not from inside a running event loop)."""
    return asyncio.run(
        check_urls_async(urls, options, cache_dir, progress, now, transport=transport)
    )
