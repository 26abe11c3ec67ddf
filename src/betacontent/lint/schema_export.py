"""Write the JSON Schemas of front matter, configuration and the JSON report from their
Structs."""

from __future__ import annotations

import json
from typing import Any

import msgspec

from betacontent.core.settings import LintConfig
from betacontent.lint.reporters.json_report import Report
from betacontent.site.schema import PageFrontMatter

SCHEMAS: dict[str, tuple[str, Any]] = {
    "front-matter.schema.json": ("Front matter keys Jekyll gives a meaning to", PageFrontMatter),
    "config.schema.json": ("betacontent.toml or [tool.betacontent]", LintConfig),
    "diagnostics.schema.json": ("Output of `betacontent lint --format json`", Report),
}


def render(title: str, struct: Any) -> str:
    schema = msgspec.json.schema(struct)
    document = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title,
        **schema,
    }
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def generate() -> dict[str, str]:
    return {name: render(title, struct) for name, (title, struct) in SCHEMAS.items()}
