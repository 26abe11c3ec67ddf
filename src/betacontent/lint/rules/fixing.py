"""How rules build their fixes: a link's URL rewritten where it is written (Markdown, HTML,
front matter or data YAML), a crumb's value rewritten in its own YAML style, a missing crumb
key added. Each helper also gives the end of the text it would replace, for the diagnostic.

No fix is offered for text holding Liquid, for a URL a Markdown or HTML link cannot hold as
is, nor where the text at the link's position is not the URL as extracted (escapes, `<...>`).
"""

from __future__ import annotations

import re

import yaml

from betacontent.core.positions import Position
from betacontent.kramdown.links import Link
from betacontent.lint.diagnostics import Edit, Fix
from betacontent.lint.yaml_edit import add_key, replace_scalar, scalar_at
from betacontent.site.front_matter import node_span
from betacontent.site.index import Entry, Site
from betacontent.site.parsing import DataFile, ParsedFile

# Characters a URL may hold to be written bare in a Markdown destination or an HTML attribute
# with no escaping: no space, quote, bracket, backslash, entity or Liquid brace.
_BARE_URL = re.compile(r"[^\s()<>\[\]{}\\\"'`|^&]+")
_BODY_ORIGINS = frozenset({"markdown", "reference", "html"})
_YAML_ORIGINS = frozenset({"breadcrumb", "data"})


def has_liquid(text: str) -> bool:
    return "{{" in text or "{%" in text


def _file(site: Site, path: str) -> ParsedFile | DataFile | None:
    return site.semantic.files_by_rel.get(path)


def _scalar(file: ParsedFile | DataFile, link: Link) -> tuple[yaml.Node | None, yaml.Node | None]:
    """(YAML root, the scalar holding the link's URL exactly) of a front matter or data link."""
    if isinstance(file, ParsedFile):
        root = file.front_matter.root if file.front_matter else None
    else:
        root = file.yaml.root if file.yaml else None
    node = scalar_at(root, link.position)
    return root, node if node is not None and node.value == link.url else None


def link_end(link: Link) -> Position | None:
    """Where the link's URL ends as written (exclusive), when that is known: the URL stands
    at its position exactly as extracted (a body link), or is one YAML scalar (a crumb's or a
    data file's link)."""
    return link.end if link.origin in _BODY_ORIGINS | _YAML_ORIGINS else None


def url_fix(
    site: Site, path: str, link: Link, url: str, message: str
) -> tuple[Position | None, Fix | None]:
    """(end of the URL as written, fix writing `url` in its place) for a link of `path`;
    None for either when it cannot be known or made safely."""
    file = _file(site, path)
    if file is None or has_liquid(link.url) or has_liquid(url):
        return None, None
    if link.origin in _BODY_ORIGINS and isinstance(file, ParsedFile):
        end = link.end
        if end is None or not _BARE_URL.fullmatch(url):
            return end, None
        start = link.position
        edit = Edit(
            line=start.line,
            column=start.column,
            end_line=end.line,
            end_column=end.column,
            content=url,
        )
        return end, Fix(message=message, edits=(edit,))
    if link.origin not in _YAML_ORIGINS:
        return None, None
    root, node = _scalar(file, link)
    if node is None:
        return None, None
    scalar_edit = replace_scalar(root, node, url)
    end = node_span(node)[1]
    return end, Fix(message=message, edits=(scalar_edit,)) if scalar_edit else None


def crumb_value_fix(
    entry: Entry, index: int, key: str, value: str, message: str
) -> tuple[Position | None, Fix | None]:
    """(end of the crumb's `key` value as written, fix writing `value` there)."""
    front_matter = entry.file.front_matter if entry.file else None
    if front_matter is None or has_liquid(value):
        return None, None
    node = front_matter.node_at(["breadcrumbs", index, key])
    if node is None:
        return None, None
    end = node_span(node)[1]
    if has_liquid(str(node.value)):
        return end, None
    edit = replace_scalar(front_matter.root, node, value)
    return end, Fix(message=message, edits=(edit,)) if edit else None


def crumb_key_fix(entry: Entry, index: int, key: str, value: str, message: str) -> Fix | None:
    """The fix adding `key: value` to a crumb that has no such key."""
    front_matter = entry.file.front_matter if entry.file else None
    if front_matter is None or has_liquid(value):
        return None
    mapping = front_matter.node_at(["breadcrumbs", index])
    if mapping is None:
        return None
    edit = add_key(front_matter.text, front_matter.root, mapping, key, value)
    return Fix(message=message, edits=(edit,)) if edit else None
