"""kramdown's block structure of a body (GFM input, as Jekyll reads Markdown), read once.

markdown-it-py parses the body; where kramdown's blocks differ from its blocks, `Reader`
follows kramdown and has markdown-it read the rest again:

- an HTML element at a block start (indented by at most three spaces, not a span element)
  is raw up to its matching end tag, blank lines included, unless it has `markdown="1"` or
  `"block"` (its content is Markdown, even nested in raw HTML) or `markdown="span"` (its
  content is span-level Markdown), or is an element whose default content model is one of
  these when `markdown="1"`; `<script>` and `<style>` end at their end tag;
- an HTML comment or processing instruction at a block start is raw up to its end; unclosed,
  its line is text, and Markdown follows;
- a line starting with a span element (`<img>`, `<a>`) starts a paragraph;
- an unclosed code fence, or a list marker alone on its line, is text (or a setext heading's
  text, with an underline below).

The result is the body's blocks in order (`Block`): Markdown (with markdown-it's tokens),
raw HTML (with the span-level Markdown inside it), paragraphs that start with a span element,
and text. `anchors` names headings and ids while it walks them (`Reader`'s hooks), `links`
finds the links in them, `render` writes them. Every grammar of kramdown's blocks, the HTML
element tables and tag patterns included, is here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from markdown_it.token import Token

from betacontent.core.positions import LineIndex, split_lines
from betacontent.kramdown import markdown
from betacontent.kramdown.markdown import mask_liquid

__all__ = ["Block", "BlockKind", "Body", "Reader", "read_blocks"]


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


SPAN_ELEMENTS = _names(
    "a abbr acronym b big bdo br button cite code del dfn em i img input ins kbd label mark "
    "option q rb rbc rp rt rtc ruby samp select small span strong sub sup tt u var"
)
BLOCK_ELEMENTS = _names(
    "address article aside applet body blockquote caption col colgroup dd div dl dt fieldset "
    "figcaption footer form h1 h2 h3 h4 h5 h6 header hgroup hr html head iframe legend menu li "
    "main map nav ol optgroup p pre section summary table tbody td th thead tfoot tr ul"
)
WITHOUT_BODY = _names(
    "area base br col command embed hr img input keygen link meta param source track wbr"
)
_MODEL_BLOCK = _names(
    "address applet article aside blockquote body dd details div dl fieldset figure figcaption "
    "footer form header hgroup iframe li main map menu nav noscript object section summary "
    "td"
)
_MODEL_SPAN = _names(
    "a abbr acronym b bdo big button cite caption del dfn dt em h1 h2 h3 h4 h5 h6 i ins label "
    "legend optgroup p q rb rbc rp rt rtc ruby select small span strong sub sup th tt"
)
_MODEL_RAW = _names("script style math option textarea pre code kbd samp var")
KNOWN_ELEMENTS = (
    SPAN_ELEMENTS | BLOCK_ELEMENTS | WITHOUT_BODY | _MODEL_BLOCK | _MODEL_SPAN | _MODEL_RAW
)
MARKDOWN_ATTR = {"0": "raw", "1": "default", "span": "span", "block": "block"}
"""The `markdown` attribute's values: the content model they give."""

_NCNAME = r"[^\W\d][\w.\-]*"
_UNAME = rf"(?:{_NCNAME}:)?{_NCNAME}"
TAG_RE = re.compile(
    rf"""<((?>{_UNAME}))\s*((?>\s+{_UNAME}(?:\s*=\s*(?:\w+|(["']).*?\3))?)*)\s*(/)?>""", re.DOTALL
)
CLOSE_RE = re.compile(rf"</({_UNAME})\s*>", re.DOTALL)
_ATTR_RE = re.compile(rf"""\s*({_UNAME})(?:\s*=\s*(?:(\w+)|(["'])(.*?)\3))?""", re.DOTALL)
RAW_START = re.compile(rf"<(?:{_UNAME}|/|!--|\?)")
COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)
PI_RE = re.compile(r"<\?.*?\?>", re.DOTALL)
OPEN_ENDED_HTML = re.compile(r"\s*<(?:!|\?|(?:script|pre|style|textarea)(?:\s|>|$))", re.I)
_BARE_MARKER = re.compile(r" {0,3}(?:[-+*]|\d+[.)])[ \t]*")
UNDERLINE = re.compile(r"[-=]+[ \t\r\f\v]*")
SETEXT_TEXT = re.compile(r" {0,3}([^ \t].*)")
_NAME_START = (
    ":A-Z_a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_NAME_CHAR = _NAME_START + r"\-.0-9\u00b7\u0300-\u036f\u203f-\u2040"
_HEADER_ID = re.compile(rf"[\t ]\{{#([{_NAME_START}][{_NAME_CHAR}]*)\}}\Z")


ATX = re.compile(r"(#{1,6})[\t ]+(.*)")
IAL_LINE = re.compile(r" {0,3}\{:(?![:/])((?:\\\}|[^}])+)\}\s*\Z")
SPAN_IAL = re.compile(r"\{:(?![:/])((?:\\\}|[^}])+)\}")
FOOTNOTE_DEF = re.compile(r"^ {0,3}\[\^(\w[\w-]*)\]:", re.ASCII | re.MULTILINE)
FOOTNOTE_MARKER = re.compile(r"\[\^(\w[\w-]*)\]", re.ASCII)
CLOSING_TOKENS = frozenset(
    ("em_close", "strong_close", "s_close", "link_close", "code_inline", "image")
)
_ALD_ANY = re.compile(
    r"""(?:\A|\s)(?:(\w[\w-]*)=("|')((?:\\\}|\\["']|[^}])*?)\2|(\w[\w-]*)"""
    r"""|((?:#[A-Za-z][\w:-]*|\.[^\s.#]+)+))(?=\s|\Z)""",
    re.ASCII,
)
_IAL_ID = re.compile(r"#([A-Za-z][\w:-]*)|\.[^\s.#]+", re.ASCII)


def ial_id(content: str) -> str | None:
    """The id an IAL (`.class #id key="value"`) sets, if any: the last one wins."""
    found: str | None = None
    for match in _ALD_ANY.finditer(content):
        key, quote, value, _ref, ids = match.groups()
        if key is not None and key == "id":
            found = re.sub(r"\\(\}|" + re.escape(quote) + ")", r"\1", value)
        elif ids:
            for part in _IAL_ID.finditer(ids):
                if part.group(1):
                    found = part.group(1)
    return found


def content_model(name: str) -> str:
    """kramdown's default content model of an element given `markdown="1"`."""
    if name in _MODEL_BLOCK:
        return "block"
    return "span" if name in _MODEL_SPAN else "raw"


def element_name(name: str) -> str:
    """kramdown lowercases the names of the HTML elements it knows, and only those."""
    return name.lower() if name.lower() in KNOWN_ELEMENTS else name


def attributes(source: str, known: bool) -> dict[str, str]:
    """An HTML start tag's attributes as kramdown reads them (names of known elements
    lowercased)."""
    attrs: dict[str, str] = {}
    for match in _ATTR_RE.finditer(source):
        if not match.group(1):
            continue
        name = match.group(1).lower() if known else match.group(1)
        attrs[name] = match.group(2) or match.group(4) or ""
    return attrs


def start_tag(match: re.Match[str]) -> tuple[str, str, bool]:
    """An HTML start tag (a `TAG_RE` match) as kramdown reads it: (name, content model,
    closed)."""
    name = element_name(match.group(1))
    attrs = attributes(match.group(2) or "", name in KNOWN_ELEMENTS)
    model = "raw"
    given = MARKDOWN_ATTR.get(attrs.get("markdown", ""))
    if given is not None:
        model = content_model(name) if given == "default" else given
    closed = match.group(4) is not None or name in WITHOUT_BODY
    return name, model, closed


def header_contents(text: str) -> tuple[str, str | None]:
    """kramdown's `parse_header_contents`: the text and its `{#id}`."""
    text = text.rstrip()
    match = _HEADER_ID.search(text)
    if match is None:
        return text, None
    return text[: match.start()].rstrip(), match.group(1)


def is_blank(line: str) -> bool:
    return not line.strip(" \t\r\f\v")


BlockKind = Literal["markdown", "html", "paragraph", "text"]


@dataclass(frozen=True, slots=True)
class Block:
    """One of kramdown's blocks, body lines [start, end) (0-based).

    - `markdown`: Markdown blocks as markdown-it parsed them (`tokens`, their maps relative
      to body line `offset`): headings, paragraphs, lists, tables, code...;
    - `html`: raw HTML; `spans` are the parts of it that are span-level Markdown (the content
      of an element with `markdown="span"`), as (line, column) to (line, column), 0-based,
      the end exclusive;
    - `paragraph`: a paragraph that starts with a span element (`<img ...>`): inline Markdown;
    - `text`: a line kramdown reads as text where markdown-it saw a block (an unclosed
      fence, a bare list marker, an unclosed HTML comment).

    `in_html`: inside an HTML element whose content is Markdown (`markdown="1"`)."""

    kind: BlockKind
    start: int
    end: int
    tokens: Sequence[Token] = ()
    offset: int = 0
    spans: tuple[tuple[int, int, int, int], ...] = ()
    in_html: bool = False


@dataclass(frozen=True, slots=True)
class Body:
    """A Markdown body read once: its text with line ends normalised (CRLF and CR are LF;
    lines and columns are the file's), its lines, the same with Liquid masked (what the
    tokens were parsed from), its line index (line 1: the body's first), and its blocks."""

    text: str
    lines: list[str]
    masked_lines: list[str]
    index: LineIndex
    blocks: list[Block]


@dataclass(slots=True)
class TopBlock:
    """A top-level markdown-it block: tokens[first:last], body lines [a, b)."""

    first: int
    last: int
    a: int
    b: int
    type: str


@dataclass(slots=True)
class Stream:
    """markdown-it tokens for body lines [offset, hi)."""

    tokens: list[Token]
    offset: int
    hi: int
    blocks: list[TopBlock] = field(default_factory=list)
    cursor: int = 0

    def __post_init__(self) -> None:
        depth = 0
        first = 0
        for index, token in enumerate(self.tokens):
            if depth == 0:
                first = index
            depth += token.nesting
            if depth == 0 and token.level == 0:
                opening = self.tokens[first]
                if opening.map is not None:
                    a, b = opening.map
                    block = TopBlock(
                        first, index + 1, a + self.offset, b + self.offset, opening.type
                    )
                    self.blocks.append(block)

    def next_block(self, line: int) -> TopBlock | None:
        while self.cursor < len(self.blocks) and self.blocks[self.cursor].b <= line:
            self.cursor += 1
        return self.blocks[self.cursor] if self.cursor < len(self.blocks) else None


@dataclass(slots=True)
class Context:
    """Where kramdown is parsing blocks: the page, or the content of an HTML element."""

    stop: str | None  # the element whose end tag closes this context
    in_html: bool
    region: int  # first line of the context
    raw_stack: list[str] | None = None  # raw HTML elements to resume once this one closes
    start: int = 0  # line of the element's start tag


class Reader:
    """One pass over a body, the way kramdown reads its blocks; `blocks` holds them.

    It walks markdown-it's top-level blocks, but where kramdown's blocks end inside one of them
    (an HTML element closing mid-block), it has markdown-it read the rest again (`_sub`).
    Contexts stack the HTML elements whose content is Markdown (`markdown="1"`). Subclasses
    learn what the walk meets through the `_on_...` methods (`anchors` names ids there).

    `tokens`: `markdown.parse(body)`, the linter's parse (Liquid masked)."""

    def __init__(self, tokens: list[Token], body: str) -> None:
        text = body.replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")
        self.text = text
        self.lines = split_lines(text)
        # Block structure is read with Liquid masked, as the linter's parser reads it: the
        # inside of `{% comment %}` or `{% highlight %}` is no Markdown.
        self.masked_lines = split_lines(mask_liquid(text)[0])
        self.index = LineIndex(text, 1)
        self.starts = self.index.starts
        self.tokens = tokens
        self.blocks: list[Block] = []
        self.previous_block = 0
        self._spans: list[tuple[int, int]] = []  # span-level content met in raw HTML

    def read(self) -> Body:
        """Walk the body (once): its blocks, with what was read on the way."""
        self._run(Stream(self.tokens, 0, len(self.lines)))
        return Body(self.text, self.lines, self.masked_lines, self.index, self.blocks)

    # -- what subclasses learn

    def _on_tag(self, match: re.Match[str], attrs_id: bool) -> None:
        """An HTML start tag read (`attrs_id`: it has an `id` attribute)."""

    def _on_span_content(self, start: int, end: int) -> None:
        """The text [start, end) is span-level content of an HTML element."""

    def _on_span_line(self, line: int) -> None:
        """A line that starts with a span element: a paragraph for kramdown."""

    def _on_markdown(self, stream: Stream, block: TopBlock, here: Context) -> None:
        """A Markdown block."""

    def _on_setext(self, line: int, source: str, header_id: str | None, here: Context) -> None:
        """A setext heading kramdown finds where markdown-it sees another block."""

    # -- helpers

    def _line_at(self, pos: int) -> int:
        return self.index.line_of(pos)

    def _after(self, pos: int) -> int:
        """The first line after an element that ends (exclusive) at `pos`."""
        return self._line_at(max(pos - 1, 0)) + 1

    def _indent(self, line: int) -> int:
        text = self.lines[line] if line < len(self.lines) else ""
        return len(text) - len(text.lstrip(" \t"))

    def _blank(self, line: int) -> bool:
        return not 0 <= line < len(self.lines) or is_blank(self.lines[line])

    def _sub(self, lo: int, hi: int) -> Stream:
        """markdown-it's reading of lines [lo, hi), or of [lo, end) when a code fence or an HTML
        comment, script... that starts there would run past `hi`."""
        stream = Stream(markdown.parse("\n".join(self.masked_lines[lo:hi]) + "\n"), lo, hi)
        last = stream.blocks[-1] if stream.blocks else None
        if hi < len(self.lines) and last is not None and last.b >= hi:
            token = stream.tokens[last.first]
            cut = (last.type == "fence" and not self._fence_closed(stream, last)) or (
                last.type == "html_block" and OPEN_ENDED_HTML.match(token.content) is not None
            )
            if cut:
                end = len(self.lines)
                stream = Stream(
                    markdown.parse("\n".join(self.masked_lines[lo:end]) + "\n"), lo, end
                )
        return stream

    def _record(self, kind: BlockKind, start: int, end: int, here: Context) -> None:
        spans = tuple(
            (*divmod_line(self.index, s), *divmod_line(self.index, e)) for s, e in self._spans
        )
        self._spans.clear()
        if end > start:
            self.blocks.append(Block(kind, start, end, spans=spans, in_html=here.in_html))

    # -- the walk over top-level blocks

    def _run(self, main: Stream) -> None:
        streams = [main]
        contexts = [Context(None, False, 0)]
        line = 0
        while line < len(self.lines):
            while len(streams) > 1 and line >= streams[-1].hi:
                streams.pop()
            stream = streams[-1]
            block = stream.next_block(line)
            if block is None:
                if len(streams) == 1:
                    break
                line = stream.hi
                continue
            here = contexts[-1]
            start = max(block.a, line)
            # an end tag or an element at a block start (inside markdown-it's HTML block, when
            # kramdown's previous element ended there: no need to re-read the rest)
            close = None if here.stop is None else self._closing(start, here.stop)
            tag = None
            at_start = block.a == line or block.type == "html_block"
            if close is None and at_start and block.type in ("html_block", "paragraph_open"):
                tag = self._block_tag(start)
            if close is not None:
                contexts.pop()
                self.previous_block = here.start
                if here.raw_stack is not None:
                    line = self._raw(close, here.raw_stack, contexts)
                else:
                    line = start + 1
                self._record("html", start, line, contexts[-1])
                continue
            if tag is not None:
                self.previous_block = start
                line = self._element(tag, contexts)
                self._record("html", start, line, here)
                continue
            if block.a < line:  # kramdown's blocks end inside this one: re-read the rest
                streams.append(self._sub(line, block.b))
                continue
            if block.type == "html_block":
                first = self.lines[block.a]
                if first.lstrip(" ").startswith(("<!--", "<?")) and self._indent(block.a) < 4:
                    self.previous_block = block.a
                    line, closed = self._comment(block.a)
                    self._record("html" if closed else "text", block.a, line, here)
                    continue
                # a span-level tag: a paragraph for kramdown
                self._on_span_line(block.a)
                self.previous_block = block.a
                line = block.a + (2 if self._setext_at(block.a, here) else 1)
                self._record("paragraph", block.a, line, here)
                continue
            unclosed = block.type == "fence" and not self._fence_closed(stream, block)
            bare = block.type in ("bullet_list_open", "ordered_list_open") and (
                _BARE_MARKER.fullmatch(self.lines[block.a]) is not None
            )
            if unclosed or bare:  # kramdown: no code block, no list item; text, or a heading
                self.previous_block = block.a
                line = block.a + (2 if self._setext_at(block.a, here) else 1)
                self._record("text", block.a, line, here)
                continue
            self._on_markdown(stream, block, here)
            tokens = stream.tokens[block.first : block.last]
            self.blocks.append(
                Block("markdown", block.a, block.b, tokens, stream.offset, in_html=here.in_html)
            )
            self.previous_block = block.a
            line = block.b

    def _comment(self, line: int) -> tuple[int, bool]:
        """(the line after, closed) of an HTML comment or processing instruction that starts
        at `line`: the next line when it is not closed (kramdown: its first line is text)."""
        pos = self.starts[line] + self._indent(line)
        closed = (COMMENT_RE if self.text.startswith("<!--", pos) else PI_RE).match(self.text, pos)
        return (self._after(closed.end()), True) if closed else (line + 1, False)

    def _setext_at(self, line: int, here: Context) -> bool:
        """Whether kramdown finds a setext heading at `line` where markdown-it sees another
        block (`<br>`, an unclosed fence, a bare list marker above `===`)."""
        if line + 1 >= len(self.lines) or UNDERLINE.fullmatch(self.lines[line + 1]) is None:
            return False
        match = SETEXT_TEXT.fullmatch(self.lines[line])
        if match is None or not (line == here.region or self._blank(line - 1)):
            return False
        source, header_id = header_contents(match.group(1))
        if not source:
            return False
        self._on_setext(line, source, header_id, here)
        return True

    def _closing(self, line: int, name: str) -> int | None:
        text = self.lines[line]
        indent = len(text) - len(text.lstrip(" "))
        if indent > 3:
            return None
        pos = self.starts[line] + indent
        match = CLOSE_RE.match(self.text, pos)
        if match is None or match.group(1).lower() in SPAN_ELEMENTS:
            return None
        return match.end() if match.group(1).lower() == name else None

    def _block_tag(self, line: int) -> re.Match[str] | None:
        text = self.lines[line]
        indent = len(text) - len(text.lstrip(" "))
        if indent > 3:
            return None
        match = TAG_RE.match(self.text, self.starts[line] + indent)
        if match is None or match.group(1).lower() in SPAN_ELEMENTS:
            return None
        return match

    def _fence_closed(self, stream: Stream, block: TopBlock) -> bool:
        markup = stream.tokens[block.first].markup
        if block.b - block.a < 2 or not markup:
            return False
        closing = rf" {{0,3}}{re.escape(markup[0])}{{{len(markup)},}}[ \t]*\Z"
        return re.match(closing, self.lines[block.b - 1]) is not None

    # -- HTML elements

    def _start_tag(self, match: re.Match[str]) -> tuple[str, str, bool]:
        name, model, closed = start_tag(match)
        attrs = attributes(match.group(2) or "", name in KNOWN_ELEMENTS)
        self._on_tag(match, bool(attrs.get("id", "").strip()))
        return name, model, closed

    def _end_of(self, name: str, pos: int) -> tuple[int, int]:
        """Where `</name>` (any case) starts and ends from `pos`, or the end of the body."""
        close = re.compile(rf"</{re.escape(name)}\s*>", re.IGNORECASE).search(self.text, pos)
        return (close.start(), close.end()) if close else (len(self.text), len(self.text))

    def _span(self, name: str, pos: int) -> int:
        """A span-level element's content, from `pos`: recorded; returns where it ends."""
        content_end, end = self._end_of(name, pos)
        self._on_span_content(pos, end)
        self._spans.append((pos, content_end))
        return end

    def _element(self, match: re.Match[str], contexts: list[Context]) -> int:
        """An HTML element at a block start; returns the line where block parsing resumes."""
        name, model, closed = self._start_tag(match)
        if name in ("script", "style"):
            return self._after(self._end_of(name, match.end())[1])
        if closed:
            return self._after(match.end())
        if model == "block":
            content = self._after(match.end())
            start = self._line_at(match.start())
            contexts.append(Context(name, True, content, start=start))
            return content
        if model == "span":
            return self._after(self._span(name, match.end()))
        return self._raw(match.end(), [name], contexts)

    def _raw(self, pos: int, stack: list[str], contexts: list[Context]) -> int:
        """kramdown's `parse_raw_html`: skip to the end tag of `stack[0]`, nesting included.
        A nested element with `markdown="1"` opens a Markdown context again."""
        text = self.text
        while stack:
            start = RAW_START.search(text, pos)
            if start is None:
                return len(self.lines)
            pos = start.start()
            skip = COMMENT_RE.match(text, pos) or PI_RE.match(text, pos)
            if skip:
                pos = skip.end()
                continue
            tag = TAG_RE.match(text, pos)
            if tag:
                name, model, closed = self._start_tag(tag)
                pos = tag.end()
                if name in ("script", "style"):
                    pos = self._end_of(name, pos)[1]
                elif closed:
                    pass
                elif model == "block":
                    content = self._after(pos)
                    begin = self._line_at(tag.start())
                    contexts.append(Context(name, True, content, stack, begin))
                    return content
                elif model == "span":
                    pos = self._span(name, pos)
                else:
                    stack.append(name)
                continue
            close = CLOSE_RE.match(text, pos)
            if close:
                top = stack[-1]
                closing = close.group(1).lower() if top in KNOWN_ELEMENTS else close.group(1)
                if closing == top:
                    stack.pop()
                pos = close.end()
                continue
            pos += 1
        return self._after(pos)


def divmod_line(index: LineIndex, offset: int) -> tuple[int, int]:
    """(line, column) of a text offset, both 0-based."""
    line = index.line_of(offset)
    return line, offset - index.starts[line]


def read_blocks(tokens: list[Token], body: str) -> Body:
    """A Markdown body and kramdown's blocks of it (`tokens`: `markdown.parse(body)`)."""
    return Reader(tokens, body).read()
