"""Render a page's Markdown body to HTML for the content API, with the heading ids Jekyll gives.

Jekyll converts Markdown with kramdown; the API renders with markdown-it-py. The two disagree on
some structures, so this module reads the body the way `anchors` says kramdown does wherever
that decides which headings exist, and takes every heading id from
`anchors.heading_ids`: the ids in the HTML are the ids the linter checks links against.

What is rendered, and how it departs from plain markdown-it:

- Parser: "commonmark" + tables + strikethrough, raw HTML kept (Jekyll sites embed it: render
  trusted content only, or sanitize the HTML), markdown-it's default link validation (no
  `javascript:`, `vbscript:`, `file:` or non-image `data:` URL becomes an `href` or `src`),
  no typographer. Never `betacontent.kramdown.markdown`'s parser: it keeps `javascript:` links.
- Liquid. Jekyll renders Liquid before Markdown; here each tag is first replaced by a
  placeholder (so the block structure is the one the linter sees), then by its value before the
  inline Markdown is parsed: in text the value is Markdown, as with Jekyll (and a link made of
  it is validated like any other); in raw HTML, code and link reference definitions it is
  inserted as it is. The value of a `{{ ... }}` or `{% ... %}` tag is the `liquid` hook's result
  when one is given, else `default_liquid`'s: `{{ site.url }}` and `{{ site.baseurl }}` are ""
  (so `{{ site.baseurl }}/approche` is `/approche`), every other tag is dropped (both branches
  of an `{% if %}` are kept, `{% include %}` outputs nothing). `{% comment %}` blocks and
  kramdown's `{::comment}` output nothing; `{% raw %}...{% endraw %}` keeps its content
  verbatim (Liquid included, as Jekyll does); `{% highlight lang %}` blocks become code blocks.
  A tag's value is inline: a hook returning several paragraphs gets them in one. A heading with
  Liquid in its text gets the linter's id, which `anchors` computes from the Liquid as written.
- kramdown syntax: `{#id}` after a heading's text and block IALs (`{: #id .class}` lines) are
  not rendered; their ids go to the heading, paragraph, list, quote or table they name; span
  IALs after an element (`[x](u){: #id}`) give it their id. `## Titre {: #id}` is text for
  kramdown (a span IAL after text), and stays text here.
- HTML blocks as kramdown reads them: an HTML element at a block start ends at its end tag, and
  Markdown right after it (no blank line) is Markdown; a line starting with a span element
  (`<img>`, `<a>`) starts a paragraph; in `<div markdown="1">` (any block element with
  `markdown="1"` or `"block"`, nested in raw HTML or not) the content is Markdown, and the
  `markdown` attribute is not output. Not covered: content after a blank line inside a raw
  element (`<div>`, blank line, `## x`, blank line, `</div>`) is Markdown for markdown-it but raw
  text for kramdown; such headings are rendered without an id, as kramdown has none there.
  Markdown on the same line as the `markdown="1"` start tag stays raw.
- An unclosed code fence or HTML comment is text, and what follows it is Markdown (kramdown
  has no code block or comment there); other headings kramdown sees where markdown-it sees none
  (a setext underline below a list item, `<br>` above `===`...) are made headings, found from
  `anchors.page_anchors` (except inside a Liquid span: Jekyll has no heading there).
- Not supported: kramdown footnotes (`[^1]`), abbreviations, definition lists, `{::options}`.
"""

from __future__ import annotations

import bisect
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

from betacontent.kramdown import markdown as linter_markdown

# kramdown's syntax as `anchors` reads it, so that both modules agree.
from betacontent.kramdown.anchors import (
    _ATX,
    _CLOSE_RE,
    _CLOSING_TOKENS,
    _COMMENT_RE,
    _IAL_LINE,
    _KNOWN_ELEMENTS,
    _MARKDOWN_ATTR,
    _OPEN_ENDED_HTML,
    _PI_RE,
    _RAW_START,
    _SPAN_ELEMENTS,
    _SPAN_IAL,
    _TAG_RE,
    _UNDERLINE,
    _WITHOUT_BODY,
    Anchor,
    _attributes,
    _element_name,
    _header_contents,
    _ial_id,
    _model,
    heading_ids,
    page_anchors,
)

__all__ = ["LiquidHook", "Rendered", "TocEntry", "default_liquid", "render_markdown"]

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
        source = "".join(out)
        self.lines = source.split("\n")
        return source

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
            self.values[index] = self.liquid(self.spans[index].source)
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

    def analyse(self, found: Sequence[Anchor] | None = None) -> None:
        """kramdown's headings (text lines) and block IAL ids, as the linter finds them."""
        if found is None:
            found = page_anchors(linter_markdown.parse(self.body), self.body)
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

    def read(self, md: MarkdownIt, env: Env, lo: int, hi: int) -> tuple[list[Token], int]:
        """Lines [lo, hi) read afresh and restructured, or [lo, end of body) when a fence or an
        open-ended HTML block (comment, script...) starting there runs past `hi`, as `anchors`
        reads them; with the line where the reading stopped."""
        tokens = self.reparse(md, env, lo, hi)
        blocks = _top_blocks(tokens)
        if hi < len(self.lines) and blocks:
            last = tokens[blocks[-1][0]]
            if (
                last.map is not None
                and last.map[1] >= hi
                and (
                    (last.type == "fence" and not self._fence_closed(last, *last.map))
                    or (last.type == "html_block" and _OPEN_ENDED_HTML.match(last.content))
                )
            ):
                hi = len(self.lines)
                tokens = self.reparse(md, env, lo, hi)
        out = self.restructure(md, env, tokens)
        ends = [t.map[1] for t in out if t.map is not None and t.level == 0]
        return out, max([hi, *ends])

    def restructure(self, md: MarkdownIt, env: Env, tokens: list[Token]) -> list[Token]:
        """Top-level blocks cut where kramdown's blocks end: after an HTML element, inside a
        `markdown="1"` element, after the first line of an unclosed fence."""
        out: list[Token] = []
        covered = 0  # lines before it were read again with an earlier block
        for first, last in _top_blocks(tokens):
            opening = tokens[first]
            if opening.map is not None and opening.map[0] < covered:
                continue
            result: tuple[list[Token], int] | None = None
            if opening.map is not None and opening.level == 0:
                a, b = opening.map
                if opening.type == "html_block":
                    result = self._html_block(md, env, opening, a, b)
                elif opening.type == "fence" and not self._fence_closed(opening, a, b):
                    result = self._unclosed_fence(md, env, a, b)
            if result is None:
                out.extend(tokens[first:last])
            else:
                pieces, covered = result
                out.extend(pieces)
        return out

    def _unclosed_fence(self, md: MarkdownIt, env: Env, a: int, b: int) -> tuple[list[Token], int]:
        """kramdown has no code block there: the fence's line is text (or a setext heading's),
        and what follows is Markdown."""
        underline = self._underline(a + 1)
        if underline is not None and (a == 0 or self._blank(a - 1)):
            tail, end = self.read(md, env, a + 2, b)
            return self._setext(a, underline) + tail, end
        escaped = re.sub(r"([`~])", r"\\\1", self.lines[a])
        tail, end = self.read(md, env, a + 1, b)
        return self.reparse(md, env, a, a + 1, escaped) + tail, end

    def _blank(self, line: int) -> bool:
        return not 0 <= line < len(self.lines) or not self.lines[line].strip(" \t\r\f\v")

    def _fence_closed(self, token: Token, a: int, b: int) -> bool:
        markup = token.markup
        if b - a < 2 or not markup:
            return False
        closing = rf" {{0,3}}{re.escape(markup[0])}{{{len(markup)},}}[ \t]*\Z"
        return re.match(closing, self.lines[b - 1]) is not None

    def _html_block(
        self, md: MarkdownIt, env: Env, token: Token, a: int, b: int
    ) -> tuple[list[Token], int] | None:
        plan = self._html_end(a, b)
        if plan is None:
            return None
        kind, end = plan
        if kind == "span":  # kramdown: a paragraph with inline HTML
            head, end = self._span_paragraph(env, a, b)
        elif kind == "text":
            head = self.reparse(md, env, a, a + 1, _md_literal(self.lines[a].strip(" ")))
        elif end >= b:
            return None
        else:
            content = "\n".join(self.lines[a:end]) + "\n"
            head = [token.copy(map=[a, end], content=content)]
        tail, stop = self.read(md, env, end, b)
        return head + tail, stop

    def _span_paragraph(self, env: Env, a: int, b: int) -> tuple[list[Token], int]:
        """The paragraph kramdown makes of lines from `a` (a span element at its start), up to
        a block HTML tag; and the line after it."""
        tokens = self.reparse(self.no_html_blocks, env, a, b)
        stop = tokens[0].map[1] if tokens and tokens[0].map else a + 1
        end = a + 1
        while end < stop and not self._starts_block(end):
            end += 1
        return self.reparse(self.no_html_blocks, env, a, end), end

    def _html_end(self, a: int, b: int) -> tuple[Literal["raw", "span", "text"], int] | None:
        """Where kramdown's HTML block at line `a` ends (the line after it), if before `b`;
        "span" when it is a paragraph starting with a span element, "text" when its first line
        is text (an unclosed comment)."""
        text = "\n".join(self.lines[a:b]) + "\n"
        starts = [0]
        for line in self.lines[a:b]:
            starts.append(starts[-1] + len(line) + 1)

        def after(pos: int) -> int:
            return a + bisect.bisect_right(starts, max(pos - 1, 0))

        indent = len(self.lines[a]) - len(self.lines[a].lstrip(" "))
        if indent > 3:
            return None
        for opener, pattern in (("<!--", _COMMENT_RE), ("<?", _PI_RE)):
            if text.startswith(opener, indent):
                closed_by = pattern.match(text, indent)
                if closed_by is None:  # kramdown: text, and Markdown after it
                    return "text", a + 1
                return "raw", after(closed_by.end())
        close = _CLOSE_RE.match(text, indent)
        if close is not None:
            if close.group(1).lower() in _SPAN_ELEMENTS:
                return None
            return "raw", after(close.end())
        tag = _TAG_RE.match(text, indent)
        if tag is None:
            return None
        name = _element_name(tag.group(1))
        if name.lower() in _SPAN_ELEMENTS:
            return "span", a + 1
        name, model, closed = self._start_tag(tag)
        if name in ("script", "style"):
            return "raw", after(self._end_of(text, name, tag.end()))
        if closed or model == "block":
            return "raw", after(tag.end())
        if model == "span":
            return "raw", after(self._end_of(text, name, tag.end()))
        stack = [name]
        pos = tag.end()
        while stack:  # kramdown's parse_raw_html
            start = _RAW_START.search(text, pos)
            if start is None:
                return None
            pos = start.start()
            skip = _COMMENT_RE.match(text, pos) or _PI_RE.match(text, pos)
            if skip:
                pos = skip.end()
                continue
            nested = _TAG_RE.match(text, pos)
            if nested:
                inner, model, closed = self._start_tag(nested)
                pos = nested.end()
                if inner in ("script", "style"):
                    pos = self._end_of(text, inner, pos)
                elif closed:
                    pass
                elif model == "block":  # Markdown again, up to its end tag
                    return "raw", after(pos)
                elif model == "span":
                    pos = self._end_of(text, inner, pos)
                else:
                    stack.append(inner)
                continue
            end_tag = _CLOSE_RE.match(text, pos)
            if end_tag:
                top = stack[-1]
                closing = end_tag.group(1)
                if top in _KNOWN_ELEMENTS:
                    closing = closing.lower()
                if closing == top:
                    stack.pop()
                pos = end_tag.end()
                continue
            pos += 1
        return "raw", after(pos)

    def _starts_block(self, line: int) -> bool:
        """kramdown ends a paragraph at a block HTML start or end tag."""
        text = self.lines[line]
        stripped = text.lstrip(" ")
        if len(text) - len(stripped) > 3 or not stripped.startswith("<"):
            return False
        match = _TAG_RE.match(stripped) or _CLOSE_RE.match(stripped)
        return match is not None and match.group(1).lower() not in _SPAN_ELEMENTS

    @staticmethod
    def _start_tag(match: re.Match[str]) -> tuple[str, str, bool]:
        name = _element_name(match.group(1))
        attrs = _attributes(match.group(2) or "", name in _KNOWN_ELEMENTS)
        model = "raw"
        markdown = _MARKDOWN_ATTR.get(attrs.get("markdown", ""))
        if markdown is not None:
            model = _model(name) if markdown == "default" else markdown
        closed = match.group(4) is not None or name in _WITHOUT_BODY
        return name, model, closed

    @staticmethod
    def _end_of(text: str, name: str, pos: int) -> int:
        close = re.compile(rf"</{re.escape(name)}\s*>", re.IGNORECASE).search(text, pos)
        return close.end() if close else len(text)

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
        if 0 <= line < len(self.lines) and _UNDERLINE.fullmatch(self.lines[line]):
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
                head = self.restructure(md, env, self.reparse(md, env, a, line))
                tail, end = self.read(md, env, line, b)
                return tokens[:first] + head + tail + _from_line(tokens, blocks, number, end)
            if a == line and opening.type != "heading_open" and underline is not None:
                end = b  # a setext heading over another block's first lines
                for later_first, _ in blocks[number + 1 :]:
                    later = tokens[later_first].map
                    if later is None or later[0] > line + 1:
                        break
                    end = max(end, later[1])
                heading = self._setext(line, underline)
                tail, end = self.read(md, env, line + 2, end)
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
        tokens = self.recover(md, env, self.restructure(md, env, tokens))
        view = tokens  # as the linter parsed it: Liquid masked, when there is Liquid
        if self.segments:
            view = [
                t.copy(content=self.masked(t.content)) if t.type == "inline" else t for t in view
            ]
        ids = {id(token): anchor_id for token, anchor_id in heading_ids(view, self.body)}
        for index, token in enumerate(tokens):
            if token.type == "heading_open":
                anchor_id = ids.get(id(token))
                if anchor_id is not None:
                    token.attrSet("id", anchor_id)
                    self._strip_header_id(token, tokens[index + 1])
            elif token.type in _IAL_TARGETS and token.map and "id" not in token.attrs:
                block_id = self.block_ids.get(token.map[0])
                if block_id is not None:
                    token.attrSet("id", block_id)
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

    def _strip_header_id(self, heading: Token, inline: Token) -> None:
        """Drop `{#id}` from a heading's text where kramdown takes it as the id."""
        if heading.map is None:
            return
        if heading.level == 0 and heading.markup.startswith("#"):
            atx = _ATX.fullmatch(self.lines[heading.map[0]])
            source = atx.group(2) if atx else ""
        elif heading.level == 0:
            source = self.lines[_text_line(heading)].strip(_ASCII_SPACE)
        else:
            source = inline.content
        if _header_contents(source)[1] is not None:
            inline.content = _header_contents(inline.content)[0]

    @staticmethod
    def _without_ials(content: str) -> str:
        """Block IAL lines (`{: #id .class}`): kramdown does not output them."""
        if "{:" not in content:
            return content
        lines = content.split("\n")
        return "\n".join(line for line in lines if _IAL_LINE.match(line) is None)

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
        elif child.type == "text" and previous is not None and previous.type in _CLOSING_TOKENS:
            ial = _SPAN_IAL.match(child.content)
            if ial is not None:
                child.content = child.content[ial.end() :]
                anchor_id = _ial_id(ial.group(1))
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
    md.core.ruler.after("block", "betacontent_block", _after_block)
    md.core.ruler.after("inline", "betacontent_inline", _after_inline)
    return md


_MD = _make_parser()
_NO_HTML_BLOCKS = _make_parser().disable("html_block")


def render_markdown(
    body: str,
    *,
    liquid: LiquidHook | None = None,
    toc_levels: tuple[int, int] = (2, 4),
    anchors: Sequence[Anchor] | None = None,
) -> Rendered:
    """A page's Markdown body (front matter removed) as HTML, with its table of contents (the
    headings of levels `toc_levels`, inclusive, that have an id and some text), its plain text
    and excerpt (the first non-empty paragraph's text, "" without one). `liquid` gives the
    output of each Liquid tag (default: `default_liquid`). Deterministic: the same body and
    hook give the same result. `anchors`: `anchors.page_anchors` of the body as the linter
    parsed it, when the caller has them (else the body is parsed for them here)."""
    job = _Job(body, liquid or default_liquid, _NO_HTML_BLOCKS)
    source = job.prepare()
    job.analyse(anchors)
    env: Env = {_JOB: job}
    tokens = _MD.parse(source, env)
    html = _MD.renderer.render(tokens, _MD.options, env)
    plain = _plain(html)
    paragraph = next((p for p in plain.paragraphs if p), "")
    toc = _toc(tokens, toc_levels, env)
    return Rendered(html=html, toc=toc, text=plain.text(), excerpt=_excerpt(paragraph))


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
