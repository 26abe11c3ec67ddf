"""Edits of YAML text that keep how it is written: a scalar rewritten in its own quoting style,
a key added to a flow or block mapping. No re-dump: only the edited characters change.

A value that cannot be written in the scalar's style gets no edit; whether a text reads back
as the intended value is asked of libyaml itself, in the same context (flow or block).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import yaml

from betacontent.core.positions import Position
from betacontent.lint.diagnostics import Edit
from betacontent.site.front_matter import load_yaml, mark_position, node_span

Path = tuple[str | int, ...]


def walk(root: yaml.Node | None) -> Iterator[tuple[Path, yaml.Node, bool]]:
    """(path, node, inside a flow collection) of every value node, aliases visited once."""
    stack: list[tuple[Path, yaml.Node, bool]] = [((), root, False)] if root is not None else []
    seen: set[int] = set()
    while stack:
        path, node, flow = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield path, node, flow
        inner = flow or bool(getattr(node, "flow_style", False))
        if isinstance(node, yaml.MappingNode):
            for key, value in reversed(node.value):
                if isinstance(key, yaml.ScalarNode):
                    stack.append(((*path, key.value), value, inner))
        elif isinstance(node, yaml.SequenceNode):
            for index in range(len(node.value) - 1, -1, -1):
                stack.append(((*path, index), node.value[index], inner))


def scalar_value(text: str, flow: bool) -> str | None:
    """The string a scalar's text means in a flow or block context; None if it is not one
    string scalar there."""
    document = load_yaml(f"[{text}]" if flow else f"- {text}")
    data = document.data
    if document.problems or not isinstance(data, list) or len(data) != 1:
        return None
    return data[0] if isinstance(data[0], str) else None


def scalar_text(value: str, style: str, flow: bool) -> str | None:
    """`value` written as a scalar of `style` ("" plain, "'" or '"'), or None when that
    style cannot hold it on one line."""
    if any(c in value for c in "\r\n\x85\u2028\u2029"):
        return None
    if style == "'":
        text = "'" + value.replace("'", "''") + "'"
    elif style == '"':
        text = json.dumps(value, ensure_ascii=False)
    elif style == "":
        text = value
    else:
        return None  # block scalars (`|`, `>`)
    return text if scalar_value(text, flow) == value else None


def _flow_of(root: yaml.Node | None, node: yaml.Node) -> bool | None:
    for _, found, flow in walk(root):
        if found is node:
            return flow
    return None


def replace_scalar(root: yaml.Node | None, node: yaml.Node, value: str) -> Edit | None:
    """The edit that makes the string scalar `node` (a node of `root`) mean `value`, in its
    own quoting style; None when it is no single-line string scalar or the style can't."""
    flow = _flow_of(root, node)
    if (
        flow is None
        or not isinstance(node, yaml.ScalarNode)
        or node.tag != "tag:yaml.org,2002:str"
        or node.start_mark.line != node.end_mark.line
    ):
        return None
    text = scalar_text(value, node.style or "", flow)
    if text is None:
        return None
    start, end = node_span(node)
    return Edit(
        line=start.line, column=start.column, end_line=end.line, end_column=end.column, content=text
    )


def insertion_point(mapping: yaml.MappingNode) -> Position | None:
    """Where a new key goes: after the last value of a flow mapping; at the start of the line
    after the last value of a block mapping. None when the last value is not a one-line
    scalar (its end is then not where the mapping's text ends)."""
    if not mapping.value:
        return None
    last = mapping.value[-1][1]
    if not isinstance(last, yaml.ScalarNode) or last.start_mark.line != last.end_mark.line:
        return None
    if mapping.flow_style:
        return node_span(last)[1]
    return Position(last.end_mark.line + 2, 1)


def add_key(
    text: str, root: yaml.Node | None, mapping: yaml.Node, key: str, value: str
) -> Edit | None:
    """The edit that adds `key: value` to `mapping`, a mapping node of the YAML `text`
    (`root` its document): `, key: value` in flow style; in block style a new line at the
    keys' indentation, ended as the line above it is. None when the key exists."""
    if not isinstance(mapping, yaml.MappingNode):
        return None
    if any(isinstance(k, yaml.ScalarNode) and k.value == key for k, _ in mapping.value):
        return None
    flow = bool(mapping.flow_style) or bool(_flow_of(root, mapping))
    written = scalar_text(value, "", flow) or scalar_text(value, "'", flow)
    where = insertion_point(mapping)
    if written is None or where is None or scalar_text(key, "", flow) != key:
        return None
    if flow:
        content = f", {key}: {written}"
    else:
        lines = text.split("\n")
        above = where.line - 2
        if where.line > len(lines):
            return None
        newline = "\r\n" if lines[above].endswith("\r") else "\n"
        indent = mapping.value[0][0].start_mark.column
        content = " " * indent + f"{key}: {written}" + newline
    return Edit(
        line=where.line,
        column=where.column,
        end_line=where.line,
        end_column=where.column,
        content=content,
    )


def scalar_at(root: yaml.Node | None, position: Position) -> yaml.ScalarNode | None:
    """The scalar value node that starts at `position`."""
    for _, node, _ in walk(root):
        if isinstance(node, yaml.ScalarNode) and mark_position(node) == position:
            return node
    return None
