"""The part of Jekyll's `_config.yml` that decides which files are pages and what their URLs are."""

from __future__ import annotations

from typing import Any

import msgspec

DEFAULT_EXCLUDES = (
    ".sass-cache",
    ".jekyll-cache",
    "gemfiles",
    "Gemfile",
    "Gemfile.lock",
    "node_modules",
    "vendor/bundle/",
    "vendor/cache/",
    "vendor/gems/",
    "vendor/ruby/",
)

STYLE_TO_PERMALINK = {
    "none": "/:categories/:title:output_ext",
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
}

REDIRECT_PLUGIN = "jekyll-redirect-from"


class CollectionConfig(msgspec.Struct, kw_only=True):
    """One entry of `collections:`."""

    output: bool = False
    permalink: str | None = None
    order: Any = None
    """Jekyll 4's manual order when a list: file names, relative to the collection's folder
    (anything else is the site's own setting, which Jekyll ignores)."""
    sort_by: Any = None
    """A front matter key the documents are sorted by, when text."""


class DefaultScope(msgspec.Struct, kw_only=True):
    path: str = ""
    type: str | None = None


class DefaultSet(msgspec.Struct, kw_only=True):
    """One entry of `defaults:`: front matter `values` for the files in `scope`."""

    scope: DefaultScope = msgspec.field(default_factory=DefaultScope)
    values: dict[str, Any] = msgspec.field(default_factory=dict)


class SiteConfig(msgspec.Struct, kw_only=True):
    """Jekyll settings betacontent reads; Jekyll's many other keys are accepted and ignored."""

    title: str | None = None
    url: str = ""
    baseurl: str = ""
    permalink: str = "date"
    include: list[str] = msgspec.field(default_factory=lambda: [".htaccess"])
    exclude: list[str] = msgspec.field(default_factory=list)
    collections_dir: str = ""
    collections: dict[str, CollectionConfig] = msgspec.field(default_factory=dict)
    defaults: list[DefaultSet] = msgspec.field(default_factory=list)
    markdown_ext: str = "markdown,mkdown,mkdn,mkd,md"
    plugins: list[str] = msgspec.field(default_factory=list)
    gems: list[str] = msgspec.field(default_factory=list)
    layouts_dir: str = "_layouts"
    includes_dir: str = "_includes"
    data_dir: str = "_data"
    plugins_dir: str | list[str] = "_plugins"
    future: bool = False
    timezone: str | None = None  # Jekyll sets TZ to it: dates and permalinks are local to it
    theme: str | None = None
    remote_theme: str | None = None
    redirect_from: dict[str, Any] = msgspec.field(default_factory=dict)
    feed: dict[str, Any] = msgspec.field(default_factory=dict)
    sass: dict[str, Any] = msgspec.field(default_factory=dict)
    strict_front_matter: bool = False
    jekyll_version: tuple[int, int] | None = None
    """Not a setting: the version Gemfile.lock pins (None: the Jekyll 4 betacontent models)."""
    variables: dict[str, str] = msgspec.field(default_factory=dict)
    """Not a setting: the top-level string values of `_config.yml`, what `{{ site.KEY }}`
    outputs (`{{ site.repository }}/issues/1`)."""

    def __post_init__(self) -> None:
        for pattern in DEFAULT_EXCLUDES:
            if pattern not in self.exclude:
                self.exclude.append(pattern)
        posts = self.collections.setdefault("posts", CollectionConfig(output=True))
        posts.output = True
        if posts.permalink is None:
            posts.permalink = STYLE_TO_PERMALINK.get(self.permalink, self.permalink)

    @property
    def markdown_extensions(self) -> frozenset[str]:
        return frozenset("." + ext.strip().lower() for ext in self.markdown_ext.split(","))

    def uses(self, plugin: str) -> bool:
        return plugin in self.plugins or plugin in self.gems

    @property
    def redirects_enabled(self) -> bool:
        return self.uses(REDIRECT_PLUGIN)


def prepare_site_config(data: dict[str, Any]) -> dict[str, Any]:
    """Jekyll's own normalisations: a list of collection names, null lists and strings."""
    data = dict(data)
    collections = data.get("collections")
    if isinstance(collections, list):  # Jekyll accepts a plain list of names
        data["collections"] = {str(name): {} for name in collections}
    elif isinstance(collections, dict):
        data["collections"] = {
            str(name): {} if value is None else value for name, value in collections.items()
        }
    elif collections is None and "collections" in data:
        data["collections"] = {}
    for key in ("include", "exclude", "plugins", "gems", "defaults"):
        if key in data and data[key] is None:
            data[key] = []
    for key in ("url", "baseurl", "collections_dir"):
        if key in data and data[key] is None:
            data[key] = ""
    return data


def load_site_config(data: object) -> SiteConfig:
    """Build a SiteConfig from parsed `_config.yml` data; raises msgspec.ValidationError."""
    if data is None:
        data = {}
    variables: dict[str, str] = {}
    if isinstance(data, dict):
        data = prepare_site_config(data)
        variables = {str(k): v for k, v in data.items() if isinstance(v, str)}
        data.pop("variables", None)
    config = msgspec.convert(data, type=SiteConfig, strict=False)
    config.variables = variables
    return config
