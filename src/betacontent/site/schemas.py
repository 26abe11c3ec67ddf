"""The schemas a site declares in its configuration, and the findings they give.

A schema is bound to the pages of a layout, the documents of a collection, or the files a glob
matches (`_data/` files too). It may name a JSON Schema or Kwalify file (relative to the site
root; Kwalify is translated to JSON Schema, so one validator checks both) and add required
keys, typed keys and references to other collections. Nothing applies that the site does not
declare, except Jekyll's own keys (`schema.PageFrontMatter`), which every Jekyll site shares.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jsonschema
import jsonschema.exceptions
import jsonschema.validators
import referencing
import referencing.exceptions
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from betacontent.core.settings import ConfigError, LintConfig, SchemaOptions
from betacontent.core.validation import SchemaIssue, as_json_data, format_path, suggest
from betacontent.site.front_matter import load_yaml
from betacontent.site.kwalify import KwalifyError, is_kwalify, to_json_schema
from betacontent.site.schema import KEY_TYPES


@dataclass(frozen=True, slots=True)
class Declared:
    """One schema of the configuration, ready to check data."""

    where: str  # its key in the configuration, e.g. "front-matter.collections.phases"
    options: SchemaOptions
    validator: Any = None  # a jsonschema validator, when `schema` names a file
    properties: frozenset[str] = frozenset()  # top-level keys the schema file names
    closed: bool = False  # unknown keys are findings

    @property
    def keys(self) -> dict[str, Any]:
        return {key: KEY_TYPES[name] for key, name in self.options.keys.items()}

    @property
    def vocabulary(self) -> frozenset[str]:
        return self.properties | set(self.options.keys) | set(self.options.required)

    @property
    def references(self) -> list[tuple[Reference, str]]:
        """(path to the values, collection they must name) for each declared reference."""
        return [(parse_reference(spec), name) for spec, name in self.options.references.items()]


@dataclass(frozen=True, slots=True)
class SiteSchemas:
    """Every schema the configuration declares, by what it is bound to."""

    site_wide: Declared
    layouts: dict[str, Declared] = field(default_factory=dict)
    collections: dict[str, Declared] = field(default_factory=dict)
    files: tuple[tuple[str, Declared], ...] = ()

    def for_file(
        self, rel: str, *, layout: object = None, collection: str | None = None
    ) -> list[Declared]:
        """The schemas bound to a file (not the site-wide one), most general first."""
        found: list[Declared] = []
        if isinstance(layout, str) and layout in self.layouts:
            found.append(self.layouts[layout])
        if collection is not None and collection in self.collections:
            found.append(self.collections[collection])
        found += [declared for glob, declared in self.files if fnmatchcase(rel, glob)]
        return found

    def all(self) -> Iterator[Declared]:
        yield self.site_wide
        yield from self.layouts.values()
        yield from self.collections.values()
        yield from (declared for _, declared in self.files)

    def check_bindings(
        self, collections: Iterable[str], layouts: Iterable[str] | None, files: Iterable[str]
    ) -> None:
        """A schema bound to a collection, layout or glob the site does not have would
        silently apply to nothing: a configuration error, with a "did you mean" (`layouts`:
        None when they come from a theme, out of reach; `files`: every page, document and
        data file)."""
        rels = list(files)
        for glob, declared in self.files:
            if not any(fnmatchcase(rel, glob) for rel in rels):
                close = difflib.get_close_matches(glob, rels, n=1, cutoff=0.75)
                hint = f"; did you mean `{close[0]}`?" if close else ""
                raise ConfigError(f"`{declared.where}`: no file of the site matches it" + hint)
        known = frozenset(collections) | {"posts"}
        for name, declared in self.collections.items():
            _require(name, known, f"`{declared.where}`: the site has no collection `{name}`")
        for name, declared in self.layouts.items() if layouts is not None else ():
            message = f"`{declared.where}`: the site has no layout `{name}`"
            _require(name, layouts or (), message)
        for declared in self.all():
            for spec, target in declared.options.references.items():
                _require(
                    target,
                    known,
                    f"`{declared.where}.references`: `{spec}` names `{target}`, which is no "
                    "collection of the site",
                )


def _require(name: str, known: Iterable[str], message: str) -> None:
    names = frozenset(known)
    if name not in names:
        hint = suggest(name, names)
        raise ConfigError(message + (f"; did you mean `{hint}`?" if hint else ""))


def load_schemas(config: LintConfig, root: Path) -> SiteSchemas:
    """Read and compile every schema file the configuration names; a file that is missing or
    is no valid schema is a configuration error (the CLI exits 2), its key named."""
    options = config.front_matter
    site_wide = SchemaOptions(
        required=list(options.required), keys=dict(options.keys), closed=options.closed
    )
    return SiteSchemas(
        _declared("front-matter", site_wide, root),
        {
            name: _declared(f"front-matter.layouts.{name}", value, root)
            for name, value in options.layouts.items()
        },
        {
            name: _declared(f"front-matter.collections.{name}", value, root)
            for name, value in options.collections.items()
        },
        tuple(
            (glob, _declared(f'front-matter.files."{glob}"', value, root))
            for glob, value in options.files.items()
        ),
    )


Reference = tuple[tuple[str, bool], ...]
"""A path to values: each step a key, and whether its value is a list to go through."""

_STEP = re.compile(r"^([^.\[\]]+)(\[\])?$")


def parse_reference(spec: str) -> Reference:
    """`missions[].startups[]` -> (("missions", True), ("startups", True)); a leading `[]`
    goes through a document that is a list (a `_data/` file): `[].incubator`."""
    steps: list[tuple[str, bool]] = []
    if spec.startswith("[]"):
        steps.append(("", True))
        spec = spec[2:].removeprefix(".")
        if not spec:
            return tuple(steps)
    for part in spec.split("."):
        match = _STEP.match(part.strip())
        if match is None:
            raise ValueError(f"`{spec}` is not a path such as `missions[].startups[]`")
        steps.append((match.group(1), match.group(2) is not None))
    return tuple(steps)


def referenced_values(
    data: object, reference: Reference
) -> Iterator[tuple[tuple[str | int, ...], object]]:
    """(path, value) of each value `reference` leads to in `data`; a list at the end is gone
    through even without `[]`."""
    stack: list[tuple[tuple[str | int, ...], object, int]] = [((), data, 0)]
    found: list[tuple[tuple[str | int, ...], object]] = []
    while stack:
        path, value, depth = stack.pop()
        if depth == len(reference):
            if isinstance(value, list):
                found += [((*path, index), item) for index, item in enumerate(value)]
            else:
                found.append((path, value))
            continue
        key, through = reference[depth]
        if key == "":  # the document itself
            inner, inner_path = value, path
        elif not isinstance(value, dict) or key not in value:
            continue
        else:
            inner, inner_path = value[key], (*path, key)
        if through and isinstance(inner, list):
            stack += [((*inner_path, i), item, depth + 1) for i, item in enumerate(inner)]
        else:
            stack.append((inner_path, inner, depth + 1))
    yield from sorted(found, key=lambda pair: [str(step) for step in pair[0]])


def _declared(where: str, options: SchemaOptions, root: Path) -> Declared:
    for spec in options.references:
        try:
            parse_reference(spec)
        except ValueError as error:
            raise ConfigError(f"`{where}.references`: {error}") from None
    if options.schema is None:
        return Declared(where, options, closed=options.closed)
    key = f"`{where}.schema`"
    path = root / options.schema
    document = read_schema_file(path, key, options.schema)
    kind = "Kwalify schema" if document.get(_FROM_KWALIFY) else "JSON Schema"
    try:
        cls = jsonschema.validators.validator_for(document, jsonschema.Draft202012Validator)
        cls.check_schema(document)
    except jsonschema.exceptions.SchemaError as error:
        raise ConfigError(
            f"{key}: {options.schema} is not a valid {kind}: {error.message}"
        ) from None
    registry: Registry[Any] = Registry(retrieve=_retriever(path, key))  # type: ignore[call-arg]  # attrs
    validator = cls(document, registry=registry, format_checker=cls.FORMAT_CHECKER)
    resolver = registry.resolver_with_root(Resource.from_contents(document, DRAFT202012))
    for ref in sorted(_refs(document)):  # every `$ref` resolves, or the schema is refused
        try:
            resolver.lookup(ref)
        except referencing.exceptions.Unresolvable:
            raise ConfigError(f"{key}: {options.schema}: `$ref` `{ref}` leads nowhere") from None
    top = _root_object(document)
    properties = top.get("properties")
    names = frozenset(properties) if isinstance(properties, dict) else frozenset()
    closed = options.closed or top.get("additionalProperties") is False
    return Declared(where, options, validator, names, closed)


def _refs(value: Any) -> set[str]:
    """Every `$ref` of a schema document."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("$ref"), str):
                found.add(item["$ref"])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _retriever(schema: Path, key: str) -> Any:
    """How a `$ref` to another file finds it: relative to the schema that names it, on disk
    only (never the network), JSON or YAML, Kwalify translated."""

    def retrieve(uri: str) -> Resource[Any]:
        parts = urlsplit(uri)
        if parts.scheme not in ("", "file") or not parts.path:
            raise referencing.exceptions.NoSuchResource(ref=uri)  # type: ignore[call-arg]
        target = Path(unquote(parts.path))
        target = target if target.is_absolute() else schema.parent / target
        try:
            document = read_schema_file(target, key)
        except ConfigError:
            raise referencing.exceptions.NoSuchResource(ref=uri) from None  # type: ignore[call-arg]
        return Resource.from_contents(document, DRAFT202012)

    return retrieve


def _root_object(document: dict[str, Any]) -> dict[str, Any]:
    """The schema of the document's top level, through a local `$ref` (as msgspec and many
    generators write: `{"$ref": "#/$defs/Page", "$defs": {...}}`)."""
    seen: set[str] = set()
    while isinstance(document.get("$ref"), str) and document["$ref"].startswith("#/"):
        ref = document["$ref"]
        if ref in seen:
            break
        seen.add(ref)
        target: Any = document
        for step in ref[2:].split("/"):
            target = target.get(step) if isinstance(target, dict) else None
        if not isinstance(target, dict):
            break
        document = {**target, "$defs": document.get("$defs", {})}
    return document


def read_schema_file(path: Path, key: str, shown: str | None = None) -> dict[str, Any]:
    """A JSON Schema from a `.json` file, or a JSON Schema or Kwalify file in YAML; errors
    name it as `shown` (as the configuration writes it)."""
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{key}: {shown or path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{key}: {shown or path}: cannot read: {error}") from None
    path = Path(shown) if shown else path
    document: Any
    if path.suffix.lower() == ".json":
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise ConfigError(f"{key}: {path}:{error.lineno}:{error.colno}: {error.msg}") from None
    else:
        parsed = load_yaml(text)
        if parsed.problems and parsed.data is None:
            problem = parsed.problems[0]
            where = f"{path}:{problem.position.line}:{problem.position.column}"
            raise ConfigError(f"{key}: {where}: {problem.message}") from None
        document = parsed.data
    if not isinstance(document, dict):
        raise ConfigError(f"{key}: {path}: a schema must be a mapping")
    if is_kwalify(document):
        try:
            return {**to_json_schema(document), _FROM_KWALIFY: True}
        except KwalifyError as error:
            raise ConfigError(f"{key}: {path}: not a valid Kwalify schema: {error}") from None
    return document


_FROM_KWALIFY = "x-betacontent-kwalify"
"""Marks a schema translated from Kwalify, for the messages (JSON Schema ignores the key)."""


# --- findings ----------------------------------------------------------------------------


def schema_issues(declared: Declared, data: Any) -> list[SchemaIssue]:
    """What the schema file says of `data` (no file: nothing), each at the path it concerns."""
    if declared.validator is None:
        return []
    instance = as_json_data(data)
    issues: list[SchemaIssue] = []
    try:
        for error in declared.validator.iter_errors(instance):
            issues += _issues_of(error)
    except (referencing.exceptions.Unresolvable, RecursionError) as error:
        # A `$ref` the load-time check could not see (inside another file): say so, once.
        message = f"the schema of `{declared.where}` cannot be applied: {error}"
        return [SchemaIssue("type", (), message)]
    return issues


def _issues_of(error: jsonschema.exceptions.ValidationError) -> list[SchemaIssue]:
    if error.validator in ("anyOf", "oneOf") and error.context:
        # The alternative that went furthest says the most (check-jsonschema does the same);
        # "or empty" (an optional Kwalify key) says nothing of a value that is not empty.
        reasons = [e for e in error.context if e.validator_value != "null"]
        best = jsonschema.exceptions.best_match(reasons or error.context)
        if best is not None:
            return _issues_of(best)
    path = tuple(error.absolute_path)
    instance = error.instance
    if error.validator == "required" and isinstance(instance, dict):
        wanted = error.validator_value if isinstance(error.validator_value, list) else []
        return [
            SchemaIssue("missing", path, f"required key `{format_path((*path, name))}` is missing")
            for name in wanted
            if name not in instance
        ]
    if (
        error.validator in ("additionalProperties", "unevaluatedProperties")
        and error.validator_value is False
        and isinstance(instance, dict)
    ):
        schema = error.schema if isinstance(error.schema, Mapping) else {}
        named = schema.get("properties") or {}
        patterns = list(schema.get("patternProperties") or {})
        extras = [
            key
            for key in instance
            if key not in named and not any(re.search(p, key) for p in patterns)
        ]
        issues = []
        for key in extras:
            hint = suggest(key, named)
            message = f"unknown key `{format_path((*path, key))}`"
            issues.append(
                SchemaIssue(
                    "unknown", (*path, key), message + (f"; did you mean `{hint}`?" if hint else "")
                )
            )
        return issues
    where = f"`{format_path(path)}`: " if path else ""
    return [SchemaIssue("type", path, where + _message(error))]


_COUNTED = {
    "maxProperties": ("keys", "more than the {} the schema allows"),
    "minProperties": ("keys", "fewer than the {} the schema asks for"),
    "maxItems": ("items", "more than the {} the schema allows"),
    "minItems": ("items", "fewer than the {} the schema asks for"),
}
_JSON_TYPES = {
    dict: "a mapping",
    list: "a list",
    str: "text",
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    type(None): "empty",
}


def _shown(value: Any) -> str:
    """A value as a message shows it: short, and a mapping or list by what it is."""
    if isinstance(value, dict | list):
        return _JSON_TYPES[type(value)]
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _message(error: jsonschema.exceptions.ValidationError) -> str:
    """The validator's message, with the value it is about kept short (jsonschema's own
    messages print a whole mapping)."""
    value, expected = error.instance, error.validator_value
    if error.validator == "type":
        kinds = " or ".join(map(str, expected if isinstance(expected, list) else [expected]))
        return f"expected {kinds}, got {_JSON_TYPES.get(type(value), 'a value')}"
    if error.validator == "enum" and isinstance(expected, list):
        return f"{_shown(value)} is not one of {', '.join(map(repr, expected))}"
    counted = _COUNTED.get(str(error.validator))
    if counted is not None and isinstance(value, dict | list):
        noun, how = counted
        return f"has {len(value)} {noun}, " + how.format(expected)
    if isinstance(value, dict | list):
        return error.message.replace(repr(value), _shown(value))
    return error.message.replace(repr(value), _shown(value), 1)


def unknown_keys(data: Mapping[Any, Any], known: Iterable[str], where: str) -> list[SchemaIssue]:
    """Keys of a closed schema's document that nothing declares, with a "did you mean"."""
    names = frozenset(known)
    issues = []
    for key in data:
        name = str(key)
        if isinstance(key, str) and name in names:
            continue
        hint = suggest(name, names)
        message = f"unknown key `{name}` (the schema of `{where}` is closed)"
        issues.append(
            SchemaIssue("unknown", (name,), message + (f"; did you mean `{hint}`?" if hint else ""))
        )
    return issues
