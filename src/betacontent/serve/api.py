"""The read-only JSON API: Litestar serving a published site's pre-encoded documents.

`create_app()` is the factory the ASGI server runs. A request looks a document up in the
current published site and writes its bytes: nothing is parsed or rendered per request.
The published site is swapped whole on reload, so a request sees one generation only.
"""

from __future__ import annotations

import gzip
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote, unquote, urljoin

import msgspec
from litestar import Litestar, Request, Response, route
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.exceptions import HTTPException, NotFoundException, ValidationException
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, Parameter

from betacontent import __version__
from betacontent.core.settings import LintConfig, ServeSettings, find_config, load_config
from betacontent.serve import api_models as out
from betacontent.serve.api_headers import DOCS_PATH, DocsPage, security_headers
from betacontent.serve.frontend import frontend_from_env, frontend_router
from betacontent.serve.published import (
    Encoded,
    PublishedSite,
    SortKey,
    diagnostic_report,
    load_published,
    page_listing,
)
from betacontent.site.loader import find_site_root

JSON = "application/json"
PROBLEM = "application/problem+json"
API_PAGES = "/api/pages"
MAX_URL = 2048  # characters of a page URL, percent-decoded, slashes included


@dataclass
class Holder:
    """The current published site; replaced whole (one assignment) on reload."""

    published: PublishedSite
    settings: ServeSettings = field(default_factory=ServeSettings)
    _gzipped: dict[str, bytes] = field(default_factory=dict)

    def swap(self, published: PublishedSite) -> None:
        """Install a new published site; a request holds the one it read first."""
        self._gzipped = {}
        self.published = published

    def gzipped(self, encoded: Encoded) -> bytes:
        """The gzip of a document of the loaded site, made once (the documents are finite:
        per-request documents are compressed without being kept)."""
        cache = self._gzipped
        body = cache.get(encoded.etag)
        if body is None:
            body = gzip.compress(encoded.body, compresslevel=6, mtime=0)
            cache[encoded.etag] = body
        return body


def _holder(state: State) -> Holder:
    holder: Holder = state.holder
    return holder


def etag_matches(header: str | None, etag: str) -> bool:
    """If-None-Match, compared weakly (RFC 9110): `W/"x"` matches `"x"`."""
    if not header:
        return False
    bare = etag.removeprefix("W/")
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == bare:
            return True
    return False


def accepts_gzip(header: str | None) -> bool:
    """Whether an Accept-Encoding header admits gzip (`gzip;q=0` refuses it)."""
    for item in (header or "").lower().split(","):
        name, _, parameters = item.strip().partition(";")
        if name.strip() in ("gzip", "*"):
            quality = parameters.strip().removeprefix("q=")
            try:
                return not parameters or float(quality) > 0
            except ValueError:
                return False
    return False


def document_headers(encoded: Encoded, settings: ServeSettings, compress: bool) -> dict[str, str]:
    """The headers of a document's 200 and 304 answers, before the body's own."""
    headers = {"ETag": encoded.etag, "Cache-Control": settings.cache_control}
    if len(encoded.body) >= settings.gzip_min_size:
        headers["Vary"] = "Accept-Encoding"
    if compress:
        headers["ETag"] = "W/" + encoded.etag  # the bytes differ from the identity body's
    return headers


def send(
    request: Request[Any, Any, Any], encoded: Encoded, *, loaded: bool = True
) -> Response[Any]:
    """A document with its ETag: 304 when the client has it, gzipped when worth it.
    `loaded`: a document made when the site was loaded, whose gzip is worth keeping."""
    holder = _holder(request.app.state)
    body = encoded.body
    compress = len(body) >= holder.settings.gzip_min_size and accepts_gzip(
        request.headers.get("accept-encoding")
    )
    headers = document_headers(encoded, holder.settings, compress)
    if etag_matches(request.headers.get("if-none-match"), encoded.etag):
        return Response(content=b"", status_code=304, headers=headers)
    if compress:
        body = holder.gzipped(encoded) if loaded else gzip.compress(body, 6, mtime=0)
        headers["Content-Encoding"] = "gzip"
    return Response(content=body, status_code=200, media_type=JSON, headers=headers)


def problem(status: int, title: str, **details: Any) -> Response[Any]:
    body = msgspec.json.encode(out.Problem(title=title, status=status, **details))
    return Response(content=body, status_code=status, media_type=PROBLEM)


def _problem_spec(description: str) -> ResponseSpec:
    return ResponseSpec(
        data_container=out.Problem,
        description=description,
        media_type=PROBLEM,
        generate_examples=False,
    )


RESPONSES: dict[int, ResponseSpec] = {
    304: ResponseSpec(None, description="Not modified: the `If-None-Match` ETag is current"),
    400: _problem_spec("A bad query parameter, named in `parameter`"),
    404: _problem_spec("Nothing here, or a page withheld for its errors (`codes`)"),
}


def read(path: str, **options: Any) -> HTTPRouteHandler:
    """A route for GET and HEAD (HEAD: the same headers, no body), with the problem+json
    answers documented."""
    responses = {**RESPONSES, **options.pop("responses", {})}
    return route(path, http_method=["GET", "HEAD"], responses=responses, **options)


# --- pages ---------------------------------------------------------------------------------


@read(API_PAGES, summary="List pages")
async def list_pages(
    request: Request[Any, Any, Any],
    layout: FromQuery[str | None] = None,
    collection: FromQuery[str | None] = None,
    under: Annotated[str | None, Parameter(description="URL prefix, e.g. /approche/")] = None,
    sort: FromQuery[SortKey] = "url",
    limit: Annotated[int, Parameter(ge=1, le=1000)] = 100,
    offset: Annotated[int, Parameter(ge=0)] = 0,
    fields: Annotated[
        str | None,
        Parameter(
            description="Comma-separated fields",
            schema_extra={"pattern": out.FIELDS_PATTERN},
        ),
    ] = None,
) -> Response[out.PageList]:
    """Published pages, filtered, sorted and paginated, with the total count."""
    if _raw_path(request).endswith("/"):
        return await _page_at(request, "/")
    chosen: tuple[str, ...] | None = None
    if fields is not None:
        chosen = tuple(name.strip() for name in fields.split(",") if name.strip())
        if not chosen:
            return problem(
                400, "Bad query parameter", detail="`fields` names no field", parameter="fields"
            )
        unknown = [name for name in chosen if name not in out.SUMMARY_FIELDS]
        if unknown:
            return problem(
                400,
                "Bad query parameter",
                detail=f"unknown field {unknown[0]!r}; known: {', '.join(out.SUMMARY_FIELDS)}",
                parameter="fields",
            )
    published = _holder(request.app.state).published
    listing = page_listing(published, layout, collection, under, sort, limit, offset, chosen)
    return send(request, Encoded.of(listing), loaded=False)


@read(
    API_PAGES + "/{path:path}",
    summary="One page by URL",
    responses={301: ResponseSpec(None, description="A redirect: `Location` is its target")},
)
async def get_page(
    request: Request[Any, Any, Any],
    path: Annotated[
        str,
        Parameter(
            description="The page URL without its first slash",
            schema_extra={"pattern": r"^[^\\\x00]*$", "maxLength": MAX_URL - 2},
        ),
    ],
) -> Response[out.PageDocument]:
    """A page found as the web server finds it (`/x`, `/x/`, `/x.html`); a redirect answers
    301 to the API URL of its target; a page with errors answers 404 naming them."""
    slash = "/" if _raw_path(request).endswith("/") and not path.endswith("/") else ""
    return await _page_at(request, quote(path, safe=_SAFE) + slash)


_SAFE = "/:@!$&'()*+,;=-._~"


def url_safe(url: str) -> bool:
    """Whether a page URL is sent as it is written: ASCII, nothing to percent-encode."""
    return url.isascii() and quote(url, safe=_SAFE) == url


def _raw_path(request: Request[Any, Any, Any]) -> str:
    """The path as the client sent it (percent-encoded, trailing slash kept): the router
    drops trailing slashes, and `/x/` and `/x` are not the same page."""
    raw = request.scope.get("raw_path")
    if isinstance(raw, bytes | bytearray):
        return raw.decode("latin-1").split("?", 1)[0]
    return quote(request.scope["path"])


async def _page_at(request: Request[Any, Any, Any], url: str) -> Response[Any]:
    """`url` is percent-encoded, as sent."""
    published = _holder(request.app.state).published
    decoded = unquote(url)
    if "\x00" in decoded or "\\" in decoded or len(decoded) > MAX_URL:
        return problem(400, "Bad page URL", detail="too long, or a NUL or a backslash")
    resolution = published.site.lookup(url, baseurl_included=False)
    if resolution is None:
        return problem(404, "No such page", instance=url)
    entry = resolution.entry
    if entry.redirect_to:  # a redirect page, or a page that is itself a redirect
        return _redirect(request, entry.rel, entry.redirect_to)
    codes = published.withheld.get(entry.url)
    if codes is not None:
        return problem(
            404,
            "Page withheld",
            detail=f"{entry.rel} has errors: {', '.join(codes)}",
            instance=entry.url,
            codes=codes,
        )
    encoded = published.pages.get(entry.url)
    if encoded is None:
        return problem(404, "Not a page", detail="the URL is a file, not a page", instance=url)
    return send(request, encoded)


def _redirect(request: Request[Any, Any, Any], source: str, target: str) -> Response[Any]:
    """301 to the API URL of an internal target (resolved as the server would), or to an
    external URL; `Location` percent-encoded."""
    holder = _holder(request.app.state)
    published = holder.published
    if "://" in target or target.startswith("//"):
        location = target
    else:
        base = published.site.entry_for(source)
        absolute = target if target.startswith("/") else urljoin(base.url if base else "/", target)
        resolution = published.site.lookup(absolute)
        landing = published.site.semantic.final_page(resolution) if resolution else None
        location = API_PAGES + (landing.url if landing else absolute)
    headers = {
        "Location": quote(location, safe="/:@!$&'()*+,;=-._~%?#"),
        "Cache-Control": holder.settings.cache_control,
    }
    return Response(content=b"", status_code=301, headers=headers)


# --- the rest --------------------------------------------------------------------------------


@read("/api/navigation", summary="The site tree")
async def navigation(request: Request[Any, Any, Any]) -> Response[out.NavigationNode]:
    """Pages as a tree, from their breadcrumbs (else their URLs)."""
    return send(request, _holder(request.app.state).published.navigation)


@read("/api/phases", summary="The programme's phases")
async def phases(request: Request[Any, Any, Any]) -> Response[out.Programme]:
    """The phases in order, with durations; the investment committee; the total length."""
    return send(request, _holder(request.app.state).published.programme)


@read("/api/phases/{slug:str}", summary="One phase")
async def phase(request: Request[Any, Any, Any], slug: FromPath[str]) -> Response[out.Phase]:
    published = _holder(request.app.state).published
    encoded = published.phases.get(slug)
    codes = published.phases_withheld.get(slug)
    if codes is not None:
        return problem(404, "Phase withheld", detail=f"errors: {', '.join(codes)}", codes=codes)
    if encoded is None:
        return problem(404, "No such phase", instance=slug)
    return send(request, encoded)


@read("/api/collections/{name:str}", summary="A collection's documents")
async def collection(
    request: Request[Any, Any, Any], name: FromPath[str]
) -> Response[out.Collection]:
    """Documents of a collection, including collections that are not output, as data."""
    encoded = _holder(request.app.state).published.collections.get(name)
    if encoded is None:
        return problem(404, "No such collection", instance=name)
    return send(request, encoded)


@read("/api/collections/{name:str}/{slug:str}", summary="One collection document")
async def collection_document(
    request: Request[Any, Any, Any], name: FromPath[str], slug: FromPath[str]
) -> Response[out.CollectionDocument]:
    encoded = _holder(request.app.state).published.collection_docs.get((name, slug))
    if encoded is None:
        return problem(404, "No such document", instance=f"{name}/{slug}")
    return send(request, encoded)


@read("/api/data/{name:path}", summary="A `_data/` file")
async def data(request: Request[Any, Any, Any], name: FromPath[str]) -> Response[Any]:
    encoded = _holder(request.app.state).published.data.get(name.strip("/"))
    if encoded is None:
        return problem(404, "No such data file", instance=name)
    return send(request, encoded)


@read("/api/search", summary="Full-text search")
async def search(
    request: Request[Any, Any, Any],
    q: Annotated[str, Parameter(max_length=200, description="Words to find")] = "",
    limit: Annotated[int, Parameter(ge=1, le=100)] = 10,
    offset: Annotated[int, Parameter(ge=0)] = 0,
) -> Response[out.SearchResults]:
    """Ranked results over titles and bodies, accent- and case-insensitive, with snippets."""
    published = _holder(request.app.state).published
    hits, total = published.search.search(q, limit=limit, offset=offset)
    items = [
        out.SearchResult(
            url=h.url,
            title=h.title,
            title_highlighted=h.title_highlighted,
            snippet=h.snippet,
            score=round(h.score, 4),
        )
        for h in hits
    ]
    results = out.SearchResults(query=q, total=total, limit=limit, offset=offset, items=items)
    return send(request, Encoded.of(results), loaded=False)


@read("/api/diagnostics", summary="The lint report")
async def diagnostics(
    request: Request[Any, Any, Any],
    code: Annotated[str | None, Parameter(description="A code or prefix: BC2")] = None,
    severity: FromQuery[Literal["error", "warning", "info"] | None] = None,
) -> Response[out.DiagnosticReport]:
    report = diagnostic_report(_holder(request.app.state).published, code, severity)
    return send(request, Encoded.of(report), loaded=False)


@read("/health", summary="Liveness")
async def health(request: Request[Any, Any, Any]) -> Response[out.Health]:
    published = _holder(request.app.state).published
    body = out.Health(
        status="ok",
        generation=published.generation,
        pages=len(published.pages),
        withheld=len(published.withheld),
    )
    response: Response[Any] = Response(content=msgspec.json.encode(body), media_type=JSON)
    return response


HANDLERS = [
    list_pages,
    get_page,
    navigation,
    phases,
    phase,
    collection,
    collection_document,
    data,
    search,
    diagnostics,
    health,
]


# --- the application -------------------------------------------------------------------------


LOG = logging.getLogger("betacontent.serve.api")


class SiteNotFoundError(RuntimeError):
    """The app factory has no site to serve."""


_PRELOADED: dict[Path, PublishedSite] = {}


def preload(published: PublishedSite) -> None:
    """Keep a published site for the server's workers: forked from this process, they serve
    it instead of reading and linting the site again."""
    _PRELOADED.clear()
    _PRELOADED[published.site.root.resolve()] = published


def _internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    LOG.error("500 on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(500, "Internal error", instance=request.url.path)


def _not_found(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    return problem(404, "Not found", instance=request.url.path)


def _http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    response = problem(exc.status_code, str(exc.detail) or "Error")
    response.headers.update(exc.headers or {})
    return response


def _validation_error(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    extra = exc.extra if isinstance(exc.extra, list) else []
    first = extra[0] if extra and isinstance(extra[0], dict) else {}
    name = str(first.get("key") or "") or None
    message = str(first.get("message") or exc.detail)
    detail = f"`{name}`: {message}" if name else message
    return problem(400, "Bad query parameter", detail=detail, parameter=name)


def create_app(
    published: PublishedSite | None = None,
    *,
    settings: ServeSettings | None = None,
    on_startup: list[Callable[[Litestar], Any]] | None = None,
    on_shutdown: list[Callable[[Litestar], Any]] | None = None,
    frontend: Path | None = None,
) -> Litestar:
    """The API application. Without a published site, it loads the site named by the
    `BETACONTENT_SITE` environment variable (the embedded `content/` by default), and the
    frontend named by `BETACONTENT_FRONTEND` (none by default), as the ASGI server's workers
    do. `frontend`: a folder of static files served under `/`."""
    hooks_start = list(on_startup or [])
    hooks_stop = list(on_shutdown or [])
    if published is None:
        folder = Path(os.environ.get("BETACONTENT_SITE", "content"))
        if not folder.is_dir():
            raise SiteNotFoundError(
                f"betacontent: no site folder at {folder.resolve()}: set BETACONTENT_SITE"
            )
        root = find_site_root(folder)
        config = load_config(find_config(root))
        cache = cache_from_env()
        published = _PRELOADED.get(root.resolve()) or load_published(root, config, cache=cache)
        settings = settings or config.serve
        frontend = frontend or frontend_from_env()
        if os.environ.get("BETACONTENT_WATCH") == "1":
            hooks_start, hooks_stop = _watching(root, config, hooks_start, hooks_stop, cache)
    settings = settings or ServeSettings()
    holder = Holder(published, settings)
    return Litestar(
        route_handlers=[*HANDLERS, *([frontend_router(frontend)] if frontend else [])],
        state=State({"holder": holder}),
        cors_config=CORSConfig(
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "HEAD"],
            expose_headers=["ETag"],
        ),
        before_send=[security_headers],
        exception_handlers={
            NotFoundException: _not_found,
            ValidationException: _validation_error,
            HTTPException: _http_error,
            Exception: _internal_error,
        },
        openapi_config=OpenAPIConfig(
            title="betacontent",
            version=__version__,
            path=DOCS_PATH,
            render_plugins=[DocsPage()],
        ),
        on_startup=hooks_start,
        on_shutdown=hooks_stop,
    )


def cache_from_env() -> bool | None:
    """`serve --cache/--no-cache`, passed to the server's workers as `BETACONTENT_CACHE`."""
    return {"1": True, "0": False}.get(os.environ.get("BETACONTENT_CACHE", ""))


def _watching(
    root: Path,
    config: LintConfig,
    on_startup: list[Callable[[Litestar], Any]],
    on_shutdown: list[Callable[[Litestar], Any]],
    cache: bool | None = None,
) -> tuple[list[Callable[[Litestar], Any]], list[Callable[[Litestar], Any]]]:
    """Hooks that run a reloader in this process (each server worker watches for itself)."""
    from betacontent.serve.reload import Reloader

    reloaders: list[Reloader] = []

    def start(app: Litestar) -> None:
        holder = _holder(app.state)
        reloader = Reloader(
            root,
            config,
            lambda: holder.published,
            holder.swap,
            lambda line: print(line, flush=True),
            cache,
        )
        reloaders.append(reloader)
        reloader.start()

    def stop(app: Litestar) -> None:
        for reloader in reloaders:
            reloader.stop()

    return [*on_startup, start], [*on_shutdown, stop]
