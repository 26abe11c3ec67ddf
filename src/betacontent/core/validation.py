"""Check parsed data against a msgspec Struct, key by key, so every bad key gets its own finding.

msgspec stops at the first error; converting each key's value against its field type on its own
reports them all, each with a path (`breadcrumbs[1].link`) that maps back to a YAML node.
"""

from __future__ import annotations

import datetime
import difflib
import functools
import re
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import UnionType
from typing import Any, Literal

import msgspec

_AT = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_STEP = re.compile(r"\.([^.\[]+)|\[(\d+|\.\.\.)\]")

PathStep = str | int


@dataclass(frozen=True, slots=True)
class SchemaIssue:
    kind: Literal["unknown", "type", "missing"]
    path: tuple[PathStep, ...]
    message: str


def _parse_path(text: str) -> tuple[PathStep, ...]:
    steps: list[PathStep] = []
    for match in _STEP.finditer(text):
        name, index = match.groups()
        if name is not None:
            steps.append(name)
        elif index == "...":
            break
        else:
            steps.append(int(index))
    return tuple(steps)


def split_error(error: msgspec.ValidationError) -> tuple[str, tuple[PathStep, ...]]:
    text = str(error)
    match = _AT.search(text)
    if match is None:
        return text, ()
    return text[: match.start()], _parse_path(match.group("path"))


_PATTERN = re.compile(r"expected `str` matching regex '.*'$", re.IGNORECASE)


def humanise(message: str) -> str:
    if _PATTERN.search(message):
        if "d{4}-" in message:
            hint = "a date such as `2024-03-05` or `2024-03-05 10:00:00 +0100`"
        elif "a-z0-9-" in message:
            hint = "lowercase letters, digits and `-` only"
        else:
            hint = "text of the documented form"
        return _PATTERN.sub(f"expected {hint}", message)
    return (
        message.replace("Expected `", "expected `")
        .replace(" | null`", "`")
        .replace("Object missing required field", "missing required key")
        .replace("Object contains unknown field", "unknown key")
        .replace("`array`", "`list`")
        .replace("`object`", "`mapping`")
        .replace("`null`", "empty")
        .replace("Invalid enum value", "invalid value")
    )


def format_path(path: tuple[PathStep, ...]) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _dates_as_text(value: Any, active: frozenset[int] = frozenset()) -> Any:
    """YAML dates and times as the text Jekyll's `Time.parse` reads; recursive values (from a
    YAML alias that contains itself) are left as they are, for msgspec to refuse."""
    if type(value) in _SCALARS:  # most values: nothing to look into
        return value
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if id(value) in active:
        return value
    if isinstance(value, list):
        inner = active | {id(value)}
        return [_dates_as_text(item, inner) for item in value]
    if isinstance(value, dict):
        inner = active | {id(value)}
        return {key: _dates_as_text(item, inner) for key, item in value.items()}
    return value


def as_json_data(value: Any, active: frozenset[int] = frozenset()) -> Any:
    """YAML data as a JSON Schema validator reads it: dates and times as the text Jekyll reads,
    keys as text, sets as lists; a recursive value (a YAML alias that contains itself) is cut
    where it repeats."""
    if type(value) in _SCALARS:
        return value
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if id(value) in active:
        return None
    inner = active | {id(value)}
    if isinstance(value, dict):
        return {str(key): as_json_data(item, inner) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [as_json_data(item, inner) for item in value]
    return str(value)


@functools.cache
def field_types(struct: type[msgspec.Struct]) -> dict[str, msgspec.structs.FieldInfo]:
    """The fields of a struct by their name in data (msgspec evaluates annotations each
    time it is asked: cached)."""
    return {info.encode_name: info for info in msgspec.structs.fields(struct)}


def suggest(key: str, known: Iterable[str]) -> str | None:
    matches = difflib.get_close_matches(key, list(known), n=1, cutoff=0.75)
    return matches[0] if matches else None


def _list_item_type(field_type: Any) -> Any:
    """`X` for a field typed `list[X]` or `list[X] | None`; None otherwise."""
    union = typing.get_origin(field_type) in (UnionType, typing.Union)
    arms = typing.get_args(field_type) if union else ()
    for arm in (field_type, *arms):
        if typing.get_origin(arm) is list:
            return typing.get_args(arm)[0]
    return None


def _convert(key: str, value: Any, field_type: Any) -> list[SchemaIssue]:
    """Findings for one key; list items are checked one by one, so each bad item is found."""
    try:
        msgspec.convert(value, type=field_type)
    except RecursionError:
        message = f"`{key}` contains itself (a recursive YAML alias)"
        return [SchemaIssue("type", (key,), message)]
    except msgspec.ValidationError as error:
        item_type = _list_item_type(field_type)
        if isinstance(value, list) and item_type is not None:
            found: list[SchemaIssue] = []
            for index, item in enumerate(value):
                found += _convert_item(key, index, item, item_type)
            if found:
                return found
        message, sub_path = split_error(error)
        path = (key, *sub_path)
        return [SchemaIssue("type", path, f"`{format_path(path)}`: {humanise(message)}")]
    return []


def _convert_item(key: str, index: int, item: Any, item_type: Any) -> list[SchemaIssue]:
    try:
        msgspec.convert(item, type=item_type)
    except msgspec.ValidationError as error:
        message, sub_path = split_error(error)
        path = (key, index, *sub_path)
        return [SchemaIssue("type", path, f"`{format_path(path)}`: {humanise(message)}")]
    return []


_OPTIONAL: dict[type[msgspec.Struct], type[msgspec.Struct]] = {}


def _optional(struct: type[msgspec.Struct]) -> type[msgspec.Struct]:
    """The struct with every field optional, so that a partial mapping converts; missing keys
    are checked separately."""
    found = _OPTIONAL.get(struct)
    if found is None:
        fields = [(name, info.type | None, None) for name, info in field_types(struct).items()]
        found = msgspec.defstruct(f"Optional{struct.__name__}", fields, kw_only=True)
        _OPTIONAL[struct] = found
    return found


def validate(
    data: Mapping[Any, Any],
    struct: type[msgspec.Struct],
    *,
    extra: Mapping[str, Any] | None = None,
    required: Iterable[str] = (),
    unknown: bool = True,
) -> list[SchemaIssue]:
    """Every wrongly typed value and missing required key of `data`, and with `unknown`
    every key that neither `struct` nor `extra` declares."""
    fields = field_types(struct)
    types: dict[str, Any] = {name: info.type for name, info in fields.items()}
    types.update(extra or {})
    issues: list[SchemaIssue] = []
    # Fast path: the struct's own keys all convert at once (the common case, one call).
    own = {k: _dates_as_text(v) for k, v in data.items() if k in fields and v is not None}
    try:
        msgspec.convert(own, type=_optional(struct))
        typed_ok = True
    except (msgspec.ValidationError, RecursionError):
        typed_ok = False
    for key, value in data.items():
        if not isinstance(key, str) or key not in types:
            if not unknown:
                continue
            name = str(key)
            hint = suggest(name, types)
            message = f"unknown key `{name}`" + (f"; did you mean `{hint}`?" if hint else "")
            issues.append(SchemaIssue("unknown", (name,), message))
            continue
        if value is None and not (key in fields and fields[key].required):
            continue
        if typed_ok and key in fields:
            continue
        issues += _convert(key, _dates_as_text(value), types[key])
    wanted = [name for name, info in fields.items() if info.required]
    wanted += [name for name in required if name not in wanted]
    for name in wanted:
        if data.get(name) is None:
            issues.append(SchemaIssue("missing", (), f"required key `{name}` is missing"))
    return issues
