"""Kwalify schemas (the YAML schema language of Ruby's kwalify and Python's pykwalify, common in
Jekyll repositories) translated to JSON Schema, so that one validator checks both.

Supported: `type` (str, int, float, number, text, bool, map/mapping, seq/sequence, date,
timestamp, scalar, any, none), `required`, `enum`, `pattern`, `range` (min, max, min-ex,
max-ex; the length of a str, map or seq), `length` (of a str), `unique` (in a seq of scalars),
`mapping` with `=` (the rule of every other key) and `regex;(...)` / `re;(...)` keys,
`matching-rule`, `allowempty`, `nullable`, and partial schemas (`schema;name` with
`include: name`). `name`, `desc`, `example`, `default` and `ident` say nothing to check.
A key that is none of these is refused, so a misspelt rule is not silently ignored.
"""

from __future__ import annotations

from typing import Any

KWALIFY_TYPES = frozenset(
    {
        "str",
        "int",
        "float",
        "number",
        "text",
        "bool",
        "map",
        "mapping",
        "seq",
        "sequence",
        "date",
        "timestamp",
        "scalar",
        "any",
        "none",
    }
)
_RULE_KEYS = frozenset(
    {
        "type",
        "required",
        "req",
        "enum",
        "pattern",
        "range",
        "length",
        "unique",
        "mapping",
        "map",
        "sequence",
        "seq",
        "matching-rule",
        "allowempty",
        "nullable",
        "include",
        "name",
        "desc",
        "example",
        "default",
        "ident",
        "version",
        "func",
        "assert",
        "extensions",
    }
)
_SIMPLE: dict[str, dict[str, Any]] = {
    "str": {"type": "string"},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "number": {"type": "number"},
    "text": {"type": ["string", "number"]},
    "bool": {"type": "boolean"},
    "date": {"type": "string", "pattern": r"^\d{4}-\d{1,2}-\d{1,2}$"},
    "timestamp": {
        "type": "string",
        "pattern": r"^\d{4}-\d{1,2}-\d{1,2}([ Tt]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?"
        r"( ?(Z|[+-]\d{2}:?\d{2}|UTC|GMT))?$",
    },
    "scalar": {"type": ["string", "number", "boolean"]},
    "any": {},
    "none": {"type": "null"},
}


class KwalifyError(ValueError):
    """A Kwalify schema that cannot be read; the message names the rule's path."""


def is_kwalify(document: object) -> bool:
    """Whether a schema document is Kwalify rather than JSON Schema."""
    if not isinstance(document, dict):
        return False
    if "$schema" in document or "properties" in document:
        return False
    kind = document.get("type")
    return (isinstance(kind, str) and kind in KWALIFY_TYPES - {"number"}) or any(
        key in document for key in ("mapping", "sequence", "map", "seq")
    )


def to_json_schema(document: dict[str, Any]) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that accepts what the Kwalify schema accepts."""
    partials: dict[str, Any] = {}
    rule: dict[str, Any] = {}
    for key, value in document.items():
        if isinstance(key, str) and key.startswith("schema;"):
            partials[key.split(";", 1)[1]] = value
        else:
            rule[key] = value
    try:
        translated = _rule(rule, "$")
        translated["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        if partials:
            translated["$defs"] = {
                name: _rule(value, f"schema;{name}") for name, value in partials.items()
            }
    except RecursionError:
        raise KwalifyError("a rule contains itself (a YAML alias to an enclosing rule)") from None
    return translated


def _rule(rule: object, where: str) -> dict[str, Any]:
    if not isinstance(rule, dict):
        raise KwalifyError(f"{where}: a rule must be a mapping")
    unknown = sorted(str(key) for key in rule if key not in _RULE_KEYS)
    if unknown:
        raise KwalifyError(f"{where}: unknown rule `{unknown[0]}`")
    if "include" in rule:
        return {"$ref": f"#/$defs/{rule['include']}"}
    mapping = rule.get("mapping", rule.get("map"))
    sequence = rule.get("sequence", rule.get("seq"))
    kind = rule.get("type")
    if kind is None:
        kind = "map" if mapping is not None else "seq" if sequence is not None else "str"
    if not isinstance(kind, str) or kind not in KWALIFY_TYPES:
        raise KwalifyError(f"{where}: unknown type `{kind}`")
    schema: dict[str, Any]
    if kind in ("map", "mapping"):
        schema = _mapping(rule, mapping, where)
    elif kind in ("seq", "sequence"):
        schema = _sequence(rule, sequence, where)
    else:
        schema = dict(_SIMPLE[kind])
    if "enum" in rule:
        if not isinstance(rule["enum"], list):
            raise KwalifyError(f"{where}: `enum` must be a list")
        schema["enum"] = rule["enum"]
    if "pattern" in rule:
        schema["pattern"] = _regex(rule["pattern"], where)
    for key in ("range", "length"):
        if key in rule:
            schema.update(_bounds(rule[key], kind, f"{where}.{key}"))
    return schema


def _mapping(rule: dict[str, Any], mapping: object, where: str) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object"}
    if mapping is None:
        return schema
    if not isinstance(mapping, dict):
        raise KwalifyError(f"{where}: `mapping` must be a mapping of keys to rules")
    properties: dict[str, Any] = {}
    patterns: dict[str, Any] = {}
    required: list[str] = []
    other: dict[str, Any] | bool = False
    for key, value in mapping.items():
        name = str(key)
        inner = f"{where}.{name}"
        if name == "=":
            other = _rule(value, inner)
            continue
        if name.startswith(("regex;", "re;")):
            patterns[_regex(name.split(";", 1)[1], inner)] = _rule(value, inner)
            continue
        translated = _rule(value, inner)
        if isinstance(value, dict) and (value.get("required") or value.get("req")):
            required.append(name)
        elif not (isinstance(value, dict) and value.get("nullable") is False):
            translated = {"anyOf": [translated, {"type": "null"}]}
        properties[name] = translated
    if rule.get("allowempty") or rule.get("matching-rule") == "any":
        other = other or True
    schema["properties"] = properties
    if patterns:
        schema["patternProperties"] = patterns
    schema["additionalProperties"] = other
    if required:
        schema["required"] = required  # with a value: its rule, not "or empty", applies
    return schema


def _sequence(rule: dict[str, Any], sequence: object, where: str) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "array"}
    if sequence is None:
        return schema
    if not isinstance(sequence, list) or len(sequence) != 1:
        raise KwalifyError(f"{where}: `sequence` must be a list of one rule")
    schema["items"] = _rule(sequence[0], f"{where}[]")
    if rule.get("unique") or (isinstance(sequence[0], dict) and sequence[0].get("unique")):
        schema["uniqueItems"] = True
    return schema


def _regex(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise KwalifyError(f"{where}: a pattern must be text")
    text = value.strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    flags = ""
    if len(text) >= 2 and text.startswith("/") and text.rstrip("imx").endswith("/"):
        body = text.rstrip("imx")
        flags = text[len(body) :]
        text = body[1:-1]
    # Ruby's /…/i, /…/m, /…/x as inline flags (Ruby's m is Python's s: `.` matches newlines)
    inline = "".join(dict.fromkeys(flags.replace("m", "s")))
    return f"(?{inline}){text}" if inline else text


def _bounds(value: object, kind: str, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise KwalifyError(f"{where}: must be a mapping of min, max, min-ex, max-ex")
    names = {
        "number": ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"),
        "string": ("minLength", "maxLength", None, None),
        "array": ("minItems", "maxItems", None, None),
        "object": ("minProperties", "maxProperties", None, None),
    }
    family = (
        "string"
        if kind in ("str", "text")
        else "array"
        if kind in ("seq", "sequence")
        else "object"
        if kind in ("map", "mapping")
        else "number"
    )
    low, high, low_ex, high_ex = names[family]
    found: dict[str, Any] = {}
    for key, bound in value.items():
        if not isinstance(bound, int | float) or isinstance(bound, bool):
            raise KwalifyError(f"{where}.{key}: must be a number")
        if key == "min":
            found[low] = bound
        elif key == "max":
            found[high] = bound
        elif key == "min-ex":
            found[low_ex or low] = bound if low_ex else int(bound) + 1
        elif key == "max-ex":
            found[high_ex or high] = bound if high_ex else int(bound) - 1
        else:
            raise KwalifyError(f"{where}: unknown bound `{key}`")
    return found
