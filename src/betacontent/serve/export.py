"""Write the API's documents as static files, byte for byte what the live API answers.

Each file has a live URL: `OUT/api/pages/approche/index.json` is `GET /api/pages/approche/`.
Only `OUT/api/` is written: it is built in a temporary folder beside it, then swapped in
whole, so it is never half-written and nothing else in OUT is touched.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import msgspec

from betacontent.serve.published import Encoded, PublishedSite, diagnostic_report, page_listing

LISTING_PAGE = 1000  # the largest `limit` /api/pages accepts


def page_file(url: str) -> str:
    """The export file of a page URL: `/` -> `api/pages/index.json`, `/a/` ->
    `api/pages/a/index.json`, `/a/b` -> `api/pages/a/b.json`; percent-encoding decoded, as
    a static server decodes the request path before looking for the file."""
    path = unquote(url).lstrip("/")
    if not path or path.endswith("/"):
        return f"api/pages/{path}index.json"
    return f"api/pages/{path}.json"


def documents(published: PublishedSite) -> Iterator[tuple[str, str | None, bytes]]:
    """(file, live URL or None, bytes) of everything exported."""
    for url, encoded in sorted(published.pages.items()):
        yield page_file(url), "/api/pages" + url, encoded.body
    total = len(published.summaries)
    for number, offset in enumerate(range(0, max(total, 1), LISTING_PAGE), start=1):
        listing = Encoded.of(page_listing(published, limit=LISTING_PAGE, offset=offset))
        name = "api/pages.json" if number == 1 else f"api/pages-{number}.json"
        query = f"?limit={LISTING_PAGE}" + (f"&offset={offset}" if offset else "")
        yield name, "/api/pages" + query, listing.body
    yield "api/navigation.json", "/api/navigation", published.navigation.body
    yield "api/phases.json", "/api/phases", published.programme.body
    for slug, encoded in sorted(published.phases.items()):
        yield f"api/phases/{slug}.json", f"/api/phases/{slug}", encoded.body
    for name, encoded in sorted(published.collections.items()):
        yield f"api/collections/{name}.json", f"/api/collections/{name}", encoded.body
    for (name, slug), encoded in sorted(published.collection_docs.items()):
        live = f"/api/collections/{name}/{slug}"
        yield f"api/collections/{name}/{slug}.json", live, encoded.body
    for name, encoded in sorted(published.data.items()):
        yield f"api/data/{name}.json", f"/api/data/{name}", encoded.body
    report = Encoded.of(diagnostic_report(published))
    yield "api/diagnostics.json", "/api/diagnostics", report.body
    index = msgspec.json.encode(published.search.to_json_obj())
    yield "api/search-index.json", None, index


class ExportError(ValueError):
    """A destination that would overwrite the site."""


def export(published: PublishedSite, destination: Path) -> int:
    """Write every document under `destination/api/` (replaced whole); returns the count."""
    destination = destination.resolve()
    root = published.site.root.resolve()
    if destination == root or root.is_relative_to(destination):
        raise ExportError(f"{destination} holds the site itself; choose another folder")
    if destination.is_relative_to(root):
        raise ExportError(f"{destination} is inside the site: Jekyll would publish it")
    destination.mkdir(parents=True, exist_ok=True)
    target = destination / "api"
    staging = Path(tempfile.mkdtemp(prefix=".api.", dir=destination))
    count = 0
    try:
        staging.chmod(0o755)
        for name, _, body in documents(published):
            path = staging / name.removeprefix("api/")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(body)
            count += 1
        previous = None
        if target.exists():
            previous = destination / f".api.old.{staging.name}"
            target.rename(previous)
        staging.rename(target)
        if previous is not None:
            shutil.rmtree(previous, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return count
