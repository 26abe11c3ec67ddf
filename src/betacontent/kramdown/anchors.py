"""The anchors a page defines, with the ids Jekyll's kramdown really gives them.

Jekyll converts Markdown with kramdown (`input: GFM`, `auto_ids`, smart quotes on); see
docs/jekyll-model.md, "Heading ids". Which headings exist is the block reader's answer
(`blocks.Reader`, which this module's walk extends): none inside raw HTML, ATX headings in
column 1 with text, setext headings of one text line after a block boundary. Here:

- the ids: kramdown-parser-gfm's generator, and kramdown's older, ASCII-only one for headings
  inside an element with `markdown="1"` (the GFM parser never looks inside HTML elements);
- explicit ids: `## Titre {#id}` and a block IAL (`{: #id}`) on the line after (or before) the
  heading; `## Titre {: #id}` is *not* one (kramdown ignores a span IAL after text);
- the ids of HTML elements, and IALs on paragraphs, lists, quotes and tables.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any, Literal

from markdown_it import MarkdownIt
from markdown_it.common.utils import normalizeReference
from markdown_it.token import Token

from betacontent.kramdown.blocks import (
    ATX,
    BLOCK_ELEMENTS,
    CLOSE_RE,
    CLOSING_TOKENS,
    FOOTNOTE_DEF,
    FOOTNOTE_MARKER,
    IAL_LINE,
    KNOWN_ELEMENTS,
    MARKDOWN_ATTR,
    SETEXT_TEXT,
    SPAN_IAL,
    TAG_RE,
    UNDERLINE,
    WITHOUT_BODY,
    Body,
    Context,
    Reader,
    Stream,
    TopBlock,
    attributes,
    content_model,
    element_name,
    header_contents,
    ial_id,
    is_blank,
)

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

_CLOSING_HASHES = re.compile(r"[\t ]#+\Z")
_LINK_DEFINITION = re.compile(r" {0,3}\[([^\n\]^][^\n\]]*)\]:")
_DEFINITION = re.compile(r" {0,3}\*?\[[^\]]+\]:")
_ALD_LINE = re.compile(r" {0,3}\{:\w[\w-]*:", re.ASCII)
_AFTER_SYMBOL = re.compile(r"""(?:---|--|\.\.\.|<< | >>|<<|>>|["']|&#?\w+;)\Z""")
_LIQUID = re.compile(
    r"\{\{|\{%|\ue000"
)  # Liquid, or Liquid masked by betacontent.kramdown.markdown
_KRAMDOWN_ESCAPABLE = frozenset("\\.*_+`<>()[]{}#!:|\"'$=-~")

_INLINE = MarkdownIt("commonmark").enable("table").enable("strikethrough").disable("text_join")
_REFERENCES = (
    MarkdownIt("commonmark")
    .enable("table")
    .enable("strikethrough")
    .disable(["inline", "text_join"])
)


@dataclass(slots=True)
class _PendingIal:
    lines: range
    target: int  # 0-based line of the element the IAL gives its id to
    id: str


class _Page(Reader):
    """One pass over a body, the way kramdown reads it (`blocks.Reader`): its headings' ids and
    its anchors, named as the walk meets them."""

    def __init__(self, tokens: list[Token], body: str) -> None:
        super().__init__(tokens, body)
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
        self.body = self.read()
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

    def _ial(self, line: int) -> str | None:
        """The content of the block IAL on `line`, or None when the line is not one."""
        if line < 0 or line >= len(self.lines):
            return None
        text = self.lines[line]
        if _ALD_LINE.match(text):
            return None
        match = IAL_LINE.match(text)
        return match.group(1) if match else None

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

    # -- what the walk meets

    def _on_tag(self, match: re.Match[str], attrs_id: bool) -> None:
        before = len(self.anchors)
        self._html_ids_at(match.start(), match.end())
        if attrs_id and len(self.anchors) > before:
            # an IAL next to the element replaces this id
            self.element_ids[self._line_at(match.start())] = before

    def _on_span_content(self, start: int, end: int) -> None:
        self._html_ids_at(start, end)

    def _on_span_line(self, line: int) -> None:
        self._html_ids(self.lines[line], line, 1)

    def _on_setext(self, line: int, source: str, header_id: str | None, here: Context) -> None:
        ial_ids = [self._ial_before(line, here), self._ial_after(line + 2)]
        explicit = next((i for i in reversed(ial_ids) if i is not None), None) or header_id
        self._name(line, line, source, explicit, here)

    # -- Markdown blocks

    def _on_markdown(self, stream: Stream, block: TopBlock, here: Context) -> None:
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

    def _list_ials(self, block: TopBlock) -> None:
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
                anchor_id = ial_id(content) or anchor_id
                line += 1
            if anchor_id is not None:
                self.pending.append(_PendingIal(range(start, line), block.a, anchor_id))

    def _lazy_setext(self, stream: Stream, block: TopBlock, here: Context) -> None:
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
            if underline >= len(self.lines) or UNDERLINE.fullmatch(self.lines[underline]) is None:
                continue
            first = tokens[index - 1].type in ("list_item_open", "blockquote_open")
            if not (first or self._blank(a - 1)):
                continue
            source, header_id = header_contents(tokens[index + 1].content.split("\n")[0])
            if source:
                self._name(a, a, source, header_id, here)

    def _inline_anchors(self, stream: Stream, inline: Token) -> None:
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
            elif child.type == "text" and previous and previous.type in CLOSING_TOKENS:
                ial = SPAN_IAL.match(child.content)
                anchor_id = ial_id(ial.group(1)) if ial else None
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

    def _paragraph_ials(self, block: TopBlock, here: Context) -> None:
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
                anchor_id = ial_id(self._ial(line) or "") or anchor_id
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

    def _heading(self, stream: Stream, index: int, here: Context) -> None:
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
            source, header_id = header_contents(inline.content)
        explicit = next((i for i in reversed(ial_ids) if i is not None), None) or header_id
        self._name(a, line, source, explicit, here)

    def _name(self, key: int, line: int, source: str, explicit: str | None, here: Context) -> None:
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

    def _kramdown_header(
        self, a: int, b: int, setext: bool, here: Context
    ) -> tuple[int, str, str | None, list[str | None]] | None:
        """A top-level heading as kramdown reads it: (text line, text, {#id}, leading IAL ids),
        or None when kramdown does not see a heading there."""
        if not setext:
            atx = ATX.fullmatch(self.lines[a])
            if atx is not None:
                text, header_id = header_contents(atx.group(2))
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
            lead = [ial_id(self._ial(i) or "") for i in range(a, line)]
            self.consumed.update(range(a, line))
        elif not (line == here.region or self._blank(line - 1)):
            return None  # kramdown: a setext heading only after a block boundary
        if UNDERLINE.fullmatch(self.lines[b - 1]) is None:
            return None
        match = SETEXT_TEXT.fullmatch(self.lines[line])
        if match is None:
            return None
        text, header_id = header_contents(match.group(1))
        return (line, text, header_id, lead) if text else None

    def _ial_before(self, line: int, here: Context) -> str | None:
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
            found = ial_id(self._ial(i) or "") or found
        return found

    def _ial_after(self, line: int) -> str | None:
        """The id of block IALs right below a heading."""
        found: str | None = None
        while (content := self._ial(line)) is not None:
            self.consumed.add(line)
            found = ial_id(content) or found
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
                        is_blank(above)
                        or _LINK_DEFINITION.match(above)
                        or ATX.match(above)
                        or "markdown=" in above
                    ):
                        label = normalizeReference(definition.group(1))
                        references.setdefault(label, {"href": "", "title": ""})
            env = {"references": self.env["references"]}
        if self.footnotes is None:
            self.footnotes = frozenset(FOOTNOTE_DEF.findall(self.text))
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
        elif (marker := FOOTNOTE_MARKER.match(source, i)) and marker.group(1) in footnotes:
            i = marker.end()
        elif (ial := SPAN_IAL.match(source, i)) and _AFTER_SYMBOL.search(source, 0, i):
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
            if previous is not None and previous.type in CLOSING_TOKENS:
                ial = SPAN_IAL.match(content)
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
    close = CLOSE_RE.fullmatch(tag)
    if close:
        name = element_name(close.group(1))
        if open_elements and open_elements[-1][0] == name:
            open_elements.pop()
        else:
            literal(tag)
        return
    start = TAG_RE.fullmatch(tag)
    if start is None:
        literal(tag)
        return
    name = element_name(start.group(1))
    if name in BLOCK_ELEMENTS:
        literal(tag)
        return
    if start.group(4) is not None or name in WITHOUT_BODY:
        return
    attrs = attributes(start.group(2) or "", name in KNOWN_ELEMENTS)
    raw = content_model(name) == "raw"
    markdown = MARKDOWN_ATTR.get(attrs.get("markdown", ""))
    if markdown == "span":
        raw = False
    elif markdown == "raw":
        raw = True
    open_elements.append((name, raw))


def page_anchors(tokens: list[Token], body: str) -> list[Anchor]:
    """Every anchor the page defines, in document order (duplicates included)."""
    return read_body(tokens, body).anchors


def heading_ids(tokens: list[Token], body: str) -> list[tuple[Token, str | None]]:
    """Each `heading_open` token with the id kramdown gives that heading (None: no id, or not a
    heading for kramdown)."""
    page = _Page(tokens, body)
    result: list[tuple[Token, str | None]] = []
    for token in tokens:
        if token.type == "heading_open":
            result.append((token, page.headings.get(token.map[0]) if token.map else None))
    return result


@dataclass(frozen=True, slots=True)
class Reading:
    """One walk over a body (`blocks.Reader`): its anchors, its blocks, and the id kramdown
    gives each heading markdown-it or kramdown sees, by the body line (0-based) of its
    markdown-it token (None: no heading for kramdown, or no id)."""

    anchors: list[Anchor]
    body: Body
    headings: dict[int, str | None]


def read_body(tokens: list[Token], body: str) -> Reading:
    """The anchors, blocks and heading ids of a Markdown body (`tokens`: its
    `markdown.parse`)."""
    page = _Page(tokens, body)
    kept = [item for index, item in enumerate(page.anchors) if index not in page.dropped]
    found = [anchor for *_, anchor in sorted(kept, key=lambda item: item[:3])]
    return Reading(found, page.body, page.headings)
