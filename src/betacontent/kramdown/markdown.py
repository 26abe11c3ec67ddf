"""The Markdown parser every rule shares: markdown-it-py, instrumented to keep source offsets.

Jekyll renders Liquid before kramdown sees the text, so `[x]({{ site.baseurl }}/p)` is a link.
Liquid tags are masked with same-length placeholders before parsing (newlines kept), so the
parse sees links where Jekyll does and every offset still points into the original text.

markdown-it-py gives line ranges (`map`) to block tokens only. The inline rules that make
links, images, autolinks and inline HTML are wrapped to record, in `token.meta`, the offset of
the construct in its inline source and, for inline links, where the destination starts and the
destination as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from markdown_it import MarkdownIt, helpers
from markdown_it.common.utils import unescapeAll
from markdown_it.helpers import parseLinkDestination, parseLinkLabel
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

# A Liquid output or tag; `{% comment %}` and `{% highlight %}` blocks as a whole, since
# Jekyll outputs nothing of the first and only code of the second; and kramdown's
# `{::comment}...{:/comment}`, which outputs nothing either.
LIQUID = re.compile(
    r"\{%-?\s*(comment|highlight)\b.*?%\}.*?\{%-?\s*end\1\s*-?%\}"
    r"|\{::comment\}.*?\{:/comment\}|\{\{.*?\}\}|\{%.*?%\}",
    re.DOTALL,
)
_ATTRIBUTE = re.compile(r"""(\w+)?(?:\.([A-Za-z_][\w-]*)|\[\s*["']([^"'\]]+)["']\s*\])""")


_LINK_ATTRIBUTE = re.compile(
    r"""\b(?:href|src|srcset|action|poster|data)\s*=\s*"""
    r"""(?:"([^"]*)"|'([^']*)'|(\{\{.*?\}\}|\{%.*?%\}|[^\s"'=<>`]+))""",
    re.IGNORECASE | re.DOTALL,
)
_ASSIGNED = re.compile(r"\{%-?\s*(?:assign\s+[\w-]+\s*=|capture\b)(.*?)-?%\}", re.DOTALL)


def liquid_link_attributes(text: str) -> set[str]:
    """The attribute names Liquid may read into link attributes of `text`: `url` in
    `<a href="{{ item.url | relative_url }}">` (quoted or not), the keys whose values are URLs
    to the site. Those read into an `assign` or `capture` count too: the variable may end up
    in a link (`{% assign dest = item.target | relative_url %}`)."""
    found: set[str] = set()
    for match in _LINK_ATTRIBUTE.finditer(text):
        value = next(group for group in match.groups() if group is not None)
        if "{{" in value or "{%" in value:
            found |= liquid_attributes(value)
    for match in _ASSIGNED.finditer(text):
        found |= liquid_attributes("{{ " + match.group(1) + " }}")
    return found


_OUTPUT_TAG = re.compile(r"\{\{-?\s*([^}|]*?)\s*(?:\|[^}]*)?-?\}\}")
_URL_PREFIXES = frozenset({"site.url", "site.baseurl"})
_DATA_NAME = re.compile(r"\bsite\.data\.([\w.-]+)")


def liquid_prefixed_attributes(text: str) -> set[str]:
    """The attribute names Liquid reads into a link attribute after another Liquid output
    that is not the site's URL or baseurl: `url` in `href="/{{ page.lang }}{{ link.url }}"`,
    whose values are the end of a URL, not a URL."""
    found: set[str] = set()
    for match in _LINK_ATTRIBUTE.finditer(text):
        value = next(group for group in match.groups() if group is not None)
        outputs = [m.group(1).strip() for m in _OUTPUT_TAG.finditer(value)]
        for index, expression in enumerate(outputs):
            if index and any(o not in _URL_PREFIXES for o in outputs[:index]):
                found |= liquid_attributes("{{ " + expression + " }}")
    return found


def liquid_data_names(text: str) -> set[str]:
    """The data files `text` reads, as dotted names: `locales.home` for
    `site.data.locales.home[page.lang]`."""
    return {match.group(1).rstrip(".") for match in _DATA_NAME.finditer(text)}


def liquid_attributes(text: str) -> set[str]:
    """The attribute names Liquid reads in `text`: `fullname` in `{{ member.fullname }}`,
    `{% if page.sidebar %}` or `{{ page["hero-image"] }}`; not those of `site`
    (`site.pages`), which no document carries."""
    found: set[str] = set()
    for span in LIQUID.finditer(text):
        for match in _ATTRIBUTE.finditer(span.group(0)):
            if match.group(1) != "site":
                found.add(match.group(2) or match.group(3))
    return found


MASK = "\ue000"  # a private-use character: text to markdown-it, never whitespace or syntax

InlineRule = Callable[[StateInline, bool], bool]


@dataclass(frozen=True, slots=True)
class LiquidSpan:
    start: int
    end: int
    text: str


def mask_liquid(text: str) -> tuple[str, list[LiquidSpan]]:
    """Replace each Liquid tag by placeholders of the same length, newlines kept."""
    spans = [LiquidSpan(m.start(), m.end(), m.group(0)) for m in LIQUID.finditer(text)]
    if not spans:
        return text, spans
    parts: list[str] = []
    last = 0
    for span in spans:
        parts.append(text[last : span.start])
        parts.append(re.sub(r"[^\r\n]", MASK, span.text))
        last = span.end
    parts.append(text[last:])
    return "".join(parts), spans


def _first_new(state: StateInline, count: int, types: tuple[str, ...]) -> Token | None:
    return next((t for t in state.tokens[count:] if t.type in types), None)


def _record_link(original: InlineRule, image: bool) -> InlineRule:
    def rule(state: StateInline, silent: bool) -> bool:
        start, count = state.pos, len(state.tokens)
        if not original(state, silent):
            return False
        if silent:
            return True
        token = _first_new(state, count, ("image",) if image else ("link_open",))
        if token is None:
            return True
        end = state.pos
        meta: dict[str, Any] = {"start": start, "inline": state.src[end - 1] == ")"}
        if meta["inline"]:
            label_end = parseLinkLabel(state, start + 1 if image else start, not image)
            pos = label_end + 2  # past "]("
            while pos < end and state.src[pos] in " \t\n":
                pos += 1
            result = _destination(state.src, pos, end)
            meta["dest_start"] = pos
            meta["dest"] = result.str if result.ok else ""
            meta["dest_length"] = (result.pos - pos) if result.ok else 0
        token.meta = {**(token.meta or {}), **meta}
        return True

    return rule


def _record_start(original: InlineRule, types: tuple[str, ...]) -> InlineRule:
    def rule(state: StateInline, silent: bool) -> bool:
        start, count = state.pos, len(state.tokens)
        if not original(state, silent):
            return False
        if not silent:
            token = _first_new(state, count, types)
            if token is not None:
                token.meta = {**(token.meta or {}), "start": start}
        return True

    return rule


def _inline_rule(md: MarkdownIt, name: str) -> InlineRule:
    for entry in md.inline.ruler.__rules__:
        if entry.name == name:
            return entry.fn
    raise LookupError(name)


def _destination(string: str, pos: int, maximum: int) -> Any:
    """CommonMark's link destination, plus what kramdown also takes: a destination with
    spaces up to the closing parenthesis (`[guide](/docs/guide pratique.pdf)`), which the
    rules then report as malformed rather than miss."""
    result = parseLinkDestination(string, pos, maximum)
    if result.ok and string.startswith("<", pos):
        return result
    end = result.pos if result.ok else pos
    probe = end
    while probe < maximum and string[probe] in " \t":
        probe += 1
    if probe >= maximum or string[probe] in ")\"'(\n" or probe == end:
        return result
    close = string.find(")", end, maximum)
    newline = string.find("\n", end, maximum)
    if close < 0 or 0 <= newline < close or any(q in string[pos:close] for q in "\"'"):
        return result
    result.ok, result.pos = True, close
    result.str = unescapeAll(string[pos:close].rstrip())
    return result


def kramdown_destinations(md: MarkdownIt) -> None:
    """Have `md` read link destinations as kramdown does (`_destination`): the linter's
    parser and the API's renderer read the same links."""
    md.helpers = SimpleNamespace(  # type: ignore[assignment]
        parseLinkDestination=_destination,
        parseLinkLabel=helpers.parseLinkLabel,
        parseLinkTitle=helpers.parseLinkTitle,
    )


def make_parser() -> MarkdownIt:
    """The parser of the linter. It keeps every link, `javascript:` ones included (the rules
    report them): never render untrusted HTML with it."""
    md = MarkdownIt("commonmark", {"inline_definitions": True})
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    # Pure functions of the URL, and the same URLs recur on every page of a site.
    md.normalizeLink = lru_cache(maxsize=16384)(md.normalizeLink)  # type: ignore[method-assign]
    md.normalizeLinkText = lru_cache(maxsize=16384)(md.normalizeLinkText)  # type: ignore[method-assign]
    kramdown_destinations(md)
    md.enable(["table", "strikethrough"])
    ruler = md.inline.ruler
    ruler.at("link", _record_link(_inline_rule(md, "link"), image=False))
    ruler.at("image", _record_link(_inline_rule(md, "image"), image=True))
    ruler.at("autolink", _record_start(_inline_rule(md, "autolink"), ("link_open",)))
    ruler.at("html_inline", _record_start(_inline_rule(md, "html_inline"), ("html_inline",)))
    return md


_PARSER = make_parser()
_PARAGRAPHS = make_parser().disable("html_block")


def parse_without_html_blocks(body: str) -> list[Token]:
    """Tokens of lines that kramdown reads as a paragraph although they start with a tag
    (`<img ...>`, `<a ...>`: span elements); their tags are inline HTML."""
    masked, _ = mask_liquid(body)
    return _PARAGRAPHS.parse(masked, {})


def parse(body: str) -> list[Token]:
    """Tokens of a Markdown body, Liquid masked; offsets and maps refer to `body`."""
    masked, _ = mask_liquid(body)
    return _PARSER.parse(masked, {})
