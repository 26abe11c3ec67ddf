"""The published site: the validated pages and data as JSON documents, encoded once.

Built from the site index and its diagnostics; immutable. A page with an error-level
diagnostic is withheld. The API only looks documents up and writes their bytes.
"""

from __future__ import annotations

import datetime
import hashlib
import multiprocessing
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import msgspec

from betacontent.core.settings import LintConfig
from betacontent.core.workers import available_cores
from betacontent.kramdown.links import script_url
from betacontent.kramdown.render import Rendered, render_html, render_markdown, with_liquid
from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.runner import lint, select_rules
from betacontent.serve import api_models as out
from betacontent.serve.prepared import PREPARE, prepared
from betacontent.serve.search import SearchDocument, SearchIndex
from betacontent.site import liquid_links, schema
from betacontent.site.index import Entry, EntryKind, Site
from betacontent.site.loader import load_site

ENCODER = msgspec.json.Encoder(order="deterministic")

WITHHELD_ALWAYS = frozenset({"BC307"})
"""Codes that withhold a page from the API whatever their severity: script in content works on
the Jekyll site (BC307 is information to the linter), but a frontend that inserts the API's
HTML would run it under its own origin."""


@dataclass(frozen=True, slots=True)
class Encoded:
    """A JSON document as bytes, with its strong ETag."""

    body: bytes
    etag: str

    @classmethod
    def of(cls, value: Any) -> Encoded:
        body = ENCODER.encode(value)
        return cls(body, '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"')


@dataclass(frozen=True)
class PublishedSite:
    generation: int
    site: Site
    pages: dict[str, Encoded]  # canonical URL -> page document
    summaries: list[out.PageSummary]  # every published page, in URL order
    withheld: dict[str, list[str]]  # canonical URL -> its error codes
    navigation: Encoded
    programme: Encoded
    phases: dict[str, Encoded]
    phases_withheld: dict[str, list[str]]  # slug -> error codes
    collections: dict[str, Encoded]
    collection_docs: dict[tuple[str, str], Encoded]
    data: dict[str, Encoded]
    diagnostics: list[Diagnostic]
    search: SearchIndex
    errors: int = 0
    warnings: int = 0


def _ref(entry: Entry | None) -> out.PageRef | None:
    return out.PageRef(url=entry.url, title=entry.title) if entry is not None else None


def _updated(entry: Entry) -> str | None:
    """`last_modified_at` (jekyll-last-modified-at) or `date` of the front matter. File
    modification times are not used: they differ between checkouts of the same content, and
    would make the ETags of identical documents differ."""
    for key in ("last_modified_at", "date"):
        value = entry.data.get(key)
        if isinstance(value, datetime.datetime | datetime.date):
            return value.isoformat()
        if isinstance(value, str) and value:
            return value
    return None


def render_entry(site: Site, entry: Entry) -> Rendered:
    """One page's rendering, as `publish` gives it (here, not in a worker)."""
    return with_liquid(_render(entry), liquid_hook(site))


def _render(entry: Entry) -> Rendered:
    file = entry.file
    if file is None:
        return Rendered(html="", toc=[], text="", excerpt="")
    if file.markdown:
        return render_markdown(file.body, defer_liquid=True)
    return render_html(file.body, defer_liquid=True)


def liquid_hook(site: Site) -> Callable[[str], str]:
    """The output of a Liquid tag in a page body: a link written with Liquid
    (`{{ site.baseurl }}/x/`, `{% link x.md %}`...) resolved as the linter resolves it, ""
    for any other tag, and never a script URL."""

    def value(tag: str) -> str:
        url = liquid_links.output(tag, site)
        return "" if script_url(url) else url

    return value


POOL_MIN_PAGES = 200  # below this, starting worker processes costs more than it saves
_RENDERED = msgspec.msgpack.Decoder(list[Rendered])


def _render_bodies(bodies: list[str]) -> bytes:
    """A worker's share: the bodies rendered, as MessagePack (cheaper to send than pickles)."""
    return msgspec.msgpack.encode([render_markdown(body, defer_liquid=True) for body in bodies])


class Rendering:
    """Entries being rendered, each once, while the caller does something else (lints).

    The Markdown bodies are shared among `processes` worker processes (default: one per CPU)
    when there are enough of them to repay the workers' start, else rendered here on
    `result()`. The workers are started with `spawn`: safe in a process that runs threads."""

    def __init__(self, entries: Sequence[Entry], processes: int | None = None) -> None:
        self.entries = list(entries)
        self._pool: ProcessPoolExecutor | None = None
        self._shares: list[tuple[list[Entry], Future[bytes]]] = []
        self.terms: dict[int, dict[str, int]] = {}  # by `id()`: those counted with the parse
        markdown = [
            e
            for e in self.entries
            if e.file is not None and e.file.markdown and e.file.extra is None
        ]  # not rendered yet (`load_site(extra=PREPARE)` renders pages with their parse)
        count = processes if processes is not None else available_cores()
        if count < 2 or len(markdown) < POOL_MIN_PAGES:
            return
        size = -(-len(markdown) // (count * 8))  # chunks: a slow one does not hold up the end
        self._pool = ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("spawn"))
        for first in range(0, len(markdown), size):
            chunk = markdown[first : first + size]
            bodies = [e.file.body for e in chunk if e.file is not None]
            self._shares.append((chunk, self._pool.submit(_render_bodies, bodies)))

    def close(self) -> None:
        """Stop the workers (what they have not started is dropped)."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def result(self) -> dict[int, Rendered]:
        """Each entry's rendering, by `id()`."""
        out: dict[int, Rendered] = {}
        try:
            for chunk, answer in self._shares:
                out.update(zip(map(id, chunk), _RENDERED.decode(answer.result()), strict=True))
        finally:
            self.close()
        for entry in self.entries:
            if id(entry) not in out:
                done = prepared(entry.file)
                if done is not None:
                    self.terms[id(entry)] = done.terms
                out[id(entry)] = done.rendered if done is not None else _render(entry)
        return out


def render_entries(entries: Sequence[Entry], processes: int | None = None) -> dict[int, Rendered]:
    """Each entry rendered once, by `id()` (see `Rendering`)."""
    return Rendering(entries, processes).result()


def rendered_entries(site: Site) -> list[Entry]:
    """What `publish` renders: the pages and the documents of collections (those withheld for
    their errors included: they are known only after linting)."""
    collections = site.config.collections
    return [
        e
        for e in site.entries
        if e.file is not None
        and (
            (e.is_page and e.output is not None)
            or (e.collection in collections and e.kind is EntryKind.DOCUMENT)
        )
    ]


def _plain(value: Any, active: frozenset[int] = frozenset()) -> Any:
    """Front matter and data as JSON can carry them (keys as text); a value that contains
    itself (a recursive YAML alias) is cut where it repeats."""
    if isinstance(value, dict | list | tuple):
        if id(value) in active:
            return None
        inner = active | {id(value)}
        if isinstance(value, dict):
            return {str(k): _plain(v, inner) for k, v in value.items()}
        return [_plain(v, inner) for v in value]
    return value


_UNITS = {
    "week": "week",
    "weeks": "week",
    "semaine": "week",
    "semaines": "week",
    "w": "week",
    "month": "month",
    "months": "month",
    "mois": "month",
    "m": "month",
}
_ISO = re.compile(r"^P(\d+)([WM])(?:/P(\d+)([WM]))?$", re.IGNORECASE)
_TEXT = re.compile(
    r"^(?:environ\s+|about\s+)?(\d+)(?:\s*(?:à|a|-|–|to)\s*(\d+))?\s*([A-Za-zé]+)\.?$",
    re.IGNORECASE,
)


def _span(value: object) -> tuple[int, int, str] | None:
    """(min, max, unit) of a phase's duration: `{min, max, unit}`, an ISO 8601 duration or
    range (`P12M`, `P6W/P9W`), or French or English text (`6 à 9 semaines`, `12 mois`)."""
    if isinstance(value, dict):
        low, high, unit = value.get("min"), value.get("max"), value.get("unit")
        high = low if high is None else high
        unit = _UNITS.get(str(unit).lower()) if unit is not None else None
        if isinstance(low, int) and isinstance(high, int) and unit and 0 < low <= high:
            return low, high, unit
        return None
    if not isinstance(value, str):
        return None
    text = value.strip()
    iso = _ISO.match(text)
    if iso:
        low_unit = _UNITS[iso.group(2).lower()]
        high_unit = _UNITS[(iso.group(4) or iso.group(2)).lower()]
        low, high = int(iso.group(1)), int(iso.group(3) or iso.group(1))
        if low_unit == high_unit and 0 < low <= high:
            return low, high, low_unit
        return None
    words = _TEXT.match(text)
    if words:
        unit = _UNITS.get(words.group(3).lower())
        low, high = int(words.group(1)), int(words.group(2) or words.group(1))
        if unit and 0 < low <= high:
            return low, high, unit
    return None


def _duration(value: object) -> out.Duration | None:
    span = _span(value)
    if span is None:
        return None
    low, high, unit = span
    letter = "W" if unit == "week" else "M"
    word = ("semaine" if unit == "week" else "mois") + ("s" if unit == "week" and high > 1 else "")
    text = f"{low} à {high} {word}" if high != low else f"{low} {word}"
    return out.Duration(
        min=low,
        max=high,
        unit="week" if unit == "week" else "month",
        iso_min=f"P{low}{letter}",
        iso_max=f"P{high}{letter}",
        text=text,
    )


WEEKS_PER_MONTH = 52 / 12


def _months(count: int, unit: str) -> float:
    return count / WEEKS_PER_MONTH if unit == "week" else float(count)


def _first(data: dict[str, Any], keys: Sequence[str]) -> Any:
    """The value of the first of `keys` that the document has."""
    return next((data[key] for key in keys if data.get(key) is not None), None)


def _text(value: object) -> str | None:
    """A scalar as Jekyll prints it (`title: 404`); None for anything else."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _programme(
    site: Site, failing: dict[str, list[str]]
) -> tuple[out.Programme, dict[str, out.Phase], dict[str, list[str]]]:
    """The phases of the site's phase collection, in the site's order, with what they carry;
    and the slugs of those withheld for their errors (with the codes)."""
    keys = site.lint.phases
    phases: list[tuple[float | None, out.Phase]] = []  # (rank, phase)
    withheld: dict[str, list[str]] = {}
    for entry in site.documents(keys.collection):
        if entry.file is None:
            continue
        data = _plain(entry.data)
        slug = str(data.get("slug") or Path(entry.rel).stem)
        codes = failing.get(entry.rel)
        if codes:
            withheld[slug] = sorted(codes)
            continue
        order = _first(data, keys.order)
        rank = None if isinstance(order, bool) or not isinstance(order, int | float) else order
        page_url = _first(data, keys.page)
        page = None
        if isinstance(page_url, str) and page_url:
            resolution = site.lookup(page_url) or site.lookup(page_url, baseurl_included=False)
            target = site.semantic.final_page(resolution) if resolution else None
            page = _ref(target) or out.PageRef(url=page_url)
        phases.append(
            (
                rank,
                out.Phase(
                    slug=slug,
                    label=_text(_first(data, keys.label)),
                    order=int(rank) if rank is not None and rank == int(rank) else None,
                    description=_text(_first(data, keys.description)),
                    page=page,
                    duration=_duration(_first(data, keys.duration)),
                    url=entry.url if entry.output is not None else None,
                    front_matter=data,
                ),
            )
        )
    # The site's order: by the order key where every phase has one (as a layout's
    # `sort: "order"` does), else the collection's own order.
    if all(rank is not None for rank, _ in phases):
        phases.sort(key=lambda pair: pair[0] or 0)
    ordered = [phase for _, phase in phases]
    committee = _committee(site)
    timed = [p.duration for p in ordered if p.duration is not None]
    low = high = None
    text = None
    if timed and len(timed) == len(ordered):  # a total of some phases would mislead
        low = round(sum(_months(d.min, d.unit) for d in timed), 1)
        high = round(sum(_months(d.max, d.unit) for d in timed), 1)
        low_fr, high_fr = (f"{value:g}".replace(".", ",") for value in (low, high))
        text = f"environ {low_fr} à {high_fr} mois" if low != high else f"environ {low_fr} mois"
    programme = out.Programme(
        collection=keys.collection,
        phases=ordered,
        investment_committee=committee,
        total_min_months=low,
        total_max_months=high,
        total_text=text,
    )
    return programme, {p.slug: p for p in ordered}, withheld


def _committee(site: Site) -> out.Cadence | None:
    """The investment committee's cadence, from `_data/programme.yml` when it has one."""
    for data in site.data_files:
        if data.name != "programme" or not isinstance(data.data, dict):
            continue
        try:
            cadence = msgspec.convert(
                _plain(data.data).get("investment_committee"), type=schema.Cadence
            )
        except msgspec.ValidationError:
            return None
        letter = "W" if cadence.unit == "week" else "M"
        word = "semaines" if cadence.unit == "week" else "mois"
        return out.Cadence(
            every=cadence.every,
            unit=cadence.unit,
            iso=f"P{cadence.every}{letter}",
            text=f"tous les {cadence.every} {word}",
            description=cadence.description,
        )
    return None


def _navigation(
    pages: Sequence[Entry], parents: dict[int, Entry | None], home: Entry | None
) -> out.NavigationNode:
    children: dict[int, list[Entry]] = defaultdict(list)
    for entry in pages:
        if entry is home:
            continue
        parent = parents.get(id(entry)) or home
        if parent is not None and parent is not entry:
            children[id(parent)].append(entry)

    def node(entry: Entry, seen: frozenset[int]) -> out.NavigationNode:
        kids = sorted(children.get(id(entry), []), key=lambda e: e.url)
        return out.NavigationNode(
            url=entry.url,
            title=entry.title,
            children=[node(k, seen | {id(k)}) for k in kids if id(k) not in seen],
        )

    if home is None:
        return out.NavigationNode(
            url="/", title=None, children=[node(e, frozenset({id(e)})) for e in pages]
        )
    return node(home, frozenset({id(home)}))


def _url_parent(entry: Entry, by_url: dict[str, Entry]) -> Entry | None:
    """The nearest page whose URL is a folder above this page's URL."""
    path = entry.url.rstrip("/")
    while "/" in path:
        path = path.rsplit("/", 1)[0]
        for candidate in (path + "/", path):
            found = by_url.get(candidate or "/")
            if found is not None and found is not entry:
                return found
    return by_url.get("/") if by_url.get("/") is not entry else None


def publish(
    site: Site,
    diagnostics: Iterable[Diagnostic],
    generation: int = 1,
    processes: int | None = None,
    rendering: Rendering | None = None,
) -> PublishedSite:
    """`rendering`: of `rendered_entries(site)`, started by the caller (else here, with
    `processes`)."""
    diagnostics = list(diagnostics)
    failing: dict[str, list[str]] = defaultdict(list)
    for diagnostic in diagnostics:
        withholds = diagnostic.severity is Severity.ERROR or diagnostic.code in WITHHELD_ALWAYS
        if withholds and diagnostic.code not in failing[diagnostic.path]:
            failing[diagnostic.path].append(diagnostic.code)
    candidates = [
        e for e in site.entries if e.is_page and e.output is not None and e.file is not None
    ]
    withheld = {e.url: sorted(failing[e.rel]) for e in candidates if failing.get(e.rel)}
    pages = [e for e in candidates if e.url not in withheld]
    published_ids = {id(e) for e in pages}
    by_url = {e.url: e for e in pages}
    home = site.home()
    home = home if home is not None and id(home) in published_ids else None

    # Links, backlinks, parents (from breadcrumbs, else from URLs) and siblings.
    outgoing: dict[int, list[out.OutgoingLink]] = {}
    backlinks: dict[int, dict[str, Entry]] = defaultdict(dict)
    for page_links in site.semantic.checked_links:
        holder = page_links.entry
        if holder is None or id(holder) not in published_ids:
            continue
        found: list[out.OutgoingLink] = []
        for target in page_links.targets:
            if target.kind not in ("internal", "external", "own-domain", "same-page", "other"):
                continue
            landing = site.semantic.final_page(target.resolution) if target.resolution else None
            ref = out.PageRef(url=landing.url, title=landing.title) if landing else None
            found.append(out.OutgoingLink(url=target.url, kind=target.kind, target=ref))
            if landing is not None and landing is not holder and id(landing) in published_ids:
                backlinks[id(landing)][holder.url] = holder
        outgoing[id(holder)] = found
    parents: dict[int, Entry | None] = {}
    for entry in pages:
        trail = site.semantic.crumb_targets(entry) or []
        parent = trail[-2].page if len(trail) >= 2 else None
        if parent is None or id(parent) not in published_ids or parent is entry:
            parent = _url_parent(entry, by_url) if entry is not home else None
        parents[id(entry)] = parent
    children: dict[int, list[Entry]] = defaultdict(list)
    for entry in pages:
        parent = parents[id(entry)]
        if parent is not None:
            children[id(parent)].append(entry)
    for kids in children.values():
        kids.sort(key=lambda e: e.url)

    rendering = rendering or Rendering(rendered_entries(site), processes)
    hook = liquid_hook(site)
    rendered = {key: with_liquid(r, hook) for key, r in rendering.result().items()}
    documents: dict[str, Encoded] = {}
    summaries: list[out.PageSummary] = []
    search_documents: list[SearchDocument] = []
    for entry in sorted(pages, key=lambda e: e.url):
        assert entry.file is not None
        result = rendered[id(entry)]
        crumbs = [
            out.Crumb(title=t.crumb.title, link=t.crumb.link, page=_ref(t.page))
            for t in site.semantic.crumb_targets(entry) or []
        ]
        parent = parents[id(entry)]
        siblings = children.get(id(parent), []) if parent is not None else []
        index = next((i for i, s in enumerate(siblings) if s is entry), -1)
        updated = _updated(entry)
        document = out.PageDocument(
            url=entry.url,
            title=entry.title,
            layout=_text(entry.data.get("layout")),
            collection=entry.collection,
            source=entry.rel,
            updated=updated,
            front_matter=_plain(entry.data),
            breadcrumbs=crumbs,
            markdown=entry.file.body,
            html=result.html,
            toc=result.toc,
            excerpt=result.excerpt,
            links=outgoing.get(id(entry), []),
            backlinks=[
                out.PageRef(url=p.url, title=p.title)
                for p in sorted(backlinks[id(entry)].values(), key=lambda p: p.url)
            ],
            children=[out.PageRef(url=c.url, title=c.title) for c in children.get(id(entry), [])],
            previous=_ref(siblings[index - 1]) if index > 0 else None,
            next=_ref(siblings[index + 1]) if 0 <= index < len(siblings) - 1 else None,
        )
        encoded = Encoded.of(document)
        documents[entry.url] = encoded
        summaries.append(
            out.PageSummary(
                url=entry.url,
                title=entry.title,
                layout=_text(entry.data.get("layout")),
                collection=entry.collection,
                breadcrumbs=crumbs,
                excerpt=result.excerpt,
                updated=updated,
                etag=encoded.etag,
            )
        )
        search_documents.append(
            SearchDocument(
                url=entry.url,
                title=entry.title or entry.url,
                text=result.text,
                terms=rendering.terms.get(id(entry)),
            )
        )

    programme, phase_by_slug, phases_withheld = _programme(site, failing)
    collections, collection_docs = _collections(site, failing, rendered)
    data = {  # a data file with errors is withheld like a page (404 at /api/data/{name})
        d.name: Encoded.of(_plain(d.data))
        for d in site.data_files
        if d.data is not None and not failing.get(d.rel)
    }
    counts = defaultdict(int, {s: sum(d.severity is s for d in diagnostics) for s in Severity})
    return PublishedSite(
        generation=generation,
        site=site,
        pages=documents,
        summaries=summaries,
        withheld=withheld,
        navigation=Encoded.of(_navigation(pages, parents, home)),
        programme=Encoded.of(programme),
        phases={slug: Encoded.of(phase) for slug, phase in phase_by_slug.items()},
        phases_withheld=phases_withheld,
        collections=collections,
        collection_docs=collection_docs,
        data=data,
        diagnostics=diagnostics,
        search=SearchIndex.build(search_documents),
        errors=counts[Severity.ERROR],
        warnings=counts[Severity.WARNING],
    )


def _collections(
    site: Site, failing: dict[str, list[str]], rendered: dict[int, Rendered]
) -> tuple[dict[str, Encoded], dict[tuple[str, str], Encoded]]:
    collections: dict[str, Encoded] = {}
    documents: dict[tuple[str, str], Encoded] = {}
    for name, settings in sorted(site.config.collections.items()):
        items: list[out.CollectionItem] = []
        for entry in sorted(site.entries, key=lambda e: e.rel):
            if entry.collection != name or entry.kind is not EntryKind.DOCUMENT:
                continue
            if entry.file is None or failing.get(entry.rel):
                continue
            slug = str(entry.data.get("slug") or Path(entry.rel).stem)
            result = rendered.get(id(entry)) or render_entry(site, entry)
            url = entry.url if entry.output is not None else None
            front_matter = _plain(entry.data)
            items.append(
                out.CollectionItem(
                    slug=slug,
                    url=url,
                    title=entry.title,
                    front_matter=front_matter,
                    excerpt=result.excerpt,
                )
            )
            documents[(name, slug)] = Encoded.of(
                out.CollectionDocument(
                    collection=name,
                    slug=slug,
                    url=url,
                    title=entry.title,
                    front_matter=front_matter,
                    markdown=entry.file.body,
                    html=result.html,
                )
            )
        collections[name] = Encoded.of(
            out.Collection(name=name, output=settings.output, items=items)
        )
    return collections, documents


SortKey = Literal["url", "-url", "title", "-title", "updated", "-updated"]


def page_listing(
    published: PublishedSite,
    layout: str | None = None,
    collection: str | None = None,
    under: str | None = None,
    sort: SortKey = "url",
    limit: int = 100,
    offset: int = 0,
    fields: Sequence[str] | None = None,
) -> out.PageList:
    """`/api/pages`: filtered, sorted, one window of it, and the total."""
    items = [
        s
        for s in published.summaries
        if (layout is None or s.layout == layout)
        and (collection is None or s.collection == collection)
        and (under is None or str(s.url).startswith(under))
    ]
    key = sort.lstrip("-")
    items.sort(key=lambda s: (str(getattr(s, key) or ""), str(s.url)), reverse=sort[0] == "-")
    window = items[offset : offset + limit]
    if fields is not None:
        window = [out.PageSummary(**{name: getattr(s, name) for name in fields}) for s in window]
    return out.PageList(total=len(items), limit=limit, offset=offset, items=window)


def diagnostic_report(
    published: PublishedSite, code: str | None = None, severity: str | None = None
) -> out.DiagnosticReport:
    items = [
        out.DiagnosticOut(
            path=d.path,
            line=d.line,
            column=d.column,
            code=d.code,
            name=d.name,
            severity=d.severity.value,
            message=d.message,
        )
        for d in published.diagnostics
        if (code is None or d.code.startswith(code.upper()))
        and (severity is None or d.severity.value == severity)
    ]
    return out.DiagnosticReport(generation=published.generation, total=len(items), items=items)


def load_published(
    root: Path,
    config: LintConfig,
    generation: int = 1,
    processes: int | None = None,
    cache: bool | None = None,
) -> PublishedSite:
    """Read, lint and publish the site at `root` (every rule but the external check).
    `cache`: keep each file's parse and rendering in `.betacontent-cache/` (None: on a
    large site), so that a reload or a restart parses only what changed."""
    site = load_site(root, config, jobs=processes, cache=cache, extra=PREPARE)
    rendering = Rendering(rendered_entries(site), processes)  # whatever is left, in workers
    rules = select_rules(config.select, [*config.ignore, "BC306"])
    try:
        diagnostics = lint(site, rules)
    except BaseException:
        rendering.close()
        raise
    published = publish(site, diagnostics, generation, rendering=rendering)
    for file in site.files:  # now in the encoded documents: not kept twice for the server's life
        file.extra = None
    return published
