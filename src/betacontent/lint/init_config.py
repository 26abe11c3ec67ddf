"""`betacontent init`: a starting configuration written from the site as it stands.

The site already says what its data model is: which keys its pages and documents carry, of
which types, how often; which values are links; which collection holds its phases; which
values name documents of another collection. `propose` reads that from a loaded site and
writes it as `betacontent.toml`, every declaration commented with the evidence, for a person to
review rather than to write. Nothing it declares is violated by the site as it stands: keys
are required only where every file has them, and typed only where all their values agree.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from betacontent import __version__
from betacontent.core.settings import toml_value
from betacontent.core.wording import counted
from betacontent.lint.key_vocabulary import LikelyTypo, likely_typos
from betacontent.site.index import Entry, EntryKind, Site
from betacontent.site.schema import JEKYLL_KEYS

MIN_GROUP = 3
"""Pages of a layout, or documents of a collection, below which nothing is proposed for them."""
REFERENCE_SHARE = 0.8
"""Share of a key's values that must name documents of a collection to propose a reference."""


@dataclass
class KeyUse:
    """How the files of one group use one key."""

    files: int = 0
    types: Counter[str] = field(default_factory=Counter)


@dataclass
class Group:
    """Pages of one layout, or documents of one collection."""

    label: str  # "collection `startups`", "layout `default`"
    files: int = 0
    rels: set[str] = field(default_factory=set)
    keys: dict[str, KeyUse] = field(default_factory=lambda: defaultdict(KeyUse))
    values: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # path -> text


def _type_of(value: Any, is_link: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, datetime.date):
        return "date"
    if isinstance(value, str):
        return "url" if is_link(value) else "str"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "list[str]"
    return "any"


def _merged(types: Counter[str]) -> str:
    """One type for every value seen: `str` and `url` make `str`, `int` and `float` make
    `float`, a string and a list of strings `str | list[str]`, anything else `any`."""
    kinds = set(types)
    if len(kinds) == 1:
        return next(iter(kinds))
    if kinds <= {"str", "url"}:
        return "str"
    if kinds <= {"int", "float"}:
        return "float"
    if kinds <= {"str", "url", "list[str]"}:
        return "str | list[str]"
    return "any"


def _strings(
    value: Any, path: str, active: frozenset[int] = frozenset()
) -> Iterator[tuple[str, str]]:
    """(path, text) of every string under `value`, list items under `path[]`; a value that
    contains itself (a recursive YAML alias) is gone through once."""
    if isinstance(value, str):
        yield path, value
        return
    if id(value) in active:
        return
    inner = active | {id(value)}
    if isinstance(value, list):
        for item in value:
            yield from _strings(item, f"{path}[]", inner)
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str):
                yield from _strings(item, f"{path}.{key}" if path else key, inner)


def _groups(site: Site) -> tuple[dict[str, Group], dict[str, Group]]:
    """(by collection, by layout) of every page and document with front matter."""
    shapes = site.semantic.link_shapes
    collections: dict[str, Group] = {}
    layouts: dict[str, Group] = {}
    for entry in site.entries:
        front_matter = entry.file.front_matter if entry.file is not None else None
        if entry.kind not in (EntryKind.PAGE, EntryKind.DOCUMENT) or front_matter is None:
            continue
        groups = []
        if entry.kind is EntryKind.DOCUMENT and entry.collection is not None:
            name = entry.collection
            groups.append(collections.setdefault(name, Group(f"collection `{name}`")))
        layout = entry.data.get("layout")
        if isinstance(layout, str):  # a layout's schema applies to its documents too
            groups.append(layouts.setdefault(layout, Group(f"layout `{layout}`")))
        for group in groups:
            group.files += 1
            group.rels.add(entry.rel)
            for key, value in front_matter.data.items():
                if not isinstance(key, str) or value is None:
                    continue
                use = group.keys[key]
                use.files += 1
                use.types[_type_of(value, shapes.is_link)] += 1
                for path, text in _strings(value, key):
                    group.values[path].append(text)
    return collections, layouts


@dataclass(frozen=True, slots=True)
class Reference:
    collection: str
    values: int
    misses: tuple[str, ...]  # values that name no document today


def _references(site: Site, group: Group, own: str | None) -> dict[str, Reference]:
    """path -> the collection whose documents most of its values name."""
    names = {name: site.document_names(name) for name in site.config.collections}
    found: dict[str, Reference] = {}
    for path, values in sorted(group.values.items()):
        if len(values) < MIN_GROUP:
            continue
        for name, known in names.items():
            if not known or name == own:
                continue
            hits = sum(value in known for value in values)
            if hits >= REFERENCE_SHARE * len(values) and len(set(values) & known) >= 2:
                misses = tuple(sorted({v for v in values if v not in known}))
                found[path] = Reference(name, len(values), misses)
                break
    return found


@dataclass(frozen=True, slots=True)
class Phases:
    collection: str
    keys: dict[str, str]  # setting -> key found


_PHASE_KEYS = {
    "order": ("order", "rank", "position", "rang", "ordre"),
    "label": ("label", "title", "name", "titre", "nom"),
    "description": ("description", "short_description", "summary", "resume"),
    "page": ("page", "documentation_url", "url", "link"),
    "duration": ("duration", "duree"),
}


def _phases(collections: dict[str, Group]) -> Phases | None:
    """The collection that holds the programme's phases, if one is named so."""
    for name in ("phases", "etapes", "steps", "stages"):
        group = collections.get(name)
        if group is None:
            continue
        keys = {
            setting: next((k for k in candidates if k in group.keys), "")
            for setting, candidates in _PHASE_KEYS.items()
        }
        return Phases(name, {k: v for k, v in keys.items() if v})
    return None


def _own_domains(site: Site) -> list[str]:
    """Hosts of absolute links that are the site's `url` host give or take `www.`."""
    host = urlsplit(site.config.url).hostname or ""
    if not host:
        return []
    twin = host[4:] if host.startswith("www.") else "www." + host
    for entry in site.entries:
        facts = entry.file.facts if entry.file is not None else None
        for link in facts.links if facts is not None else []:
            if "://" in link.url and urlsplit(link.url).hostname == twin:
                return [twin]
    return []


def _table(
    name: str, group: Group, site: Site, own: str | None, typos: list[LikelyTypo]
) -> list[str]:
    lines = ["", f"[front-matter.{name}]", f"# {counted(group.files, 'file')}"]
    every = sorted(k for k, use in group.keys.items() if use.files == group.files)
    why = f"every file of the {group.label} has them" if every else "no key is in all of them"
    lines.append(f"required = {toml_value(every)}  # {why}")
    lines.append("closed = false  # true: a key not declared here is reported (BC106)")
    keys = {key: _merged(use.types) for key, use in sorted(group.keys.items())}
    keys = {key: kind for key, kind in keys.items() if key not in JEKYLL_KEYS}
    if keys:
        lines.append("[front-matter." + name + ".keys]  # key = type  (files that have it)")
        for key, kind in keys.items():
            text = f"{_key(key)} = {toml_value(kind)}"
            comment = f"{group.keys[key].files} of {group.files}"
            slip = next((t.suggestion for t in typos if t.key == key and t.rel in group.rels), None)
            if slip is not None:  # a likely typo is not declared: that would bless it
                lines.append(f"# {text:<38} # {comment}; likely a typo of `{slip}` (BC106)")
            else:
                lines.append(f"{text:<40} # {comment}")
    references = _references(site, group, own)
    if references:
        header = f"[front-matter.{name}.references]  # values naming another's documents"
        kept = any(not found.misses for found in references.values())
        lines.append(header if kept else f"# {header}")
        for path, found in references.items():
            text = f"{toml_value(path)} = {toml_value(found.collection)}"
            if found.misses:  # proposed, not declared: the site violates it today
                shown = ", ".join(f"`{m}`" for m in found.misses[:5])
                more = f" and {len(found.misses) - 5} more" if len(found.misses) > 5 else ""
                lines.append(f"# {text:<38} # {found.values} values; no document: {shown}{more}")
            else:
                lines.append(f"{text:<40} # {found.values} values")
    return lines


def _key(key: str) -> str:
    """A TOML key: bare when it may be (ASCII letters, digits, `-`, `_`), else quoted."""
    bare = key.isascii() and key.replace("-", "").replace("_", "").isalnum()
    return key if bare else toml_value(key)


def _sorted_groups(groups: dict[str, Group]) -> Iterable[tuple[str, Group]]:
    return sorted((item for item in groups.items() if item[1].files >= MIN_GROUP), key=_by_size)


def _by_size(item: tuple[str, Group]) -> tuple[int, str]:
    return (-item[1].files, item[0])


def propose(site: Site) -> str:
    """The starting `betacontent.toml` of `site`, as TOML with the evidence in comments."""
    collections, layouts = _groups(site)
    # `[front-matter] required` applies to Markdown pages, and but for `title` (Jekyll makes
    # one) to the Markdown documents that are output.
    pages = [e for e in site.entries if e.kind is EntryKind.PAGE and _markdown_page(e)]
    documents = [
        e
        for e in site.entries
        if e.kind is EntryKind.DOCUMENT and e.output is not None and _markdown_page(e)
    ]
    everywhere = sorted(
        key
        for key in ("title", "layout")
        if pages
        and all(e.data.get(key) is not None for e in pages)
        and (key == "title" or all(e.data.get(key) is not None for e in documents))
    )
    lines = [
        f"# betacontent configuration proposed by `betacontent init` {__version__}, from the",
        f"# {len(site.files)} pages and documents of this site as they stand: review it, then",
        "# keep what is the site's rule and drop what is chance. Nothing here is violated today.",
        "",
        "[front-matter]",
        f"required = {toml_value(everywhere)}  # "
        + (
            f"the Markdown pages ({len(pages)}) have them (and output documents, but for "
            "`title`), after `defaults:`"
            if everywhere
            else "not every Markdown page has a title and a layout"
        ),
    ]
    typos = likely_typos(site)
    for name, group in _sorted_groups(collections):
        lines += _table(f"collections.{name}", group, site, name, typos)
    for name, group in _sorted_groups(layouts):
        lines += _table(f"layouts.{_key(name)}", group, site, None, typos)
    phases = _phases(collections)
    if phases is not None:
        lines += ["", "[phases]  # what /api/phases serves"]
        lines.append(f"collection = {toml_value(phases.collection)}")
        lines += [f"{setting} = {toml_value([key])}" for setting, key in phases.keys.items()]
    domains = _own_domains(site)
    if domains:
        lines += [
            "",
            "[links]",
            f"own-domains = {toml_value(domains)}  # links to it are links to this site",
        ]
    return "\n".join(lines) + "\n"


def _markdown_page(entry: Entry) -> bool:
    return entry.file is not None and entry.file.markdown and entry.redirect_to is None
