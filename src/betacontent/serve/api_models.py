"""What the API answers: msgspec Structs that encode the bytes and generate the OpenAPI schema."""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from betacontent.kramdown.render import TocEntry


class PageRef(msgspec.Struct, frozen=True, kw_only=True):
    """A page named by its URL and title."""

    url: str
    title: str | None = None


class Crumb(msgspec.Struct, frozen=True, kw_only=True):
    """One step of a page's breadcrumb trail, resolved to the page it leads to."""

    title: str
    link: str | None = None
    """As written in the front matter."""
    page: PageRef | None = None
    """The page the link resolves to (None when it resolves to nothing)."""


class OutgoingLink(msgspec.Struct, frozen=True, kw_only=True):
    url: str
    """As written (after Liquid that could be resolved)."""
    kind: Literal["internal", "external", "own-domain", "same-page", "other"]
    target: PageRef | None = None
    """The internal page or file it resolves to, if any."""


class PageSummary(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A page in a listing. With `fields=`, only the asked fields are present."""

    url: str | msgspec.UnsetType = msgspec.UNSET
    title: str | msgspec.UnsetType | None = msgspec.UNSET
    layout: str | msgspec.UnsetType | None = msgspec.UNSET
    collection: str | msgspec.UnsetType | None = msgspec.UNSET
    breadcrumbs: list[Crumb] | msgspec.UnsetType = msgspec.UNSET
    excerpt: str | msgspec.UnsetType = msgspec.UNSET
    updated: str | msgspec.UnsetType | None = msgspec.UNSET
    """Last modification of the source file (ISO 8601, UTC)."""
    etag: str | msgspec.UnsetType = msgspec.UNSET
    """The ETag of the page's own document."""


SUMMARY_FIELDS = tuple(f.name for f in msgspec.structs.fields(PageSummary))
_FIELD = "(?:" + "|".join(SUMMARY_FIELDS) + ")"
FIELDS_PATTERN = rf"^(?:\s*,)*\s*{_FIELD}\s*(?:,\s*(?:{_FIELD}\s*)?)*$"
"""What `fields=` accepts: comma-separated summary fields, at least one; blanks ignored."""


class PageList(msgspec.Struct, frozen=True, kw_only=True):
    total: int
    """Pages matching the filters, before `limit`/`offset`."""
    limit: int
    offset: int
    items: list[PageSummary]


class PageDocument(msgspec.Struct, frozen=True, kw_only=True):
    """One page, with everything a frontend needs to show it."""

    url: str
    title: str | None
    layout: str | None
    collection: str | None
    source: str
    """Path of the source file in the site."""
    updated: str | None
    front_matter: dict[str, Any]
    breadcrumbs: list[Crumb]
    markdown: str
    html: str
    """Rendered with markdown-it-py; headings carry the ids Jekyll's kramdown gives them."""
    toc: list[TocEntry]
    excerpt: str
    links: list[OutgoingLink]
    backlinks: list[PageRef]
    """Pages that link here."""
    children: list[PageRef]
    """Pages whose breadcrumb trail has this page as parent."""
    previous: PageRef | None = None
    next: PageRef | None = None
    """Siblings (same parent), in URL order."""


class NavigationNode(msgspec.Struct, frozen=True, kw_only=True):
    url: str
    title: str | None
    children: list[NavigationNode] = []


class Duration(msgspec.Struct, frozen=True, kw_only=True):
    min: int
    max: int
    unit: Literal["week", "month"]
    iso_min: str
    """ISO 8601 duration, e.g. `P6W`, `P12M`."""
    iso_max: str
    text: str
    """In French: `6 à 9 semaines`, `12 mois`."""


class Phase(msgspec.Struct, frozen=True, kw_only=True):
    """A document of the site's phase collection (`[phases]` of the configuration says which
    collection and which keys mean what)."""

    slug: str
    label: str | None
    order: int | None
    """The phase's rank, when its order key holds a whole number."""
    description: str | None
    page: PageRef | None
    """The page that explains the phase."""
    duration: Duration | None
    url: str | None
    """The phase document's own URL, when its collection is output."""
    front_matter: dict[str, Any]
    """Everything the document carries, as written (after `defaults:`)."""


class Cadence(msgspec.Struct, frozen=True, kw_only=True):
    every: int
    unit: Literal["week", "month"]
    iso: str
    text: str
    description: str | None = None


class Programme(msgspec.Struct, frozen=True, kw_only=True):
    """The phases in the site's order, the investment committee's cadence, and the total
    length (None unless every phase has a duration)."""

    collection: str
    phases: list[Phase]
    investment_committee: Cadence | None
    total_min_months: float | None
    total_max_months: float | None
    total_text: str | None


class CollectionItem(msgspec.Struct, frozen=True, kw_only=True):
    slug: str
    url: str | None
    """None for documents of a collection that is not output."""
    title: str | None
    front_matter: dict[str, Any]
    excerpt: str


class CollectionDocument(msgspec.Struct, frozen=True, kw_only=True):
    collection: str
    slug: str
    url: str | None
    title: str | None
    front_matter: dict[str, Any]
    markdown: str
    html: str


class Collection(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    output: bool
    items: list[CollectionItem]


class SearchResult(msgspec.Struct, frozen=True, kw_only=True):
    url: str
    title: str
    title_highlighted: str
    snippet: str
    """Plain text, HTML-escaped, with matches in `<mark>`."""
    score: float


class SearchResults(msgspec.Struct, frozen=True, kw_only=True):
    query: str
    total: int
    limit: int
    offset: int
    items: list[SearchResult]


class DiagnosticOut(msgspec.Struct, frozen=True, kw_only=True):
    path: str
    line: int
    column: int
    code: str
    name: str
    severity: Literal["error", "warning", "info"]
    message: str


class DiagnosticReport(msgspec.Struct, frozen=True, kw_only=True):
    generation: int
    total: int
    items: list[DiagnosticOut]


class Health(msgspec.Struct, frozen=True, kw_only=True):
    status: Literal["ok"]
    generation: int
    pages: int
    withheld: int


class Problem(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """RFC 9457 problem details (`application/problem+json`)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    codes: list[str] | None = None
    """For a withheld page: the codes of its errors."""
    parameter: str | None = None
    """For a bad query parameter: its name."""
