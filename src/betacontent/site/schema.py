"""Front matter as msgspec Structs: the single source of truth for its shape.

`betacontent schema` writes `schemas/front-matter.schema.json` from `PageFrontMatter`, the keys
every Jekyll site shares. A site's own keys, layouts and collections are declared by the site
(`[front-matter]` of its configuration, JSON Schema or Kwalify files): the embedded site keeps
its phase and programme schemas in `content/_schemas/`.
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


Scalar = str | int | float | bool
"""A YAML scalar that Jekyll prints as text wherever it is used (`title: 404`)."""


class PageFrontMatter(msgspec.Struct, kw_only=True):
    """Keys that Jekyll itself, its common plugins (jekyll-redirect-from, jekyll-seo-tag,
    jekyll-sitemap) and betacontent's breadcrumb rules give a meaning to, on every site, with
    the types they accept. Nothing here is required: a site declares its own requirements."""

    layout: Annotated[str, msgspec.Meta(description="Name of a file in `_layouts/`")] | None = None
    title: Scalar | None = None
    permalink: Annotated[str, msgspec.Meta(description="Output URL, e.g. `/approche/`")] | None = (
        None
    )
    description: Scalar | None = None
    sidebar: Annotated[str, msgspec.Meta(description="Name of a file in `_includes/`")] | None = (
        None
    )
    breadcrumbs: list[Crumb] | None = None
    redirect_from: str | list[str] | None = None
    redirect_to: str | list[str] | None = None
    published: bool = True
    lang: str | None = None
    date: (
        Annotated[
            str,
            msgspec.Meta(
                description="A date or time as Jekyll reads it: `2024-03-05 10:00:00 +0100`"
            ),
        ]
        | None
    ) = None
    categories: str | list[Scalar] | None = None
    category: Scalar | None = None
    tags: str | list[Scalar] | None = None
    slug: str | None = None
    excerpt: str | None = None
    excerpt_separator: str | None = None
    image: str | dict[str, Any] | None = None
    author: str | list[str] | dict[str, Any] | None = None
    sitemap: bool | None = None
    last_modified_at: str | None = None
    render_with_liquid: bool | None = None


JEKYLL_KEYS: frozenset[str] = frozenset(
    info.encode_name for info in msgspec.structs.fields(PageFrontMatter)
)
"""Keys whose meaning every Jekyll site shares: never unknown, and the first vocabulary a
misspelt key is compared with."""


class Cadence(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """`investment_committee` of `_data/programme.yml`, as `/api/phases` reads it."""

    every: Annotated[int, msgspec.Meta(ge=1)]
    unit: Literal["week", "month"]
    description: str | None = None


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
