"""What several rules share: parse problems, schema findings and breadcrumb trails of a site.

Each is computed once per site and reused, so no rule parses or validates anything twice.
"""

from __future__ import annotations

import unicodedata
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import msgspec

from betacontent.front_matter import FrontMatter, ProblemKind
from betacontent.positions import Position
from betacontent.schema import DATA_SCHEMAS, KEY_TYPES, LAYOUT_SCHEMAS, PageFrontMatter, Phase
from betacontent.site_index import Entry, EntryKind, Resolution, Site
from betacontent.validation import SchemaIssue, validate


@dataclass(frozen=True, slots=True)
class LocatedProblem:
    path: str
    position: Position
    kind: ProblemKind
    message: str


def problems(site: Site, kind: ProblemKind) -> Iterator[LocatedProblem]:
    """Parse problems of one kind in `_config.yml`, every parsed file and every data file."""
    if site.config_rel:
        for problem in site.config_problems:
            if problem.kind is kind:
                yield LocatedProblem(site.config_rel, problem.position, kind, problem.message)
    for parsed in site.files:
        for problem in parsed.problems:
            if problem.kind is kind:
                yield LocatedProblem(parsed.rel, problem.position, kind, problem.message)
    for data in site.data_files:
        for problem in data.problems:
            if problem.kind is kind:
                yield LocatedProblem(data.rel, problem.position, kind, problem.message)


# --- schema ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Checked:
    """The schema findings of one file, with the front matter to place them."""

    path: str
    front_matter: FrontMatter | None
    document: Any  # a YamlDocument for data files
    issues: list[SchemaIssue]
    own_keys: frozenset[str]

    def position(self, issue: SchemaIssue) -> Position:
        if issue.kind == "missing" or not issue.path:
            return Position(1, 1)
        source = self.front_matter or self.document
        if source is None:
            return Position(1, 1)
        if issue.kind == "unknown" and self.front_matter is not None:
            return self.front_matter.key_position(str(issue.path[0]))
        return source.position(issue.path)


_CACHE: weakref.WeakKeyDictionary[Site, list[Checked]] = weakref.WeakKeyDictionary()


def phases_collection(site: Site) -> str:
    for data in site.data_files:
        if data.name == "programme" and isinstance(data.data, dict):
            name = data.data.get("phases_collection")
            if isinstance(name, str):
                return name
    return "phases"


def _page_schema(
    site: Site, entry: Entry
) -> tuple[type[msgspec.Struct], dict[str, Any], list[str]]:
    options = site.lint.front_matter
    layout = entry.data.get("layout")
    struct: type[msgspec.Struct] = PageFrontMatter
    extra = {key: KEY_TYPES[name] for key, name in options.keys.items()}
    required: list[str] = []
    if entry.file is not None and entry.file.markdown:
        if entry.kind is EntryKind.PAGE:
            required += options.required
        elif entry.output is not None:  # an output document: Jekyll derives its title
            required += [key for key in options.required if key != "title"]
    if isinstance(layout, str):
        struct = LAYOUT_SCHEMAS.get(layout, PageFrontMatter)
        layout_options = options.layouts.get(layout)
        if layout_options is not None:
            extra.update({k: KEY_TYPES[name] for k, name in layout_options.keys.items()})
            required += layout_options.required
    if entry.redirect_to is not None:  # a redirect page needs no layout nor title
        required = []
    return struct, extra, required


def checked_files(site: Site) -> list[Checked]:
    """Schema findings of every page, document and validated data file (cached per site)."""
    cached = _CACHE.get(site)
    if cached is not None:
        return cached
    results: list[Checked] = []
    phases = phases_collection(site)
    for entry in site.entries:
        file = entry.file
        if entry.kind not in (EntryKind.PAGE, EntryKind.DOCUMENT) or file is None:
            continue
        if file.front_matter is None:
            continue
        own = frozenset(k for k in file.front_matter.data if isinstance(k, str))
        if entry.collection == phases:
            data = {k: v for k, v in entry.data.items() if k in own or k == "slug"}
            issues = validate(data, Phase)
        else:
            struct, extra, required = _page_schema(site, entry)
            issues = validate(entry.data, struct, extra=extra, required=required)
        # Keys that came from `defaults:` are not this file's to fix.
        issues = [i for i in issues if i.kind == "missing" or str(i.path[0]) in own]
        results.append(Checked(entry.rel, file.front_matter, None, issues, own))
    for data_file in site.data_files:
        struct_type = DATA_SCHEMAS.get(data_file.name)
        if struct_type is None or data_file.data is None:
            continue
        if not isinstance(data_file.data, dict):
            issue = SchemaIssue("type", (), f"`{data_file.name}` must be a mapping")
            results.append(Checked(data_file.rel, None, data_file.yaml, [issue], frozenset()))
            continue
        issues = validate(data_file.data, struct_type)
        keys = frozenset(str(k) for k in data_file.data)
        results.append(Checked(data_file.rel, None, data_file.yaml, issues, keys))
    _CACHE[site] = results
    return results


# --- breadcrumbs -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Crumb:
    index: int
    title: str
    link: str | None
    position: Position  # of the crumb's mapping
    link_position: Position


def crumbs(entry: Entry) -> list[Crumb] | None:
    """The crumbs of a page, in order; None when it has no breadcrumbs or they are malformed."""
    file = entry.file
    value = entry.data.get("breadcrumbs")
    if file is None or not isinstance(value, list):
        return None
    front_matter = file.front_matter
    trail: list[Crumb] = []
    for index, item in enumerate(value):
        if not isinstance(item, dict) or not isinstance(item.get("title"), str):
            return None  # malformed (BC201): the other breadcrumb rules skip the page
        link = item.get("link")
        if (link is not None and not isinstance(link, str)) or set(item) - {"title", "link"}:
            return None
        if front_matter is not None:
            where = front_matter.position(["breadcrumbs", index])
            link_where = front_matter.position(["breadcrumbs", index, "link"])
        else:
            where = link_where = Position(1, 1)
        trail.append(Crumb(index, item["title"], link, where, link_where))
    return trail


def is_internal(link: str) -> bool:
    return "://" not in link and not link.startswith(("//", "mailto:", "tel:", "#"))


def resolve(site: Site, entry: Entry, link: str) -> Resolution | None:
    """Resolve a link written on `entry` (site-absolute, or relative to the page's URL)."""
    target = link if link.startswith("/") else urljoin(entry.url, link)
    return site.lookup(target)


def final_page(site: Site, resolution: Resolution) -> Entry:
    """The page a resolution lands on, following one internal redirect."""
    entry = resolution.entry
    if entry.kind is EntryKind.REDIRECT and entry.redirect_to:
        followed = site.lookup(entry.redirect_to)
        if followed is not None:
            return followed.entry
    return entry


def fold(text: str) -> str:
    """Text without accents and case, for "differs only in accents or case" messages."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)
