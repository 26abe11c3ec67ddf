"""Read a site from disk the way Jekyll's Reader walks it: the only module that touches files.

What it returns is raw material (bytes, listings, read errors as values) for `parsing` and
`site_index`, which are pure.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from betacontent.site_config import SiteConfig

_HEADER = b"---"
_BOM = b"\xef\xbb\xbf"
_PEEK = 8
DATA_EXTENSIONS = frozenset({".yml", ".yaml", ".json", ".csv", ".tsv"})


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One file of the site. `content` is read for files with front matter and data files."""

    rel: str  # POSIX path relative to the site root
    content: bytes | None = None
    error: str | None = None
    collection: str | None = None

    @property
    def has_header(self) -> bool:
        """Jekyll's `has_yaml_header?`: the raw first line is `---` (a BOM hides it)."""
        return self.content is not None and self.content.startswith(_HEADER)


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


def is_special(name: str) -> bool:
    """EntryFilter#special? and #backup?: names starting with . _ # ~ or ending with ~."""
    return name[:1] in ("", ".", "_", "#", "~") or name.endswith("~")


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


def read_file(path: Path, rel: str, *, whole: bool, collection: str | None = None) -> SourceFile:
    """Read a file: wholly, or only when it starts with front matter. Errors are values."""
    try:
        with path.open("rb") as stream:
            head = stream.read(_PEEK)
            if not whole and not (head.startswith((_HEADER, _BOM + _HEADER))):
                return SourceFile(rel, head, None, collection)
            return SourceFile(rel, head + stream.read(), None, collection)
    except FileNotFoundError:
        return SourceFile(rel, None, "the file vanished while it was being read", collection)
    except OSError as error:
        return SourceFile(rel, None, f"cannot read the file: {error.strerror}", collection)


def _walk_files(folder: Path) -> list[tuple[Path, bool]]:
    """Entries of a folder as (path, is_dir); symlinked folders are not followed (no loops)."""
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda e: e.name)
            return [(Path(e.path), e.is_dir(follow_symlinks=False)) for e in entries]
    except OSError:
        return []


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def _list_tree(folder: Path, root: Path) -> list[str]:
    found: list[str] = []
    stack = [folder]
    while stack:
        current = stack.pop()
        for path, is_dir in _walk_files(current):
            if is_dir:
                stack.append(path)
            else:
                found.append(_relative(path, root))
    return sorted(found)


_DATED = re.compile(r"^(?:.+/)*?(\d{2,4}-\d{1,2}-\d{1,2})-([^/]*)(\.[^.]+)$")


def _read_posts(folder: Path, root: Path) -> list[SourceFile]:
    """PostReader: only dated file names are posts, and each is a document, front matter or
    not."""
    posts = []
    for inner in _list_tree(folder, folder):
        rel = _relative(folder / inner, root)
        if is_special(inner) or is_special(inner.rsplit("/", 1)[-1]) or not _DATED.match(inner):
            continue
        posts.append(read_file(root / rel, rel, whole=True, collection="posts"))
    return posts


def read_sources(root: Path, config: SiteConfig, config_file: SourceFile | None) -> SiteSources:
    sources = SiteSources(root=root, config=config_file)
    entry_filter = EntryFilter(root, config)
    collections_dir = config.collections_dir.strip("/")
    collection_folders = {
        (f"{collections_dir}/_{label}" if collections_dir else f"_{label}"): label
        for label in config.collections
        if label != "posts"
    }
    # Pages and static files: Reader#read_directories, which also reads `_posts` of every
    # folder it visits (inside collections_dir when one is set).
    stack = [root]
    while stack:
        folder = stack.pop()
        rel_folder = "" if folder == root else _relative(folder, root)
        inside = not collections_dir or (rel_folder + "/").startswith(collections_dir + "/")
        if inside and (folder / "_posts").is_dir():
            sources.files += _read_posts(folder / "_posts", root)
        for path, is_dir in _walk_files(folder):
            rel = _relative(path, root)
            if not entry_filter.keep(rel, is_dir):
                continue
            if is_dir:
                if rel not in collection_folders and path.name != "_site":
                    stack.append(path)
            else:
                sources.files.append(read_file(path, rel, whole=False))
    # Collection documents: Collection#read walks every file below the collection folder.
    for folder_rel, label in collection_folders.items():
        folder = root / folder_rel
        for rel in _list_tree(folder, root) if folder.is_dir() else []:
            inner = rel[len(folder_rel) + 1 :]
            if is_special(inner) or is_special(inner.rsplit("/", 1)[-1]):
                continue
            sources.files.append(read_file(root / rel, rel, whole=False, collection=label))
    data_dir = root / config.data_dir
    for rel in _list_tree(data_dir, root) if data_dir.is_dir() else []:
        if Path(rel).suffix.lower() in DATA_EXTENSIONS:
            sources.data_files.append(read_file(root / rel, rel, whole=True))
    layouts_dir = root / config.layouts_dir
    sources.has_layouts_dir = layouts_dir.is_dir()
    sources.layouts = _list_tree(layouts_dir, layouts_dir) if sources.has_layouts_dir else []
    includes_dir = root / config.includes_dir
    sources.has_includes_dir = includes_dir.is_dir()
    sources.includes = _list_tree(includes_dir, includes_dir) if sources.has_includes_dir else []
    sources.files.sort(key=lambda f: f.rel)
    return sources
