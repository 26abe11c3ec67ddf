"""betacontent's own settings: `[tool.betacontent]` in `pyproject.toml` or `betacontent.toml`."""

from __future__ import annotations

import tomllib
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import msgspec

from betacontent.validation import _split_error, suggest

KeyType = Literal[
    "str", "int", "float", "bool", "date", "list[str]", "str | list[str]", "url", "any"
]

DEFAULT_FALLBACK = ("$uri", "$uri.html", "$uri/index.html", "$uri/")


class LayoutOptions(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, rename="kebab"):
    """Front matter of pages using one layout."""

    required: list[str] = msgspec.field(default_factory=list)
    keys: dict[str, KeyType] = msgspec.field(default_factory=dict)


class FrontMatterOptions(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, rename="kebab"):
    required: list[str] = msgspec.field(default_factory=lambda: ["title", "layout"])
    """Keys every Markdown page must have once `defaults:` apply."""
    keys: dict[str, KeyType] = msgspec.field(default_factory=dict)
    """The site's own keys, with their types, allowed on every page."""
    layouts: dict[str, LayoutOptions] = msgspec.field(default_factory=dict)
    include_keys: list[str] = msgspec.field(default_factory=lambda: ["sidebar"])
    """Keys whose value names a file in `_includes/`."""


class BreadcrumbOptions(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, rename="kebab"):
    last_crumb_link: Literal["optional", "required"] = "optional"
    """Whether the last crumb (the page itself) must carry a `link`."""


class LintConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, rename="kebab"):
    """All settings; every key is optional."""

    select: list[str] = msgspec.field(default_factory=list)
    """Rule codes or prefixes to run (empty: all)."""
    ignore: list[str] = msgspec.field(default_factory=list)
    """Rule codes or prefixes not to run."""
    fallback: list[str] = msgspec.field(default_factory=lambda: list(DEFAULT_FALLBACK))
    """How the web server finds a file for a URL, as nginx `try_files` templates."""
    front_matter: FrontMatterOptions = msgspec.field(default_factory=FrontMatterOptions)
    breadcrumbs: BreadcrumbOptions = msgspec.field(default_factory=BreadcrumbOptions)


class ConfigError(Exception):
    """A configuration that cannot be used; the CLI exits 2 with this message."""


@dataclass(frozen=True, slots=True)
class LoadedConfig:
    config: LintConfig
    source: Path | None


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


def parse_config(data: object, source: str) -> LintConfig:
    try:
        return msgspec.convert(data, type=LintConfig)
    except msgspec.ValidationError as error:
        message, path = _split_error(error)
        where = ".".join(str(step) for step in path)
        if message.startswith("Object contains unknown field `"):
            key = message.split("`")[1]
            struct = _struct_at(path)
            names = [f.encode_name for f in msgspec.structs.fields(struct)] if struct else []
            hint = suggest(key, names)
            full = f"{where}.{key}" if where else key
            text = f"{source}: unknown key `{full}`"
            raise ConfigError(text + (f"; did you mean `{hint}`?" if hint else "")) from None
        raise ConfigError(f"{source}: `{where or 'config'}`: {message}") from None


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


def load_config(path: Path | None) -> LintConfig:
    if path is None:
        return LintConfig()
    try:
        data: Any = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("betacontent", {})
    return parse_config(data, str(path))
