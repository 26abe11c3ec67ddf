"""The hot path: an ASGI layer in front of the API that answers the precomputed page documents
itself, and hands every other request to the Litestar application.

`GET`/`HEAD /api/pages/<url>` of a published page, without a query string or an `Origin`
header, is answered from a table built once per published site: the encoded bytes, the ETag,
and the header lists of the four answers (200 or 304, identity or gzip), made by the same
functions as the Litestar handlers' (`api.document_headers`, `api_headers.security_headers`).
A request is two dictionary lookups, an ETag comparison and two `send` calls. Everything else
(listings, problems, redirects, cross-origin requests, the OpenAPI document) takes the Litestar
route, so the answers stay those of the application, byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

from litestar import Litestar
from litestar.enums import ScopeType
from litestar.types import HTTPResponseStartEvent, HTTPScope, Receive, Scope, Send

from betacontent.serve.api import (
    API_PAGES,
    JSON,
    Holder,
    accepts_gzip,
    create_app,
    document_headers,
    etag_matches,
    url_safe,
)
from betacontent.serve.api_headers import security_headers
from betacontent.serve.published import Encoded, PublishedSite

Headers = list[tuple[bytes, bytes]]
_READ = frozenset(("GET", "HEAD"))
_GZIP_MEMO = 64  # distinct Accept-Encoding values remembered


@dataclass(slots=True)
class _Document:
    """One page's answers, their headers made on first use."""

    encoded: Encoded
    etag: bytes
    answers: dict[tuple[bool, bool], tuple[Headers, bytes]] = field(default_factory=dict)


@dataclass(slots=True)
class _Table:
    """The documents of one published site, by raw request path."""

    published: PublishedSite
    documents: dict[bytes, _Document]


def page_paths(published: PublishedSite) -> dict[bytes, Encoded]:
    """The raw request paths the hot path answers: each published page at its canonical URL,
    when that URL is sent as it is written (no percent-encoding needed) and the API finds the
    page itself there (not a redirect, not withheld)."""
    paths: dict[bytes, Encoded] = {}
    for url, encoded in published.pages.items():
        if not url_safe(url) or url in published.withheld:
            continue
        resolution = published.site.lookup(url, baseurl_included=False)
        if resolution is None or resolution.entry.url != url or resolution.entry.redirect_to:
            continue
        paths[(API_PAGES + url).encode("ascii")] = encoded
    return paths


class HotPath:
    """ASGI application: the page documents from a table, the rest from `app`."""

    def __init__(self, app: Litestar) -> None:
        self.app = app
        self.holder: Holder = app.state.holder
        self._table: _Table | None = None
        self._gzip: dict[bytes, bool] = {}

    def _current(self) -> _Table:
        """The table of the site being served, rebuilt when a reload swapped it."""
        published = self.holder.published
        table = self._table
        if table is None or table.published is not published:
            documents = {
                path: _Document(encoded, encoded.etag.encode("ascii"))
                for path, encoded in page_paths(published).items()
            }
            table = self._table = _Table(published, documents)
        return table

    def _accepts_gzip(self, header: bytes) -> bool:
        known = self._gzip.get(header)
        if known is None:
            known = accepts_gzip(header.decode("latin-1"))
            if len(self._gzip) < _GZIP_MEMO:
                self._gzip[header] = known
        return known

    async def _answer(
        self, scope: HTTPScope, document: _Document, compress: bool, fresh: bool
    ) -> tuple[Headers, bytes]:
        """The headers and body of one of a document's four answers."""
        key = (compress, fresh)
        made = document.answers.get(key)
        if made is not None:
            return made
        encoded = document.encoded
        named = document_headers(encoded, self.holder.settings, compress)
        body = b""
        if not fresh:
            body = self.holder.gzipped(encoded) if compress else encoded.body
            if compress:
                named["Content-Encoding"] = "gzip"
            named["Content-Type"] = JSON
            named["Content-Length"] = str(len(body))
        headers: Headers = [
            (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in named.items()
        ]
        message: HTTPResponseStartEvent = {
            "type": "http.response.start",
            "status": 304 if fresh else 200,
            "headers": headers,
        }
        await security_headers(message, scope)
        made = (list(message["headers"]), body)
        document.answers[key] = made
        return made

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == ScopeType.HTTP
            and scope["method"] in _READ
            and not scope["query_string"]
        ):
            raw = scope.get("raw_path") or quote(scope["path"]).encode("ascii")
            document = self._current().documents.get(raw)
            if document is not None:
                accept = b""
                match: bytes | None = None
                for name, value in scope["headers"]:
                    if name == b"accept-encoding":
                        accept = value
                    elif name == b"if-none-match":
                        match = value
                    elif name == b"origin":
                        document = None  # CORS: the application's middleware answers
                        break
                if document is not None:
                    encoded = document.encoded
                    compress = (
                        bool(accept)
                        and len(encoded.body) >= self.holder.settings.gzip_min_size
                        and self._accepts_gzip(accept)
                    )
                    fresh = match is not None and (
                        match == document.etag
                        or etag_matches(match.decode("latin-1"), encoded.etag)
                    )
                    headers, body = await self._answer(scope, document, compress, fresh)
                    await send(
                        {
                            "type": "http.response.start",
                            "status": 304 if fresh else 200,
                            "headers": headers,
                        }
                    )
                    await send({"type": "http.response.body", "body": body, "more_body": False})
                    return
        await self.app(scope, receive, send)


def create_server() -> HotPath:
    """The ASGI application `betacontent serve` runs: `api.create_app()` (the site named by
    `BETACONTENT_SITE`) behind the hot path."""
    return HotPath(create_app())
