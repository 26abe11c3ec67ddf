"""Write the JSON Schemas of front matter, configuration and the JSON report from their
Structs."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from pathlib import Path
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


def write_atomic(path: Path, text: str | bytes | list[bytes]) -> None:
    """Write through a temporary file in the same folder, flushed to disk, then renamed over
    `path` (text as UTF-8, bytes as they are, a list of bytes one after the other, never
    joined in memory): a reader sees the old file or the new one, never a part. An existing
    file keeps its mode; a new one gets the umask's (mkstemp would make it 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        mode = stat.S_IMODE(path.stat().st_mode)
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as stream:
            for part in text if isinstance(text, list) else [text]:
                stream.write(part.encode("utf-8") if isinstance(part, str) else part)
            stream.flush()
            os.fsync(stream.fileno())
        Path(tmp).chmod(mode)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
