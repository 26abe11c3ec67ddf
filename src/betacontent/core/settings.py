"""betacontent's own settings: `[tool.betacontent]` in `pyproject.toml` or `betacontent.toml`."""

from __future__ import annotations

import json
import re
import tomllib
import typing
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec

from betacontent.core.validation import humanise, split_error, suggest

KeyType = Literal[
    "str", "int", "float", "bool", "date", "list[str]", "str | list[str]", "url", "any"
]

DEFAULT_FALLBACK = ("$uri", "$uri.html", "$uri/index.html", "$uri/")


class SchemaOptions(
    msgspec.Struct, kw_only=True, forbid_unknown_fields=True, rename="kebab", omit_defaults=True
):
    """A schema the site declares for some of its files: pages of a layout, documents of a
    collection, or files a glob matches (`_data/` files included)."""

    schema: str | None = None
    """A JSON Schema or Kwalify file (relative to the site root) the front matter or the data
    must satisfy."""
    required: list[str] = msgspec.field(default_factory=list)
    """Keys these files must have (after `defaults:`)."""
    keys: dict[str, KeyType] = msgspec.field(default_factory=dict)
    """Keys these files may carry, with their types."""
    closed: bool = False
    """Report every key that neither Jekyll, `keys`, nor the schema file declares (a schema
    file closes itself with `additionalProperties: false`)."""
    references: dict[str, str] = msgspec.field(default_factory=dict)
    """Values that must name a document of another collection: `{"missions[].startups[]" =
    "startups"}` (a path of keys, `[]` for each item of a list, to a collection's name)."""


class FrontMatterOptions(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, rename="kebab"):
    required: list[str] = msgspec.field(default_factory=list)
    """Keys every Markdown page must have once `defaults:` apply (none unless declared)."""
    keys: dict[str, KeyType] = msgspec.field(default_factory=dict)
    """The site's own keys, with their types, allowed on every page."""
    closed: bool = False
    """Report, on every page and document, each key that no schema declares."""
    layouts: dict[str, SchemaOptions] = msgspec.field(default_factory=dict)
    """Schemas of the pages and documents using a layout, by layout name."""
    collections: dict[str, SchemaOptions] = msgspec.field(default_factory=dict)
    """Schemas of the documents of a collection, by collection name (`posts` included)."""
    files: dict[str, SchemaOptions] = msgspec.field(default_factory=dict)
    """Schemas of the files a glob matches, relative to the site root (`_data/` files too)."""
    include_keys: list[str] = msgspec.field(default_factory=lambda: ["sidebar"])
    """Keys whose value names a file in `_includes/`."""


class BreadcrumbOptions(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, rename="kebab"):
    last_crumb_link: Literal["optional", "required"] = "optional"
    """Whether the last crumb (the page itself) must carry a `link`."""


class ExternalOptions(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, rename="kebab"):
    """Settings of the external link checker (`[tool.betacontent.external]`)."""

    timeout: Annotated[float, msgspec.Meta(gt=0)] = 10.0
    """Seconds to wait for each read of the server's answer."""
    connect_timeout: Annotated[float, msgspec.Meta(gt=0)] = 5.0
    """Seconds to wait for a connection."""
    per_host: Annotated[int, msgspec.Meta(ge=1)] = 2
    """Requests in flight at once to one host."""
    concurrency: Annotated[int, msgspec.Meta(ge=1)] = 16
    """Requests in flight at once in all."""
    delay: Annotated[float, msgspec.Meta(ge=0)] = 0.2
    """Seconds between the starts of two requests to one host."""
    retries: Annotated[int, msgspec.Meta(ge=0)] = 2
    """Retries after a connection error, a timeout, a 5xx, a 429."""
    backoff: Annotated[float, msgspec.Meta(ge=0)] = 0.5
    """Seconds before the first retry; doubled for each next one."""
    max_retry_after: Annotated[float, msgspec.Meta(ge=0)] = 30.0
    """Longest `Retry-After` waited for; a longer one makes the URL "unknown" at once."""
    max_redirects: Annotated[int, msgspec.Meta(ge=0)] = 10
    ttl_hours: Annotated[float, msgspec.Meta(ge=0)] = 24.0
    """How long "ok" and "broken" results are reused from the cache."""
    exclude: list[str] = msgspec.field(default_factory=list)
    """Regular expressions (`re.search`); matching URLs are not requested."""
    user_agent: str = "betacontent (link checker)"

    def __post_init__(self) -> None:
        for pattern in self.exclude:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"invalid exclude pattern {pattern!r}: {exc}") from None


class ServeSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, rename="kebab"):
    """HTTP settings of `betacontent serve` (`[serve]` in the configuration)."""

    cache_control: str = "public, max-age=60"
    """Sent with every successful response."""
    cors_origins: list[str] = msgspec.field(default_factory=lambda: ["*"])
    """Origins allowed to read the API from a browser."""
    gzip_min_size: int = 1024
    """Bodies at least this long are gzipped when the client accepts it."""


class PhaseOptions(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, rename="kebab"):
    """Which collection holds the programme's phases and which keys say what, for
    `/api/phases`. Each setting but `collection` lists keys to try in order."""

    collection: str = "phases"
    """The collection whose documents are the phases (none: `/api/phases` is empty)."""
    order: list[str] = msgspec.field(default_factory=lambda: ["order"])
    label: list[str] = msgspec.field(default_factory=lambda: ["label", "title"])
    description: list[str] = msgspec.field(
        default_factory=lambda: ["description", "short_description"]
    )
    page: list[str] = msgspec.field(default_factory=lambda: ["page", "documentation_url"])
    """A key whose value is the URL of the page that explains the phase."""
    duration: list[str] = msgspec.field(default_factory=lambda: ["duration"])
    """`{min, max, unit}`, an ISO 8601 duration (`P6W`, `P6W/P9W`) or French text
    (`6 à 9 semaines`)."""


class LimitOptions(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, rename="kebab"):
    """Bounds on what one file may cost; a file over one is reported (BC112), not checked."""

    max_file_size: Annotated[int, msgspec.Meta(ge=1)] = 5 * 1024 * 1024
    """Bytes of a page, document or data file; larger ones are not read."""
    max_yaml_nodes: Annotated[int, msgspec.Meta(ge=1)] = 100_000
    """Values in one file's YAML once aliases are followed ("billion laughs" guard)."""
    max_yaml_depth: Annotated[int, msgspec.Meta(ge=1)] = 100
    """Nesting levels of one file's YAML."""
    max_links_per_page: Annotated[int, msgspec.Meta(ge=1)] = 5_000
    """Links checked in one file; the rest are reported once and skipped."""


class LinkOptions(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, rename="kebab"):
    own_domains: list[str] = msgspec.field(default_factory=list)
    """Other hosts of this site besides `url` of _config.yml (e.g. `www.beta.gouv.fr`)."""
    front_matter_keys: list[str] = msgspec.field(default_factory=list)
    """Front matter keys whose values are always links. A value is a link by its shape,
    whatever its key: a root-relative URL, an own-domain URL, a source path of the site."""
    data_keys: list[str] = msgspec.field(default_factory=list)
    """Keys of `_data/` files and include parameters whose values are always link targets
    (a value that looks like a link is one anyway)."""
    ignore_keys: list[str] = msgspec.field(default_factory=list)
    """Keys whose values are never links, however they look (besides `permalink` and
    `redirect_from`, the page's own URLs)."""
    exclude_urls: list[str] = msgspec.field(default_factory=list)
    """Regular expressions: matching links are not checked."""


Severity = Literal["error", "warning", "info"]
OutputFormat = Literal["text", "json", "sarif", "github", "junit"]


class LintConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, rename="kebab"):
    """All settings; every key is optional."""

    select: list[str] = msgspec.field(default_factory=list)
    """Rule codes or prefixes to run (empty: all)."""
    extend_select: list[str] = msgspec.field(default_factory=list)
    """Rule codes or prefixes to run besides `select` (or besides all the default ones)."""
    ignore: list[str] = msgspec.field(default_factory=list)
    """Rule codes or prefixes not to run."""
    per_file_ignores: dict[str, list[str]] = msgspec.field(default_factory=dict)
    """Rule codes or prefixes not reported in the files a glob matches (relative to the site
    root): `{"_posts/*" = ["BC104"]}`."""
    output_format: OutputFormat = "text"
    """How `betacontent lint` prints its findings."""
    fallback: list[str] = msgspec.field(default_factory=lambda: list(DEFAULT_FALLBACK))
    """How the web server finds a file for a URL, as nginx `try_files` templates."""
    ignore_case: bool = False
    """Whether the web server finds files whatever their case (a case-insensitive file
    system); otherwise a link that matches a file only when case is ignored is broken."""
    front_matter: FrontMatterOptions = msgspec.field(default_factory=FrontMatterOptions)
    breadcrumbs: BreadcrumbOptions = msgspec.field(default_factory=BreadcrumbOptions)
    links: LinkOptions = msgspec.field(default_factory=LinkOptions)
    external: ExternalOptions = msgspec.field(default_factory=ExternalOptions)
    serve: ServeSettings = msgspec.field(default_factory=ServeSettings)
    phases: PhaseOptions = msgspec.field(default_factory=PhaseOptions)
    limits: LimitOptions = msgspec.field(default_factory=LimitOptions)
    exclude: list[str] = msgspec.field(default_factory=list)
    """Globs of site files (relative to the site root) whose diagnostics are not reported."""
    severity: dict[str, Severity] = msgspec.field(default_factory=dict)
    """Severity per rule code, replacing the rule's default."""


class ConfigError(Exception):
    """A configuration that cannot be used; the CLI exits 2 with this message."""


def _struct_at(path: tuple[str | int, ...]) -> type[msgspec.Struct] | None:
    struct: Any = LintConfig
    for step in path:
        if isinstance(step, int):
            return None
        info = {f.encode_name: f for f in msgspec.structs.fields(struct)}.get(step)
        if info is None:
            return None
        field_type = info.type
        origin = typing.get_origin(field_type)
        if origin is dict:
            field_type = typing.get_args(field_type)[1]
        struct = field_type
    return struct if isinstance(struct, type) and issubclass(struct, msgspec.Struct) else None


_TOKEN = re.compile(r"\.([^.\[]+)|\[(\d+|\.\.\.)\]")


def _named(data: object, error: msgspec.ValidationError) -> str | None:
    """The error's path with the keys of tables (`[front-matter.collections.phases]`) named:
    msgspec writes `[...]` for a key of a dict, so each is found by converting the data with
    that dict reduced to one key at a time. None when the path names no such key."""
    text = str(error)
    marker = text.rfind(" - at `$")
    if marker < 0 or "[...]" not in text[marker:]:
        return None
    message = text[:marker]
    steps: list[str | int] = []
    node: Any = data
    for name, index in (m.groups() for m in _TOKEN.finditer(text[marker + 7 : -1])):
        if index == "..." and isinstance(node, dict):
            key = next((k for k in node if _fails_alone(data, steps, k, message)), None)
            if key is None:
                return None
            steps.append(str(key))
            node = node[key]
        elif name is not None and isinstance(node, dict):
            steps.append(name)
            node = node.get(name)
        elif index is not None and index != "..." and isinstance(node, list):
            steps.append(int(index))
            node = node[int(index)] if int(index) < len(node) else None
        else:
            return None
    return ".".join(_toml_key(str(step)) for step in steps)


def _fails_alone(data: object, path: list[str | int], key: object, message: str) -> bool:
    """Whether the data fails with `message` when the dict at `path` keeps only `key`."""

    def reduced(node: Any, depth: int) -> Any:
        if depth == len(path):
            return {key: node[key]}
        step = path[depth]
        if isinstance(node, dict):
            return {**node, step: reduced(node[step], depth + 1)}
        copy = list(node)
        copy[int(step)] = reduced(node[int(step)], depth + 1)
        return copy

    try:
        msgspec.convert(reduced(data, 0), type=LintConfig)
    except msgspec.ValidationError as error:
        return str(error).startswith(message)
    return False


def parse_config(data: object, source: str) -> LintConfig:
    try:
        return msgspec.convert(data, type=LintConfig)
    except msgspec.ValidationError as error:
        message, path = split_error(error)
        where = _named(data, error) or ".".join(str(step) for step in path)
        if message.startswith("Object contains unknown field `"):
            key = message.split("`")[1]
            struct = _struct_at(path)
            names = [f.encode_name for f in msgspec.structs.fields(struct)] if struct else []
            hint = suggest(key, names)
            full = f"{where}.{key}" if where else key
            text = f"{source}: unknown key `{full}`"
            raise ConfigError(text + (f"; did you mean `{hint}`?" if hint else "")) from None
        text = f"{source}: `{where or 'config'}`: {humanise(message)}"
        choices = _choices(path) or (
            list(typing.get_args(KeyType)) if ".keys." in f".{where}." else []
        )
        if choices and message.startswith("Invalid enum value"):
            given = message.split("'")[1] if "'" in message else ""
            hint = suggest(given, choices) or next(
                (c for c in choices if given and c.startswith(given)), None
            )
            text += "; expected one of " + ", ".join(f"`{c}`" for c in choices)
            text += f"; did you mean `{hint}`?" if hint else ""
        raise ConfigError(text) from None


def _choices(path: tuple[str | int, ...]) -> list[str]:
    """The allowed values of a Literal-typed setting at `path` (also a Literal-typed value of
    a table such as `severity`)."""
    for depth in (1, 2):
        if len(path) < depth or not isinstance(path[-depth], str):
            continue
        struct = _struct_at(path[:-depth])
        fields = {f.encode_name: f for f in msgspec.structs.fields(struct)} if struct else {}
        info = fields.get(str(path[-depth]))
        if info is None:
            continue
        field_type = info.type
        if typing.get_origin(field_type) is dict:  # `[severity]`: the table's values
            field_type = typing.get_args(field_type)[1]
        if typing.get_origin(field_type) is Literal:
            return [str(choice) for choice in typing.get_args(field_type)]
    return []


def find_config(start: Path) -> Path | None:
    """The nearest `betacontent.toml`, or `pyproject.toml` with `[tool.betacontent]`."""
    for folder in (start, *start.parents):
        candidate = folder / "betacontent.toml"
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "[tool.betacontent" in pyproject.read_text("utf-8", "replace"):
            return pyproject
        if (folder / ".git").exists():
            break
    return None


def read_config_data(path: Path) -> dict[str, Any]:
    """The betacontent table of a configuration file, as written."""
    try:
        data: Any = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    if path.name == "pyproject.toml":
        tool = data.get("tool")
        data = tool.get("betacontent", {}) if isinstance(tool, dict) else {}
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: `tool.betacontent` must be a table")
    return dict(data)


def load_config(path: Path | None) -> LintConfig:
    if path is None:
        return LintConfig()
    return parse_config(read_config_data(path), str(path))


# --- `betacontent config`: the effective settings and where each came from ------------------

_LEAF_DICTS = {"severity", "per-file-ignores", "keys", "layouts", "collections", "files"}


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def toml_value(value: object) -> str:
    """A TOML literal for the builtins a configuration holds."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        items = ", ".join(f"{_toml_key(k)} = {toml_value(v)}" for k, v in value.items())
        return "{" + (f" {items} " if items else "") + "}"
    raise TypeError(f"no TOML form for {value!r}")


def describe_config(config: LintConfig, written: dict[str, Any], source: str) -> str:
    """The effective configuration as TOML, each value commented with where it came from:
    the file's name, or `default`."""
    effective = msgspec.to_builtins(config)
    lines = [f"# betacontent configuration: {source}"]

    def table(values: dict[str, Any], given: Any, prefix: str) -> None:
        scalars: list[tuple[str, Any]] = []
        tables: list[tuple[str, Any]] = []
        for key, value in values.items():
            nested = isinstance(value, dict) and key not in _LEAF_DICTS
            (tables if nested else scalars).append((key, value))
        if prefix:
            lines.extend(["", f"[{prefix}]"])
        for key, value in scalars:
            origin = source if isinstance(given, dict) and key in given else "default"
            text = f"{_toml_key(key)} = {toml_value(value)}"
            lines.append(f"{text:<60} # {origin}")
        for key, value in tables:
            inner = given.get(key) if isinstance(given, dict) else None
            table(value, inner, f"{prefix}.{key}" if prefix else key)

    table(effective, written, "")
    return "\n".join(lines) + "\n"
