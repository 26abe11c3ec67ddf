"""Every link of a file, extracted once, with its line and column in the original file. Pure.

The body's links are `kramdown.links` (Markdown, raw HTML, whole HTML pages); this adds what
a Jekyll site makes a link: front matter values, `_data/` files, the parameters of
`{% include %}` tags; and the facts of a layout or include read as a template.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markdown_it.token import Token

from betacontent.core.positions import LineIndex, Position
from betacontent.kramdown.blocks import read_blocks
from betacontent.kramdown.links import FileLinks, Link, html_page_links, markdown_links
from betacontent.kramdown.markdown import (
    MASK,
    liquid_attributes,
    liquid_data_names,
    liquid_link_attributes,
    liquid_prefixed_attributes,
)
from betacontent.site.front_matter import Span, node_spans
from betacontent.site.liquid_ids import LiquidId, liquid_ids
from betacontent.site.parsing import DataFile, ParsedFile

_INCLUDE = re.compile(r"\{%-?\s*include\s+([^\s%}]+)(.*?)-?%\}", re.DOTALL)
_PARAMETER = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def included_names(text: str) -> list[str]:
    """The includes a text calls with `{% include name %}` (names without Liquid)."""
    return [m.group(1) for m in _INCLUDE.finditer(text) if "{{" not in m.group(1)]


def include_parameter_links(file: ParsedFile, shapes: LinkShapes) -> list[Link]:
    """Links passed to includes as parameters, `{% include card.html url="/startups/" %}`:
    values that are links by their shape or their parameter's name (`shapes.always`)."""
    links: list[Link] = []
    if "include" not in file.body:  # most pages: no tag to look for
        return links
    lines = LineIndex(file.body, file.body_line)
    for tag in _INCLUDE.finditer(file.body):
        for parameter in _PARAMETER.finditer(tag.group(2)):
            group = 2 if parameter.group(2) is not None else 3
            url = parameter.group(group)
            name = parameter.group(1)
            if name in shapes.never or not (name in shapes.always or shapes.is_link(url)):
                continue
            position = lines.position(tag.start(2) + parameter.start(group))
            links.append(Link(url, position, _is_asset(url), "include", name))
    return links


# Liquid regions whose tags Liquid never runs: `{% raw %}` and `{% comment %}` blocks.
_NOT_RUN = re.compile(r"\{%-?\s*(raw|comment)\s*-?%\}.*?\{%-?\s*end\1\s*-?%\}", re.DOTALL)
_INCLUDE_TAG = re.compile(r"\{%-?\s*(include|include_relative)\s+(.*?)-?%\}", re.DOTALL)


@dataclass(frozen=True, slots=True)
class IncludeTag:
    """An `{% include %}` or `{% include_relative %}` of a body, as Jekyll's IncludeTag reads
    it: the file name is the first word, unless it is built by Liquid (`{{ page.sidebar }}`)."""

    tag: str  # "include" or "include_relative"
    name: str | None  # None when Liquid builds it
    position: Position


def include_tags(file: ParsedFile) -> list[IncludeTag]:
    """Every include tag that Liquid runs in a body (not inside `{% raw %}` or `{% comment %}`;
    inside a Markdown code block it runs, since Jekyll renders Liquid first)."""
    body = file.body
    if "include" not in body:  # most pages: no tag to look for
        return []
    skipped = [(m.start(), m.end()) for m in _NOT_RUN.finditer(body)]
    lines = LineIndex(body, file.body_line)
    tags: list[IncludeTag] = []
    for match in _INCLUDE_TAG.finditer(body):
        if any(start <= match.start() < end for start, end in skipped):
            continue
        markup = match.group(2).strip()
        # IncludeTag#initialize: a name with `{{ }}` is rendered; else the first word.
        name = None if "{{" in markup else (markup.split(maxsplit=1) or [""])[0]
        tags.append(IncludeTag(match.group(1), name, lines.position(match.start())))
    return tags


@dataclass(frozen=True, slots=True)
class Template:
    """What a layout or include contributes to the pages using it."""

    parent: str | None  # a layout's own `layout:`
    ids: frozenset[str]  # HTML ids it outputs (those without Liquid)
    includes: tuple[str, ...]  # includes it calls
    liquid_ids: tuple[LiquidId, ...] = ()  # ids Liquid writes, evaluated against the site
    reads: frozenset[str] = frozenset()  # attribute names its Liquid reads (`page.sidebar`)
    linked: frozenset[str] = frozenset()  # those it reads into a link (`href="{{ x.url }}"`)
    prefixed: frozenset[str] = (
        frozenset()
    )  # read into a link after other Liquid (`/{{ l }}{{ x.url }}`)
    data: frozenset[str] = frozenset()  # data files it reads (`locales.home`)


def template_facts(file: ParsedFile) -> Template:
    found = html_page_links(file.body, file.body_line)
    parent = file.data.get("layout")
    ids = frozenset(value for value, _ in found.ids if MASK not in value)  # Liquid: masked
    return Template(
        parent if isinstance(parent, str) else None,
        ids,
        tuple(included_names(file.body)),
        liquid_ids(file.body),
        frozenset(liquid_attributes(file.body)),
        frozenset(liquid_link_attributes(file.body)),
        frozenset(liquid_prefixed_attributes(file.body)),
        frozenset(liquid_data_names(file.body)),
    )


# --- front matter and data ------------------------------------------------------------------


# Keys whose values look like links but are not: the page's own URL and its old ones.
NOT_LINK_KEYS = frozenset({"permalink", "redirect_from", "layout", "breadcrumbs", "redirect_to"})
_LINK_EXTENSIONS = frozenset(
    {".md", ".markdown", ".mkd", ".mkdn", ".html", ".htm", ".pdf", ".png", ".jpg", ".jpeg"}
    | {".gif", ".svg", ".webp", ".csv", ".json", ".xml", ".txt", ".odt", ".docx", ".xlsx"}
)
_PLACEHOLDER = re.compile(r"/:[A-Za-z_]")
_PAGE_EXTENSIONS = (".html", ".htm", ".md", ".markdown")
_SOURCE_EXTENSIONS = frozenset({".md", ".markdown", ".mkd", ".mkdn"})
_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass(frozen=True, slots=True)
class LinkShapes:
    """What makes a front matter or `_data/` value a link, whatever its key: a root-relative
    URL (`/startups/`), an absolute URL to one of the site's own hosts, or a path of the site's
    sources (`_pages/approche.md`, or one that looks like one: its first folder is the site's
    and it ends like a page or a file). Keys are configuration only for the exceptions."""

    hosts: frozenset[str] = frozenset()  # the site's own hosts, lower case
    roots: frozenset[str] = frozenset()  # names at the top of the site
    sources: frozenset[str] = frozenset()  # every source file's path
    always: frozenset[str] = frozenset()  # keys whose string values are links whatever they are
    never: frozenset[str] = NOT_LINK_KEYS  # keys whose values are never links
    shown: frozenset[str] = frozenset()  # keys the site's Liquid prints, never into a link

    def is_source(self, value: str) -> bool:
        """Whether a value names a source file (`_pages/x.md`): a link whatever prints it."""
        path = value.strip().split("#", 1)[0]
        return path in self.sources or path.lower().endswith(tuple(_SOURCE_EXTENSIONS))

    def is_link(self, value: str, *, bare_names: bool = False) -> bool:
        """Whether `value` is a link by its shape; `bare_names`: also a page's file name alone
        (`contact.html`), as menus of `_data/` name them (in front matter such a name is
        more often an include's)."""
        text = value.strip()
        if not text or "{{" in text or "{%" in text or any(c.isspace() for c in text):
            return False
        if _PLACEHOLDER.search(text):
            return False  # a permalink pattern (`/:categories/:title/`), not a URL
        if text.startswith("//"):
            return text[2:].split("/", 1)[0].lower() in self.hosts
        if text.startswith("/"):
            return True
        if _URL_SCHEME.match(text):
            if not text.lower().startswith(("http://", "https://")):
                return False
            return text.split("/", 3)[2].lower() in self.hosts
        path = text.split("#", 1)[0].split("?", 1)[0]
        if path in self.sources:
            return True
        head, _, rest = path.partition("/")
        if not rest:  # a file name alone: a page's (`contact.html`, `guide.md`), not an icon's
            return bare_names and head.lower().endswith(_PAGE_EXTENSIONS) and len(head) > 5
        dot = rest.rfind(".")
        if dot < 0:
            return False
        extension = rest[dot:].lower()
        # A Markdown file in a folder is a source path wherever it is (`_pages/absent.md`);
        # another file only in one of the site's own folders (`img/logo.png`).
        return extension in _SOURCE_EXTENSIONS or (
            head in self.roots and extension in _LINK_EXTENSIONS
        )


PathStep = str | int


def _value_links(
    data: Any, shapes: LinkShapes, *, bare_names: bool = False
) -> list[tuple[tuple[PathStep, ...], str]]:
    """(path, value) of every string under `data` that is a link by its shape or its key
    (`shapes.always`), in document order; values under `shapes.never` keys are not looked
    at. A value met again through a YAML alias is looked at once."""
    found: list[tuple[tuple[PathStep, ...], str]] = []
    stack: list[tuple[tuple[PathStep, ...], str, Any]] = [((), "", data)]
    seen: set[int] = set()
    while stack:
        path, key, value = stack.pop()
        if isinstance(value, str):
            if key in shapes.always or (
                shapes.is_link(value, bare_names=bare_names)
                and (key not in shapes.shown or shapes.is_source(value))
            ):
                found.append((path, value))
            continue
        if id(value) in seen:
            continue
        if isinstance(value, dict):
            seen.add(id(value))
            stack.extend(
                ((*path, str(name)), str(name), item)  # `2019:` is a key too, as YAML wrote it
                for name, item in reversed(value.items())
                if str(name) not in shapes.never
            )
        elif isinstance(value, list):
            seen.add(id(value))
            stack.extend(
                ((*path, index), key, item) for index, item in reversed(list(enumerate(value)))
            )
    return found


def _dotted(path: tuple[PathStep, ...]) -> str:
    """`menu[2].url` for ("menu", 2, "url")."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


def front_matter_links(file: ParsedFile, shapes: LinkShapes) -> list[Link]:
    """Links written in front matter: breadcrumb links, `redirect_to`, and every value that is
    a link by its shape or its key (`LinkShapes`)."""
    front_matter = file.front_matter
    if front_matter is None:
        return []
    data = front_matter.data
    links: list[Link] = []
    crumbs = data.get("breadcrumbs")
    if isinstance(crumbs, list):
        for index, crumb in enumerate(crumbs):
            if isinstance(crumb, dict) and isinstance(crumb.get("link"), str):
                crumb_link = ("breadcrumbs", index, "link")
                position = front_matter.position(crumb_link)
                end = _end(front_matter.spans.get(crumb_link))
                links.append(Link(crumb["link"], position, False, "breadcrumb", "crumb", end))
    value = data.get("redirect_to")
    # jekyll-redirect-from takes the first item that is not null; the others are no links.
    items = [v for v in value if v is not None] if isinstance(value, list) else [value]
    if items and isinstance(items[0], str):
        where: tuple[PathStep, ...] = ("redirect_to",)
        if isinstance(value, list):
            where = ("redirect_to", value.index(items[0]))
        position, end = front_matter.position(where), _end(front_matter.spans.get(where))
        links.append(Link(items[0], position, False, "front-matter", "redirect_to", end))
    for path, url in _value_links(data, shapes):
        span = front_matter.spans.get(path)
        position = Position(span[0], span[1]) if span else front_matter.position(list(path))
        asset, key = _is_asset(url), _dotted(path)
        links.append(Link(url, position, asset, "front-matter", key, _end(span)))
    return links


def _is_asset(url: str) -> bool:
    """A value naming a file to load (an image, a download) rather than a page to visit."""
    path = url.split("#", 1)[0].split("?", 1)[0]
    dot = path.rfind(".")
    return dot > path.rfind("/") and path[dot:].lower() in _ASSET_EXTENSIONS


_ASSET_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".ico", ".avif"})


def data_links(data: DataFile, shapes: LinkShapes) -> list[Link]:
    """Targets in a data file: every string value that is a link by its shape or its key."""
    found = _value_links(data.data, shapes, bare_names=True)
    if not found:
        return []
    root = data.yaml.root if data.yaml is not None else None
    spans, _ = node_spans(root) if root is not None else ({}, {})
    links: list[Link] = []
    for path, url in found:
        span = spans.get(path)  # JSON and CSV data have no positions: the top of the file
        position = Position(span[0], span[1]) if span else Position(1, 1)
        key = next((step for step in reversed(path) if isinstance(step, str)), "")
        links.append(Link(url, position, _is_asset(url), "data", key, _end(span)))
    return links


def _end(span: Span | None) -> Position | None:
    """The end of a YAML value's text: a link's, when the value is its URL."""
    return Position(span[2], span[3]) if span is not None else None


def file_links(file: ParsedFile, shapes: LinkShapes, tokens: Sequence[Token]) -> FileLinks:
    """All links of a page or document (`tokens`: its Markdown body's, when it is Markdown)."""
    if file.markdown:
        body = markdown_links(read_blocks(list(tokens), file.body), file.body_line)
    elif file.front_matter is not None:
        body = html_page_links(file.body, file.body_line)
    else:
        body = FileLinks([], [], [])
    links = front_matter_links(file, shapes) + body.links
    links += include_parameter_links(file, shapes)
    return FileLinks(links, body.unsafe, body.ids)
