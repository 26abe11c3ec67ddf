"""Every link of a Markdown or HTML body, with its line and column in the original file. Pure.

Links in Markdown (inline, reference, autolinks), in raw HTML blocks and spans (the attributes
of `HTML_URL_ATTRIBUTES`), markup that runs script, the HTML ids a body declares, and footnote
ids. What a site adds (front matter, data files, include parameters) is `site.links`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from typing import Any, Literal

import msgspec
from markdown_it.token import Token

from betacontent.core.positions import LINE_BREAK, LineIndex, Position, split_lines
from betacontent.kramdown.blocks import FOOTNOTE_DEF, FOOTNOTE_MARKER, Block, Body
from betacontent.kramdown.markdown import MASK, mask_liquid, parse_without_html_blocks

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
    end: Position | None = None
    """Where the URL ends (exclusive) when it is written at `position` exactly as `url` (no
    escape, entity or `<...>` in the way) or is one YAML scalar: what a finding underlines and
    a fix replaces."""


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
    line_starts = [0]  # html.parser counts lines at "\n" only: so does this table
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


def markdown_links(body: Body, body_line: int) -> FileLinks:
    """The links of a Markdown body starting at file line `body_line`, read from its blocks
    as kramdown sees them (`blocks.read_blocks`): Markdown links where the content is
    Markdown, only HTML tags in raw HTML."""
    found = _BodyLinks(body, body_line)
    for block in body.blocks:
        if block.kind == "markdown":
            found.markdown(block.tokens, block.offset)
        elif block.kind == "paragraph":
            text = "\n".join(found.body_lines[block.start : block.end])
            found.markdown(parse_without_html_blocks(text), block.start)
        elif block.kind == "html":
            found.html(block)
    links = [*found.links, *found.definitions.values()]
    return FileLinks(with_ends(links, found.index), found.unsafe, found.ids)


def with_ends(links: list[Link], index: LineIndex) -> list[Link]:
    """`links` (of the text of `index`), each with its `end` when the URL is written there
    exactly; in time proportional to their number."""
    text = index.text
    ended = []
    for link in links:
        start = index.offset(link.position)
        url = link.url
        if start is not None and text.startswith(url, start) and not LINE_BREAK.search(url):
            end = Position(link.position.line, link.position.column + len(url))
            link = msgspec.structs.replace(link, end=end)
        ended.append(link)
    return ended


def _reader(index: LineIndex) -> Any:
    """`original(position, n)`: the n characters written in the file from a position, across
    line ends (an attribute value may span lines)."""

    def original(position: Position, length: int) -> str:
        start = index.offset(position)
        return "" if start is None else index.text[start : start + length]

    return original


class _BodyLinks:
    """The links found so far in a body's blocks."""

    def __init__(self, body: Body, body_line: int) -> None:
        self.body_lines = body.lines
        self.masked_lines = body.masked_lines  # what the tokens were parsed from
        self.body_line = body_line
        self.index = body.index.moved(body_line)
        self.original = _reader(self.index)
        self.links: list[Link] = []
        self.unsafe: list[Unsafe] = []
        self.ids: list[tuple[str, Position]] = []
        self.definitions: dict[str, Link] = {}  # by label: the last one wins, as in kramdown
        self.cursors: dict[int, dict[int, int]] = {}  # by token offset: InlineLocator's

    def _add(self, found: tuple[list[Link], list[Unsafe], list[tuple[str, Position]]]) -> None:
        self.links.extend(found[0])
        self.unsafe.extend(found[1])
        self.ids.extend(found[2])

    def markdown(self, tokens: Sequence[Token], offset: int) -> None:
        """Links of Markdown tokens whose maps start at body line `offset`."""
        lines = self.masked_lines if offset == 0 else self.masked_lines[offset:]
        first_line = self.body_line + offset
        original = self.original
        cursor = self.cursors.setdefault(offset, {})

        def to_file(line: int, column: int) -> Position:
            return Position(first_line + line, column + 1)

        for token in tokens:
            if token.type == "inline" and token.children:
                locator = InlineLocator(token, lines, cursor)
                for child in _walk_inline(token.children):
                    meta = child.meta or {}
                    if "start" not in meta:
                        continue
                    if child.type == "html_inline":
                        base = meta["start"]
                        self._add(
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
                        self.links.append(Link(url, position, False, "autolink", "a"))
                    elif meta.get("inline"):
                        position = to_file(*locator.locate(meta["dest_start"]))
                        written = original(position, meta["dest_length"])
                        url = _destination(written) if written else ""
                        self.links.append(Link(url, position, asset, "markdown", element))
            elif token.type == "definition" and token.map:
                label = str(token.meta.get("label", ""))
                if label.startswith("^"):
                    continue  # a footnote (`[^1]: texte`)
                self.definitions[str(token.meta.get("id", label))] = _definition_link(
                    token, lines, to_file, original
                )
            elif token.type == "html_block" and token.map:
                # raw HTML inside a list item or a quote
                self._add(html_links(token.content, self._placer(token, lines, to_file), original))

    @staticmethod
    def _placer(
        token: Token, lines: Sequence[str], to_file: Callable[[int, int], Position]
    ) -> Callable[[int], Position]:
        """`place(offset)` of an HTML block's content, whose lines may be indented."""
        assert token.map is not None
        first = token.map[0]
        content_lines = token.content.split("\n")
        columns = []
        for index, text in enumerate(content_lines):
            source = lines[first + index] if first + index < len(lines) else ""
            columns.append(max(source.find(text), 0) if text else 0)
        starts = [0]
        for text in content_lines[:-1]:
            starts.append(starts[-1] + len(text) + 1)

        def place(offset: int) -> Position:
            index = bisect.bisect_right(starts, offset) - 1
            return to_file(first + index, columns[index] + offset - starts[index])

        return place

    def html(self, block: Block) -> None:
        """Raw HTML: its tags' links; and the Markdown links of its span-level content."""
        lines = self.masked_lines[block.start : block.end]
        for first, column, last, end in block.spans:  # Markdown, not raw HTML: read below
            for line in range(first, last + 1):
                text = lines[line - block.start]
                lo = column if line == first else 0
                hi = end if line == last else len(text)
                lines[line - block.start] = text[:lo] + MASK * (hi - lo) + text[hi:]
        index = LineIndex("\n".join(lines), self.body_line + block.start)
        self._add(html_links(index.text, index.position, self.original))
        for first, column, last, end in block.spans:
            span = self.body_lines[first : last + 1]
            span[-1] = span[-1][:end]
            span[0] = MASK * column + span[0][column:]
            self.markdown(parse_without_html_blocks("\n".join(span)), first)


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


def html_page_links(body: str, body_line: int) -> FileLinks:
    """Links of a page whose body is HTML (or a Liquid template): its whole body is HTML."""
    masked, _ = mask_liquid(body)
    lines = LineIndex(masked, body_line)  # masking keeps every offset and line break
    written = LineIndex("\n".join(split_lines(body)), body_line)  # line ends as LF
    links, unsafe, ids = html_links(masked, lines.position, _reader(written))
    return FileLinks(with_ends(links, written), unsafe, ids)


def footnote_ids(body: str) -> set[str]:
    """The ids kramdown gives footnotes: `fn:label` for each definition, `fnref:label` for the
    reference to a defined one."""
    defined = set(FOOTNOTE_DEF.findall(body))
    calls = FOOTNOTE_MARKER.finditer(body)
    used = {call.group(1) for call in calls if not body.startswith(":", call.end())} & defined
    return {f"fn:{label}" for label in defined} | {f"fnref:{label}" for label in used}


# --- Liquid includes and templates ---------------------------------------------------------


_URL_IGNORED = re.compile(r"[\t\n\r]")
_SCRIPT_URL = re.compile(r"(javascript|vbscript):|data:\s*(text/html|application/xhtml\+xml)", re.I)


def script_url(url: str) -> str | None:
    """What makes a URL run script when a browser follows or loads it (`javascript:`,
    `vbscript:`, `data:text/html`), or None."""
    cleaned = _URL_IGNORED.sub("", url).strip("".join(map(chr, range(0x21))))
    match = _SCRIPT_URL.match(cleaned)
    if match is None:
        return None
    return f"{match.group(1).lower()}:" if match.group(1) else f"data:{match.group(2).lower()}"
