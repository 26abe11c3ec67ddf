"""Every link of a file, extracted once, with its line and column in the original file. Pure.

Sources of links: Markdown links, images, autolinks and reference definitions; raw HTML
attributes (in HTML blocks, inline HTML and whole HTML pages); front matter values that are
links; `_data/` files. Unsafe markup (`<script>`, `on*=` handlers) is collected on the way.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from typing import Any, Literal

import msgspec
from markdown_it.token import Token

from betacontent.core.positions import Position, split_lines
from betacontent.kramdown import markdown
from betacontent.kramdown.anchors import BLOCK_ELEMENTS, SPAN_ELEMENTS
from betacontent.kramdown.liquid_ids import LiquidId, liquid_ids
from betacontent.kramdown.markdown import (
    MASK,
    liquid_attributes,
    liquid_data_names,
    liquid_link_attributes,
    liquid_prefixed_attributes,
    mask_liquid,
    parse_without_html_blocks,
)
from betacontent.site.front_matter import node_spans
from betacontent.site.parsing import DataFile, ParsedFile
from betacontent.site.urls import script_url

Origin = Literal[
    "markdown", "reference", "autolink", "html", "front-matter", "breadcrumb", "data", "include"
]

# (tag, attribute) pairs that hold URLs, and whether the target is an asset (must exist as a
# file) rather than a page to navigate to.
HTML_URL_ATTRIBUTES: dict[tuple[str, str], bool] = {
    ("a", "href"): False,
    ("area", "href"): False,
    ("img", "src"): True,
    ("img", "srcset"): True,
    ("source", "srcset"): True,
    ("source", "src"): True,
    ("link", "href"): True,
    ("iframe", "src"): False,
    ("video", "src"): True,
    ("video", "poster"): True,
    ("audio", "src"): True,
    ("object", "data"): True,
    ("script", "src"): True,
    ("embed", "src"): True,
}
SRCSET = {"srcset"}


class Link(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """A link as written; a Struct, so that cached and worker results decode straight to it."""

    url: str  # as written in the original file, Liquid included
    position: Position
    asset: bool
    origin: Origin
    element: str  # "a", "img", "link", "image", "definition", "crumb", a front matter key...


class Unsafe(msgspec.Struct, frozen=True, array_like=True, gc=False):
    position: Position
    message: str


@dataclass(frozen=True, slots=True)
class FileLinks:
    links: list[Link]
    unsafe: list[Unsafe]
    ids: list[tuple[str, Position]]  # HTML id= / name= values (anchors of raw HTML)


# --- positions in the body ----------------------------------------------------------------


class InlineLocator:
    """Maps offsets in an inline token's content back to body lines and columns."""

    def __init__(self, token: Token, lines: Sequence[str], cursor: dict[int, int]) -> None:
        """`cursor` is shared by the tokens of one body: two table cells of one line with
        the same text are found one after the other."""
        first = token.map[0] if token.map else 0
        self.starts: list[int] = []
        self.places: list[tuple[int, int]] = []
        offset = 0
        for index, text in enumerate(token.content.split("\n")):
            line = first + index
            source = lines[line] if line < len(lines) else ""
            column = source.find(text, cursor.get(line, 0)) if text else 0
            column = max(column, 0)
            cursor[line] = column + len(text)
            self.starts.append(offset)
            self.places.append((line, column))
            offset += len(text) + 1

    def locate(self, offset: int) -> tuple[int, int]:
        """0-based body line and column of a content offset."""
        index = 0
        for i, start in enumerate(self.starts):
            if start <= offset:
                index = i
        line, column = self.places[index]
        return line, column + offset - self.starts[index]


class _TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]], int, int, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line, column = self.getpos()
        self.tags.append((tag, attrs, line, column, self.get_starttag_text() or ""))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def _attribute_offsets(tag_text: str) -> dict[str, tuple[int, str]]:
    """Offset and raw value of each attribute in a start tag's text (first occurrence wins)."""
    found: dict[str, tuple[int, str]] = {}
    pattern = r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?"""
    for match in re.finditer(pattern, tag_text[1:]):
        name = match.group(1).lower()
        for group in (2, 3, 4):
            if match.group(group) is not None:
                found.setdefault(name, (match.start(group) + 1, match.group(group)))
                break
        else:
            found.setdefault(name, (match.end(1) + 1, ""))
    return found


def html_links(
    html: str, place: Any, original: Any
) -> tuple[list[Link], list[Unsafe], list[tuple[str, Position]]]:
    """Links, unsafe markup and ids in an HTML fragment.

    `place(offset)` gives the file Position of an offset in `html`; `original(position, n)`
    gives the n characters written in the file at a position (so Liquid comes back)."""
    collector = _TagCollector()
    try:
        collector.feed(html)
        collector.close()
    except (AssertionError, ValueError):  # html.parser gives up on some broken markup
        pass
    line_starts = [0]
    for match in re.finditer("\n", html):
        line_starts.append(match.end())
    links: list[Link] = []
    unsafe: list[Unsafe] = []
    ids: list[tuple[str, Position]] = []
    for tag, attrs, line, column, text in collector.tags:
        tag_offset = line_starts[line - 1] + column if line - 1 < len(line_starts) else 0
        offsets = _attribute_offsets(text)
        if tag == "script":
            unsafe.append(Unsafe(place(tag_offset), "`<script>` in page content"))
        for name, value in attrs:
            where = place(tag_offset + offsets.get(name, (0, ""))[0])
            if name.startswith("on"):
                unsafe.append(Unsafe(where, f"inline event handler `{name}=`"))
            elif name == "srcdoc":
                unsafe.append(Unsafe(where, "`srcdoc=` document (it runs its own scripts)"))
            elif (tag, name) not in HTML_URL_ATTRIBUTES and (kind := script_url(value or "")):
                unsafe.append(Unsafe(where, f"`{kind}` URL in `{name}=`"))
            if (name == "id" or (name == "name" and tag == "a")) and name in offsets:
                start, value = offsets[name]  # browsers jump to ids, and to <a name> only
                ids.append((unescape(value), place(tag_offset + start)))
        for name in dict.fromkeys(n for n, _ in attrs):  # in order: no set, whose order varies
            asset = HTML_URL_ATTRIBUTES.get((tag, name))
            if asset is None or name not in offsets:
                continue
            start, raw = offsets[name]
            position = place(tag_offset + start)
            written = original(position, len(raw))
            if name in SRCSET:
                for candidate in re.finditer(r"[^\s,][^\s]*", written):
                    url = candidate.group(0).rstrip(",")
                    if re.fullmatch(r"\d+(\.\d+)?[wx]", url):
                        continue
                    spot = place(tag_offset + start + candidate.start())
                    links.append(Link(unescape(url), spot, True, "html", tag))
            else:  # attribute values are HTML: `&amp;` is `&` to the browser
                links.append(Link(unescape(written), position, asset, "html", tag))
    return links, unsafe, ids


# --- Markdown bodies ------------------------------------------------------------------------


def _walk_inline(children: Iterable[Token]) -> Iterator[Token]:
    for child in children:
        yield child
        if child.children:
            yield from _walk_inline(child.children)


_FIRST_TAG = re.compile(r"\s*<([A-Za-z][\w-]*)")


def _end_line(lines: Sequence[str], first: int, name: str) -> int:
    """The line where the element opened at line `first` ends (its end tag, nesting
    counted); the last line when it never does."""
    text = "\n".join(lines[first:])
    depth = 0
    for tag in re.finditer(rf"<(/?){re.escape(name)}(?=[\s/>])[^>]*?(/?)>", text, re.IGNORECASE):
        if tag.group(1):
            depth -= 1
        elif not tag.group(2):
            depth += 1
        if depth == 0:
            return first + text.count("\n", 0, tag.start())
    return len(lines) - 1


_MARKDOWN_INSIDE = re.compile(r"""\bmarkdown\s*=\s*["']?(1|block|span)\b""")


def markdown_links(file: ParsedFile, tokens: Sequence[Token]) -> FileLinks:
    body_lines = split_lines(file.body)
    masked_lines = split_lines(mask_liquid(file.body)[0])  # what the tokens were parsed from
    return _links_in(body_lines, masked_lines, tokens, file.body_line)


def _reader(lines: Sequence[str], offset_line: int) -> Any:
    """`original(position, n)`: the n characters written in the file from a position, across
    line ends (an attribute value may span lines)."""
    text = "\n".join(lines)
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)

    def original(position: Position, length: int) -> str:
        index = position.line - offset_line
        if not 0 <= index < len(starts):
            return ""
        start = starts[index] + position.column - 1
        return text[start : start + length]

    return original


def _links_in(
    body_lines: Sequence[str],
    masked_lines: Sequence[str],
    tokens: Sequence[Token],
    offset_line: int,  # file line of body line 0
) -> FileLinks:

    def to_file(line: int, column: int) -> Position:
        return Position(offset_line + line, column + 1)

    original = _reader(body_lines, offset_line)
    links: list[Link] = []
    unsafe: list[Unsafe] = []
    ids: list[tuple[str, Position]] = []
    cursor: dict[int, int] = {}
    definitions: dict[str, Link] = {}  # by label: the last definition wins, as in kramdown
    raw_until = -1  # kramdown keeps an HTML block element raw up to its end tag, blank lines
    # included: what markdown-it parses as Markdown there is text to kramdown.

    def add(found: FileLinks | tuple[list[Link], list[Unsafe], list[tuple[str, Position]]]) -> None:
        if isinstance(found, FileLinks):
            found = (found.links, found.unsafe, found.ids)
        links.extend(found[0])
        unsafe.extend(found[1])
        ids.extend(found[2])

    def sub_parse(lines: slice, parse: Any) -> None:
        start = lines.start or 0
        text = "\n".join(body_lines[lines])
        add(_links_in(body_lines[lines], masked_lines[lines], parse(text), offset_line + start))

    for token in tokens:
        raw = token.map is not None and token.map[0] <= raw_until
        if token.type == "inline" and token.children:
            locator = InlineLocator(token, masked_lines, cursor)
            for child in _walk_inline(token.children):
                meta = child.meta or {}
                if "start" not in meta or (raw and child.type != "html_inline"):
                    continue
                if child.type == "html_inline":
                    base = meta["start"]
                    add(
                        html_links(
                            child.content,
                            lambda offset, base=base, loc=locator: to_file(
                                *loc.locate(base + offset)
                            ),
                            original,
                        )
                    )
                    continue
                asset = child.type == "image"
                element = "image" if asset else "a"
                if child.markup == "autolink":
                    text = _autolink_text(token, meta)
                    position = to_file(*locator.locate(meta["start"] + 1))
                    url = original(position, len(text)) or text
                    href = str(child.attrs.get("href", ""))
                    if href.startswith("mailto:") and not url.startswith("mailto:"):
                        url = href  # <nom@example.org> is an e-mail autolink
                    links.append(Link(url, position, False, "autolink", "a"))
                elif meta.get("inline"):
                    position = to_file(*locator.locate(meta["dest_start"]))
                    written = original(position, meta["dest_length"])
                    url = _destination(written) if written else ""
                    links.append(Link(url, position, asset, "markdown", element))
        elif token.type == "definition" and token.map:
            label = str(token.meta.get("label", ""))
            if label.startswith("^") or raw:
                continue  # a footnote (`[^1]: texte`), or text inside raw HTML
            definitions[str(token.meta.get("id", label))] = _definition_link(
                token, masked_lines, to_file, original
            )
        elif token.type == "html_block" and token.map:
            first = token.map[0]
            content = token.content
            head, newline, _ = content.partition("\n")
            opening = _FIRST_TAG.match(content)
            name = opening.group(1).lower() if opening else ""
            if raw:
                pass  # HTML inside a raw element: its tags only
            elif newline and _MARKDOWN_INSIDE.search(head):
                # kramdown reads what follows `<div markdown="1">` as Markdown, where
                # markdown-it sees one HTML block: parse those lines on their own.
                content = head
                sub_parse(slice(first + 1, token.map[1]), markdown.parse)
            elif name in SPAN_ELEMENTS:
                # `<img ...>` starts a paragraph for kramdown, not an HTML block.
                sub_parse(slice(first, token.map[1]), parse_without_html_blocks)
                continue
            elif name in BLOCK_ELEMENTS:
                end = _end_line(masked_lines, first, name)
                if end >= token.map[1]:
                    raw_until = end
                elif end + 1 < token.map[1]:
                    # Markdown resumes after the element's end tag (`</p>` then text).
                    content = "\n".join(content.split("\n")[: end - first + 1])
                    sub_parse(slice(end + 1, token.map[1]), markdown.parse)
            content_lines = content.split("\n")
            columns = []
            for index, text in enumerate(content_lines):
                source = masked_lines[first + index] if first + index < len(masked_lines) else ""
                columns.append(max(source.find(text), 0) if text else 0)
            starts = [0]
            for text in content_lines[:-1]:
                starts.append(starts[-1] + len(text) + 1)

            def place(
                offset: int,
                first: int = first,
                starts: list[int] = starts,
                columns: list[int] = columns,
            ) -> Position:
                index = max(i for i, s in enumerate(starts) if s <= offset)
                return to_file(first + index, columns[index] + offset - starts[index])

            add(html_links(content, place, original))
    links += definitions.values()
    return FileLinks(links, unsafe, ids)


def _autolink_text(token: Token, meta: dict[str, Any]) -> str:
    content = token.content
    end = content.find(">", meta["start"])
    return content[meta["start"] + 1 : end if end > 0 else None]


def _destination(written: str) -> str:
    """The destination as written, without the `<...>` of the pointy-bracket form."""
    if written.startswith("<") and written.endswith(">"):
        return written[1:-1]
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", written)


def _definition_link(token: Token, lines: Sequence[str], to_file: Any, original: Any) -> Link:
    """A reference definition, found in the (Liquid-masked) lines; its URL as written."""
    assert token.map is not None
    first = token.map[0]
    text = "\n".join(lines[first : token.map[1]])
    label = re.escape(str(token.meta.get("label", "")))
    match = re.search(rf"\[{label}\]:[ \t]*\n?[ \t>]*(<[^>\n]*>|\S+)", text)
    if match is None:
        url = str(token.meta.get("url", ""))
        return Link(url, to_file(first, 0), False, "reference", "definition")
    before = text[: match.start(1)]
    line = first + before.count("\n")
    column = match.start(1) - (before.rfind("\n") + 1)
    position = to_file(line, column)
    written = original(position, len(match.group(1)))
    return Link(_destination(written), position, False, "reference", "definition")


def html_page_links(file: ParsedFile) -> FileLinks:
    """Links of a page whose body is HTML (or a Liquid template): its whole body is HTML."""
    body_lines = split_lines(file.body)
    masked, _ = mask_liquid(file.body)
    starts = [0]
    for match in re.finditer("\n", masked):
        starts.append(match.end())

    def place(offset: int) -> Position:
        index = max(i for i, s in enumerate(starts) if s <= offset)
        return Position(file.body_line + index, offset - starts[index] + 1)

    found = html_links(masked, place, _reader(body_lines, file.body_line))
    return FileLinks(*found)


_FOOTNOTE_DEFINITION = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:", re.MULTILINE)
_FOOTNOTE_REFERENCE = re.compile(r"\[\^([^\]\s]+)\](?!:)")


def footnote_ids(body: str) -> set[str]:
    """The ids kramdown gives footnotes: `fn:label` for each definition, `fnref:label` for the
    reference to a defined one."""
    defined = set(_FOOTNOTE_DEFINITION.findall(body))
    used = set(_FOOTNOTE_REFERENCE.findall(body)) & defined
    return {f"fn:{label}" for label in defined} | {f"fnref:{label}" for label in used}


# --- Liquid includes and templates ---------------------------------------------------------

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
    line_starts = [0] + [m.end() for m in re.finditer("\n", file.body)]
    for tag in _INCLUDE.finditer(file.body):
        for parameter in _PARAMETER.finditer(tag.group(2)):
            group = 2 if parameter.group(2) is not None else 3
            url = parameter.group(group)
            name = parameter.group(1)
            if name in shapes.never or not (name in shapes.always or shapes.is_link(url)):
                continue
            offset = tag.start(2) + parameter.start(group)
            line = bisect.bisect_right(line_starts, offset) - 1
            position = Position(file.body_line + line, offset - line_starts[line] + 1)
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
    line_starts = [0] + [m.end() for m in re.finditer("\n", body)]
    tags: list[IncludeTag] = []
    for match in _INCLUDE_TAG.finditer(body):
        if any(start <= match.start() < end for start, end in skipped):
            continue
        markup = match.group(2).strip()
        # IncludeTag#initialize: a name with `{{ }}` is rendered; else the first word.
        name = None if "{{" in markup else (markup.split(maxsplit=1) or [""])[0]
        line = bisect.bisect_right(line_starts, match.start()) - 1
        column = match.start() - line_starts[line] + 1
        tags.append(IncludeTag(match.group(1), name, Position(file.body_line + line, column)))
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
    found = html_page_links(file)
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
                position = front_matter.position(["breadcrumbs", index, "link"])
                links.append(Link(crumb["link"], position, False, "breadcrumb", "crumb"))
    value = data.get("redirect_to")
    # jekyll-redirect-from takes the first item that is not null; the others are no links.
    items = [v for v in value if v is not None] if isinstance(value, list) else [value]
    if items and isinstance(items[0], str):
        where: tuple[PathStep, ...] = ("redirect_to",)
        if isinstance(value, list):
            where = ("redirect_to", value.index(items[0]))
        links.append(
            Link(items[0], front_matter.position(where), False, "front-matter", "redirect_to")
        )
    for path, url in _value_links(data, shapes):
        span = front_matter.spans.get(path)
        position = Position(span[0], span[1]) if span else front_matter.position(list(path))
        links.append(Link(url, position, _is_asset(url), "front-matter", _dotted(path)))
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
        links.append(Link(url, position, _is_asset(url), "data", key))
    return links


def file_links(file: ParsedFile, shapes: LinkShapes, tokens: Sequence[Token]) -> FileLinks:
    """All links of a page or document (`tokens`: its Markdown body's, when it is Markdown)."""
    if file.markdown:
        body = markdown_links(file, tokens)
    elif file.front_matter is not None:
        body = html_page_links(file)
    else:
        body = FileLinks([], [], [])
    links = front_matter_links(file, shapes) + body.links
    links += include_parameter_links(file, shapes)
    return FileLinks(links, body.unsafe, body.ids)
