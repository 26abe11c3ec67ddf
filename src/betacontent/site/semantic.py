"""The site's semantic model: what its pages, links, breadcrumbs and schemas mean.

`Semantic` is computed once per site, on first use, and kept with it (`Site.semantic`): the
schema findings of every file, each page's breadcrumb trail resolved, every link of every
page and data file resolved (the same link on many pages once), the anchors of each page,
what a template's Liquid writes, and why a link finds nothing. Rules read it, and so do the
API (a page's links and parent) and the CLI; none of them computes these again.
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, Literal
from urllib.parse import SplitResult, unquote, urljoin, urlsplit

import msgspec

from betacontent.core.positions import Position
from betacontent.core.validation import SchemaIssue, validate
from betacontent.kramdown.body_facts import extract
from betacontent.kramdown.links import FileLinks, Link, Unsafe, script_url
from betacontent.kramdown.markdown import MASK, liquid_attributes, liquid_link_attributes
from betacontent.site import liquid_links as liquid
from betacontent.site import urls
from betacontent.site.front_matter import (
    FrontMatter,
    ProblemKind,
    key_position_in,
    readable_scalars,
)
from betacontent.site.index import Entry, EntryKind, Resolution, Site
from betacontent.site.links import (
    NOT_LINK_KEYS,
    LinkShapes,
    Template,
    data_links,
    front_matter_links,
    include_parameter_links,
    included_names,
)
from betacontent.site.liquid_ids import SiteValues, evaluate, liquid_ids
from betacontent.site.parsing import DataFile, ParsedFile
from betacontent.site.schema import JEKYLL_KEYS, PageFrontMatter
from betacontent.site.schemas import schema_issues, unknown_keys


@dataclass(frozen=True, slots=True)
class LocatedProblem:
    path: str
    position: Position
    kind: ProblemKind
    message: str
    end: Position | None = None


@dataclass(frozen=True, slots=True)
class Checked:
    """The schema findings of one file, with the front matter to place them."""

    path: str
    front_matter: FrontMatter | None
    document: Any  # a YamlDocument for data files
    issues: list[SchemaIssue]
    own_keys: frozenset[str]

    def position(self, issue: SchemaIssue) -> Position:
        if not issue.path:
            return Position(1, 1)
        source = self.front_matter or self.document
        if source is None:
            return Position(1, 1)
        if issue.kind == "unknown":
            if self.front_matter is not None and len(issue.path) == 1:
                return self.front_matter.key_position(str(issue.path[0]))
            found = key_position_in(source.root, issue.path)
            if found is not None:
                return found
        return source.position(issue.path)


def _deduplicated(issues: list[SchemaIssue]) -> list[SchemaIssue]:
    seen: set[tuple[str, tuple[Any, ...]]] = set()
    kept = []
    for issue in issues:
        key = (issue.kind, issue.path if issue.kind != "missing" else (issue.message,))
        if key not in seen:
            seen.add(key)
            kept.append(issue)
    return kept


class _Empty(msgspec.Struct):
    """No key of its own: a data file's keys all come from its declared schema."""


_EMPTY = _Empty


@dataclass(frozen=True, slots=True)
class Crumb:
    index: int
    title: str
    link: str | None
    front_matter: FrontMatter | None = field(default=None, repr=False, compare=False)

    @property
    def position(self) -> Position:
        """Where the crumb's mapping starts (found when a finding needs it)."""
        if self.front_matter is None:
            return Position(1, 1)
        return self.front_matter.position(["breadcrumbs", self.index])

    @property
    def link_position(self) -> Position:
        if self.front_matter is None:
            return Position(1, 1)
        return self.front_matter.position(["breadcrumbs", self.index, "link"])


_CRUMB_KEYS = frozenset({"title", "link"})


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
        if (link is not None and not isinstance(link, str)) or not item.keys() <= _CRUMB_KEYS:
            return None
        trail.append(Crumb(index, item["title"], link, front_matter))
    return trail


@dataclass(frozen=True, slots=True)
class CrumbTarget:
    """Where a crumb leads. Crumb links go through `relative_url` in the templates, so a site
    path is taken as written (no baseurl); an absolute URL to the site's own domain is kept
    as is by `relative_url` and resolved as the site's own."""

    crumb: Crumb
    checked: bool  # a link betacontent resolves (site path, relative, own-domain URL)
    resolution: Resolution | None
    page: Entry | None  # the page it lands on (after one redirect); self for a linkless last
    folded: Resolution | None  # a match only when case or normalisation are ignored


LinkKind = Literal[
    "internal",
    "own-domain",
    "external",
    "same-page",
    "source-path",
    "unsafe",
    "other",
    "liquid",
    "liquid-error",
    "empty",
    "plugin",
    "completed",
]


_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


@dataclass(frozen=True, slots=True)
class Target:
    """A link and what it resolves to."""

    path: str  # the file that holds the link
    entry: Entry | None  # the page that holds it (None for data files)
    link: Link
    kind: LinkKind
    url: str  # after Liquid
    site_path: str | None = None
    fragment: str | None = None  # percent-decoded
    resolution: Resolution | None = None
    folded: Resolution | None = None  # a match found only when case is ignored
    problem: str | None = None  # why the link is malformed or its Liquid failed


@dataclass(frozen=True, slots=True)
class PageLinks:
    path: str
    entry: Entry | None
    targets: list[Target]
    unsafe: list[Unsafe]
    anchors: list[tuple[str, Position, str]]  # (id, position, kind) the page defines
    skipped: list[Link] = field(default_factory=list)  # over `limits.max-links-per-page`
    liquid: tuple[str, ...] = ()  # files that write ids by Liquid not evaluated statically


@lru_cache(maxsize=65536)
def malformation(url: str) -> str | None:
    if _BAD_PERCENT.search(url):
        return "has a `%` that starts no percent-encoded byte"
    if re.search(r"\s", url.strip()):
        return "contains whitespace; encode it as `%20`"
    return None


TEMPLATED: frozenset[str] = frozenset({"breadcrumb", "data", "include", "front-matter"})


@lru_cache(maxsize=65536)
def _script_url(url: str) -> str | None:
    return script_url(url)


@lru_cache(maxsize=65536)
def _joined(base: str, path: str) -> str:
    """The path of `path` followed from a page at `base`, `.` and `..` resolved."""
    return urlsplit(urljoin("http://site" + base, path)).path


_Resolved = tuple[
    LinkKind, str, str | None, str | None, Resolution | None, Resolution | None, str | None
]


"""A Target's fields after the link: kind, url, site path, fragment, resolution, folded,
problem."""


def _fragment(written: str) -> str | None:
    """A fragment as the browser looks it up: HTML entities decoded (the link is an HTML
    attribute in the end: `#l&eacute;quipe` is `#léquipe`), then percent-decoded."""
    return unquote(html.unescape(written)) if written else None


def _published(entry: Entry) -> bool:
    return not ("published" in entry.data and not entry.data["published"])


def _completed(target: Target, template: str) -> Target:
    """A data target that only Liquid in `template` makes whole: unknown, not broken."""
    return Target(
        target.path,
        target.entry,
        target.link,
        "completed",
        target.url,
        problem=template,
    )


@dataclass(frozen=True, slots=True)
class FragmentMiss:
    """A link whose `#fragment` names no id of the page it leads to (`holder`); `liquid`:
    the files that may write it with Liquid (then it is not known to be broken)."""

    page: PageLinks
    target: Target
    holder: Entry
    ids: frozenset[str]
    liquid: tuple[str, ...]


def _last_segment(url: str) -> str:
    name = urls.unescape_path(url).rstrip("/").rsplit("/", 1)[-1]
    return name.removesuffix(".html")


class Semantic:
    """The meaning of one site, computed as it is asked for and kept (a plain dict per
    table: these are read hundreds of thousands of times on a large site)."""

    def __init__(self, site: Site) -> None:
        self.site = site
        # Results by their arguments: the same link, trail or template is resolved once.
        self._crumb_links_table: dict[
            tuple[str, str | None], tuple[bool, Resolution | None, Resolution | None]
        ] = {}
        self._crumb_targets_table: dict[str, list[CrumbTarget] | None] = {}
        self._liquid_table: dict[str, liquid.Rendered] = {}
        self._classify_table: dict[tuple[str, str, str | None], _Resolved] = {}
        self._template_facts_table: dict[
            tuple[str | None, tuple[str, ...]], tuple[frozenset[str], tuple[str, ...]]
        ] = {}
        self._template_liquid_ids_table: dict[str, tuple[frozenset[str], bool]] = {}
        self._why_broken_table: dict[tuple[str, bool], str] = {}

    def problems(self, kind: ProblemKind) -> Iterator[LocatedProblem]:
        """Parse problems of one kind in `_config.yml`, every parsed file and every data file."""
        if self.site.config_rel:
            for problem in self.site.config_problems:
                if problem.kind is kind:
                    yield LocatedProblem(
                        self.site.config_rel, problem.position, kind, problem.message, problem.end
                    )
        for rel, problem in self.site.read_problems:
            if problem.kind is kind:
                yield LocatedProblem(rel, problem.position, kind, problem.message, problem.end)
        for parsed in self.site.files:
            for problem in parsed.problems:
                if problem.kind is kind:
                    yield LocatedProblem(
                        parsed.rel, problem.position, kind, problem.message, problem.end
                    )
        for data in self.site.data_files:
            for problem in data.problems:
                if problem.kind is kind:
                    yield LocatedProblem(
                        data.rel, problem.position, kind, problem.message, problem.end
                    )

    def _page_issues(self, entry: Entry) -> list[SchemaIssue]:
        """Jekyll's own keys, then every schema the site binds to this page or document."""
        schemas = self.site.schemas
        declared = schemas.for_file(
            entry.rel, layout=entry.data.get("layout"), collection=entry.collection
        )
        every = [schemas.site_wide, *declared]
        extra: dict[str, Any] = {}
        for schema in every:
            extra.update(schema.keys)
        required: list[str] = []
        if entry.file is not None and entry.file.markdown:
            if entry.kind is EntryKind.PAGE:
                required += schemas.site_wide.options.required
            elif entry.output is not None:  # an output document: Jekyll derives its title
                required += [k for k in schemas.site_wide.options.required if k != "title"]
        for schema in declared:
            required += schema.options.required
        if entry.redirect_to is not None:  # a redirect page needs no layout nor title
            return []
        issues = validate(
            entry.data, PageFrontMatter, extra=extra, required=required, unknown=False
        )
        # A site's schema describes what its files say (with `defaults:`), not what Jekyll adds.
        written = {k: v for k, v in entry.data.items() if k not in entry.derived}
        for schema in declared:
            issues += schema_issues(schema, written)
        closed = [schema for schema in every if schema.options.closed]
        if closed:
            known = set(JEKYLL_KEYS).union(*(schema.vocabulary for schema in every))
            issues += unknown_keys(entry.data, known, closed[-1].where)
        return _deduplicated(issues)

    def _data_issues(self, data: Any) -> list[SchemaIssue]:
        declared = self.site.schemas.for_file(data.rel)
        issues: list[SchemaIssue] = []
        for schema in declared:
            issues += schema_issues(schema, data.data)
            inline = schema.options
            if not (inline.keys or inline.required or inline.closed):
                continue
            if not isinstance(data.data, dict):
                where = schema.where
                issues.append(SchemaIssue("type", (), f"`{data.name}` must be a mapping ({where})"))
                continue
            issues += validate(
                data.data, _EMPTY, extra=schema.keys, required=inline.required, unknown=False
            )
            if inline.closed:
                issues += unknown_keys(data.data, schema.vocabulary, schema.where)
        return _deduplicated(issues)

    @cached_property
    def checked_files(self) -> list[Checked]:
        """Schema findings of every page, document and declared data file."""
        results: list[Checked] = []
        for entry in self.site.entries:
            file = entry.file
            if entry.kind not in (EntryKind.PAGE, EntryKind.DOCUMENT) or file is None:
                continue
            if file.front_matter is None:
                continue
            own = frozenset(str(k) for k in file.front_matter.data)
            issues = self._page_issues(entry)
            # Keys that came from `defaults:` (or that Jekyll derives) are not this file's to fix.
            issues = [
                i
                for i in issues
                if i.kind == "missing" or not i.path or str(i.path[0]) in own  # () is the file's
            ]
            results.append(Checked(entry.rel, file.front_matter, None, issues, own))
        for data_file in self.site.data_files:
            if data_file.data is None:
                continue
            issues = self._data_issues(data_file)
            if issues:
                keys = (
                    frozenset(str(k) for k in data_file.data)
                    if isinstance(data_file.data, dict)
                    else frozenset()
                )
                results.append(Checked(data_file.rel, None, data_file.yaml, issues, keys))
        return results

    def _resolve_crumb(
        self, entry: Entry, link: str
    ) -> tuple[bool, Resolution | None, Resolution | None]:
        """Whether betacontent checks `link`, what it resolves to, and what it would resolve to
        ignoring case; once per link (and page, for a relative link) and site."""
        by_link = self._crumb_links_table
        relative = not link.startswith(("/", "#")) and not _SCHEME.match(link)
        key = (link, entry.url if relative else None)
        found = by_link.get(key)
        if found is None:
            found = by_link[key] = self._resolve_crumb_link(entry, link)
        return found

    def _resolve_crumb_link(
        self, entry: Entry, link: str
    ) -> tuple[bool, Resolution | None, Resolution | None]:
        parts = urlsplit(link)
        if parts.scheme in ("http", "https") or link.startswith("//"):
            if not self.is_own(parts):
                return False, None, None
            path = parts.path or "/"
            return True, self.site.lookup(path), self.site.lookup(path, ignore_case=True)
        if parts.scheme or link.startswith("#"):
            return False, None, None
        path = link if link.startswith("/") else urljoin(entry.url, link)
        found = self.site.lookup(path, baseurl_included=False)
        folded = None if found else self.site.lookup(path, ignore_case=True, baseurl_included=False)
        if found is None and self.site.lint.ignore_case:
            found = folded
        return True, found, folded

    def crumb_targets(self, entry: Entry) -> list[CrumbTarget] | None:
        """The resolved trail of a page; None without well-formed crumbs."""
        table: dict[str, list[CrumbTarget] | None] = self._crumb_targets_table
        if entry.rel in table:
            return table[entry.rel]
        trail = crumbs(entry)
        result: list[CrumbTarget] | None = None
        if trail is not None:
            result = []
            for index, crumb in enumerate(trail):
                if crumb.link is None:
                    page = entry if index == len(trail) - 1 else None
                    result.append(CrumbTarget(crumb, False, None, page, None))
                    continue
                checked, resolution, folded = self._resolve_crumb(entry, crumb.link)
                page = self.final_page(resolution) if resolution else None
                result.append(CrumbTarget(crumb, checked, resolution, page, folded))
        table[entry.rel] = result
        return result

    def final_page(self, resolution: Resolution) -> Entry:
        """The page a resolution lands on, following one internal redirect."""
        entry = resolution.entry
        if entry.kind is EntryKind.REDIRECT and entry.redirect_to:
            followed = self.site.lookup(entry.redirect_to, baseurl_included=False)
            if followed is not None:
                return followed.entry
        return entry

    @cached_property
    def own_hosts(self) -> frozenset[str]:
        """Hosts (with their port when not the default) that are this site: `url`, aliases."""
        site = self.site
        found = {urlsplit(site.config.url).netloc.lower()} if site.config.url else set()
        found.update(host.lower() for host in site.lint.links.own_domains)
        return frozenset(h for h in found if h)

    def is_own(self, parts: SplitResult) -> bool:
        netloc = (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
        return netloc.lower() in self.own_hosts

    def _rendered(self, url: str) -> liquid.Rendered:
        """`liquid.render`, once per URL and site."""
        by_url = self._liquid_table
        rendered = by_url.get(url)
        if rendered is None:
            rendered = by_url[url] = liquid.render(url, self.site)
        return rendered

    def classify(self, entry: Entry | None, path: str, link: Link) -> Target:
        """What `link`, in the file `path` (of the page `entry`), resolves to. The work is done
        once per URL, origin and, for a relative URL, page: the same link on many pages is
        resolved once."""
        by_key: dict[tuple[str, str, str | None], _Resolved] = self._classify_table
        url = link.url
        relative = not url.startswith(("/", "#")) and not _SCHEME.match(url)
        key = (url, link.origin, entry.url if relative and entry is not None else None)
        resolved = by_key.get(key)
        if resolved is None:
            target = self._classify(entry, path, link)
            resolved = by_key[key] = (
                target.kind,
                target.url,
                target.site_path,
                target.fragment,
                target.resolution,
                target.folded,
                target.problem,
            )
            return target
        return Target(path, entry, link, *resolved)

    def _classify(self, entry: Entry | None, path: str, link: Link) -> Target:
        rendered = self._rendered(link.url)
        if rendered.error is not None:
            return Target(path, entry, link, "liquid-error", link.url, problem=rendered.error)
        if rendered.url is None:
            return Target(path, entry, link, "liquid", link.url)
        url = rendered.url.strip()
        if not url:
            return Target(path, entry, link, "empty", url)
        problem = malformation(url)
        scheme_match = _SCHEME.match(url)
        scheme = scheme_match.group(1).lower() if scheme_match else ""
        if _script_url(url):
            return Target(path, entry, link, "unsafe", url)
        if url.startswith("//"):
            url, scheme = "https:" + url, "https"
        templated = link.origin in TEMPLATED
        baseurl = "" if templated else self.site.config.baseurl.rstrip("/")
        try:
            parts = urlsplit(url)
        except ValueError:
            return Target(path, entry, link, "other", url, problem="is not a valid URL")
        kind: LinkKind
        if scheme in ("http", "https"):
            if not self.is_own(parts):
                return Target(path, entry, link, "external", url, problem=problem)
            kind, templated = "own-domain", False  # relative_url leaves absolute URLs alone
            site_path = parts.path or "/"
        elif scheme:
            return Target(path, entry, link, "other", url)
        else:
            if not parts.path:
                fragment = _fragment(parts.fragment)
                return Target(path, entry, link, "same-page", url, None, fragment, problem=problem)
            if link.origin in TEMPLATED and not parts.path.startswith("/"):
                # A value of front matter or data: a source path (`_pages/x.md`), or a path that
                # the templates put after the site's root (`{{ site.baseurl }}/{{ item.path }}`).
                found = self.site.entry_for(parts.path)
                resolution = Resolution(found, "$uri", exact=True) if found else None
                resolution = resolution or self.site.lookup(
                    "/" + parts.path, baseurl_included=False
                )
                return Target(path, entry, link, "source-path", url, parts.path, None, resolution)
            kind = "internal"
            # As the browser does: against the page's URL as served (baseurl included), with
            # `.` and `..` resolved (never above the root).
            base = baseurl + (entry.url if entry is not None else "/")
            # An absolute path does not depend on the page: one entry for every page.
            site_path = _joined("" if parts.path.startswith("/") else base, parts.path)
        resolution = self.site.lookup(site_path, baseurl_included=not templated)
        folded = None
        if resolution is None:
            folded = self.site.lookup(site_path, ignore_case=True, baseurl_included=not templated)
            if self.site.lint.ignore_case:  # the server finds it: a match, if not the canonical URL
                resolution = folded
        if resolution is None and folded is None and self.site.generators:
            local = self.site.site_path(site_path, baseurl_included=not templated)
            if local is not None and urls.unescape_path(local).strip("/") in self._bare_folders:
                return Target(
                    path, entry, link, "plugin", url, site_path, _fragment(parts.fragment)
                )
        fragment = _fragment(parts.fragment)
        return Target(
            path, entry, link, kind, url, site_path, fragment, resolution, folded, problem
        )

    @cached_property
    def files_by_rel(self) -> dict[str, ParsedFile | DataFile]:
        """Every parsed page, template and data file, by its path in the site."""
        files: dict[str, ParsedFile | DataFile] = {f.rel: f for f in self.site.files}
        files.update((d.rel, d) for d in self.site.data_files)
        return files

    @cached_property
    def link_targets(self) -> dict[str, Entry]:
        """What Jekyll's `{% link path %}` finds: each written page, document or static file,
        by its `relative_path` (`liquid_links.jekyll_relative_path`)."""
        targets: dict[str, Entry] = {}
        for entry in self.site.entries:
            if entry.output is not None and entry.kind not in (
                EntryKind.REDIRECT,
                EntryKind.GENERATED,
            ):
                targets.setdefault(liquid.jekyll_relative_path(self.site, entry), entry)
        return targets

    @cached_property
    def site_values(self) -> SiteValues:
        """What Liquid's `site.*` gives the templates, as far as it is modelled:
        each collection's documents (published; posts not in the future, newest first), in
        Jekyll's order, as their front matter after `defaults:` with `url` and `collection`; and
        `_data/`, by folder and name."""
        collections: dict[str, list[dict[str, Any]]] = {}
        for entry in sorted(self.site.entries, key=lambda e: e.write_rank):
            if entry.kind is not EntryKind.DOCUMENT or entry.collection is None:
                continue
            if not _published(entry) or (entry.collection == "posts" and entry.output is None):
                continue
            drop = {**entry.data, "url": entry.url, "collection": entry.collection}
            collections.setdefault(entry.collection, []).append(drop)
        collections["posts"] = collections.get("posts", [])[::-1]  # SiteDrop#posts: newest first
        data: dict[str, Any] = {}
        for data_file in self.site.data_files:
            *folders, name = data_file.name.split("/")
            holder = data
            for folder in folders:
                holder = holder.setdefault(folder, {})
            if isinstance(holder, dict):
                holder[name] = data_file.data
        return SiteValues(collections, data)

    @cached_property
    def _bare_folders(self) -> frozenset[str]:
        """Folders of the sources that Jekyll writes no index for (`en/news`, which holds only
        `_posts`): where a site's own generator plugin writes archive pages."""
        folders: set[str] = set()
        for entry in self.site.entries:
            parts = entry.rel.split("/")[:-1]
            folders.update("/".join(parts[: i + 1]) for i in range(len(parts)))
        written = {
            e.output.rsplit("/", 1)[0]
            for e in self.site.entries
            if e.output and e.output.endswith("/index.html")
        }
        return frozenset(f for f in folders if f not in written and not f.startswith("_"))

    def template_ids(self, entry: Entry) -> set[str]:
        """HTML ids a page gets from its layouts (the whole `layout:` chain) and from the
        includes its body and those templates call: `<main id="contenu">` in a layout is an
        anchor of every page using it, and so is each id a loop of it writes (`liquid_ids`)."""
        return set(self._template_facts(entry)[0])

    def liquid_id_sources(self, entry: Entry) -> tuple[str, ...]:
        """The templates of a page (layouts, includes) that write ids with Liquid that cannot be
        evaluated statically: a fragment they may define is never reported as broken."""
        return self._template_facts(entry)[1]

    def _template_facts(self, entry: Entry) -> tuple[frozenset[str], tuple[str, ...]]:
        layout = entry.data.get("layout")
        body = included_names(entry.file.body) if entry.file is not None else []
        key = (layout if isinstance(layout, str) else None, tuple(body))
        by_key = self._template_facts_table
        found = by_key.get(key)
        if found is None:
            found = by_key[key] = self._template_ids(key[0], body)
        return found

    def _template_ids(
        self, layout: str | None, body_includes: list[str]
    ) -> tuple[frozenset[str], tuple[str, ...]]:
        config = self.site.config
        ids: set[str] = set()
        unknown: list[str] = []
        seen: set[str] = set()
        pending: list[str] = []

        evaluated = self._template_liquid_ids_table  # once per template, whatever the page

        def add(rel: str, template: Template) -> None:
            ids.update(template.ids)
            if rel not in evaluated:
                values = [evaluate(self.site_values, found) for found in template.liquid_ids]
                known = frozenset().union(*(v for v in values if v is not None))
                evaluated[rel] = (known, any(v is None for v in values))
            known, partly_unknown = evaluated[rel]
            ids.update(known)
            if partly_unknown:
                unknown.append(rel)

        while layout:
            key = f"{config.layouts_dir}/{layout}"
            rel, template = next(
                ((r, t) for r, t in self.site.templates.items() if r.rsplit(".", 1)[0] == key),
                ("", None),
            )
            if template is None or key in seen:
                break
            seen.add(key)
            add(rel, template)
            pending += template.includes
            layout = template.parent if isinstance(template.parent, str) else None
        pending += body_includes
        while pending:
            key = f"{config.includes_dir}/{pending.pop()}"
            template = self.site.templates.get(key)
            if template is None or key in seen:
                continue
            seen.add(key)
            add(key, template)
            pending += template.includes
        return frozenset(ids), tuple(dict.fromkeys(unknown))

    @cached_property
    def link_shapes(self) -> LinkShapes:
        """What makes a front matter or data value of this site a link (`links.LinkShapes`)."""
        options = self.site.lint.links
        sources = frozenset(e.rel for e in self.site.entries if e.kind is not EntryKind.REDIRECT)
        roots = frozenset(rel.split("/", 1)[0] for rel in sources)
        always = {*options.front_matter_keys, *options.data_keys}
        return LinkShapes(
            hosts=self.own_hosts,
            roots=roots,
            sources=sources,
            always=frozenset(always),
            never=NOT_LINK_KEYS | frozenset(options.ignore_keys),
            shown=self._shown_not_linked,
        )

    @cached_property
    def _shown_not_linked(self) -> frozenset[str]:
        """Keys the site's Liquid prints but never into a link attribute (`{{ ex.output }}` in a
        `<code>` of a documentation page): their values are text that looks like a path."""
        reads: set[str] = set()
        linked: set[str] = set()
        for template in self.site.templates.values():
            reads |= template.reads
            linked |= template.linked
        for file in self.site.files:  # pages that print data themselves
            if "site.data" in file.body or "{% for" in file.body:
                reads |= liquid_attributes(file.body)
                linked |= liquid_link_attributes(file.body)
        return frozenset(reads - linked)

    def _completed_by_liquid(self, name: str) -> dict[str, str]:
        """key -> template, for the keys of data file `name` that a template which reads it puts
        into a link after other Liquid (`href="/{{ page.lang }}{{ link.url }}"`): their values are
        the end of a URL only the render completes."""
        dotted = name.replace("/", ".")
        found: dict[str, str] = {}
        for rel, template in sorted(self.site.templates.items()):
            if template.prefixed and any(
                dotted == read or dotted.startswith(read + ".") for read in template.data
            ):
                for key in template.prefixed:
                    found.setdefault(key, rel)
        return found

    @cached_property
    def checked_links(self) -> list[PageLinks]:
        """Every link of every page, document and data file, resolved."""
        options = self.site.lint.links
        excluded = [re.compile(pattern) for pattern in options.exclude_urls]
        most = self.site.lint.limits.max_links_per_page
        pages = [
            entry
            for entry in self.site.entries
            if entry.kind in (EntryKind.PAGE, EntryKind.DOCUMENT) and entry.file is not None
        ]
        # Each body was parsed once, when the site was loaded (`parse_files`: in worker
        # processes on a large site, from the cache when it has not changed); its tokens never
        # reach here, only its facts.
        shapes = self.link_shapes
        results: list[PageLinks] = []
        for entry in pages:
            file = entry.file
            assert file is not None
            facts = file.facts or extract(file.body_task())
            body = facts.file_links()
            found = FileLinks(
                front_matter_links(file, shapes)
                + body.links
                + include_parameter_links(file, shapes),
                body.unsafe,
                body.ids,
            )
            anchors: list[tuple[str, Position, str]] = [
                a for a in facts.anchors if a[2] != "liquid"
            ]
            # An id with Liquid in it is masked here: `liquid_ids` below evaluates it, or not.
            anchors += [
                (value, position, "html") for value, position in found.ids if MASK not in value
            ]
            anchors += [(value, Position(1, 1), "template") for value in self.template_ids(entry)]
            anchors += [(value, Position(1, 1), "template") for value in facts.footnotes]
            liquid = self.liquid_id_sources(entry)
            if len(anchors) < len(facts.anchors):  # headings whose text is Liquid's output
                liquid = (entry.rel, *liquid)
            for liquid_id in liquid_ids(file.body):  # the page's own, as for its templates
                values = evaluate(self.site_values, liquid_id)
                if values is None:
                    liquid = (entry.rel, *liquid)
                else:
                    anchors += [(value, Position(1, 1), "template") for value in sorted(values)]
            targets = [
                self.classify(entry, entry.rel, link)
                for link in found.links[:most]
                if not excluded or not any(p.search(link.url) for p in excluded)
            ]
            skipped = found.links[most:]
            liquid = tuple(dict.fromkeys(liquid))
            page = PageLinks(entry.rel, entry, targets, found.unsafe, anchors, skipped, liquid)
            results.append(page)
        for data in self.site.data_files:
            links = data_links(data, shapes)
            completed = self._completed_by_liquid(data.name)
            targets = [
                self.classify(None, data.rel, link)
                for link in links[:most]
                if not any(p.search(link.url) for p in excluded)
            ]
            targets = [
                _completed(target, completed[target.link.element])
                if target.link.element in completed and target.resolution is None
                else target
                for target in targets
            ]
            results.append(PageLinks(data.rel, None, targets, [], [], links[most:]))
        return results

    @cached_property
    def fragment_misses(self) -> list[FragmentMiss]:
        """Every link to a `#fragment` that no id of its target page matches.
        Links through a redirect are checked against the page it leads to; static files are
        not checked; `#` and `#top` always work."""
        misses: list[FragmentMiss] = []
        liquid_of = {id(page.entry): page.liquid for page in self.checked_links if page.entry}
        for page in self.checked_links:
            for target in page.targets:
                fragment = target.fragment
                if not fragment or fragment.lower() == "top" or fragment.startswith(("/", "!")):
                    continue  # `#/datasets/1`, `#!/x`: a route the page's JavaScript reads
                if target.kind == "same-page":
                    holder = target.entry
                elif target.resolution is not None and target.kind in ("internal", "own-domain"):
                    holder = self.final_page(target.resolution)
                else:
                    continue
                if holder is None or holder.kind not in (EntryKind.PAGE, EntryKind.DOCUMENT):
                    continue
                ids = frozenset(anchor for anchor, _, _ in self.anchors_of(holder))
                if fragment not in ids:
                    liquid = liquid_of.get(id(holder), ())
                    misses.append(FragmentMiss(page, target, holder, ids, liquid))
        return misses

    def anchors_of(self, entry: Entry) -> list[tuple[str, Position, str]]:
        """(id, file position, kind) of every anchor a page defines: heading ids as kramdown
        makes them, explicit ids, and HTML `id=`/`name=` attributes."""
        return self._anchors.get(id(entry), [])

    @cached_property
    def _anchors(self) -> dict[int, list[tuple[str, Position, str]]]:
        return {id(page.entry): page.anchors for page in self.checked_links if page.entry}

    @cached_property
    def _refused_permalinks(self) -> dict[str, tuple[str, Position]]:
        """Permalink -> (file, where its YAML fails) of the files whose front matter does not
        parse: links to what they meant to be find nothing, because of that error alone."""
        table: dict[str, tuple[str, Position]] = {}
        for file in self.site.files:
            if file.unparsed is None:
                continue
            permalink = readable_scalars(file.unparsed).get("permalink")
            error = next((p for p in file.problems if p.kind is ProblemKind.YAML_SYNTAX), None)
            if permalink and error is not None:
                for form in {permalink, permalink.rstrip("/"), permalink.rstrip("/") + "/"}:
                    table.setdefault(urls.unescape_path(form), (file.rel, error.position))
        return table

    @cached_property
    def _urls_by_folder(self) -> dict[str, list[Entry]]:
        """The written entries by the folder of their URL, for "did you mean"."""
        table: dict[str, list[Entry]] = {}
        for entry in self.site.entries:
            if entry.output is None or entry.kind in (EntryKind.REDIRECT, EntryKind.GENERATED):
                continue
            url = urls.unescape_path(entry.url)
            folder = url.rstrip("/").rsplit("/", 1)[0] + "/"
            table.setdefault(folder, []).append(entry)
        return table

    @cached_property
    def _urls_by_name(self) -> dict[str, list[Entry]]:
        """The written pages by the last segment of their URL, `.html` dropped: where a page went
        when its folders changed (`/defi/2017/09/26/labsante/` -> `/defi/2017/labsante.html`)."""
        table: dict[str, list[Entry]] = {}
        for entries in self._urls_by_folder.values():
            for entry in entries:
                if entry.kind in (EntryKind.PAGE, EntryKind.DOCUMENT):
                    table.setdefault(_last_segment(entry.url), []).append(entry)
        return table

    def _nearest_entry(self, path: str) -> Entry | None:
        """The written page or file whose URL is closest to `path`: in the same folder, else the
        one page elsewhere with the same name."""
        folder = path.rstrip("/").rsplit("/", 1)[0] + "/"
        name = path.rstrip("/").rsplit("/", 1)[-1]
        candidates = self._urls_by_folder.get(folder, [])
        names = {urls.unescape_path(e.url).rstrip("/").rsplit("/", 1)[-1]: e for e in candidates}
        match = difflib.get_close_matches(name, list(names), n=1, cutoff=0.75)
        if match:
            return names[match[0]]
        elsewhere = self._urls_by_name.get(_last_segment(path), [])
        return elsewhere[0] if len(elsewhere) == 1 and len(name) > 3 else None

    def why_broken(self, link: str, *, templated: bool) -> str:
        """What explains a link (a site path, query and fragment dropped) that finds nothing,
        as the tail of a message ("; ..."), or "": the page it was meant to reach lost its front
        matter to a YAML error; it differs only in case, a trailing slash or the baseurl; it names
        a source file; or another URL of the same folder is close."""
        table = self._why_broken_table
        key = (link, templated)
        found = table.get(key)
        if found is None:
            found = table[key] = self._why_broken(link, templated)
        return str(found)

    def _why_broken(self, link: str, templated: bool) -> str:
        baseurl = self.site.config.baseurl.rstrip("/")
        path = urls.unescape_path(link.split("#", 1)[0].split("?", 1)[0]) or "/"
        local = path
        if not templated and baseurl and (path == baseurl or path.startswith(baseurl + "/")):
            local = path[len(baseurl) :] or "/"
        refused = self._refused_permalinks.get(local)
        if refused is not None:
            rel, where = refused
            return (
                f"; it is the permalink of {rel}, whose front matter does not parse "
                f"({rel}:{where.line}:{where.column}): Jekyll publishes that page elsewhere"
            )
        included = not templated

        def written(url: str) -> str:
            return (baseurl + url) if included else url

        folded = self.site.lookup(path, ignore_case=True, baseurl_included=included)
        if folded is not None:
            return f" (`{written(folded.entry.url)}` exists: paths are case-sensitive)"
        if baseurl and not templated and local == path:
            under = self.site.lookup(path, baseurl_included=False)
            if under is not None:
                return (
                    f"; the site is under `{baseurl}`: did you mean `{baseurl}{under.entry.url}`?"
                )
        if baseurl and templated and path.startswith(baseurl + "/"):
            return (
                f"; templates pass it through `relative_url`, which adds `{baseurl}` again: "
                f"write `{path[len(baseurl) :]}`"
            )
        if local.endswith("/") and len(local) > 1:
            bare = self.site.lookup(written(local.rstrip("/")), baseurl_included=included)
            if bare is not None:
                return f"; did you mean `{written(bare.entry.url)}` (no trailing slash)?"
        source = self.site.entry_for(local.lstrip("/"))
        if source is not None and source.kind is not EntryKind.STATIC:
            return f"; that is a source file: its URL is `{written(source.url)}`"
        near = self._nearest_entry(local)
        if near is not None:
            return f"; did you mean `{written(near.url)}`?"
        return ""
