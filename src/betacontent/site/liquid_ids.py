"""HTML ids that layouts, includes and pages write with Liquid, evaluated where the result is
known statically: `<div id="{{ phase.status }}">` inside `{% for phase in site.phases %}` is
one id per document of the collection.

`liquid_ids` finds such ids in a template's text (pure, once per file); `evaluate` renders
them against the site. What is evaluated:

- an `id` (or `<a name>`) value mixing text and `{{ expression | filter ... }}`;
- expressions: a variable path (`phase.status`, `item[1].label`, `item.first`,
  `site.data.menus.main`), a string or number, `forloop.index` and `forloop.index0`;
- variables: those of the enclosing `{% for x in ... %}` (or `tablerow`) loops, and those an
  `{% assign x = ... %}` before the id sets (evaluated where the id is, so an assign inside
  the loop sees the loop's variable);
- what loops and assigns iterate: `site.COLLECTION` (its documents, published ones, front
  matter after `defaults:`, plus `url`, `collection`, `slug`, `title`), `site.posts`
  (published, newest first), `site.data.NAME` (a list, or a mapping, whose items are
  `[key, value]` pairs as in Liquid), a range `(1..3)`; the filters `where: "key", "value"`,
  `sort` (Jekyll's order, nils first), `reverse`, and `sort_natural` (whose order is not
  modelled: then `forloop.index`, `limit:` and `offset:` are unknown); the loop parameters
  `limit:`, `offset:` and `reversed`;
- output filters: `slugify` (with a mode), `downcase`, `upcase`, `capitalize`, `strip`,
  `lstrip`, `rstrip`, `append`, `prepend`, `replace`, `replace_first`, `remove`,
  `remove_first`, `default` (with literal arguments), and `escape`, `escape_once`,
  `xml_escape`, which change nothing the browser sees in an attribute.

Anything else (`page.*`, `include.*`, another filter, `{% capture %}`) cannot be evaluated
without rendering the site: the id is then unknown, and a fragment that matches nothing on a
page using the template is said to be possibly written by it, never broken. Conditions
(`{% if %}`) are not evaluated: an id under one counts as written.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from html import unescape
from typing import Any

from betacontent.kramdown import markdown
from betacontent.kramdown.anchors import page_anchors
from betacontent.kramdown.markdown import MASK, mask_liquid
from betacontent.site import urls

# A start tag of the masked text (Liquid masked, so no `>` or quote hides in it) and the
# attributes that are anchors: `id` of any element, `name` of `<a>`.
_START_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)(\s[^>]*)?>")
_ANCHOR_ATTRIBUTE = re.compile(
    r"""(?<![\w:-])(id|name)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.IGNORECASE
)
_TAG = re.compile(r"\{%-?\s*(\w+)(.*?)-?%\}", re.DOTALL)
_NOT_RUN = re.compile(r"\{%-?\s*(raw|comment)\s*-?%\}.*?\{%-?\s*end\1\s*-?%\}", re.DOTALL)
_OUTPUT = re.compile(r"\{\{-?(.*?)-?\}\}", re.DOTALL)
_BLOCKS = frozenset({"for", "tablerow", "if", "unless", "case", "capture"})
_LOOPS = frozenset({"for", "tablerow"})
_ASSIGN = re.compile(r"\s*([\w-]+)\s*=\s*(.*)", re.DOTALL)
_FOR = re.compile(r"\s*([\w-]+)\s+in\s+(\([^)]*\)|\S+)(.*)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class LiquidId:
    """An anchor attribute whose value Liquid writes, with what surrounds it in the text."""

    value: str  # as written, Liquid included: `phase-{{ phase.slug }}`
    loops: tuple[str, ...]  # markup of the enclosing loops, outermost first: `p in site.x`
    assigns: tuple[tuple[str, str | None], ...]  # (name, expression; None: a capture)
    markdown: bool = False  # `value` is Markdown (`{{ x.content | markdownify }}`): its heading
    # ids are the anchors, as kramdown gives them


# A cheap look for what `liquid_ids` finds: most pages have none.
_MAYBE = re.compile(
    r"""(?<![\w:-])(?:id|name)\s*=\s*["']?[^"'<>\s]*\{[{%]|\|\s*markdownify""", re.IGNORECASE
)
# Markdown that Liquid outputs through `markdownify` (the filter last): its headings get ids.
_MARKDOWNIFY = re.compile(r"\{\{-?((?:(?!\}\}).)*?)\|\s*markdownify\s*-?\}\}", re.DOTALL)


def liquid_ids(text: str) -> tuple[LiquidId, ...]:
    """The anchor attributes of a template or page body whose value contains Liquid."""
    if ("{{" not in text and "{%" not in text) or not _MAYBE.search(text):
        return ()
    masked, _ = mask_liquid(text)
    skipped = [(m.start(), m.end()) for m in _NOT_RUN.finditer(text)]
    found: list[tuple[int, str]] = []
    for tag in _START_TAG.finditer(masked):
        if not tag.group(2):
            continue
        for attribute in _ANCHOR_ATTRIBUTE.finditer(tag.group(2)):
            if attribute.group(1).lower() == "name" and tag.group(1).lower() != "a":
                continue
            group = next(g for g in (2, 3, 4) if attribute.group(g) is not None)
            start = tag.start(2) + attribute.start(group)
            value = text[start : start + len(attribute.group(group))]
            if MASK in attribute.group(group) and not _inside(start, skipped):
                found.append((start, value))
    markdown = {
        m.start(): "{{" + m.group(1) + "}}"
        for m in _MARKDOWNIFY.finditer(text)
        if not _inside(m.start(), skipped)
    }
    found += list(markdown.items())
    found.sort()
    if not found:
        return ()
    tags = [m for m in _TAG.finditer(text) if not _inside(m.start(), skipped)]
    result = []
    for start, value in found:
        stack: list[tuple[str, str]] = []
        assigns: list[tuple[str, str | None]] = []
        for tag in tags:
            if tag.start() >= start:
                break
            name, markup = tag.group(1), tag.group(2).strip()
            if name in _BLOCKS:
                stack.append((name, markup))
                if name == "capture":
                    assigns.append((markup.split()[0] if markup else "", None))
            elif name.startswith("end") and any(kind == name[3:] for kind, _ in stack):
                while stack and stack.pop()[0] != name[3:]:
                    pass
            elif name == "assign" and (assign := _ASSIGN.match(markup)):
                assigns.append((assign.group(1), assign.group(2).strip()))
            elif name in ("increment", "decrement") and markup:
                assigns.append((markup.split()[0], None))
        loops = tuple(markup for kind, markup in stack if kind in _LOOPS)
        result.append(LiquidId(value, loops, tuple(assigns), start in markdown))
    return tuple(result)


def _inside(offset: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= offset < end for start, end in spans)


# --- evaluation -----------------------------------------------------------------------------


class Unknown(Exception):  # a signal, not an error to report
    """Something only a real render knows."""


@dataclass(frozen=True, slots=True)
class SiteValues:
    """What `site.*` gives Liquid, as far as it is modelled: collections and data."""

    collections: Mapping[str, list[dict[str, Any]]]
    data: Mapping[str, Any]


_QUOTED = re.compile(r'"([^"]*)"|\'([^\']*)\'')
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_PATH_PART = re.compile(r"\.?([\w-]+\??)|\[\s*(\"[^\"]*\"|'[^']*'|-?\d+)\s*\]")
_RANGE = re.compile(r"\(\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*\)")
_PARAMETER = re.compile(r"(limit|offset)\s*:\s*(\S+)|(reversed)")


def _split(text: str, separator: str) -> list[str]:
    """`text` split on `separator` outside quotes."""
    parts: list[str] = []
    current: list[str] = []
    quote = ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == separator:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


class _Evaluator:
    def __init__(self, site: SiteValues, assigns: tuple[tuple[str, str | None], ...]) -> None:
        self.site = site
        self.assigns = assigns
        self.depth = 0

    def literal(self, text: str, scope: Mapping[str, Any]) -> Any:
        """A filter argument or simple value."""
        text = text.strip()
        quoted = _QUOTED.fullmatch(text)
        if quoted:
            return quoted.group(1) if quoted.group(1) is not None else quoted.group(2)
        if _NUMBER.fullmatch(text):
            return float(text) if "." in text else int(text)
        if text in ("true", "false"):
            return text == "true"
        if text in ("nil", "null"):
            return None
        return self.path(text, scope)

    def path(self, text: str, scope: Mapping[str, Any]) -> Any:
        """A variable path: `a.b[0]["c"].first`."""
        head = re.match(r"[\w-]+", text)
        if head is None:
            raise Unknown(text)
        value = self.variable(head.group(0), scope)
        rest = text[head.end() :]
        position = 0
        while position < len(rest):
            part = _PATH_PART.match(rest, position)
            if part is None:
                raise Unknown(text)
            position = part.end()
            if part.group(1) is not None:
                value = self.attribute(value, part.group(1))
            else:
                value = self.index(value, self.literal(part.group(2), scope))
        return value

    def variable(self, name: str, scope: Mapping[str, Any]) -> Any:
        if name in scope:
            return scope[name]
        if name == "site":
            return _SITE
        for assigned, expression in reversed(self.assigns):
            if assigned == name:
                if expression is None or self.depth > 20:
                    raise Unknown(name)  # a capture, or assigns that refer to each other
                self.depth += 1
                try:
                    return self.expression(expression, scope)
                finally:
                    self.depth -= 1
        raise Unknown(name)  # `page`, `include`, `layout`, or set where this cannot see

    def attribute(self, value: Any, name: str) -> Any:
        if value is _UNORDERED:
            raise Unknown(f"forloop.{name}")
        if value is _SITE:
            if name == "data":
                return self.site.data
            if name in self.site.collections:
                return self.site.collections[name]
            raise Unknown(f"site.{name}")
        if isinstance(value, Mapping):
            return value.get(name)
        if isinstance(value, list):
            if name == "first":
                return value[0] if value else None
            if name == "last":
                return value[-1] if value else None
            if name == "size":
                return len(value)
            return None
        if isinstance(value, str | _Sorted) and name == "size":
            return len(value.items if isinstance(value, _Sorted) else value)
        if value is None:
            return None
        raise Unknown(name)  # `first` of a list whose order is not modelled, and the like

    def index(self, value: Any, key: Any) -> Any:
        if value is _SITE:
            return self.attribute(value, str(key))
        if isinstance(value, Mapping):
            return value.get(key)
        if isinstance(value, list) and isinstance(key, int):
            return value[key] if -len(value) <= key < len(value) else None
        if value is None:
            return None
        raise Unknown(repr(key))

    def expression(self, text: str, scope: Mapping[str, Any]) -> Any:
        """A value and its filters, as in `{% assign %}` or `{{ }}`."""
        head, *filters = _split(text, "|")
        value = self.literal(head, scope)
        for item in filters:
            name, _, raw = item.partition(":")
            arguments = [self.literal(a, scope) for a in _split(raw, ",")] if raw.strip() else []
            value = _filter(name.strip(), value, arguments)
        return value

    def items(self, markup: str, scope: Mapping[str, Any]) -> tuple[str, list[Any], bool]:
        """A loop's variable, what it iterates, after its parameters, and whether that order
        is Jekyll's (not after a `sort_natural`, nor a `sort` with ties)."""
        loop = _FOR.fullmatch(markup)
        if loop is None:
            raise Unknown(markup)
        name, source, parameters = loop.group(1), loop.group(2), loop.group(3)
        span = _RANGE.fullmatch(source)
        if span:
            value: Any = list(range(int(span.group(1)), int(span.group(2)) + 1))
        else:
            value = self.expression(source, scope)
        offset, limit, reverse = 0, None, False
        for match in _PARAMETER.finditer(parameters):
            if match.group(3):
                reverse = True
                continue
            number = self.literal(match.group(2), scope)
            if not isinstance(number, int):
                raise Unknown(markup)  # `offset: continue`, or a variable
            if match.group(1) == "limit":
                limit = number
            else:
                offset = number
        ordered = not isinstance(value, _Sorted)
        if isinstance(value, _Sorted):
            if offset or limit is not None:
                raise Unknown(markup)  # which items a slice keeps depends on the order
            value = value.items
        if isinstance(value, Mapping):
            value = [[key, item] for key, item in value.items()]  # Liquid: [key, value] pairs
        elif value is None:
            value = []
        if not isinstance(value, list):
            raise Unknown(markup)
        value = value[offset : offset + limit if limit is not None else None]
        return name, value[::-1] if reverse else value, ordered


class _Site:
    """The `site` variable."""


class _Unordered:
    """`forloop` of a loop whose order is not modelled: its indexes are unknown."""


_SITE = _Site()
_UNORDERED = _Unordered()


@dataclass(frozen=True, slots=True)
class _Sorted:
    """A list some filter reordered in a way not modelled: fine to loop over whole, not to
    slice with `limit:` or `offset:`."""

    items: list[Any]


def _text(value: Any) -> str:
    """What Liquid outputs for a value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, list):
        return "".join(_text(item) for item in value)
    if isinstance(value, _Sorted):
        return _text(value.items)
    raise Unknown(type(value).__name__)  # a mapping, a date: Ruby's own formatting


def _where(value: Any, arguments: list[Any]) -> Any:
    """Jekyll's `where`: items whose property equals the value as text (or, for a list
    property, holds it)."""
    if len(arguments) != 2 or not isinstance(arguments[1], str | int | float | bool):
        raise Unknown("where")
    items = value.items if isinstance(value, _Sorted) else value
    if isinstance(items, Mapping):
        items = list(items.values())
    if not isinstance(items, list):
        raise Unknown("where")
    key, target = str(arguments[0]), _text(arguments[1])
    kept = []
    for item in items:
        found = item.get(key) if isinstance(item, Mapping) else None
        parts = found if isinstance(found, list) else [found]
        if isinstance(found, str):
            match = found == target
        else:
            match = any(_text(part) == target for part in parts if part is not None)
        if match:
            kept.append(item)
    return _Sorted(kept) if isinstance(value, _Sorted) else kept


_INTEGER_LIKE = re.compile(r"^\s*-?\d+\s*$")
_FLOAT_LIKE = re.compile(r"^\s*-?(?:\d+\.?\d*|\.\d+)\s*$")


def _sort_value(value: Any) -> Any:
    """Jekyll's parse_sort_input: text that reads as a number sorts as one."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        text = str(value)
        if _INTEGER_LIKE.match(text):
            return int(text)
        if _FLOAT_LIKE.match(text):
            return float(text)
    return value


def _compare(left: Any, right: Any, nils_first: bool) -> int:
    """Jekyll's sort_input comparison: nils first (or last), then `<=>`, then as text."""
    if left is None or right is None:
        if left is None and right is None:
            return 0
        return (-1 if left is None else 1) * (1 if nils_first else -1)
    both_numbers = all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in (left, right)
    )
    if not both_numbers and not (isinstance(left, str) and isinstance(right, str)):
        left, right = _text(left), _text(right)
    return int(left > right) - int(left < right)


def _sort(items: list[Any], arguments: list[Any]) -> list[Any] | _Sorted:
    """Jekyll's `sort` (with a property, nils first unless told `"last"`). Ruby's sort is
    not stable: with ties, which comes first is not known."""
    if not arguments:
        if all(isinstance(item, str) for item in items) or all(
            isinstance(item, int | float) and not isinstance(item, bool) for item in items
        ):
            return sorted(items)  # equal items are the same: their order does not matter
        raise Unknown("sort")
    key = _text(arguments[0])
    nils = _text(arguments[1]) if len(arguments) > 1 else "first"
    if nils not in ("first", "last"):
        raise Unknown("sort")
    keyed: list[tuple[Any, Any]] = [
        (_sort_value(item.get(key) if isinstance(item, Mapping) else None), item) for item in items
    ]

    def compare(left: tuple[Any, Any], right: tuple[Any, Any]) -> int:
        return _compare(left[0], right[0], nils == "first")

    ranked = sorted(keyed, key=functools.cmp_to_key(compare))
    if any(compare(a, b) == 0 for a, b in itertools.pairwise(ranked)):
        return _Sorted([item for _, item in ranked])
    return [item for _, item in ranked]


_STRING_FILTERS: dict[str, Any] = {
    "downcase": lambda text: text.lower(),
    "upcase": lambda text: text.upper(),
    "capitalize": lambda text: text[:1].upper() + text[1:].lower(),
    "strip": lambda text: text.strip(),
    "lstrip": lambda text: text.lstrip(),
    "rstrip": lambda text: text.rstrip(),
    # The browser unescapes an attribute: these change nothing of the id it sees.
    "escape": lambda text: text,
    "escape_once": lambda text: text,
    "xml_escape": lambda text: text,
}


def _filter(name: str, value: Any, arguments: list[Any]) -> Any:
    if name == "where":
        return _where(value, arguments)
    if name in ("sort", "sort_natural", "reverse"):
        items = value.items if isinstance(value, _Sorted) else value
        if not isinstance(items, list):
            raise Unknown(name)
        if name == "reverse":
            return _Sorted(items[::-1]) if isinstance(value, _Sorted) else items[::-1]
        if name == "sort" and not isinstance(value, _Sorted):
            return _sort(items, arguments)
        return _Sorted(list(items))  # `sort_natural`'s order is not modelled
    if name == "default":
        return arguments[0] if value in (None, False, "") and arguments else value
    if name in _STRING_FILTERS and not arguments:
        return _STRING_FILTERS[name](_text(value))
    text = _text(value)
    words = [_text(argument) for argument in arguments]
    if name == "slugify" and len(words) <= 1:
        return urls.slugify(text, words[0] if words else "default")
    if name == "append" and len(words) == 1:
        return text + words[0]
    if name == "prepend" and len(words) == 1:
        return words[0] + text
    if name in ("replace", "replace_first") and len(words) == 2:
        return text.replace(words[0], words[1], 1 if name == "replace_first" else -1)
    if name in ("remove", "remove_first") and len(words) == 1:
        return text.replace(words[0], "", 1 if name == "remove_first" else -1)
    raise Unknown(name)


def evaluate(site: SiteValues, liquid_id: LiquidId) -> frozenset[str] | None:
    """The ids a Liquid-written attribute takes on the built site; None when it cannot be
    known without rendering."""
    evaluator = _Evaluator(site, liquid_id.assigns)
    try:
        scopes: list[dict[str, Any]] = [{}]
        for markup in liquid_id.loops:
            deeper = []
            for scope in scopes:
                name, items, ordered = evaluator.items(markup, scope)
                for index, item in enumerate(items):
                    forloop: Any = _UNORDERED  # an index in an order not modelled
                    if ordered:
                        forloop = {"index": index + 1, "index0": index, "length": len(items)}
                    deeper.append({**scope, name: item, "forloop": forloop})
            scopes = deeper
        rendered = [_render(evaluator, liquid_id.value, scope) for scope in scopes]
        if liquid_id.markdown:  # each output is converted on its own: ids numbered in each
            return frozenset(
                anchor.id
                for text in rendered
                for anchor in page_anchors(markdown.parse(text), text)
                if anchor.kind != "html"
            )
        return frozenset(value for value in rendered if value)
    except (Unknown, RecursionError):
        return None


def _render(evaluator: _Evaluator, value: str, scope: Mapping[str, Any]) -> str:
    if "{%" in value:
        raise Unknown(value)  # a tag inside the attribute (`{% if %}`): not modelled
    return unescape(_OUTPUT.sub(lambda m: _text(evaluator.expression(m.group(1), scope)), value))
