"""Render a page's Markdown body to HTML for the content API, as Jekyll's kramdown writes it.

Jekyll converts Markdown with kramdown; the API renders with markdown-it-py, shaped to
kramdown's output. The blocks are the block reader's (`blocks.Reader`, the one the linter's
anchors and links read): raw HTML where kramdown keeps it raw, Markdown inside `markdown="1"`
elements (nested in raw HTML or not), span-level Markdown inside `markdown="span"` ones,
paragraphs that start with a span element, text where markdown-it saw an unclosed fence or
comment. Every heading id is the linter's (`anchors.read_body`, the same walk): the ids in the
HTML are the ids the linter checks links against. `tests/test_render_jekyll.py` compares the
result with the real Jekyll's; see docs/jekyll-model.md.

What is rendered:

- Parser: "commonmark" + tables + strikethrough, raw HTML kept (Jekyll sites embed it: render
  trusted content only, or sanitize the HTML), link destinations read as kramdown reads them
  (spaces allowed up to the closing parenthesis) and written as they are (not
  percent-encoded), markdown-it's default link validation (no `javascript:`, `vbscript:`,
  `file:` or non-image `data:` URL becomes an `href` or `src`). Never
  `betacontent.kramdown.markdown`'s parser: it keeps `javascript:` links.
- Text as kramdown's defaults write it: smart quotes and typographic symbols (`L’outil…`,
  `«\u00a0`, `–`, `—`), not in code, autolinks or raw HTML elements (`anchors.typographic`).
  An ATX marker kramdown does not read as a heading (indented by 1-3 spaces, `##` alone) is
  paragraph text, joined to the paragraph next to it.
- Liquid. Jekyll renders Liquid before Markdown; here each tag is first replaced by a
  placeholder (so the block structure is the one the linter sees), then by its value before the
  inline Markdown is parsed: in text the value is Markdown, as with Jekyll (and a link made of
  it is validated like any other); in raw HTML, code and link reference definitions it is
  inserted as it is. The value of a `{{ ... }}` or `{% ... %}` tag is the `liquid` hook's result
  when one is given, else `default_liquid`'s ("": every tag is dropped, both branches of an
  `{% if %}` kept, `{% include %}` outputs nothing). With `defer_liquid`, each tag's output is
  left to `with_liquid`, which the API calls with the site's own resolution of links written
  with Liquid (`{{ site.baseurl }}/x/`, `{% link x.md %}`, `{% post_url %}`, `relative_url`),
  the linter's. `{% comment %}` blocks and kramdown's `{::comment}` output nothing;
  `{% raw %}...{% endraw %}` keeps its content verbatim (Liquid included, as Jekyll does);
  `{% highlight lang %}` blocks become code blocks. A heading with Liquid in its text gets the
  linter's id, which `anchors` computes from the Liquid as written.
- kramdown syntax: `{#id}` after a heading's text and block IALs (`{: #id .class}` lines) are
  not rendered; their ids go to the heading, paragraph, list, quote or table they name; span
  IALs after an element (`[x](u){: #id}`) give it their id. `## Titre {: #id}` is text for
  kramdown (a span IAL after text), and stays text here. Footnotes (`[^1]`, `[^1]: texte` on
  one line) are numbered calls and a list of notes after the page, with kramdown's ids and
  classes.
- Headings kramdown sees where markdown-it sees none (a setext underline below a list item...)
  are made headings, from the reader's anchors (except inside a Liquid span: Jekyll has no
  heading there).
- Not supported: abbreviations, definition lists, `{::options}`, footnote definitions of
  several lines (the first line is the note).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, MutableMapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, Literal

import msgspec
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml, normalizeReference
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from betacontent.core.positions import LineIndex
from betacontent.kramdown import markdown as linter_markdown
from betacontent.kramdown.anchors import Anchor, read_body, typographic
from betacontent.kramdown.blocks import (
    ATX,
    CLOSE_RE,
    CLOSING_TOKENS,
    FOOTNOTE_DEF,
    FOOTNOTE_MARKER,
    IAL_LINE,
    KNOWN_ELEMENTS,
    MARKDOWN_ATTR,
    SPAN_IAL,
    TAG_RE,
    UNDERLINE,
    WITHOUT_BODY,
    Block,
    attributes,
    content_model,
    element_name,
    header_contents,
    ial_id,
)

__all__ = [
    "LiquidHook",
    "Rendered",
    "TocEntry",
    "default_liquid",
    "render_html",
    "render_markdown",
    "with_liquid",
]

LiquidHook = Callable[[str], str]
"""Given a Liquid tag as written (`{{ site.title }}`, `{% include x.html %}`), its output."""

EXCERPT_LENGTH = 300


class TocEntry(msgspec.Struct, frozen=True, kw_only=True):
    level: int  # 1..6
    id: str
    text: str  # heading text as rendered, plain
    children: list[TocEntry] = []  # nested by level (h3 under the preceding h2, ...)


class Rendered(msgspec.Struct, frozen=True, kw_only=True):
    html: str
    toc: list[TocEntry]
    text: str  # the body as plain text: no markup, no tags, whitespace collapsed, no Liquid
    excerpt: str  # the first paragraph's plain text, at most ~300 characters
    # With `defer_liquid`: the Liquid tags whose output is left to `with_liquid`, and the
    # marker that stands for tag n as `{marker}{n}X` in `html` and the `toc` texts.
    liquid: list[str] = []
    marker: str = ""


def default_liquid(tag: str) -> str:
    """The value of a Liquid tag when no hook is given: `{{ site.url }}` and
    `{{ site.baseurl }}` render as "" (root-relative links keep working), any other tag is
    dropped. A hook may fall back on it."""
    return ""


# --- Liquid --------------------------------------------------------------------------------------

# The spans `markdown.LIQUID` masks, plus `{% raw %}` blocks, whose content Jekyll outputs
# verbatim.
_LIQUID = re.compile(
    r"(?P<raw>\{%-?\s*raw\s*-?%\})(?P<verbatim>.*?)(?P<endraw>\{%-?\s*endraw\s*-?%\})"
    r"|\{%-?\s*(?P<block>comment|highlight)\b(?P<args>.*?)%\}(?P<inner>.*?)"
    r"\{%-?\s*end(?P=block)\s*-?%\}"
    r"|\{::comment\}.*?\{:/comment\}"
    r"|\{\{.*?\}\}|\{%.*?%\}",
    re.DOTALL,
)
_LINE_TERMINATORS = re.compile(r"\A(?:\r?\n)+|(?:\r?\n)+\Z")
_MD_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")

Context = Literal["inline", "html", "code"]
Env = MutableMapping[str, Any]


@dataclass(frozen=True, slots=True)
class _Span:
    kind: Literal["tag", "drop", "highlight"]
    source: str
    lang: str = ""
    code: str = ""


@dataclass(frozen=True, slots=True)
class _Segment:
    """One line of a Liquid span, replaced by one placeholder."""

    span: int
    first: bool
    length: int


def _spans(text: str) -> Iterator[tuple[int, int, _Span]]:
    for match in _LIQUID.finditer(text):
        if match.group("raw") is not None:
            yield match.start("raw"), match.end("raw"), _Span("drop", match.group("raw"))
            yield match.start("endraw"), match.end("endraw"), _Span("drop", match.group("endraw"))
        elif match.group("block") == "highlight":
            args = (match.group("args") or "").rstrip("-").split()
            code = _LINE_TERMINATORS.sub("", match.group("inner") or "")
            span = _Span("highlight", match.group(), args[0] if args else "", code)
            yield match.start(), match.end(), span
        elif match.group("block") is not None or match.group().startswith("{::"):
            yield match.start(), match.end(), _Span("drop", match.group())
        else:
            yield match.start(), match.end(), _Span("tag", match.group())


def _md_literal(text: str) -> str:
    """Markdown whose rendering is `text` itself."""
    return _MD_PUNCTUATION.sub(r"\\\1", text)


# --- plain text ----------------------------------------------------------------------------------

_BLOCK_TAGS = frozenset(
    (
        *("address", "article", "aside", "blockquote", "br", "caption", "dd", "details"),
        *("dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "li", "main", "nav"),
        *("ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th"),
        *("thead", "tr", "ul"),
    )
)
_HIDDEN_TAGS = frozenset(("script", "style", "template"))
_SPACES = re.compile(r"[ \t\n\r\f\v]+")


def _collapse(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


class _PlainText(HTMLParser):
    """The text of an HTML fragment (entities decoded, no tags, no script or style), and the
    text of each of its paragraphs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.paragraphs: list[str] = []
        self._paragraph: list[str] | None = None
        self._hidden = 0

    def _end_paragraph(self) -> None:
        if self._paragraph is not None:
            self.paragraphs.append(_collapse("".join(self._paragraph)))
            self._paragraph = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden += 1
        elif tag in _BLOCK_TAGS:
            self.handle_data(" ")
            if tag != "br":
                self._end_paragraph()  # a block element closes an open <p>
            if tag == "p":
                self._paragraph = []

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden = max(self._hidden - 1, 0)
        elif tag in _BLOCK_TAGS:
            self.handle_data(" ")
            if tag == "p":
                self._end_paragraph()

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        self.parts.append(data)
        if self._paragraph is not None:
            self._paragraph.append(data)

    def text(self) -> str:
        return _collapse("".join(self.parts))


def _plain(fragment: str) -> _PlainText:
    parser = _PlainText()
    parser.feed(fragment)
    parser.close()
    parser._end_paragraph()
    return parser


def _excerpt(text: str, limit: int = EXCERPT_LENGTH) -> str:
    """`text`, or its start cut at a word boundary with "…", `limit` characters at most."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"


# --- kramdown's block structure -----------------------------------------------------------------

_MARKDOWN_ATTRIBUTE = re.compile(
    r"""(<[A-Za-z][^<>]*?)\s+markdown\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'<>/=`]+)"""
)
_IAL_TARGETS = frozenset(
    ("paragraph_open", "bullet_list_open", "ordered_list_open", "blockquote_open", "table_open")
)
_ASCII_SPACE = " \t\n\r\f\v"


def _top_blocks(tokens: list[Token]) -> list[tuple[int, int]]:
    """(first, last) token indexes of each top-level block."""
    blocks: list[tuple[int, int]] = []
    depth = 0
    first = 0
    for index, token in enumerate(tokens):
        if depth == 0:
            first = index
        depth += token.nesting
        if depth == 0:
            blocks.append((first, index + 1))
    return blocks


def _from_line(
    tokens: list[Token], blocks: list[tuple[int, int]], number: int, line: int
) -> list[Token]:
    """The tokens of the top-level blocks after block `number` that start at `line` or later."""
    for first, _ in blocks[number + 1 :]:
        opening = tokens[first].map
        if opening is None or opening[0] >= line:
            return tokens[first:]
    return []


def _text_line(token: Token) -> int:
    """The line of a heading's text: kramdown's setext headings have a single line of text."""
    if token.map is None:
        return -1
    if token.level == 0 and token.markup in ("=", "-"):
        return token.map[1] - 2
    return token.map[0]


@dataclass
class _Job:
    """One rendering: the body, its Liquid, and what `anchors` found in it."""

    body: str
    liquid: LiquidHook
    no_html_blocks: MarkdownIt
    lines: list[str] = field(default_factory=list)  # the body, Liquid as placeholders
    text_lines: list[str] = field(default_factory=list)  # the body
    spans: list[_Span] = field(default_factory=list)
    segments: list[_Segment] = field(default_factory=list)
    placeholder: re.Pattern[str] = field(default_factory=lambda: re.compile(r"(?!)"))
    defer: bool = False  # tags output markers, their values left to `with_liquid`
    marker: str = ""
    deferred: list[str] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)  # footnote name -> its text
    called: dict[str, int] = field(default_factory=dict)  # name -> times referenced so far
    headings: set[int] = field(default_factory=set)  # text lines of kramdown's headings
    block_ids: dict[int, str] = field(default_factory=dict)  # line -> id of a block IAL
    values: dict[int, str] = field(default_factory=dict)

    # -- Liquid

    def prepare(self) -> str:
        """The body with each line of each Liquid span replaced by a placeholder."""
        text = self.body.replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")
        prefix = "ZLQ"
        upper = text.upper()
        while prefix in upper:
            prefix += "Z"
        self.text_lines = text.split("\n")
        self.placeholder = re.compile(prefix + r"(\d+)X")
        self.marker = prefix + "V"
        out: list[str] = []
        last = 0
        for start, end, span in _spans(text):
            out.append(text[last:start])
            self.spans.append(span)
            for number, piece in enumerate(text[start:end].split("\n")):
                if number:
                    out.append("\n")
                if piece:  # an empty line stays empty, as in the linter's mask
                    out.append(f"{prefix}{len(self.segments)}X")
                    self.segments.append(_Segment(len(self.spans) - 1, number == 0, len(piece)))
            last = end
        out.append(text[last:])
        self.lines = "".join(out).split("\n")
        # kramdown's footnote definitions (found as `anchors` finds them) leave the flow:
        # they are written after the page, those referenced only.
        for number, line in enumerate(self.lines):
            definition = FOOTNOTE_DEF.match(line)
            if definition is not None:
                self.notes.setdefault(definition.group(1), line[definition.end() :].strip())
                self.lines[number] = ""
        return "\n".join(self.lines)

    def _value(self, match: re.Match[str], context: Context) -> str:
        segment = self.segments[int(match.group(1))]
        if not segment.first:
            return ""
        span = self.spans[segment.span]
        if span.kind == "drop":
            return ""
        if span.kind == "highlight":
            code = self.code(span)
            if context == "code":
                return code
            lang = f' class="language-{escapeHtml(span.lang)}"' if span.lang else ""
            if context == "html":
                return f"<pre><code{lang}>{escapeHtml(code)}</code></pre>"
            return f"<code{lang}>{_md_literal(code)}</code>"
        return self.value(segment.span)

    def value(self, index: int) -> str:
        """A tag's output, asked once of the hook."""
        if index not in self.values:
            source = self.spans[index].source
            if self.defer:
                self.values[index] = f"{self.marker}{len(self.deferred)}X"
                self.deferred.append(source)
            else:
                self.values[index] = self.liquid(source)
        return self.values[index]

    def code(self, span: _Span) -> str:
        """The code of a `{% highlight %}` block, its own Liquid rendered."""
        out: list[str] = []
        last = 0
        for start, end, inner in _spans(span.code):
            out.append(span.code[last:start])
            if inner.kind == "tag":
                out.append(self.liquid(inner.source))
            elif inner.kind == "highlight":
                out.append(self.code(inner))
            last = end
        out.append(span.code[last:])
        return "".join(out)

    def substitute(self, text: str, context: Context) -> str:
        if not self.segments:
            return text
        return self.placeholder.sub(lambda m: self._value(m, context), text)

    def masked(self, text: str) -> str:
        """`text` as the linter parsed it: Liquid masked by `betacontent.kramdown.markdown`."""
        if not self.segments:
            return text
        return self.placeholder.sub(
            lambda m: linter_markdown.MASK * self.segments[int(m.group(1))].length, text
        )

    def highlight_only(self, content: str) -> _Span | None:
        """The `{% highlight %}` block a paragraph consists of, if it is one."""
        segments = [self.segments[int(m.group(1))] for m in self.placeholder.finditer(content)]
        found = {segment.span for segment in segments}
        if len(found) != 1 or not any(segment.first for segment in segments):
            return None
        if self.placeholder.sub("", content).strip(_ASCII_SPACE):
            return None
        span = self.spans[found.pop()]
        return span if span.kind == "highlight" else None

    # -- what anchors sees

    def analyse(self, found: Sequence[Anchor]) -> None:
        """kramdown's headings (text lines) and block IAL ids, as the linter finds them."""
        for anchor in found:
            line = anchor.line - 1
            if anchor.kind in ("heading", "liquid") or (anchor.kind == "explicit" and anchor.text):
                self.headings.add(line)
            elif anchor.kind == "explicit" and 0 <= line < len(self.text_lines):
                at = self.text_lines[line][anchor.column - 1 :]
                if not at.startswith("{:"):  # not a span IAL: the element starts here
                    self.block_ids.setdefault(line, anchor.id)

    # -- re-reading parts of the body

    def reparse(
        self, md: MarkdownIt, env: Env, lo: int, hi: int, first: str | None = None
    ) -> list[Token]:
        """Block tokens of lines [lo, hi), maps in body lines (`first` replaces line `lo`)."""
        if hi <= lo:
            return []
        lines = self.lines[lo:hi]
        if first is not None:
            lines = [first, *lines[1:]]
        out: list[Token] = []
        md.block.parse("\n".join(lines) + "\n", md, env, out)
        for token in out:
            if token.map is not None:
                token.map = [token.map[0] + lo, token.map[1] + lo]
        return out

    def from_blocks(
        self, md: MarkdownIt, env: Env, tokens: list[Token], view: list[Token], blocks: list[Block]
    ) -> list[Token]:
        """The top-level tokens of kramdown's blocks (`blocks.Reader`, run on `view`, the
        linter's reading of `tokens`): markdown-it's own where its blocks are kramdown's,
        lines read again where kramdown's blocks end inside one of them, raw HTML as HTML
        blocks (the span-level Markdown in it as inline tokens), text as paragraphs."""
        index_of = {id(token): number for number, token in enumerate(view)}
        out: list[Token] = []
        for block in blocks:
            a, b = block.start, block.end
            if block.kind == "markdown":
                first = index_of.get(id(block.tokens[0])) if block.tokens else None
                if first is not None:
                    out += tokens[first : first + len(block.tokens)]
                else:
                    out += self.reparse(md, env, a, b)
            elif block.kind == "html":
                out += self._html_tokens(block)
            elif block.kind == "paragraph":  # it starts with a span element
                out += self.reparse(self.no_html_blocks, env, a, b)
            elif b - a == 2 and (underline := self._underline(a + 1)) is not None:
                out += self._setext(a, underline)  # text over an underline: a heading
            else:
                text = _md_literal(self.lines[a].strip(" "))
                out += self.reparse(md, env, a, a + 1, text)
        return out

    def _html_tokens(self, block: Block) -> list[Token]:
        """Raw HTML lines as HTML blocks; the content of `markdown="span"` elements in them as
        inline tokens (span-level Markdown)."""
        text = "\n".join(self.lines[block.start : block.end]) + "\n"
        starts = LineIndex(text).starts

        def offset(line: int, column: int) -> int:
            return starts[line - block.start] + self._column(line, column)

        out: list[Token] = []
        last = 0
        for first, column, end_line, end_column in block.spans:
            lo, hi = offset(first, column), offset(end_line, end_column)
            out.append(self._html_block(text[last:lo], block.start))
            inline = Token("inline", "", 0, content=text[lo:hi], map=[first, end_line + 1])
            inline.children = []
            out.append(inline)
            last = hi
        out.append(self._html_block(text[last:], block.start))
        return [token for token in out if token.content]

    @staticmethod
    def _html_block(content: str, line: int) -> Token:
        return Token("html_block", "", 0, content=content, map=[line, line + 1], block=True)

    def _column(self, line: int, column: int) -> int:
        """Where column `column` (0-based) of a body line is in the line as parsed here, its
        Liquid replaced by placeholders."""
        if not self.segments:
            return column
        written = 0  # in the body line
        here = 0  # in the placeholder line
        for match in self.placeholder.finditer(self.lines[line]):
            gap = match.start() - here
            if column <= written + gap:
                return here + column - written
            written += gap
            length = self.segments[int(match.group(1))].length
            if column < written + length:
                return match.start()  # inside the Liquid
            written += length
            here = match.end()
        return here + column - written

    # -- headings kramdown sees where markdown-it sees none

    def recover(self, md: MarkdownIt, env: Env, tokens: list[Token]) -> list[Token]:
        for _ in range(len(self.headings) + 1):
            have = {_text_line(t) for t in tokens if t.type == "heading_open"}
            changed: list[Token] | None = None
            for line in sorted(self.headings - have):
                if self._inside_liquid(line):
                    continue  # Jekyll outputs no heading there (anchors reads the Liquid)
                changed = self._recover_one(md, env, tokens, line)
                if changed is not None:
                    break
            if changed is None:
                break
            tokens = changed
        return tokens

    def _inside_liquid(self, line: int) -> bool:
        """Whether the line is inside a Liquid span (a `{% comment %}` block...)."""
        match = self.placeholder.match(self.lines[line].lstrip(" \t")) if self.segments else None
        return match is not None and not self.segments[int(match.group(1))].first

    def _in_comment(self, block: Token, a: int, line: int) -> bool:
        """Whether `line` is inside an HTML comment of an HTML block starting at `a` (anchors
        sees headings there, kramdown does not)."""
        if block.type != "html_block":
            return False
        before = "\n".join(self.lines[a:line])
        return before.rfind("<!--") > before.rfind("-->")

    def _underline(self, line: int) -> str | None:
        if 0 <= line < len(self.lines) and UNDERLINE.fullmatch(self.lines[line]):
            return self.lines[line][0]
        return None

    def _recover_one(
        self, md: MarkdownIt, env: Env, tokens: list[Token], line: int
    ) -> list[Token] | None:
        underline = self._underline(line + 1)
        # a list item or quote followed by an underline: a setext heading inside it
        for index, token in enumerate(tokens):
            if token.type != "paragraph_open" or token.level == 0 or token.map is None:
                continue
            if token.map[0] != line or underline is None:
                continue
            inline, closing = tokens[index + 1], tokens[index + 2]
            rest = tokens
            if "\n" in inline.content:  # the underline was read as a lazy line
                inline.content = inline.content.split("\n", 1)[0]
            else:  # the underline was read as a rule
                rule = next(
                    (t for t in tokens if t.type == "hr" and t.map and t.map[0] == line + 1), None
                )
                if rule is None:
                    return None
                rest = [t for t in tokens if t is not rule]
            tag = "h1" if underline == "=" else "h2"
            for part, kind in ((token, "heading_open"), (closing, "heading_close")):
                part.type, part.tag, part.markup, part.hidden = kind, tag, underline, False
            return rest
        blocks = _top_blocks(tokens)
        for number, (first, _) in enumerate(blocks):
            opening = tokens[first]
            if opening.map is None or opening.level != 0:
                continue
            a, b = opening.map
            if a < line < b and not self._in_comment(opening, a, line):
                # kramdown's heading starts inside this block
                head = self.reparse(md, env, a, line)
                tail = self.reparse(md, env, line, b)
                return tokens[:first] + head + tail + _from_line(tokens, blocks, number, b)
            if a == line and opening.type != "heading_open" and underline is not None:
                end = b  # a setext heading over another block's first lines
                for later_first, _ in blocks[number + 1 :]:
                    later = tokens[later_first].map
                    if later is None or later[0] > line + 1:
                        break
                    end = max(end, later[1])
                heading = self._setext(line, underline)
                tail = self.reparse(md, env, line + 2, end)
                return tokens[:first] + heading + tail + _from_line(tokens, blocks, number, end)
        return None

    def _setext(self, line: int, underline: str) -> list[Token]:
        tag = "h1" if underline == "=" else "h2"
        opening = Token("heading_open", tag, 1, map=[line, line + 2], markup=underline, block=True)
        inline = Token(
            "inline", "", 0, map=[line, line + 1], content=self.lines[line].strip(_ASCII_SPACE)
        )
        inline.children = []
        closing = Token("heading_close", tag, -1, markup=underline, block=True)
        return [opening, inline, closing]

    # -- the core rules

    def after_block(self, md: MarkdownIt, env: Env, tokens: list[Token]) -> list[Token]:
        view = tokens  # as the linter parsed it: Liquid masked, when there is Liquid
        if self.segments:
            view = [
                t.copy(content=self.masked(t.content)) if t.type == "inline" else t for t in view
            ]
        reading = read_body(view, self.body)  # kramdown's blocks, headings and ids
        self.analyse(reading.anchors)
        blocks = reading.body.blocks
        tokens = self.recover(md, env, self.from_blocks(md, env, tokens, view, blocks))
        for index, token in enumerate(tokens):
            if token.type == "heading_open":
                anchor_id = reading.headings.get(token.map[0]) if token.map else None
                if anchor_id is not None:
                    token.attrSet("id", anchor_id)
                    self._strip_header_id(token, tokens[index + 1])
            elif token.type in _IAL_TARGETS and token.map and "id" not in token.attrs:
                block_id = self.block_ids.get(token.map[0])
                if block_id is not None:
                    token.attrSet("id", block_id)
        tokens = self._atx_as_text(tokens)
        out: list[Token] = []
        index = 0
        while index < len(tokens):
            token = tokens[index]
            if token.type in ("paragraph_open", "heading_open"):
                inline = tokens[index + 1]
                content = self._without_ials(inline.content)
                span = self.highlight_only(content) if token.type == "paragraph_open" else None
                if span is not None:  # a {% highlight %} block on its own
                    out.append(self._fence(token, span))
                    index += 3
                    continue
                inline.content = self.substitute(content, "inline").strip(_ASCII_SPACE)
                if not inline.content and token.type == "paragraph_open":
                    index += 3  # nothing left: only Liquid or IALs
                    continue
                out += (token, inline)
                index += 2
                continue
            if token.type == "inline":  # table cells
                token.content = self.substitute(token.content, "inline").strip(_ASCII_SPACE)
            elif token.type in ("fence", "code_block"):
                token.content = self.substitute(token.content, "code")
                token.info = self.substitute(token.info, "code")
            elif token.type == "html_block":
                content = self.substitute(token.content, "html")
                token.content = _MARKDOWN_ATTRIBUTE.sub(r"\1", content)
            out.append(token)
            index += 1
        self._references(md, env)
        return out

    def _atx_as_text(self, tokens: list[Token]) -> list[Token]:
        """An ATX heading kramdown does not see (`  ## x` indented, `##` with no text) is
        paragraph text for it, and joins the paragraph text next to it."""
        out: list[Token] = []
        for index, token in enumerate(tokens):
            if (
                token.type == "heading_open"
                and token.level == 0
                and token.markup.startswith("#")
                and token.map is not None
                and "id" not in token.attrs
                and ATX.fullmatch(self.text_lines[token.map[0]]) is None
            ):
                token.type, token.tag, token.markup = "paragraph_open", "p", ""
                closing = tokens[index + 2]
                closing.type, closing.tag, closing.markup = "paragraph_close", "p", ""
                tokens[index + 1].content = self.lines[token.map[0]].strip(" \t")
            previous = out[-3] if len(out) >= 3 else None
            if (
                token.type == "paragraph_open"
                and token.level == 0
                and token.map is not None
                and previous is not None
                and previous.type == "paragraph_open"
                and previous.level == 0
                and previous.map is not None
                and previous.map[1] == token.map[0]
                and out[-1].type == "paragraph_close"
            ):  # markdown-it's two blocks are one paragraph for kramdown
                previous.map = [previous.map[0], token.map[1]]
                out[-2].content += "\n" + tokens[index + 1].content
                tokens[index + 1].type = "skip"
                tokens[index + 2].type = "skip"
                continue
            if token.type != "skip":
                out.append(token)
        return out

    def _strip_header_id(self, heading: Token, inline: Token) -> None:
        """Drop `{#id}` from a heading's text where kramdown takes it as the id."""
        if heading.map is None:
            return
        if heading.level == 0 and heading.markup.startswith("#"):
            atx = ATX.fullmatch(self.lines[heading.map[0]])
            source = atx.group(2) if atx else ""
        elif heading.level == 0:
            source = self.lines[_text_line(heading)].strip(_ASCII_SPACE)
        else:
            source = inline.content
        if header_contents(source)[1] is not None:
            inline.content = header_contents(inline.content)[0]

    @staticmethod
    def _without_ials(content: str) -> str:
        """Block IAL lines (`{: #id .class}`): kramdown does not output them."""
        if "{:" not in content:
            return content
        lines = content.split("\n")
        return "\n".join(line for line in lines if IAL_LINE.match(line) is None)

    def _fence(self, paragraph: Token, span: _Span) -> Token:
        code = self.code(span)
        code = code + "\n" if code else ""
        return Token(
            "fence",
            "code",
            0,
            map=paragraph.map,
            level=paragraph.level,
            content=code,
            info=span.lang,
            markup="```",
            block=True,
        )

    def _references(self, md: MarkdownIt, env: Env) -> None:
        """Liquid in link reference definitions; a link made invalid by it is no link."""
        references = env.get("references")
        if not self.segments or not isinstance(references, dict):
            return
        for label, reference in list(references.items()):
            written = f"{label}{reference.get('href', '')}{reference.get('title', '')}"
            if not self.placeholder.search(written):
                continue
            del references[label]
            href = md.normalizeLink(self.substitute(str(reference.get("href", "")), "code"))
            if not md.validateLink(href):
                continue
            title = self.substitute(str(reference.get("title", "")), "code")
            key = normalizeReference(self.substitute(label, "code"))
            if key:
                references.setdefault(key, {**reference, "href": href, "title": title})

    def after_inline(self, tokens: list[Token]) -> None:
        for token in tokens:
            if token.type == "inline" and token.children:
                _span_ials(token.children)
                if self.notes:
                    token.children = self._note_calls(token.children)
                _typography(token.children)

    def _note_calls(self, children: list[Token]) -> list[Token]:
        """`[^name]` in text, when `name` is defined: kramdown's footnote call."""
        out: list[Token] = []
        for child in children:
            if child.type != "text" or "[^" not in child.content:
                out.append(child)
                continue
            last = 0
            for call in FOOTNOTE_MARKER.finditer(child.content):
                name = call.group(1)
                if name not in self.notes:
                    continue
                out.append(child.copy(content=child.content[last : call.start()]))
                times = self.called.get(name, 0)
                self.called[name] = times + 1
                number = list(self.called).index(name) + 1
                ref = f"fnref:{name}" + (f":{times}" if times else "")
                html = (
                    f'<sup id="{escapeHtml(ref)}" role="doc-noteref"><a href="#fn:'
                    f'{escapeHtml(name)}" class="footnote" rel="footnote">{number}</a></sup>'
                )
                out.append(Token("html_inline", "", 0, content=html))
                last = call.end()
            out.append(child.copy(content=child.content[last:]))
        return [t for t in out if t.type != "text" or t.content]

    def notes_html(self, md: MarkdownIt) -> str:
        """The footnotes kramdown writes after the page: those called, in call order."""
        if not self.called:
            return ""
        items: list[str] = []
        for name, times in self.called.items():
            tokens = md.parseInline(self.substitute(self.notes[name], "inline"), {})
            for token in tokens:
                _span_ials(token.children or [])
                _typography(token.children or [])
            text = md.renderer.render(tokens, md.options, {})
            backlinks = [
                f'<a href="#fnref:{escapeHtml(name)}{f":{n}" if n else ""}"'
                f' class="reversefootnote" role="doc-backlink">'
                f"&#8617;{f'<sup>{n + 1}</sup>' if n else ''}</a>"
                for n in range(times)
            ]
            items.append(
                f'<li id="fn:{escapeHtml(name)}" role="doc-endnote">\n'
                f"<p>{' '.join([text, *backlinks]) if text else ' '.join(backlinks)}</p>\n</li>\n"
            )
        return f'<div class="footnotes" role="doc-endnotes">\n<ol>\n{"".join(items)}</ol>\n</div>\n'


_NO_CONTEXT = frozenset("\"'-.<>")


def _typography(children: list[Token]) -> None:
    """kramdown's smart quotes and typographic symbols (`anchors.typographic`) in the text
    of a paragraph, heading or cell: not in code, autolinks, or raw HTML elements (`<code>`,
    `<kbd>`...), nor in escapes. Each text piece is read after the character written before
    it (`*Jean*'s`: the quote closes), as kramdown reads the source."""
    open_elements: list[bool] = []  # inline HTML elements: raw or not
    autolink = False
    before = ""
    for child in children:
        kind = child.type
        if kind == "text":
            if not autolink and not any(open_elements):
                context = "" if before in _NO_CONTEXT else before
                child.content = typographic(context + child.content)[len(context) :]
            before = child.content[-1:]
        elif kind == "html_inline":
            _open_inline(child.content, open_elements)
            before = ">"
        elif kind == "link_open":
            autolink = child.markup == "autolink"
        elif kind == "link_close":
            autolink = False
        elif kind == "softbreak":
            before = "\n"
        else:
            before = (child.markup or child.content)[-1:]


def _open_inline(tag: str, open_elements: list[bool]) -> None:
    """Track inline HTML elements: whether kramdown leaves their text raw."""
    close = CLOSE_RE.fullmatch(tag)
    if close is not None:
        if open_elements:
            open_elements.pop()
        return
    start = TAG_RE.fullmatch(tag)
    if start is None or start.group(4) is not None:
        return
    name = element_name(start.group(1))
    if name in WITHOUT_BODY:
        return
    attrs = attributes(start.group(2) or "", name in KNOWN_ELEMENTS)
    markdown = MARKDOWN_ATTR.get(attrs.get("markdown", ""))
    open_elements.append(markdown != "span" and (markdown == "raw" or content_model(name) == "raw"))


def _span_ials(children: list[Token]) -> None:
    """kramdown's span IALs (`[x](u){: #id}`): not text; their id goes to the element."""
    opened: list[Token] = []
    target: Token | None = None
    previous: Token | None = None
    for child in children:
        if child.nesting == 1:
            opened.append(child)
        elif child.nesting == -1:
            target = opened.pop() if opened else None
        elif child.type in ("image", "code_inline"):
            target = child
        if child.type == "html_inline":
            child.content = _MARKDOWN_ATTRIBUTE.sub(r"\1", child.content)
        elif child.type == "text" and previous is not None and previous.type in CLOSING_TOKENS:
            ial = SPAN_IAL.match(child.content)
            if ial is not None:
                child.content = child.content[ial.end() :]
                anchor_id = ial_id(ial.group(1))
                if anchor_id is not None and target is not None:
                    target.attrSet("id", anchor_id)
        previous = child


# --- the parser ----------------------------------------------------------------------------------

_JOB = "betacontent.kramdown.render"


def _after_block(state: StateCore) -> None:
    job = state.env.get(_JOB)
    if isinstance(job, _Job):
        state.tokens = job.after_block(state.md, state.env, state.tokens)


def _after_inline(state: StateCore) -> None:
    job = state.env.get(_JOB)
    if isinstance(job, _Job):
        job.after_inline(state.tokens)


def _make_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "typographer": False, "linkify": False})
    md.enable(["table", "strikethrough"])
    md.normalizeLink = _as_written  # type: ignore[method-assign]
    linter_markdown.kramdown_destinations(md)
    md.core.ruler.after("block", "betacontent_block", _after_block)
    md.core.ruler.after("inline", "betacontent_inline", _after_inline)
    return md


def _as_written(url: str) -> str:
    """A link's URL as kramdown writes it: as written (entities and escapes read), not
    percent-encoded (`/lauréats`, not `/laur%C3%A9ats`)."""
    return url


_MD = _make_parser()
_NO_HTML_BLOCKS = _make_parser().disable("html_block")


def render_markdown(
    body: str,
    *,
    liquid: LiquidHook | None = None,
    toc_levels: tuple[int, int] = (2, 4),
    defer_liquid: bool = False,
) -> Rendered:
    """A page's Markdown body (front matter removed) as HTML, with its table of contents (the
    headings of levels `toc_levels`, inclusive, that have an id and some text), its plain text
    and excerpt (the first non-empty paragraph's text, "" without one). `liquid` gives the
    output of each Liquid tag (default: `default_liquid`). Deterministic: the same body and
    hook give the same result. `anchors`: `anchors.page_anchors` of the body as the linter
    parsed it, when the caller has them (else the body is parsed for them here).

    `defer_liquid`: the output of each Liquid tag outside `{% highlight %}` code is left to
    `with_liquid` (which needs what the page's parse does not know: the site's URLs); the
    HTML and the TOC hold a marker for it, the text and excerpt have none (its value is "")."""
    job = _Job(body, liquid or default_liquid, _NO_HTML_BLOCKS, defer=defer_liquid)
    source = job.prepare()
    env: Env = {_JOB: job}
    tokens = _MD.parse(source, env)
    html = _MD.renderer.render(tokens, _MD.options, env) + job.notes_html(_NO_HTML_BLOCKS)
    toc = _toc(tokens, toc_levels, env)
    if not job.deferred:
        plain = _plain(html)
        paragraph = next((p for p in plain.paragraphs if p), "")
        return Rendered(html=html, toc=toc, text=plain.text(), excerpt=_excerpt(paragraph))
    markers = re.compile(re.escape(job.marker) + r"\d+X")
    plain = _plain(markers.sub("", html))
    paragraph = next((p for p in plain.paragraphs if p), "")
    return Rendered(
        html=html,
        toc=toc,
        text=plain.text(),
        excerpt=_excerpt(paragraph),
        liquid=job.deferred,
        marker=job.marker,
    )


def render_html(
    body: str, *, liquid: LiquidHook | None = None, defer_liquid: bool = False
) -> Rendered:
    """A page whose body is HTML: Jekyll renders its Liquid, nothing else. Each Liquid span
    as `render_markdown` reads it (a tag's output inserted as it is); no TOC, text or
    excerpt."""
    job = _Job(body, liquid or default_liquid, _NO_HTML_BLOCKS, defer=defer_liquid)
    html = job.substitute(job.prepare(), "html")
    return Rendered(html=html, toc=[], text="", excerpt="", liquid=job.deferred, marker=job.marker)


def with_liquid(rendered: Rendered, liquid: LiquidHook) -> Rendered:
    """`rendered` (made with `defer_liquid`) with each deferred tag's output, `liquid(tag)`,
    in place of its marker: as text, HTML-escaped (a URL in an attribute or in text)."""
    if not rendered.liquid:
        return rendered
    outputs = [liquid(tag) for tag in rendered.liquid]  # each tag's hook called once
    escaped = [escapeHtml(output) for output in outputs]
    markers = re.compile(re.escape(rendered.marker) + r"(\d+)X")

    def put(text: str, values: list[str]) -> str:
        return markers.sub(lambda m: values[int(m.group(1))], text)

    def entries(toc: list[TocEntry]) -> list[TocEntry]:
        out: list[TocEntry] = []
        for node in toc:
            children = entries(node.children)
            text = _collapse(put(node.text, outputs))  # TOC text is plain text
            if text.strip(_ASCII_SPACE):  # else nothing to show for it: its children move up
                out.append(TocEntry(level=node.level, id=node.id, text=text, children=children))
            else:
                out.extend(children)
        return out

    return Rendered(
        html=put(rendered.html, escaped),
        toc=entries(rendered.toc),
        text=rendered.text,
        excerpt=rendered.excerpt,
    )


@dataclass
class _Node:
    level: int
    id: str
    text: str
    children: list[_Node] = field(default_factory=list)

    def entry(self) -> TocEntry:
        children = [child.entry() for child in self.children]
        return TocEntry(level=self.level, id=self.id, text=self.text, children=children)


def _toc(tokens: list[Token], levels: tuple[int, int], env: Env) -> list[TocEntry]:
    low, high = levels
    roots: list[_Node] = []
    stack: list[_Node] = []
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        level = int(token.tag[1])
        anchor_id = token.attrs.get("id")
        if not low <= level <= high or not isinstance(anchor_id, str):
            continue
        text = _plain(_MD.renderer.render([tokens[index + 1]], _MD.options, env)).text()
        if not text:
            continue  # nothing to show for it (`## {{ page.title }}`, `## !!!`)
        node = _Node(level, anchor_id, text)
        while stack and stack[-1].level >= level:
            stack.pop()
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)
    return [node.entry() for node in roots]
