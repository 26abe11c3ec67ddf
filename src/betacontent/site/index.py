"""The site as Jekyll builds it: every page, document, redirect and static file with its output
URL and file, and URL lookup the way the web server resolves it. Pure: no file system access.
"""

from __future__ import annotations

import datetime
import difflib
import fnmatch
import functools
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from betacontent.core.settings import ConfigError, LintConfig
from betacontent.site import dates, urls
from betacontent.site.front_matter import Problem, ProblemKind
from betacontent.site.jekyll_config import SiteConfig
from betacontent.site.parsing import DataFile, ParsedFile
from betacontent.site.schemas import SiteSchemas, load_schemas

if TYPE_CHECKING:
    from betacontent.site.links import Template
    from betacontent.site.semantic import Semantic

_SLASHES = re.compile("/{2,}")


class EntryKind(StrEnum):
    PAGE = "page"
    DOCUMENT = "document"
    STATIC = "static"
    REDIRECT = "redirect"
    GENERATED = "generated"


@dataclass(frozen=True, slots=True)
class InvalidDate:
    """A document date Ruby's `Time.parse` cannot read (`2019-13-01`): Jekyll stops."""

    source: str  # "file name" or "front matter"
    text: str
    reason: str


@dataclass(slots=True, eq=False)
class Entry:
    """Something that has (or would have) a URL on the built site."""

    kind: EntryKind
    rel: str  # source file; for a redirect, the page that declares it
    url: str  # Jekyll's `url`, e.g. "/approche/" or "/devenir-intrapreneur"
    output: str | None  # file written under `_site/`; None when not written
    data: dict[str, Any] = field(default_factory=dict)  # front matter after `defaults:`
    file: ParsedFile | None = None
    collection: str | None = None
    redirect_to: str | None = None
    date: datetime.datetime | None = None  # a document's date, as Jekyll reads it (local)
    derived: frozenset[str] = frozenset()
    """Keys Jekyll gives a document that neither its front matter nor `defaults:` hold: its
    `title` and `slug` from its file name, a post's `date`."""
    invalid_date: InvalidDate | None = None  # a date that stops `jekyll build`
    write_rank: int = 0  # when `jekyll build` writes it, among all entries (`write_order`)

    @property
    def title(self) -> str | None:
        title = self.data.get("title")
        if isinstance(title, int | float) and not isinstance(title, bool):
            return str(title)  # `title: 404`, printed as text by Jekyll
        return title if isinstance(title, str) else None

    @property
    def is_page(self) -> bool:
        """A rendered page or output document (not a static file, redirect or generated file)."""
        return self.kind in (EntryKind.PAGE, EntryKind.DOCUMENT) and self.redirect_to is None


def _rank(entry: Entry) -> int:
    return entry.write_rank


def _fold(path: str) -> str:
    return unicodedata.normalize("NFC", path).casefold()


@dataclass(frozen=True, slots=True)
class Resolution:
    """How a URL finds an entry: `exact` when it is the entry's URL or its very file."""

    entry: Entry
    template: str  # the fallback template that matched, e.g. "$uri/index.html"
    exact: bool
    case_insensitive: bool = False


@dataclass(eq=False)
class Site:
    root: Path
    config: SiteConfig
    lint: LintConfig
    config_rel: str | None
    config_problems: list[Problem]
    files: list[ParsedFile]
    entries: list[Entry]
    data_files: list[DataFile]
    layouts: frozenset[str]
    has_layouts_dir: bool
    includes: frozenset[str]
    has_includes_dir: bool
    read_problems: list[tuple[str, Problem]] = field(default_factory=list)
    templates: dict[str, Template] = field(default_factory=dict)  # "_layouts/x.html" -> facts
    generators: tuple[str, ...] = ()
    """The site's own plugins that add pages (`_plugins/*.rb` Generators), which betacontent
    does not run: a link to a folder they may fill is not known broken."""
    declared: SiteSchemas | None = None
    """The schemas the configuration declares (read from `lint` when not given)."""
    external: dict[str, Any] | None = None  # URL -> ExternalResult, when `--external` ran
    _by_url: dict[str, Entry] = field(default_factory=dict, repr=False)
    _by_output: dict[str, list[Entry]] = field(default_factory=dict, repr=False)
    _by_output_folded: dict[str, Entry] = field(default_factory=dict, repr=False)
    _by_rel: dict[str, Entry] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.declared is None:
            self.declared = load_schemas(self.lint, self.root)
        # Bindings are checked against `_config.yml`; while it cannot be read, nothing is.
        unreadable = (ProblemKind.YAML_SYNTAX, ProblemKind.UNREADABLE)
        if not any(problem.kind in unreadable for problem in self.config_problems):
            # A theme's layouts are out of reach: then a layout binding cannot be checked.
            themed = self.config.theme or self.config.remote_theme
            layouts = self.layouts if self.has_layouts_dir and not themed else None
            files = [f.rel for f in self.files] + [d.rel for d in self.data_files]
            self.declared.check_bindings(self.config.collections, layouts, files)
            phases = self.lint.phases.collection
            if phases != "phases" and phases not in self.config.collections:
                raise ConfigError(  # the default may be absent; a collection named must not
                    f"`phases.collection`: the site has no collection `{phases}`"
                    + _did_you_mean(phases, self.config.collections)
                )
        # In the order Jekyll writes: where two entries claim one file, the last one written
        # is what stays on disk, and what a URL of either serves.
        written = sorted((e for e in self.entries if e.output is not None), key=_rank)
        for entry in written:
            assert entry.output is not None
            self._by_output.setdefault(entry.output, []).append(entry)
            if entry.kind is not EntryKind.REDIRECT:
                self._by_rel.setdefault(entry.rel, entry)
        for entry in written:
            assert entry.output is not None
            winner = self._by_output[entry.output][-1]
            self._by_url[urls.unescape_path(entry.url)] = winner
            self._by_output_folded[_fold(entry.output)] = winner

    @functools.cached_property
    def semantic(self) -> Semantic:
        """What the site means: its links, trails, anchors and schema findings, computed as
        they are asked for and kept (`semantic.Semantic`; rules, the API and the CLI read it)."""
        from betacontent.site.semantic import Semantic  # it reads this module's Site

        return Semantic(self)

    @property
    def schemas(self) -> SiteSchemas:
        assert self.declared is not None  # set by __post_init__
        return self.declared

    @property
    def outputs(self) -> Mapping[str, list[Entry]]:
        """Output file -> the entries that claim it, in the order Jekyll writes them."""
        return self._by_output

    def written(self, output: str) -> Entry | None:
        """The entry whose content Jekyll leaves in `output`: the last one written."""
        claimants = self._by_output.get(output)
        return claimants[-1] if claimants else None

    def entry_for(self, rel: str) -> Entry | None:
        return self._by_rel.get(rel)

    def documents(self, label: str) -> list[Entry]:
        """The documents of a collection in the order Jekyll gives `site.<label>`: the
        collection's `order:` list, else its `sort_by` key, else by date then path."""
        docs = [e for e in self.entries if e.collection == label and e.kind is EntryKind.DOCUMENT]
        collection = self.config.collections.get(label)
        ordered = sorted(docs, key=functools.cmp_to_key(_document_order))
        if collection is None:
            return ordered
        folder = f"_{label}/"
        if isinstance(collection.order, list):
            rank = {str(name): index for index, name in enumerate(collection.order)}

            def place(entry: Entry) -> int:  # unlisted documents follow, in the default order
                return rank.get(entry.rel.split(folder, 1)[-1], len(rank))

            return sorted(ordered, key=place)
        if isinstance(collection.sort_by, str) and collection.sort_by:
            key = collection.sort_by
            keyed = [e for e in ordered if e.data.get(key) is not None]
            try:
                keyed.sort(key=lambda e: e.data[key])
            except TypeError:  # values Ruby could not compare either; keep the default order
                return ordered
            return keyed + [e for e in ordered if e.data.get(key) is None]
        return ordered

    def document_names(self, label: str) -> frozenset[str]:
        """What a value may write to name a document of collection `label`: its file name
        without extension (and without the date of a dated name), or its `slug`."""
        found: set[str] = set()
        for entry in self.entries:
            if entry.collection != label or entry.kind is not EntryKind.DOCUMENT:
                continue
            name = PurePosixPath(entry.rel).name
            found.add(PurePosixPath(name).stem)
            dated = urls.DATE_FILENAME.match(name)
            if dated:
                found.add(PurePosixPath(dated.group(2)).stem)
            slug = entry.data.get("slug")
            if isinstance(slug, str):
                found.add(slug)
        return frozenset(found)

    def pages(self) -> Iterator[Entry]:
        return (e for e in self.entries if e.kind in (EntryKind.PAGE, EntryKind.DOCUMENT))

    def site_path(self, link: str, *, baseurl_included: bool = True) -> str | None:
        """The site path a link asks the server for: query and fragment dropped, `.` and `..`
        segments removed as a browser does, and the baseurl taken off when the link carries
        it (a link written in content must; one passed through `relative_url` must not).
        None for links that are not site-absolute paths, or that leave the baseurl."""
        path = link.split("#", 1)[0].split("?", 1)[0]
        if not path.startswith("/") or path.startswith("//"):
            return None
        baseurl = self.config.baseurl.rstrip("/")
        if baseurl and baseurl_included:
            if path != baseurl and not path.startswith(baseurl + "/"):
                return None
            path = path[len(baseurl) :] or "/"
        return urljoin("/", path) if "." in path else path

    def _candidates(self, path: str) -> Iterator[tuple[str, str]]:
        """(template, output file) for each fallback template, as nginx `try_files` tries."""
        for template in self.lint.fallback:
            candidate = template.replace("$uri", path)
            if candidate.endswith("/"):
                candidate += "index.html"  # nginx's `index` directive for a directory
            yield template, _SLASHES.sub("/", candidate).lstrip("/")

    def lookup(
        self, link: str, *, ignore_case: bool = False, baseurl_included: bool = True
    ) -> Resolution | None:
        """Find what the web server serves for a link, trying the fallback templates. Paths
        are compared byte for byte once percent-decoded, as nginx does; `ignore_case` also
        accepts a match that differs in case or Unicode normalisation only."""
        path = self.site_path(link, baseurl_included=baseurl_included)
        if path is None:
            return None
        path = urls.unescape_path(path)
        entry = self._by_url.get(path)
        if entry is not None:
            return Resolution(entry, "$uri", exact=True)
        for template, rel in self._candidates(path):
            found = self._by_output.get(rel)
            if found:
                exact = urls.unescape_path(found[-1].url) == path
                return Resolution(found[-1], template, exact=exact)
        if ignore_case:
            for template, rel in self._candidates(path):
                folded = self._by_output_folded.get(_fold(rel))
                if folded is not None:
                    return Resolution(folded, template, exact=False, case_insensitive=True)
        return None

    def home(self) -> Entry | None:
        resolution = self.lookup("/", baseurl_included=False)
        return resolution.entry if resolution else None


@dataclass(frozen=True, slots=True)
class SourceDecision:
    """A source file as Jekyll's reader classifies it: a page or document when its first line
    is `---`, else a static file. `file` is its parse, when it was parsed."""

    rel: str
    collection: str | None
    file: ParsedFile | None
    is_page: bool


# --- building -------------------------------------------------------------------------------


def _deep_merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _deep_merge(dict(merged[key]), value)
        else:
            merged[key] = value
    return merged


def _sanitize_scope(path: str) -> str:
    """FrontmatterDefaults#sanitize_path: a scope path loses its leading slash."""
    return path[1:] if path.startswith("/") else path


class Defaults:
    """Jekyll::FrontmatterDefaults: `defaults:` values by scope path and type."""

    def __init__(self, config: SiteConfig) -> None:
        self.config = config

    def _strip_collections_dir(self, path: str) -> str:
        prefix = self.config.collections_dir.strip("/")
        return path[len(prefix) + 1 :] if prefix and path.startswith(prefix + "/") else path

    def _applies(self, scope_path: str, scope_type: str | None, path: str, kind: str) -> bool:
        if scope_type is not None and scope_type != kind:
            return False
        if not scope_path:
            return True
        scope = self._strip_collections_dir(_sanitize_scope(scope_path))
        if "*" in scope:
            parts = path.split("/")
            prefixes = ("/".join(parts[: i + 1]) for i in range(len(parts)))
            return any(fnmatch.fnmatchcase(prefix, scope) for prefix in prefixes)
        return path.startswith(scope)

    def values(self, path: str, kind: str) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        old: tuple[str, bool] | None = None
        for default in self.config.defaults:
            scope = default.scope
            if not self._applies(scope.path, scope.type, path, kind):
                continue
            new = (_sanitize_scope(scope.path), scope.type is not None)
            if (
                old is None
                or len(new[0]) > len(old[0])
                or (len(new[0]) == len(old[0]) and (new[1] or not old[1]))
            ):
                merged = _deep_merge(merged, default.values)
                old = new
            else:
                merged = _deep_merge(default.values, merged)
        return merged


def _output_ext(rel: str, permalink: object, markdown_extensions: frozenset[str]) -> str:
    if isinstance(permalink, str) and not permalink.endswith("/"):
        ext = urls.extname(permalink)
        if ext:
            return ext
    ext = urls.extname(rel)
    if ext.lower() in markdown_extensions:
        return ".html"
    if ext.lower() in urls.SASS_EXTENSIONS:
        return ".css"
    return ext


def _published(data: Mapping[str, Any]) -> bool:
    return not ("published" in data and not data["published"])


def _string_permalink(data: Mapping[str, Any]) -> str | None:
    permalink = data.get("permalink")
    return permalink if isinstance(permalink, str) and permalink else None


class SiteBuilder:
    def __init__(self, config: SiteConfig, now: datetime.datetime | None = None) -> None:
        self.config = config
        self.defaults = Defaults(config)
        self.markdown_extensions = config.markdown_extensions
        self.now = now or datetime.datetime.now(datetime.UTC)
        self.zone = dates.site_zone(config.timezone)

    def page(self, file: ParsedFile) -> Entry:
        rel = file.rel
        data = {**self.defaults.values(rel, "pages"), **file.data}
        path = PurePosixPath(rel)
        directory = "" if str(path.parent) == "." else str(path.parent)
        basename = path.name[: len(path.name) - len(path.suffix)].rstrip(".")
        permalink = _string_permalink(data)
        output_ext = _output_ext(rel, permalink, self.markdown_extensions)
        if output_ext not in urls.HTML_EXTENSIONS:
            template = "/:path/:basename:output_ext"
        elif basename == "index":
            template = "/:path/"
        else:
            template = urls.add_permalink_suffix("/:path/:basename", self.config.permalink)
        placeholders = {"path": directory, "basename": basename, "output_ext": output_ext}
        url = urls.sanitize_url(urls.generate_from_hash(permalink or template, placeholders))
        output = urls.output_path(url, output_ext, document=False)
        return Entry(
            EntryKind.PAGE,
            rel,
            url,
            output if _published(data) else None,
            data,
            file,
            redirect_to=_redirect_to(data) if self.config.redirects_enabled else None,
        )

    def _in_collections_dir(self, rel: str) -> str:
        """A collection file's path from `collections_dir` (Jekyll's `relative_path`)."""
        collections_dir = self.config.collections_dir.strip("/")
        return rel[len(collections_dir) + 1 :] if collections_dir else rel

    def document(self, file: ParsedFile, label: str) -> Entry:
        relative = self._in_collections_dir(file.rel)
        defaults = self.defaults.values(relative, label)
        data = _deep_merge(defaults, file.data)
        ext = urls.extname(relative)
        basename = PurePosixPath(relative).name
        basename = basename[: len(basename) - len(PurePosixPath(basename).suffix)]
        stated = frozenset(data)  # what the front matter and `defaults:` say
        date_match = urls.DATE_FILENAME.match(relative)
        moment, invalid = self._document_date(data, date_match)
        if date_match:
            slug = date_match.group(2)
            if data.get("date") is None or data.get("date") is False:
                data["date"] = moment.date() if moment else date_match.group(1)
        else:
            dateless = urls.DATELESS_FILENAME.match(relative)
            slug = dateless.group(1) if dateless else basename
        slug = slug.rstrip(".") or basename
        data.setdefault("title", " ".join(w.capitalize() for w in slug.split("-")))
        data.setdefault("slug", slug)
        cleaned = relative[: len(relative) - len(ext)] if ext else relative
        cleaned = cleaned.replace(f"_{label}", "", 1).rstrip(".")
        collection = self.config.collections[label]
        permalink = _string_permalink(data)
        output_ext = _output_ext(relative, permalink, self.markdown_extensions)
        template = collection.permalink or urls.add_permalink_suffix(
            "/:collection/:path", self.config.permalink
        )
        drop = self._url_drop(data, label, cleaned, basename, output_ext, relative, moment)
        try:
            url = urls.sanitize_url(urls.generate_from_drop(permalink or template, drop))
        except urls.UnknownPlaceholderError:
            url = urls.sanitize_url(f"/{label}{cleaned}{output_ext}")
        output = collection.output and _published(data) and not self._in_future(moment)
        return Entry(
            EntryKind.DOCUMENT,
            file.rel,
            url,
            urls.output_path(url, output_ext, document=True) if output else None,
            data,
            file,
            collection=label,
            derived=frozenset(data) - stated,
            redirect_to=_redirect_to(data) if self.config.redirects_enabled else None,
            date=moment,
            invalid_date=invalid,
        )

    def _document_date(
        self, data: Mapping[str, Any], date_match: re.Match[str] | None
    ) -> tuple[datetime.datetime | None, InvalidDate | None]:
        """The date Jekyll gives a document, or what stops it. A `date:` (after `defaults:`)
        wins, and then the file name's date is never read (Document#modify_date)."""
        value = data.get("date")
        if value is not None and value is not False:  # Ruby's `!data["date"]`
            try:
                moment = dates.jekyll_time(value, self.zone)
            except dates.InvalidDateError as error:
                return None, InvalidDate("front matter", str(value), str(error))
            if moment is not None or date_match is None:
                return moment, None
            # A form only Ruby reads (`March 5, 2024`): the file name's date, as a best
            # guess of the day, never reported.
            try:
                return dates.parse_time(date_match.group(1), self.zone), None
            except dates.InvalidDateError:
                return None, None
        if date_match is None:
            return None, None
        try:
            return dates.parse_time(date_match.group(1), self.zone), None
        except dates.InvalidDateError as error:
            return None, InvalidDate("file name", date_match.group(1), str(error))

    def _in_future(self, moment: datetime.datetime | None) -> bool:
        """Publisher#hidden_in_the_future?: a date after the build's time."""
        return not self.config.future and moment is not None and moment > self.now

    def _url_drop(
        self,
        data: Mapping[str, Any],
        label: str,
        cleaned: str,
        basename: str,
        output_ext: str,
        relative: str,
        moment: datetime.datetime | None,
    ) -> dict[str, str | None]:
        slug_source = data.get("slug") if isinstance(data.get("slug"), str) else None
        moment = moment or self.zone.local(self.now)  # Document#date: the build's time
        categories = _categories(data, relative, label)
        drop: dict[str, str | None] = {
            "collection": label,
            "path": cleaned,
            "name": urls.slugify(basename),
            "title": urls.slugify(slug_source or basename, "pretty", cased=True),
            "slug": urls.slugify(slug_source or basename),
            "output_ext": output_ext,
            "categories": "/".join(dict.fromkeys(c.lower() for c in categories)),
            "slugified_categories": "/".join(dict.fromkeys(urls.slugify(c) for c in categories)),
            "year": moment.strftime("%Y"),
            "month": moment.strftime("%m"),
            "day": moment.strftime("%d"),
            "hour": moment.strftime("%H"),
            "minute": moment.strftime("%M"),
            "second": moment.strftime("%S"),
            "i_day": str(moment.day),
            "i_month": str(moment.month),
            "short_month": moment.strftime("%b"),
            "long_month": moment.strftime("%B"),
            "short_year": moment.strftime("%y"),
            "y_day": moment.strftime("%j"),
            "w_year": moment.strftime("%G"),
            "week": moment.strftime("%V"),
            "w_day": moment.strftime("%u"),
            "short_day": moment.strftime("%a"),
            "long_day": moment.strftime("%A"),
        }
        return drop

    def static(self, rel: str, label: str | None) -> Entry:
        if label is None:
            return Entry(EntryKind.STATIC, rel, "/" + urls.escape_path(rel), rel)
        relative = self._in_collections_dir(rel)
        ext = urls.extname(relative)
        cleaned = (relative[: len(relative) - len(ext)] if ext else relative).rstrip(".")
        cleaned = cleaned.replace(f"_{label}", "", 1)
        collection = self.config.collections[label]
        template = collection.permalink or urls.add_permalink_suffix(
            "/:collection/:path", self.config.permalink
        )
        placeholders = {
            "collection": label,
            "path": cleaned,
            "output_ext": "",
            "name": PurePosixPath(cleaned).name,
            "title": "",
        }
        url = urls.sanitize_url(urls.generate_from_hash(template, placeholders)).rstrip("/") + ext
        output = urls.unescape_path(url).lstrip("/") if collection.output else None
        return Entry(EntryKind.STATIC, rel, url, output, collection=label)

    def redirects(self, entries: Iterable[Entry]) -> Iterator[Entry]:
        """jekyll-redirect-from: one redirect page per `redirect_from` value of every written
        page and document, pointing to its URL; a page that also has `redirect_to` gets its
        stubs too (they lead to it, and it leads on)."""
        for entry in entries:
            if entry.output is None or entry.kind not in (EntryKind.PAGE, EntryKind.DOCUMENT):
                continue
            value = entry.data.get("redirect_from")
            sources = value if isinstance(value, list) else [value]
            for source in dict.fromkeys(s for s in sources if isinstance(s, str)):
                if not isinstance(source, str) or not source:
                    continue
                url = urls.sanitize_url(source if source.startswith("/") else "/" + source)
                ext = _output_ext("redirect.html", source, self.markdown_extensions)
                output = urls.output_path(url, ext, document=False)
                yield Entry(
                    EntryKind.REDIRECT,
                    entry.rel,
                    url,
                    output,
                    file=entry.file,
                    redirect_to=entry.url,
                )


def _did_you_mean(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.75)
    return f"; did you mean `{close[0]}`?" if close else ""


def _document_order(left: Entry, right: Entry) -> int:
    """Document#<=>: by date when both have one and they differ, else by path."""
    if left.date is not None and right.date is not None and left.date != right.date:
        return -1 if left.date < right.date else 1
    return (left.rel > right.rel) - (left.rel < right.rel)


def write_order(entries: Iterable[Entry], config: SiteConfig) -> list[Entry]:
    """Entries in the order `jekyll build` writes them (Site#each_site_file), so that the last
    of several claiming one file is the one left on disk:

    1. pages, sorted by file name (Reader#sort_files!; Jekyll leaves the order of two pages
       with the same name to Ruby's sort, taken here by path), then the pages generators add:
       jekyll-redirect-from's stubs, those of documents first (in the order below) and then
       those of pages, each page's in `redirect_from` order, then `redirects.json` and the
       files of the other plugins;
    2. static files, by path, then those of collections;
    3. documents, collection by collection (`posts` first, then `collections:` in order),
       each sorted by date then path (Document#<=>).
    """
    entries = list(entries)
    labels = ["posts", *(label for label in config.collections if label != "posts")]
    collection_index = {label: index for index, label in enumerate(labels)}

    def by_kind(kind: EntryKind) -> list[Entry]:
        return [e for e in entries if e.kind is kind]

    pages = sorted(by_kind(EntryKind.PAGE), key=lambda e: (PurePosixPath(e.rel).name, e.rel))
    documents: list[Entry] = []
    for label in labels:
        members = [e for e in by_kind(EntryKind.DOCUMENT) if e.collection == label]
        documents += sorted(members, key=functools.cmp_to_key(_document_order))
    documents += [e for e in by_kind(EntryKind.DOCUMENT) if e.collection not in collection_index]
    declaring = {e.rel: index for index, e in enumerate(documents + pages)}
    stubs = sorted(by_kind(EntryKind.REDIRECT), key=lambda e: declaring.get(e.rel, len(declaring)))
    statics = sorted(
        by_kind(EntryKind.STATIC),
        key=lambda e: (
            e.collection is not None,
            collection_index.get(e.collection or "", len(labels)),
            e.rel,
        ),
    )
    return pages + stubs + by_kind(EntryKind.GENERATED) + statics + documents


def _jekyll_env() -> str:
    """`Jekyll.env`: the environment a build runs in, as the plugins see it."""
    return os.environ.get("JEKYLL_ENV") or "development"


def feed_paths(feed: Mapping[str, Any]) -> list[str]:
    """The feeds jekyll-feed writes (`Generator#generate`, `#feed_path`): one per collection
    it is given (`posts` always), and one per category listed for it. Feeds by tag are left
    out (they depend on the posts' tags)."""
    if feed.get("disable_in_development") and _jekyll_env() == "development":
        return []
    given = feed.get("collections")
    collections: dict[str, Any] = {}
    if isinstance(given, list):
        collections = {str(name): {} for name in given}
    elif isinstance(given, dict):
        collections = {str(k): v if isinstance(v, dict) else {} for k, v in given.items()}
    posts = dict(collections.get("posts") or {})
    posts.setdefault("path", feed.get("path"))
    posts.setdefault("categories", feed.get("categories"))
    collections["posts"] = posts
    paths: list[str] = []
    for name, meta in collections.items():
        prefix = "/feed" if name == "posts" else f"/feed/{name}"
        categories = meta.get("categories")
        for category in categories if isinstance(categories, list) else []:
            paths.append(f"{prefix}/{category}.xml")
        path = meta.get("path")
        paths.append(path if isinstance(path, str) and path else f"{prefix}.xml")
    return paths


def source_maps(entries: list[Entry], config: SiteConfig) -> list[Entry]:
    """The `.css.map` jekyll-sass-converter writes beside each Sass page it converts, unless
    `sass: sourcemap:` says `never` (or `development`, outside the development environment)."""
    sass = config.sass if isinstance(config.sass, dict) else {}
    option = str(sass.get("sourcemap", "always"))
    if option == "never" or (option == "development" and _jekyll_env() != "development"):
        return []
    found: list[Entry] = []
    for entry in list(entries):
        if (
            entry.kind is EntryKind.PAGE
            and entry.output is not None
            and entry.output.endswith(".css")
            and urls.extname(entry.rel).lower() in urls.SASS_EXTENSIONS
        ):
            found += _generated(entries + found, "/" + entry.output + ".map")
    return found


def _generated(entries: list[Entry], url: str) -> list[Entry]:
    """A file a plugin writes at `url`, unless a source file already has that output."""
    output = url.lstrip("/")
    if any(e.output == output and e.kind is not EntryKind.REDIRECT for e in entries):
        return []
    return [Entry(EntryKind.GENERATED, output, url, output)]


def _redirect_to(data: Mapping[str, Any]) -> str | None:
    value = data.get("redirect_to")
    if isinstance(value, list):
        value = next((v for v in value if v is not None), None)
    return value if isinstance(value, str) and value else None


def _categories(data: Mapping[str, Any], relative: str, label: str) -> list[str]:
    """Document#categories_from_path, then the `categories` and `category` of the front
    matter. The folders above a document's special folder (`_posts`) are its categories:
    Jekyll cuts the path at the first `_posts`, wherever it appears."""
    special = f"_{label}"
    found: list[str] = []
    if not relative.startswith(special):
        basename = relative.rsplit("/", 1)[-1]
        head = relative.split(special, 1)[0]
        found += [part for part in head.split("/") if part and part not in (special, basename)]
    for key in ("categories", "category"):
        value = data.get(key)
        if isinstance(value, str):
            found += value.split()
        elif isinstance(value, list):
            found += [str(item) for item in value if item is not None]
    return found


def build_site(
    root: Path,
    config: SiteConfig,
    lint: LintConfig,
    *,
    config_rel: str | None,
    config_problems: list[Problem],
    sources: Iterable[SourceDecision],
    data_files: list[DataFile],
    layouts: Iterable[str],
    has_layouts_dir: bool,
    includes: Iterable[str],
    has_includes_dir: bool,
    read_problems: list[tuple[str, Problem]] | None = None,
    templates: dict[str, Any] | None = None,
    generators: list[str] | None = None,
    now: datetime.datetime | None = None,
) -> Site:
    """Assemble the site from its source files, in reading order."""
    builder = SiteBuilder(config, now)
    entries: list[Entry] = []
    files: list[ParsedFile] = []
    for source in sources:
        if source.file is not None:
            files.append(source.file)
        if source.file is None or not source.is_page:
            entries.append(builder.static(source.rel, source.collection))
        elif source.collection is None:
            entries.append(builder.page(source.file))
        else:
            entries.append(builder.document(source.file, source.collection))
    if config.redirects_enabled:
        entries += list(builder.redirects(entries))
        wants_json = not (
            isinstance(config.redirect_from, dict) and config.redirect_from.get("json") is False
        )
        if wants_json:
            entries += _generated(entries, "/redirects.json")
    # Files the common plugins write (unless the site has its own).
    if config.uses("jekyll-feed"):
        for path in feed_paths(config.feed if isinstance(config.feed, dict) else {}):
            entries += _generated(entries, "/" + path.lstrip("/"))
    entries += source_maps(entries, config)
    if config.uses("jekyll-sitemap"):
        entries += _generated(entries, "/sitemap.xml")
        entries += _generated(entries, "/robots.txt")
    for rank, entry in enumerate(write_order(entries, config)):
        entry.write_rank = rank
    layout_names = frozenset(str(PurePosixPath(name).with_suffix("")) for name in layouts)
    return Site(
        root=root,
        config=config,
        lint=lint,
        config_rel=config_rel,
        config_problems=config_problems,
        files=files,
        entries=entries,
        data_files=data_files,
        layouts=layout_names,
        has_layouts_dir=has_layouts_dir,
        includes=frozenset(includes),
        has_includes_dir=has_includes_dir,
        read_problems=read_problems or [],
        templates=templates or {},
        generators=tuple(generators or ()),
    )
