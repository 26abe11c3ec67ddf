"""The anchors a page defines, with the ids Jekyll's kramdown really gives them.

Jekyll converts Markdown with kramdown (`input: GFM`, `auto_ids`, smart quotes on); see
JEKYLL.md, "Heading ids". markdown-it-py, which parses the body here, disagrees with kramdown on
a few structures that decide which headings exist and which id generator names them, so this
module follows kramdown there and re-reads the body where it must:

- block HTML: kramdown keeps an HTML block raw up to its matching end tag, blank lines included,
  so Markdown headings inside `<div>...</div>` or `<details>...</details>` are not headings; with
  `markdown="1"` the content is Markdown, but its headings get kramdown's older, ASCII-only id
  generator (the GFM parser never looks inside HTML elements);
- ATX headings must start in column 1, setext headings need a single text line after a block
  boundary, and an unclosed code fence is plain text;
- explicit ids: `## Titre {#id}` and a block IAL (`{: #id}`) on the line after (or before) the
  heading; `## Titre {: #id}` is *not* one (kramdown ignores a span IAL after text).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, Literal

from markdown_it import MarkdownIt
from markdown_it.common.utils import normalizeReference
from markdown_it.token import Token

from betacontent.core.positions import split_lines
from betacontent.kramdown.markdown import mask_liquid

__all__ = ["Anchor", "gfm_id", "heading_ids", "page_anchors", "typographic"]

AnchorKind = Literal["heading", "explicit", "html", "liquid"]
"""`liquid`: a heading whose text holds Liquid (`## Ruby {{ branch.name }}`), whose id only
Jekyll's render knows; its `id` is empty, it says the page has such ids."""


@dataclass(frozen=True, slots=True)
class Anchor:
    """A fragment target of a page: `#id` in a link finds it."""

    id: str
    line: int  # 1-based line in the body
    column: int  # 1-based column of the heading or element start
    kind: AnchorKind  # auto heading id, {#id} / {: #id} override, HTML id= / <a name=>
    text: str  # the heading text as rendered (headings, explicit ids of headings), else ""


# --- ids ---------------------------------------------------------------------------------------

# Symbols (So) that Unicode counts as Alphabetic, hence in Ruby's \p{Word}: circled and squared
# Latin letters.
_ALPHABETIC_SYMBOLS = ((0x24B6, 0x24E9), (0x1F130, 0x1F149), (0x1F150, 0x1F169), (0x1F170, 0x1F189))
_WORD_CACHE: dict[str, bool] = {}


def _is_word(char: str) -> bool:
    """Ruby's \\p{Word}: Alphabetic, Mark, Decimal_Number, Connector_Punctuation."""
    known = _WORD_CACHE.get(char)
    if known is None:
        category = unicodedata.category(char)
        code = ord(char)
        known = (
            category[0] in "LM"
            or category in ("Nd", "Pc", "Nl")
            or (category == "So" and any(lo <= code <= hi for lo, hi in _ALPHABETIC_SYMBOLS))
        )
        _WORD_CACHE[char] = known
    return known


def _downcase(text: str) -> str:
    """Ruby's String#downcase: full case mapping, but no final-sigma rule."""
    return "".join(char.lower() for char in text)


def gfm_id(text: str) -> str:
    """kramdown-parser-gfm's base id for a heading's rendered text (before deduplication)."""
    return "".join(
        "-" if char in " \t" else char
        for char in _downcase(text)
        if char in " \t-" or _is_word(char)
    )


_LEADING_NON_LETTERS = re.compile(r"^[^a-zA-Z]+", re.MULTILINE)
_NOT_BASIC = re.compile(r"[^a-zA-Z0-9 -]")


def _basic_id(text: str) -> str:
    """kramdown's older generator (`basic_generate_id`), used inside HTML elements."""
    return _NOT_BASIC.sub("", _LEADING_NON_LETTERS.sub("", text)).replace(" ", "-").lower()


# --- typography ---------------------------------------------------------------------------------

_SQ_PUNCT = r"""[!"#$%'()*+,\-./:;<=>?@\[\\\]^_`{|}~]"""
_SQ_CLOSE = r"[^ \\\t\r\n\[{(\-]"
_QUOTE_CHARS = {"lsquo": "‘", "rsquo": "’", "ldquo": "“", "rdquo": "”"}
# kramdown's SQ_RULES (from RubyPants), in order; Ruby's \w \s \d \b are ASCII-only.
_SQ_RULES: tuple[tuple[re.Pattern[str], tuple[int | str, ...]], ...] = tuple(
    (re.compile(pattern, re.ASCII | re.DOTALL), substs)
    for pattern, substs in (
        (r"""("|')(?=[_*]{1,2}\S)""", ("lquote1",)),
        (rf"""("|')(?={_SQ_PUNCT}(?!\.\.)\B)""", ("rquote1",)),
        (r"""(\s?)"'(?=\w)""", (1, "ldquo", "lsquo")),
        (r"""(\s?)'"(?=\w)""", (1, "lsquo", "ldquo")),
        (r"""(\s?)'(?=\d\ds)""", (1, "rsquo")),
        (r"""(\s)('|")(?=\w)""", (1, "lquote2")),
        (rf"""({_SQ_CLOSE})('|")""", (1, "rquote2")),
        (r"""("|')(?=\s|s\b|\n|\Z)""", ("rquote1",)),
        (r"""(.?)'""", (1, "lsquo")),
        (r"""(.?)\"""", (1, "ldquo")),
    )
)
_SQ_START = re.compile(r"""[^\\]?["']""")
_TYPO_START = re.compile(r"""[^\\]?["']|--|\.\.\.|(?:\\| )?(?:<<|>>)""")
_TYPO_RE = re.compile(r"---|--|\.\.\.|\\<<|\\>>|<< | >>|<<|>>")
_TYPO_CHARS = {
    "---": "—",
    "--": "–",
    "...": "…",
    "\\<<": "<<",
    "\\>>": ">>",
    "<< ": "«\u00a0",  # kramdown's laquo_space / raquo_space: a no-break space
    " >>": "\u00a0»",
    "<<": "«",
    ">>": "»",
}


def _smart_quote(match: re.Match[str], subst: str) -> str:
    if subst in _QUOTE_CHARS:
        return _QUOTE_CHARS[subst]
    quote = match.group(int(subst[-1]))  # lquote1 / rquote2...: the quote is in that group
    left = subst.startswith("l")
    if quote == '"':
        return "“" if left else "”"
    return "‘" if left else "’"


def typographic(text: str) -> str:
    """Plain text as kramdown renders it: smart quotes (' -> ’, ‘ “ ” by its rules) and the
    typographic symbols --- —, -- –, ... …, << «, >> » (`<< ` and ` >>` take the space in as a
    no-break space)."""
    out: list[str] = []
    pos = 0
    while pos < len(text):
        start = _TYPO_START.search(text, pos)
        if start is None:
            out.append(text[pos:])
            break
        out.append(text[pos : start.start()])
        pos = start.start()
        if _SQ_START.match(text, pos):
            for rule, substs in _SQ_RULES:
                match = rule.match(text, pos)
                if match:
                    for subst in substs:
                        if isinstance(subst, int):
                            out.append(match.group(subst))
                        else:
                            out.append(_smart_quote(match, subst))
                    pos = match.end()
                    break
            else:
                out.append(text[pos])
                pos += 1
            continue
        symbol = _TYPO_RE.match(text, pos)
        if symbol:
            out.append(_TYPO_CHARS[symbol.group()])
            pos = symbol.end()
        else:
            out.append(text[pos])
            pos += 1
    return "".join(out)


# --- kramdown's view of HTML ----------------------------------------------------------------------


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


_SPAN_ELEMENTS = _names(
    "a abbr acronym b big bdo br button cite code del dfn em i img input ins kbd label mark "
    "option q rb rbc rp rt rtc ruby samp select small span strong sub sup tt u var"
)
_BLOCK_ELEMENTS = _names(
    "address article aside applet body blockquote caption col colgroup dd div dl dt fieldset "
    "figcaption footer form h1 h2 h3 h4 h5 h6 header hgroup hr html head iframe legend menu li "
    "main map nav ol optgroup p pre section summary table tbody td th thead tfoot tr ul"
)
_WITHOUT_BODY = _names(
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
SPAN_ELEMENTS = _SPAN_ELEMENTS  # kramdown's span-level and block-level HTML elements
BLOCK_ELEMENTS = _BLOCK_ELEMENTS
_KNOWN_ELEMENTS = (
    _SPAN_ELEMENTS | _BLOCK_ELEMENTS | _WITHOUT_BODY | _MODEL_BLOCK | _MODEL_SPAN | _MODEL_RAW
)
_MARKDOWN_ATTR = {"0": "raw", "1": "default", "span": "span", "block": "block"}

_NCNAME = r"[^\W\d][\w.\-]*"
_UNAME = rf"(?:{_NCNAME}:)?{_NCNAME}"
_TAG_RE = re.compile(
    rf"""<((?>{_UNAME}))\s*((?>\s+{_UNAME}(?:\s*=\s*(?:\w+|(["']).*?\3))?)*)\s*(/)?>""", re.DOTALL
)
_CLOSE_RE = re.compile(rf"</({_UNAME})\s*>", re.DOTALL)
_ATTR_RE = re.compile(rf"""\s*({_UNAME})(?:\s*=\s*(?:(\w+)|(["'])(.*?)\3))?""", re.DOTALL)
_RAW_START = re.compile(rf"<(?:{_UNAME}|/|!--|\?)")
_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)
_PI_RE = re.compile(r"<\?.*?\?>", re.DOTALL)


def _model(name: str) -> str:
    if name in _MODEL_BLOCK:
        return "block"
    return "span" if name in _MODEL_SPAN else "raw"


def _element_name(name: str) -> str:
    """kramdown lowercases the names of the HTML elements it knows, and only those."""
    return name.lower() if name.lower() in _KNOWN_ELEMENTS else name


def _attributes(source: str, known: bool) -> dict[str, str]:
    attrs: dict[str, str] = {}
    for match in _ATTR_RE.finditer(source):
        if not match.group(1):
            continue
        name = match.group(1).lower() if known else match.group(1)
        attrs[name] = match.group(2) or match.group(4) or ""
    return attrs


class _IdCollector(HTMLParser):
    """`id` attributes and `<a name>` of an HTML fragment, with their positions."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, int, int]] = []  # (id, 1-based line, 0-based offset)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line, offset = self.getpos()
        ids = [v for k, v in attrs if k == "id" and v and v.strip()]
        if ids:  # a repeated attribute: kramdown keeps the last one
            self.found.append((ids[-1], line, offset))
        if tag == "a":
            names = [v for k, v in attrs if k == "name" and v and v.strip()]
            if names:
                self.found.append((names[-1], line, offset))


# --- kramdown's view of Markdown ------------------------------------------------------------------

_NAME_START = (
    ":A-Z_a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_NAME_CHAR = _NAME_START + r"\-.0-9\u00b7\u0300-\u036f\u203f-\u2040"
_HEADER_ID = re.compile(rf"[\t ]\{{#([{_NAME_START}][{_NAME_CHAR}]*)\}}\Z")
_ATX = re.compile(r"(#{1,6})[\t ]+(.*)")
_CLOSING_HASHES = re.compile(r"[\t ]#+\Z")
_OPEN_ENDED_HTML = re.compile(r"\s*<(?:!|\?|(?:script|pre|style|textarea)(?:\s|>|$))", re.I)
_LINK_DEFINITION = re.compile(r" {0,3}\[([^\n\]^][^\n\]]*)\]:")
_BARE_MARKER = re.compile(r" {0,3}(?:[-+*]|\d+[.)])[ \t]*")
_DEFINITION = re.compile(r" {0,3}\*?\[[^\]]+\]:")
_UNDERLINE = re.compile(r"[-=]+[ \t\r\f\v]*")
_SETEXT_TEXT = re.compile(r" {0,3}([^ \t].*)")
_IAL_LINE = re.compile(r" {0,3}\{:(?![:/])((?:\\\}|[^}])+)\}\s*\Z")
_ALD_LINE = re.compile(r" {0,3}\{:\w[\w-]*:", re.ASCII)
_ALD_ANY = re.compile(
    r"""(?:\A|\s)(?:(\w[\w-]*)=("|')((?:\\\}|\\["']|[^}])*?)\2|(\w[\w-]*)"""
    r"""|((?:#[A-Za-z][\w:-]*|\.[^\s.#]+)+))(?=\s|\Z)""",
    re.ASCII,
)
_IAL_ID = re.compile(r"#([A-Za-z][\w:-]*)|\.[^\s.#]+", re.ASCII)
_AFTER_SYMBOL = re.compile(r"""(?:---|--|\.\.\.|<< | >>|<<|>>|["']|&#?\w+;)\Z""")
_SPAN_IAL = re.compile(r"\{:(?![:/])((?:\\\}|[^}])+)\}")
_FOOTNOTE_DEF = re.compile(r"^ {0,3}\[\^(\w[\w-]*)\]:", re.ASCII | re.MULTILINE)
_FOOTNOTE_MARKER = re.compile(r"\[\^(\w[\w-]*)\]", re.ASCII)
_LIQUID = re.compile(
    r"\{\{|\{%|\ue000"
)  # Liquid, or Liquid masked by betacontent.kramdown.markdown
_KRAMDOWN_ESCAPABLE = frozenset("\\.*_+`<>()[]{}#!:|\"'$=-~")
_CLOSING_TOKENS = frozenset(
    ("em_close", "strong_close", "s_close", "link_close", "code_inline", "image")
)

_BLOCKS = MarkdownIt("commonmark").enable("table").enable("strikethrough")
_INLINE = MarkdownIt("commonmark").enable("table").enable("strikethrough").disable("text_join")
_REFERENCES = (
    MarkdownIt("commonmark")
    .enable("table")
    .enable("strikethrough")
    .disable(["inline", "text_join"])
)


def _ial_id(content: str) -> str | None:
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


def _header_contents(text: str) -> tuple[str, str | None]:
    """kramdown's `parse_header_contents`: the text and its `{#id}`."""
    text = text.rstrip()
    match = _HEADER_ID.search(text)
    if match is None:
        return text, None
    return text[: match.start()].rstrip(), match.group(1)


def _is_blank(line: str) -> bool:
    return not line.strip(" \t\r\f\v")


@dataclass(slots=True)
class _Block:
    """A top-level markdown-it block: tokens[first:last], body lines [a, b)."""

    first: int
    last: int
    a: int
    b: int
    type: str


@dataclass(slots=True)
class _Stream:
    """markdown-it tokens for body lines [offset, hi)."""

    tokens: list[Token]
    offset: int
    hi: int
    blocks: list[_Block] = field(default_factory=list)
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
                    block = _Block(first, index + 1, a + self.offset, b + self.offset, opening.type)
                    self.blocks.append(block)

    def next_block(self, line: int) -> _Block | None:
        while self.cursor < len(self.blocks) and self.blocks[self.cursor].b <= line:
            self.cursor += 1
        return self.blocks[self.cursor] if self.cursor < len(self.blocks) else None


@dataclass(slots=True)
class _Context:
    """Where kramdown is parsing blocks: the page, or the content of an HTML element."""

    stop: str | None  # the element whose end tag closes this context
    in_html: bool
    region: int  # first line of the context
    raw_stack: list[str] | None = None  # raw HTML elements to resume once this one closes
    start: int = 0  # line of the element's start tag


@dataclass(slots=True)
class _PendingIal:
    lines: range
    target: int  # 0-based line of the element the IAL gives its id to
    id: str


class _Page:
    """One pass over a body, the way kramdown reads it: its headings' ids and its anchors.

    It walks markdown-it's top-level blocks, but where kramdown's blocks end inside one of them
    (an HTML element closing mid-block), it has markdown-it read the rest again (`_sub`).
    Contexts stack the HTML elements whose content is Markdown (`markdown="1"`)."""

    def __init__(self, tokens: list[Token], body: str) -> None:
        text = body.replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")
        self.text = text
        self.lines = split_lines(text)
        # Block structure is read with Liquid masked, as the linter's parser reads it: the
        # inside of `{% comment %}` or `{% highlight %}` is no Markdown.
        self.masked_lines = split_lines(mask_liquid(text)[0])
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line) + 1)
        self.headings: dict[int, str | None] = {}  # markdown-it token line -> id
        self.anchors: list[tuple[int, int, int, Anchor]] = []
        self.gfm_counter: dict[str, int] = {}
        self.old_counter: dict[str, int] = {}
        self.env: dict[str, Any] | None = None
        self.footnotes: frozenset[str] | None = None
        self.consumed: set[int] = set()
        self.pending: list[_PendingIal] = []
        self.carried: dict[int, str] = {}  # IAL line -> id handed down to it by IALs above
        self.element_ids: dict[int, int] = {}  # line of an HTML block tag -> its id anchor
        self.dropped: set[int] = set()  # anchors (indexes) that an IAL replaced
        self.previous_block = 0
        self._run(_Stream(tokens, 0, len(self.lines)))
        live = [i for i in self.pending if not any(line in self.consumed for line in i.lines)]
        last = {ial.target: ial for ial in live}  # IALs on one element: the last wins
        for ial in live:
            if last[ial.target] is ial:
                column = self._indent(ial.target) + 1
                self._add(ial.id, ial.target, column, "explicit", "", outer=True)
                replaced = self.element_ids.get(ial.target)
                if replaced is not None:
                    self.dropped.add(replaced)

    # -- helpers

    def _add(
        self,
        anchor_id: str,
        line: int,
        column: int,
        kind: AnchorKind,
        text: str,
        outer: bool = False,
    ) -> None:
        """Record an anchor; `outer`: it is on an element that contains the others there."""
        anchor = Anchor(anchor_id, line + 1, column, kind, text)
        order = -1 - len(self.anchors) if outer else len(self.anchors)
        self.anchors.append((line, column, order, anchor))

    def _line_at(self, pos: int) -> int:
        return bisect.bisect_right(self.starts, pos) - 1

    def _after(self, pos: int) -> int:
        """The first line after an element that ends (exclusive) at `pos`."""
        return self._line_at(max(pos - 1, 0)) + 1

    def _indent(self, line: int) -> int:
        text = self.lines[line] if line < len(self.lines) else ""
        return len(text) - len(text.lstrip(" \t"))

    def _blank(self, line: int) -> bool:
        return not 0 <= line < len(self.lines) or _is_blank(self.lines[line])

    def _ial(self, line: int) -> str | None:
        """The content of the block IAL on `line`, or None when the line is not one."""
        if line < 0 or line >= len(self.lines):
            return None
        text = self.lines[line]
        if _ALD_LINE.match(text):
            return None
        match = _IAL_LINE.match(text)
        return match.group(1) if match else None

    def _sub(self, lo: int, hi: int) -> _Stream:
        """markdown-it's reading of lines [lo, hi), or of [lo, end) when a code fence or an HTML
        comment, script... that starts there would run past `hi`."""
        stream = _Stream(_BLOCKS.parse("\n".join(self.masked_lines[lo:hi]) + "\n"), lo, hi)
        last = stream.blocks[-1] if stream.blocks else None
        if hi < len(self.lines) and last is not None and last.b >= hi:
            token = stream.tokens[last.first]
            cut = (last.type == "fence" and not self._fence_closed(stream, last)) or (
                last.type == "html_block" and _OPEN_ENDED_HTML.match(token.content) is not None
            )
            if cut:
                end = len(self.lines)
                stream = _Stream(
                    _BLOCKS.parse("\n".join(self.masked_lines[lo:end]) + "\n"), lo, end
                )
        return stream

    def _html_ids(self, fragment: str, line: int, column: int) -> None:
        collector = _IdCollector()
        collector.feed(fragment)
        collector.close()
        for anchor_id, row, offset in collector.found:
            if _LIQUID.search(anchor_id):
                continue  # its value is only known once Jekyll has rendered the Liquid
            at_column = column + offset if row == 1 else offset + 1
            self._add(anchor_id, line + row - 1, at_column, "html", "")

    def _html_ids_at(self, start: int, end: int) -> None:
        line = self._line_at(start)
        self._html_ids(self.text[start:end], line, start - self.starts[line] + 1)

    # -- the walk over top-level blocks

    def _run(self, main: _Stream) -> None:
        streams = [main]
        contexts = [_Context(None, False, 0)]
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
                continue
            if tag is not None:
                self.previous_block = start
                line = self._element(tag, contexts)
                continue
            if block.a < line:  # kramdown's blocks end inside this one: re-read the rest
                streams.append(self._sub(line, block.b))
                continue
            if block.type == "html_block":  # a span-level tag: a paragraph for kramdown
                self._html_ids(self.lines[block.a], block.a, 1)
                self.previous_block = block.a
                comment = self.lines[block.a].lstrip().startswith("<!--")
                line = block.a + (2 if not comment and self._setext_at(block.a, here) else 1)
                continue
            unclosed = block.type == "fence" and not self._fence_closed(stream, block)
            bare = block.type in ("bullet_list_open", "ordered_list_open") and (
                _BARE_MARKER.fullmatch(self.lines[block.a]) is not None
            )
            if unclosed or bare:  # kramdown: no code block, no list item; text, or a heading
                self.previous_block = block.a
                line = block.a + (2 if self._setext_at(block.a, here) else 1)
                continue
            self._markdown(stream, block, here)
            self.previous_block = block.a
            line = block.b

    def _closing(self, line: int, name: str) -> int | None:
        text = self.lines[line]
        indent = len(text) - len(text.lstrip(" "))
        if indent > 3:
            return None
        pos = self.starts[line] + indent
        match = _CLOSE_RE.match(self.text, pos)
        if match is None or match.group(1).lower() in _SPAN_ELEMENTS:
            return None
        return match.end() if match.group(1).lower() == name else None

    def _block_tag(self, line: int) -> re.Match[str] | None:
        text = self.lines[line]
        indent = len(text) - len(text.lstrip(" "))
        if indent > 3:
            return None
        match = _TAG_RE.match(self.text, self.starts[line] + indent)
        if match is None or match.group(1).lower() in _SPAN_ELEMENTS:
            return None
        return match

    def _fence_closed(self, stream: _Stream, block: _Block) -> bool:
        markup = stream.tokens[block.first].markup
        if block.b - block.a < 2 or not markup:
            return False
        closing = rf" {{0,3}}{re.escape(markup[0])}{{{len(markup)},}}[ \t]*\Z"
        return re.match(closing, self.lines[block.b - 1]) is not None

    # -- HTML elements

    def _start_tag(self, match: re.Match[str]) -> tuple[str, str, bool]:
        """An HTML start tag as kramdown reads it: (name, content model, closed)."""
        name = _element_name(match.group(1))
        attrs = _attributes(match.group(2) or "", name in _KNOWN_ELEMENTS)
        before = len(self.anchors)
        self._html_ids_at(match.start(), match.end())
        if attrs.get("id", "").strip() and len(self.anchors) > before:
            # an IAL next to the element replaces this id
            self.element_ids[self._line_at(match.start())] = before
        model = "raw"
        markdown = _MARKDOWN_ATTR.get(attrs.get("markdown", ""))
        if markdown is not None:
            model = _model(name) if markdown == "default" else markdown
        closed = match.group(4) is not None or name in _WITHOUT_BODY
        return name, model, closed

    def _end_of(self, name: str, pos: int) -> int:
        """Just after `</name>` (any case) from `pos`, or the end of the body."""
        close = re.compile(rf"</{re.escape(name)}\s*>", re.IGNORECASE).search(self.text, pos)
        return close.end() if close else len(self.text)

    def _element(self, match: re.Match[str], contexts: list[_Context]) -> int:
        """An HTML element at a block start; returns the line where block parsing resumes."""
        name, model, closed = self._start_tag(match)
        if name in ("script", "style"):
            return self._after(self._end_of(name, match.end()))
        if closed:
            return self._after(match.end())
        if model == "block":
            content = self._after(match.end())
            start = self._line_at(match.start())
            contexts.append(_Context(name, True, content, start=start))
            return content
        if model == "span":
            end = self._end_of(name, match.end())
            self._html_ids_at(match.end(), end)
            return self._after(end)
        return self._raw(match.end(), [name], contexts)

    def _raw(self, pos: int, stack: list[str], contexts: list[_Context]) -> int:
        """kramdown's `parse_raw_html`: skip to the end tag of `stack[0]`, nesting included.
        A nested element with `markdown="1"` opens a Markdown context again."""
        text = self.text
        while stack:
            start = _RAW_START.search(text, pos)
            if start is None:
                return len(self.lines)
            pos = start.start()
            skip = _COMMENT_RE.match(text, pos) or _PI_RE.match(text, pos)
            if skip:
                pos = skip.end()
                continue
            tag = _TAG_RE.match(text, pos)
            if tag:
                name, model, closed = self._start_tag(tag)
                pos = tag.end()
                if name in ("script", "style"):
                    pos = self._end_of(name, pos)
                elif closed:
                    pass
                elif model == "block":
                    content = self._after(pos)
                    begin = self._line_at(tag.start())
                    contexts.append(_Context(name, True, content, stack, begin))
                    return content
                elif model == "span":
                    end = self._end_of(name, pos)
                    self._html_ids_at(pos, end)
                    pos = end
                else:
                    stack.append(name)
                continue
            close = _CLOSE_RE.match(text, pos)
            if close:
                top = stack[-1]
                closing = close.group(1).lower() if top in _KNOWN_ELEMENTS else close.group(1)
                if closing == top:
                    stack.pop()
                pos = close.end()
                continue
            pos += 1
        return self._after(pos)

    # -- Markdown blocks

    def _markdown(self, stream: _Stream, block: _Block, here: _Context) -> None:
        tokens = stream.tokens
        for index in range(block.first, block.last):
            token = tokens[index]
            if token.type == "heading_open":
                self._heading(stream, index, here)
            elif token.type == "html_block" and token.map is not None:
                line = stream.offset + token.map[0]
                first = token.content.split("\n", 1)[0]
                self._html_ids(token.content, line, max(self.lines[line].find(first), 0) + 1)
            elif token.type == "inline" and tokens[index - 1].type != "heading_open":
                self._inline_anchors(stream, token)
        if block.type == "paragraph_open":
            self._paragraph_ials(block, here)
        elif block.type in ("bullet_list_open", "ordered_list_open", "blockquote_open"):
            self._lazy_setext(stream, block, here)
            if block.type != "blockquote_open":
                self._list_ials(block)

    def _list_ials(self, block: _Block) -> None:
        """An unindented IAL line that markdown-it reads as a lazy line of the last item: kramdown
        ends the list there and gives the list its id."""
        line = block.a + 1
        while line < block.b:
            content = self._ial(line)
            if content is None or self.lines[line][:1] != "{" or self._blank(line - 1):
                line += 1
                continue
            start = line
            anchor_id: str | None = None
            while line < block.b and (content := self._ial(line)) is not None:
                anchor_id = _ial_id(content) or anchor_id
                line += 1
            if anchor_id is not None:
                self.pending.append(_PendingIal(range(start, line), block.a, anchor_id))

    def _lazy_setext(self, stream: _Stream, block: _Block, here: _Context) -> None:
        """kramdown reads `- item` or `> quote` followed by `---` or `===` (unindented, no `>`)
        as a setext heading inside the list item or quote; markdown-it sees a paragraph and a
        rule, or a lazy paragraph line."""
        tokens = stream.tokens
        for index in range(block.first + 1, block.last - 1):
            token = tokens[index]
            if token.type != "paragraph_open" or token.map is None:
                continue
            a = stream.offset + token.map[0]
            b = stream.offset + token.map[1]
            lazy = b - a >= 2 and self.lines[a + 1].startswith("=")
            if not (lazy or (b - a == 1 and b == block.b)):
                continue
            underline = a + 1
            if underline >= len(self.lines) or _UNDERLINE.fullmatch(self.lines[underline]) is None:
                continue
            first = tokens[index - 1].type in ("list_item_open", "blockquote_open")
            if not (first or self._blank(a - 1)):
                continue
            source, header_id = _header_contents(tokens[index + 1].content.split("\n")[0])
            if source:
                self._name(a, a, source, header_id, here)

    def _inline_anchors(self, stream: _Stream, inline: Token) -> None:
        """HTML ids and span IALs (`*x*{: #id}`) of an inline token."""
        if inline.map is None:
            return
        content = inline.content
        base = stream.offset + inline.map[0]
        cursor = 0
        previous: Token | None = None
        for child in inline.children or []:
            if child.type == "html_inline":
                start = (child.meta or {}).get("start")
                found = start if isinstance(start, int) else content.find(child.content, cursor)
                found = cursor if found < 0 else found
                cursor = found + len(child.content)
                line, column = self._content_position(base, content, found)
                self._html_ids(child.content, line, column)
            elif child.type == "text" and previous and previous.type in _CLOSING_TOKENS:
                ial = _SPAN_IAL.match(child.content)
                anchor_id = _ial_id(ial.group(1)) if ial else None
                if anchor_id is not None:
                    found = content.find("{:", cursor)
                    found = cursor if found < 0 else found
                    cursor = found + 2
                    line, column = self._content_position(base, content, found)
                    self._add(anchor_id, line, column, "explicit", "")
            previous = child

    def _content_position(self, base: int, content: str, offset: int) -> tuple[int, int]:
        """Body line (0-based) and column (1-based) of `offset` in an inline token's content."""
        row = content.count("\n", 0, offset)
        row_start = content.rfind("\n", 0, offset) + 1
        row_end = content.find("\n", offset)
        segment = content[row_start : row_end if row_end >= 0 else len(content)]
        line = min(base + row, len(self.lines) - 1)
        found = self.lines[line].find(segment) if segment else -1
        return line, max(found, 0) + offset - row_start + 1

    def _paragraph_ials(self, block: _Block, here: _Context) -> None:
        """Block IALs that markdown-it left in a paragraph and that give some block an id."""
        line = block.a
        segment = block.a
        while line < block.b:
            if line in self.consumed or self._ial(line) is None:
                line += 1
                continue
            start = line
            anchor_id: str | None = self.carried.get(start)
            while line < block.b and self._ial(line) is not None:
                anchor_id = _ial_id(self._ial(line) or "") or anchor_id
                line += 1
            chain = range(start, line)
            target: int | None
            if _DEFINITION.match(self.lines[start - 1]) and start - 1 >= here.region:
                target = None  # kramdown gives it to the link definition above
            elif start > segment:
                target = segment  # the paragraph lines just above
            elif start - 1 >= here.region and not self._blank(start - 1):
                target = self.previous_block  # the block just above
            else:
                target = line
                if self._blank(target):
                    if start == here.region:
                        target = None  # a blank line takes it
                    else:
                        while target < len(self.lines) and self._blank(target):
                            target += 1
                if target is not None and target >= len(self.lines):
                    target = None
                if target is not None and (
                    _DEFINITION.match(self.lines[target])
                    or (here.stop is not None and self._closing(target, here.stop) is not None)
                ):
                    target = None  # kramdown gives it to a link definition, or loses it
                if target is not None and self._ial(target) is not None:
                    if anchor_id is not None:  # kramdown merges them; the last id wins
                        self.carried[target] = anchor_id
                    target = None
            segment = line
            if anchor_id is not None and target is not None:
                self.pending.append(_PendingIal(chain, target, anchor_id))

    # -- headings

    def _heading(self, stream: _Stream, index: int, here: _Context) -> None:
        token = stream.tokens[index]
        inline = stream.tokens[index + 1]
        if token.map is None:
            return
        a = stream.offset + token.map[0]
        b = stream.offset + token.map[1]
        self._inline_anchors(stream, inline)
        ial_ids: list[str | None] = []
        if token.level == 0:
            parsed = self._kramdown_header(a, b, token.markup in ("=", "-"), here)
            if parsed is None:
                return
            line, source, header_id, lead = parsed
            ial_ids.extend(lead)
            if not lead:
                ial_ids.append(self._ial_before(line, here))
            ial_ids.append(self._ial_after(b))
        else:
            line = a
            source, header_id = _header_contents(inline.content)
        explicit = next((i for i in reversed(ial_ids) if i is not None), None) or header_id
        self._name(a, line, source, explicit, here)

    def _name(self, key: int, line: int, source: str, explicit: str | None, here: _Context) -> None:
        """Give a heading its id (kramdown's generators and counters) and record its anchor;
        `key`: the line of markdown-it's token, `line`: the line of the heading's text."""
        text = self._render(source)
        column = self._indent(line) + 1
        if explicit is None and _LIQUID.search(source):
            self.headings[key] = None  # its text, so its id, is Liquid's output
            self._add("", line, column, "liquid", text, outer=True)
            return
        if explicit is not None:
            self.headings[key] = explicit
            self._add(explicit, line, column, "explicit", text, outer=True)
            return
        if here.in_html:
            base = _basic_id(text) or "section"
            if base in self.old_counter:
                self.old_counter[base] += 1
                anchor_id = f"{base}-{self.old_counter[base]}"
            else:
                self.old_counter[base] = 0
                anchor_id = base
        else:
            base = gfm_id(text)
            count = self.gfm_counter.get(base, -1) + 1
            self.gfm_counter[base] = count
            anchor_id = f"{base}-{count}" if count else base
        self.headings[key] = anchor_id or None
        if anchor_id:
            self._add(anchor_id, line, column, "heading", text, outer=True)

    def _setext_at(self, line: int, here: _Context) -> bool:
        """Name the setext heading kramdown finds at `line` where markdown-it sees another
        block (`<br>`, an unclosed fence, a bare list marker above `===`); False if none."""
        if line + 1 >= len(self.lines) or _UNDERLINE.fullmatch(self.lines[line + 1]) is None:
            return False
        match = _SETEXT_TEXT.fullmatch(self.lines[line])
        if match is None or not (line == here.region or self._blank(line - 1)):
            return False
        source, header_id = _header_contents(match.group(1))
        if not source:
            return False
        ial_ids = [self._ial_before(line, here), self._ial_after(line + 2)]
        explicit = next((i for i in reversed(ial_ids) if i is not None), None) or header_id
        self._name(line, line, source, explicit, here)
        return True

    def _kramdown_header(
        self, a: int, b: int, setext: bool, here: _Context
    ) -> tuple[int, str, str | None, list[str | None]] | None:
        """A top-level heading as kramdown reads it: (text line, text, {#id}, leading IAL ids),
        or None when kramdown does not see a heading there."""
        if not setext:
            atx = _ATX.fullmatch(self.lines[a])
            if atx is not None:
                text, header_id = _header_contents(atx.group(2))
                stripped = _CLOSING_HASHES.sub("", text)
                if stripped != text:
                    text = stripped.rstrip()
                if text:
                    return a, text, header_id, []
            # not an ATX heading for kramdown; with `---` or `===` below, a setext one
            b = a + 2
            if b > len(self.lines):
                return None
        line = b - 2
        lead: list[str | None] = []
        if line > a:  # markdown-it folded the lines above into the heading: only IALs may be
            if any(self._ial(i) is None for i in range(a, line)):
                return None
            if not (a == here.region or self._blank(a - 1)):
                return None
            lead = [_ial_id(self._ial(i) or "") for i in range(a, line)]
            self.consumed.update(range(a, line))
        elif not (line == here.region or self._blank(line - 1)):
            return None  # kramdown: a setext heading only after a block boundary
        if _UNDERLINE.fullmatch(self.lines[b - 1]) is None:
            return None
        match = _SETEXT_TEXT.fullmatch(self.lines[line])
        if match is None:
            return None
        text, header_id = _header_contents(match.group(1))
        return (line, text, header_id, lead) if text else None

    def _ial_before(self, line: int, here: _Context) -> str | None:
        """The id of block IALs above a heading that kramdown hands down to it."""
        above = line - 1
        blanks = False
        while above >= here.region and self._blank(above):
            above -= 1
            blanks = True
        end = above
        while above >= here.region and self._ial(above) is not None:
            above -= 1
        if above == end:
            return None
        start = above + 1
        after_blank = start - 1 >= here.region and self._blank(start - 1)
        if not (after_blank or (start == here.region and not blanks)):
            return None
        chain = range(start, end + 1)
        self.consumed.update(chain)
        found: str | None = self.carried.get(start)
        for i in chain:
            found = _ial_id(self._ial(i) or "") or found
        return found

    def _ial_after(self, line: int) -> str | None:
        """The id of block IALs right below a heading."""
        found: str | None = None
        while (content := self._ial(line)) is not None:
            self.consumed.add(line)
            found = _ial_id(content) or found
            line += 1
        return found

    def _render(self, source: str) -> str:
        """kramdown's raw text of a heading: what `generate_gfm_header_id` gets."""
        env: dict[str, Any] = {}
        if "[" in source:
            if self.env is None:
                self.env = {}
                _REFERENCES.parse(self.text, self.env)
                references = self.env.setdefault("references", {})
                for index, text in enumerate(self.lines):  # in <div markdown="1"> too
                    above = self.lines[index - 1] if index else ""
                    definition = _LINK_DEFINITION.match(text)
                    if definition and (
                        _is_blank(above)
                        or _LINK_DEFINITION.match(above)
                        or _ATX.match(above)
                        or "markdown=" in above
                    ):
                        label = normalizeReference(definition.group(1))
                        references.setdefault(label, {"href": "", "title": ""})
            env = {"references": self.env["references"]}
        if self.footnotes is None:
            self.footnotes = frozenset(_FOOTNOTE_DEF.findall(self.text))
        spans = _kramdown_spans(source, self.footnotes)
        children = _INLINE.parseInline(spans, env)[0].children or []
        return _inline_text(children)


_LAQUO = "\U000f0000"  # stands for `<<` while markdown-it reads the text (private use)


def _kramdown_spans(source: str, footnotes: frozenset[str]) -> str:
    """Prepare a heading's text for markdown-it where kramdown reads spans its own way: a lone
    backtick between spaces is text, not a code span; `<<` is a guillemet even before a tag
    (`<<b>>`); a footnote marker (`[^1]`, when defined) is not text."""
    out: list[str] = []
    i = 0
    while i < len(source):
        char = source[i]
        if char == "\\":
            out.append(source[i : i + 2])
            i += 2
        elif char == "`":
            run = len(source[i:]) - len(source[i:].lstrip("`"))
            alone = run == 1 and (i == 0 or source[i - 1] in " \t\n")
            if alone and source[i + 1 : i + 2] in (" ", "\t", "\n"):
                out.append("\\`")
                i += 1
                continue
            close = source.find("`" * run, i + run)
            end = close + run if close >= 0 else i + run
            out.append(source[i:end])
            i = end
        elif source.startswith("<<", i):
            out.append(_LAQUO)
            i += 2
        elif (marker := _FOOTNOTE_MARKER.match(source, i)) and marker.group(1) in footnotes:
            i = marker.end()
        elif (ial := _SPAN_IAL.match(source, i)) and _AFTER_SYMBOL.search(source, 0, i):
            i = ial.end()  # a span IAL after a typographic symbol, quote or entity: not text
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _inline_text(children: list[Token]) -> str:
    """The text kramdown's GFM parser collects from a heading's spans."""
    parts: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            parts.append(typographic("".join(pending)))
            pending.clear()

    def literal(text: str) -> None:
        flush()
        parts.append(text)

    open_elements: list[tuple[str, bool]] = []  # (name, raw) of inline HTML elements
    autolink = False
    previous: Token | None = None
    for child in children:
        raw = any(is_raw for _, is_raw in open_elements)
        kind = child.type
        if kind == "text":
            content = child.content.replace(_LAQUO, "<<")
            if previous is not None and previous.type in _CLOSING_TOKENS:
                ial = _SPAN_IAL.match(content)
                if ial:
                    content = content[ial.end() :]
            if raw or autolink:
                literal(content.removeprefix("mailto:") if autolink else content)
            else:
                pending.append(content)
        elif kind == "text_special":
            if child.info == "escape" and child.content not in _KRAMDOWN_ESCAPABLE:
                pending.append(child.markup)  # not an escape for kramdown: plain text
            else:
                literal(child.content)
        elif kind == "code_inline":
            code = child.content.replace(_LAQUO, "<<")
            literal(child.markup + code + child.markup if raw else code)
        elif kind == "softbreak":
            pending.append("\n")
        elif kind == "html_inline":
            _inline_html(child.content.replace(_LAQUO, "<<"), open_elements, literal)
        elif kind in ("em_open", "em_close", "strong_open", "strong_close", "s_open", "s_close"):
            if raw:
                literal(child.markup)
        elif kind == "link_open":
            autolink = child.markup == "autolink"
        elif kind == "link_close":
            autolink = False
        previous = child
    flush()
    return "".join(parts)


def _inline_html(
    tag: str, open_elements: list[tuple[str, bool]], literal: Callable[[str], None]
) -> None:
    """An inline HTML tag in a heading: kramdown keeps the text of span elements, writes block
    tags and stray end tags out as text, and does not touch the text of raw elements."""
    if tag.startswith(("<!--", "<?")):
        return
    close = _CLOSE_RE.fullmatch(tag)
    if close:
        name = _element_name(close.group(1))
        if open_elements and open_elements[-1][0] == name:
            open_elements.pop()
        else:
            literal(tag)
        return
    start = _TAG_RE.fullmatch(tag)
    if start is None:
        literal(tag)
        return
    name = _element_name(start.group(1))
    if name in _BLOCK_ELEMENTS:
        literal(tag)
        return
    if start.group(4) is not None or name in _WITHOUT_BODY:
        return
    attrs = _attributes(start.group(2) or "", name in _KNOWN_ELEMENTS)
    raw = _model(name) == "raw"
    markdown = _MARKDOWN_ATTR.get(attrs.get("markdown", ""))
    if markdown == "span":
        raw = False
    elif markdown == "raw":
        raw = True
    open_elements.append((name, raw))


def page_anchors(tokens: list[Token], body: str) -> list[Anchor]:
    """Every anchor the page defines, in document order (duplicates included)."""
    page = _Page(tokens, body)
    kept = [item for index, item in enumerate(page.anchors) if index not in page.dropped]
    return [anchor for *_, anchor in sorted(kept, key=lambda item: item[:3])]


def heading_ids(tokens: list[Token], body: str) -> list[tuple[Token, str | None]]:
    """Each `heading_open` token with the id kramdown gives that heading (None: no id, or not a
    heading for kramdown)."""
    page = _Page(tokens, body)
    result: list[tuple[Token, str | None]] = []
    for token in tokens:
        if token.type == "heading_open":
            result.append((token, page.headings.get(token.map[0]) if token.map else None))
    return result
