"""Read a site from disk the way Jekyll's Reader walks it: the only module that touches files.

What it returns is raw material (bytes, listings, read errors as values) for `parsing` and
`site_index`, which are pure.
"""

from __future__ import annotations

import fnmatch
import os
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

from betacontent.site.jekyll_config import SiteConfig
from betacontent.site.urls import DATE_FILENAME

_HEADER = b"---"
_BOM = b"\xef\xbb\xbf"
_PEEK = 64
DATA_EXTENSIONS = frozenset({".yml", ".yaml", ".json", ".csv", ".tsv"})


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One file of the site. `content` is read for files with front matter and data files."""

    rel: str  # POSIX path relative to the site root
    content: bytes | None = None
    error: str | None = None
    collection: str | None = None
    too_large: int | None = None  # the size, when over the limit: `content` is its head only

    @property
    def has_header(self) -> bool:
        """Jekyll's `has_yaml_header?`: the raw first line is `---` (a BOM hides it)."""
        return has_header(self.content)


@dataclass(slots=True)
class SiteSources:
    root: Path
    config: SourceFile | None
    files: list[SourceFile] = field(default_factory=list)
    data_files: list[SourceFile] = field(default_factory=list)
    layouts: list[str] = field(default_factory=list)
    includes: list[str] = field(default_factory=list)
    has_layouts_dir: bool = False
    has_includes_dir: bool = False
    templates: list[SourceFile] = field(default_factory=list)  # layouts and includes, read
    problems: list[tuple[str, str]] = field(default_factory=list)  # (path, what went wrong)
    outside: list[tuple[str, str]] = field(default_factory=list)  # (symlink, its real target)
    generators: list[str] = field(default_factory=list)  # `_plugins/` files that make pages
    bundled_plugins: list[str] = field(default_factory=list)  # Gemfile's :jekyll_plugins gems
    jekyll_version: tuple[int, int] | None = None  # what Gemfile.lock pins (GitHub Pages: 3)


# A plugin that adds pages to the site: a Generator (or a hook) that builds Page objects.
_GENERATOR = re.compile(rb"<\s*(?:Jekyll::)?Generator\b|PageWithoutAFile|Jekyll::Page\.new")
# `group :jekyll_plugins do ... end` of a Gemfile: Bundler requires those gems, so Jekyll runs
# them without `plugins:` naming them.
_PLUGIN_GROUP = re.compile(rb"group\s+[^\n]*:jekyll_plugins[^\n]*\bdo\b(.*?)^\s*end\b", re.S | re.M)
_GEM = re.compile(rb"""^\s*gem\s+["']([\w.-]+)["']""", re.M)
# A resolved gem of Gemfile.lock (four spaces in, under `specs:`): `    jekyll (3.9.0)`.
_LOCKED_JEKYLL = re.compile(rb"^    jekyll \((\d+)\.(\d+)", re.M)


def locked_jekyll(root: Path) -> tuple[int, int] | None:
    """The Jekyll version Gemfile.lock pins, as (major, minor); without a lock, Jekyll 3 when
    the Gemfile asks for the `github-pages` gem (GitHub Pages builds with Jekyll 3.10);
    None otherwise."""
    try:
        found = _LOCKED_JEKYLL.search((root / "Gemfile.lock").read_bytes())
    except OSError:
        found = None
    if found is not None:
        return int(found.group(1)), int(found.group(2))
    try:
        gems = _GEM.findall((root / "Gemfile").read_bytes())
    except OSError:
        return None
    return (3, 10) if b"github-pages" in gems else None


def plugin_facts(root: Path, plugins_dir: str | list[str]) -> tuple[list[str], list[str]]:
    """(the `_plugins/` Ruby files that generate pages, the gems of the Gemfile's
    `:jekyll_plugins` group): pages betacontent cannot see, and plugins Jekyll loads."""
    generators: list[str] = []
    folders = [plugins_dir] if isinstance(plugins_dir, str) else plugins_dir
    for folder in (confined(root, name) for name in folders):
        if not _is_dir(folder):
            continue
        for path in sorted(folder.rglob("*.rb")):
            try:
                if _GENERATOR.search(path.read_bytes()):
                    generators.append(path.relative_to(root).as_posix())
            except OSError:
                continue
    gems: list[str] = []
    try:
        gemfile = (root / "Gemfile").read_bytes()
    except OSError:
        gemfile = b""
    for group in _PLUGIN_GROUP.finditer(gemfile):
        gems += [name.decode() for name in _GEM.findall(group.group(1))]
    return generators, gems


def is_special(name: str) -> bool:
    """EntryFilter#special? and #backup?: names starting with . _ # ~ or ending with ~."""
    return name[:1] in ("", ".", "_", "#", "~") or name.endswith("~")


def is_special_path(inner: str) -> bool:
    """Collection#filtered_entries: a path inside a collection starting, or whose file name
    starts, with a special character (Jekyll does not look at the folders in between)."""
    return is_special(inner) or is_special(inner.rsplit("/", 1)[-1])


class EntryFilter:
    """Jekyll::EntryFilter: which names the reader skips."""

    def __init__(self, root: Path, config: SiteConfig) -> None:
        self.root = root
        self.include = list(config.include)
        self.exclude = [p for p in config.exclude if p not in self.include]

    def _glob_include(self, patterns: list[str], rel: str, is_dir: bool) -> bool:
        for pattern in patterns:
            if not pattern:
                continue
            normalized = pattern.strip("/") if pattern not in ("", "/") else ""
            if fnmatch.fnmatchcase(rel, normalized) or rel.startswith(normalized):
                return True
            if is_dir and pattern.rstrip("/") == rel and pattern.endswith("/"):
                return True
        return False

    def keep(self, rel: str, is_dir: bool) -> bool:
        name = rel.rsplit("/", 1)[-1]
        if name.endswith("."):
            return False
        # Jekyll's reader passes bare names to `included?`, so `include:` matches names.
        included = self._glob_include(self.include, name, is_dir)
        if not included and self._glob_include(self.exclude, rel, is_dir):
            return False
        if included:
            return True
        return not is_special(name)


_HEADER_LINE = re.compile(rb"---[ \t\r\n\f\v]*\n")  # Jekyll: %r!\A---\s*\r?\n!
_MAYBE_FRONT_MATTER = (_HEADER, _BOM + _HEADER, b"+++", b"{")


def has_header(content: bytes | None) -> bool:
    """Jekyll's `has_yaml_header?` on the raw bytes: a first line of `---` (and spaces)."""
    return content is not None and _HEADER_LINE.match(content) is not None


def read_file(
    path: Path,
    rel: str,
    *,
    whole: bool,
    collection: str | None = None,
    max_size: int | None = None,
) -> SourceFile:
    """Read a file: wholly, or only when it may start with front matter; a file over
    `max_size` bytes is not read past its head. Errors are values."""
    try:
        if not path.is_file():
            return SourceFile(
                rel, None, "not a regular file (a pipe, socket or device)", collection
            )
        with path.open("rb") as stream:
            head = stream.read(_PEEK)
            if not whole and not head.startswith(_MAYBE_FRONT_MATTER):
                return SourceFile(rel, head, None, collection)
            size = os.fstat(stream.fileno()).st_size
            if max_size is not None and size > max_size:
                return SourceFile(rel, head, None, collection, too_large=size)
            return SourceFile(rel, head + stream.read(), None, collection)
    except FileNotFoundError:
        return SourceFile(rel, None, "the file vanished while it was being read", collection)
    except OSError as error:
        return SourceFile(rel, None, f"cannot read the file: {error.strerror}", collection)


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


class Walker:
    """Lists folders like Jekyll's reader: symlinks are followed (a symlinked folder is
    entered once, so a loop ends), and what cannot be listed or read is noted, not raised."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[tuple[str, str]] = []
        self.outside: list[tuple[str, str]] = []  # symlinks that lead out of the site
        self._entered: set[str] = set()
        self._real_root = os.path.realpath(root)

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def entries(self, folder: Path) -> list[tuple[Path, bool]]:
        """(path, is_dir) of a folder's entries, sorted by name."""
        try:
            real = os.path.realpath(folder)
            if real in self._entered:
                return []
            self._entered.add(real)
            with os.scandir(folder) as scan:
                found = sorted(scan, key=lambda e: e.name)
        except OSError as error:
            if folder != self.root or error.errno not in (None, 2):
                self.problems.append(
                    (self.relative(folder), f"cannot list the folder: {error.strerror}")
                )
            return []
        listed: list[tuple[Path, bool]] = []
        for entry in found:
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir()
                if entry.is_symlink():
                    if not path.exists():
                        self.problems.append((self.relative(path), "dangling symbolic link"))
                        continue
                    target = os.path.realpath(path)
                    if os.path.commonpath([target, self._real_root]) != self._real_root:
                        self.outside.append((self.relative(path), target))
            except OSError as error:
                self.problems.append((self.relative(path), f"cannot read: {error.strerror}"))
                continue
            listed.append((path, is_dir))
        return listed

    def tree(self, folder: Path, base: Path) -> list[str]:
        """Every file below `folder`, relative to `base`."""
        found: list[str] = []
        stack = [folder]
        while stack:
            current = stack.pop()
            for path, is_dir in self.entries(current):
                if is_dir:
                    stack.append(path)
                else:
                    found.append(path.relative_to(base).as_posix())
        return sorted(found)


def confined(root: Path, setting: str) -> Path:
    """Jekyll's `sanitized_path`: a configured folder cannot leave the site."""
    return root / posixpath.normpath("/" + setting).lstrip("/")


def _read_posts(walker: Walker, folder: Path, max_size: int | None) -> list[SourceFile]:
    """PostReader: only dated file names are posts, and each is a document, front matter or
    not."""
    posts = []
    for inner in walker.tree(folder, folder):
        rel = walker.relative(folder / inner)
        if (
            is_special(inner)
            or is_special(inner.rsplit("/", 1)[-1])
            or not DATE_FILENAME.match(inner)
        ):
            continue
        posts.append(
            read_file(folder / inner, rel, whole=True, collection="posts", max_size=max_size)
        )
    return posts


def read_sources(
    root: Path,
    config: SiteConfig,
    config_file: SourceFile | None,
    max_file_size: int | None = None,
) -> SiteSources:
    """Every source of the site, as Jekyll's Reader finds them; files over `max_file_size`
    bytes are read only far enough to know whether they are pages."""
    sources = SiteSources(root=root, config=config_file)
    walker = Walker(root)
    entry_filter = EntryFilter(root, config)
    collections_dir = confined(root, config.collections_dir)
    collection_folders = {
        walker.relative(collections_dir / f"_{label}"): label
        for label in config.collections
        if label != "posts"
    }
    collections_rel = walker.relative(collections_dir) if collections_dir != root else ""
    # Pages and static files: Reader#read_directories, which also reads `_posts` of every
    # folder it visits (inside collections_dir when one is set).
    stack = [root]
    while stack:
        folder = stack.pop()
        rel_folder = "" if folder == root else walker.relative(folder)
        inside = not collections_rel or (rel_folder + "/").startswith(collections_rel + "/")
        if inside and _is_dir(folder / "_posts"):
            sources.files += _read_posts(walker, folder / "_posts", max_file_size)
        for path, is_dir in walker.entries(folder):
            rel = walker.relative(path)
            if not entry_filter.keep(rel, is_dir):
                continue
            if is_dir:
                if rel not in collection_folders and path.name != "_site":
                    stack.append(path)
            else:
                sources.files.append(read_file(path, rel, whole=False, max_size=max_file_size))
    # Collection documents: Collection#read walks every file below the collection folder.
    for folder_rel, label in collection_folders.items():
        folder = root / folder_rel
        for rel in walker.tree(folder, root) if _is_dir(folder) else []:
            inner = rel[len(folder_rel) + 1 :]
            if is_special_path(inner):
                continue
            sources.files.append(
                read_file(root / rel, rel, whole=False, collection=label, max_size=max_file_size)
            )
    data_dir = confined(root, config.data_dir)
    for rel in walker.tree(data_dir, root) if _is_dir(data_dir) else []:
        if Path(rel).suffix.lower() in DATA_EXTENSIONS:
            sources.data_files.append(
                read_file(root / rel, rel, whole=True, max_size=max_file_size)
            )
    layouts_dir = confined(root, config.layouts_dir)
    sources.has_layouts_dir = _is_dir(layouts_dir)
    sources.layouts = walker.tree(layouts_dir, layouts_dir) if sources.has_layouts_dir else []
    includes_dir = confined(root, config.includes_dir)
    sources.has_includes_dir = _is_dir(includes_dir)
    sources.includes = walker.tree(includes_dir, includes_dir) if sources.has_includes_dir else []
    for folder, names in ((layouts_dir, sources.layouts), (includes_dir, sources.includes)):
        for name in names:
            path = folder / name
            sources.templates.append(
                read_file(path, walker.relative(path), whole=True, max_size=max_file_size)
            )
    sources.files.sort(key=lambda f: f.rel)
    sources.problems = walker.problems
    sources.outside = walker.outside
    sources.generators, sources.bundled_plugins = plugin_facts(root, config.plugins_dir)
    sources.jekyll_version = locked_jekyll(root)
    return sources
