"""Front matter and phase data as msgspec Structs: the single source of truth for their shape.

`betacontent schema` writes the JSON Schemas in `schemas/` from these types, and the linter
validates every page, document and data file against them.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

Url = Annotated[str, msgspec.Meta(description="A site path such as `/approche/` or a URL")]

# What Jekyll's `Utils.parse_date` (Ruby's `Time.parse`) reads in front matter: a date, a
# date and time (space or `T`), seconds and fraction optional, an optional zone.
JekyllDate = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?"
        r"( ?(Z|[+-]\d{2}:?\d{2}|UTC|GMT))?$",
        description="A date or time as Jekyll reads it: `2024-03-05`, `2024-03-05 10:00:00 +0100`",
    ),
]


class Crumb(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One step of a breadcrumb trail."""

    title: Annotated[str, msgspec.Meta(description="Text shown for this step")]
    link: Url | None = None


class PageFrontMatter(msgspec.Struct, kw_only=True):
    """Keys any page or document may carry (Jekyll's own, jekyll-redirect-from's, the theme's)."""

    layout: Annotated[str, msgspec.Meta(description="Name of a file in `_layouts/`")] | None = None
    title: str | None = None
    permalink: Annotated[str, msgspec.Meta(description="Output URL, e.g. `/approche/`")] | None = (
        None
    )
    description: str | None = None
    sidebar: Annotated[str, msgspec.Meta(description="Name of a file in `_includes/`")] | None = (
        None
    )
    breadcrumbs: list[Crumb] | None = None
    redirect_from: str | list[str] | None = None
    redirect_to: str | list[str] | None = None
    published: bool = True
    lang: str | None = None
    date: JekyllDate | None = None
    categories: str | list[str] | None = None
    category: str | None = None
    tags: str | list[str] | None = None
    slug: str | None = None
    excerpt: str | None = None
    excerpt_separator: str | None = None
    image: str | None = None


class WithSidebarFrontMatter(PageFrontMatter, kw_only=True):
    """Layout `with-sidebar`: a page with a section menu taken from `_includes/`."""

    sidebar: Annotated[str, msgspec.Meta(description="Name of a file in `_includes/`")]


LAYOUT_SCHEMAS: dict[str, type[PageFrontMatter]] = {"with-sidebar": WithSidebarFrontMatter}


class Duration(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A typical duration: `min` to `max` units (`max` omitted when it is exact)."""

    min: Annotated[int, msgspec.Meta(ge=1)]
    max: Annotated[int, msgspec.Meta(ge=1)] | None = None
    unit: Literal["week", "month"]


class Phase(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One phase of the programme: a document of the phases collection."""

    slug: Annotated[str, msgspec.Meta(pattern="^[a-z0-9-]+$")]
    label: str
    order: Annotated[int, msgspec.Meta(ge=1)]
    description: str
    page: Url
    duration: Duration
    title: str | None = None


class Cadence(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    every: Annotated[int, msgspec.Meta(ge=1)]
    unit: Literal["week", "month"]
    description: str | None = None


class Programme(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """`_data/programme.yml`: facts about the programme as a whole."""

    investment_committee: Cadence
    phases_collection: str = "phases"


# Data files validated against a Struct, by their name in `_data/` (without extension).
DATA_SCHEMAS: dict[str, type[msgspec.Struct]] = {"programme": Programme}

# Types a site may give its own front matter keys in its configuration.
KEY_TYPES: dict[str, Any] = {
    "str": str,
    "int": int,
    "float": float,
    "bool": bool,
    "date": JekyllDate,
    "list[str]": list[str],
    "str | list[str]": str | list[str],
    "url": Url,
    "any": Any,
}
