"""Turn raw source files into parsed files: decoded text, front matter, body. Pure.

Each file is parsed once; every rule reads the same `ParsedFile`.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from markdown_it.token import Token

from betacontent.core.positions import Position, count_breaks, split_lines
from betacontent.kramdown import markdown
from betacontent.kramdown.body_facts import Task
from betacontent.site.directives import Directive, scan_page, scan_yaml
from betacontent.site.front_matter import (
    DEFAULT_YAML_LIMITS,
    FrontMatter,
    Problem,
    ProblemKind,
    YamlDocument,
    YamlLimits,
    load_yaml,
    split,
)
from betacontent.site.sources import SourceFile

if TYPE_CHECKING:
    from betacontent.kramdown.body_facts import BodyFacts


@dataclass
class ParsedFile:
    """A page or document source: what Jekyll reads from it, with positions in the file."""

    rel: str
    front_matter: FrontMatter | None
    body: str
    body_line: int
    markdown: bool
    collection: str | None = None
    problems: list[Problem] = field(default_factory=list)
    directives: list[Directive] = field(default_factory=list)
    facts: BodyFacts | None = None  # what the body alone determines, when already extracted
    extra: bytes | None = None  # what the parse's `extra` function made of it (`parse_files`)
    unparsed: str | None = None  # front matter that YAML refused, as written (rare: kept)

    @property
    def data(self) -> dict[str, Any]:
        return self.front_matter.data if self.front_matter else {}

    def body_task(self) -> Task:
        """What `body_facts.extract` needs of this file."""
        return Task(self.body, self.body_line, self.markdown, self.front_matter is not None)

    @cached_property
    def tokens(self) -> list[Token]:
        """The Markdown body parsed once (block `map`s are body-relative, Liquid masked)."""
        return markdown.parse(self.body) if self.markdown else []


@dataclass(slots=True)
class DataFile:
    """A file of `_data/`: its name (`navigation`, `menus/footer`) and its parsed content."""

    rel: str
    name: str
    data: Any
    yaml: YamlDocument | None
    problems: list[Problem] = field(default_factory=list)
    directives: list[Directive] = field(default_factory=list)


UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def decode(content: bytes) -> str | Problem:
    if content.startswith(UTF16_BOMS):
        return Problem(
            ProblemKind.UNREADABLE,
            Position(1, 1),
            "the file is UTF-16 (it starts with a UTF-16 byte-order mark); Jekyll reads "
            "sources as UTF-8, so it sees no front matter: save it as UTF-8",
        )
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as error:
        before = content[: error.start].decode("utf-8", "replace")
        line = count_breaks(before) + 1
        column = len(split_lines(before)[-1]) + 1
        return Problem(
            ProblemKind.UNREADABLE,
            Position(line, column),
            f"not valid UTF-8 (byte 0x{content[error.start]:02x}); Jekyll reads sources as UTF-8",
        )


def _too_large(size: int) -> Problem:
    return Problem(
        ProblemKind.LIMIT,
        Position(1, 1),
        f"the file is {size:,} bytes, over `limits.max-file-size`; it was not checked",
    )


def parse_source(
    source: SourceFile,
    markdown_extensions: frozenset[str],
    limits: YamlLimits = DEFAULT_YAML_LIMITS,
) -> ParsedFile:
    markdown = is_markdown(source.rel, markdown_extensions)
    if source.too_large is not None:
        problem = _too_large(source.too_large)
        return ParsedFile(source.rel, None, "", 1, markdown, source.collection, [problem])
    if source.content is None:
        problem = Problem(ProblemKind.UNREADABLE, Position(1, 1), source.error or "unreadable")
        return ParsedFile(source.rel, None, "", 1, markdown, source.collection, [problem])
    return parse_content(source.rel, source.content, markdown, source.collection, limits)


def is_markdown(rel: str, markdown_extensions: frozenset[str]) -> bool:
    return PurePosixPath(rel).suffix.lower() in markdown_extensions


def parse_content(
    rel: str,
    content: bytes,
    markdown: bool,
    collection: str | None = None,
    limits: YamlLimits = DEFAULT_YAML_LIMITS,
) -> ParsedFile:
    """A file read whole: decoded, split, its front matter parsed, its directives found."""
    text = decode(content)
    if isinstance(text, Problem):
        return ParsedFile(rel, None, "", 1, markdown, collection, [text])
    parts = split(text, limits)
    return ParsedFile(
        rel,
        parts.front_matter,
        parts.body,
        parts.body_line,
        markdown,
        collection,
        parts.problems,
        scan_page(text, parts.body_line),
        unparsed=refused_front_matter(text, parts.body, parts.problems),
    )


def refused_front_matter(text: str, body: str, problems: list[Problem]) -> str | None:
    """The front matter of a file whose YAML did not parse, as written; None otherwise. What
    it meant to say (a permalink, a title) still explains findings elsewhere."""
    if not any(p.kind is ProblemKind.YAML_SYNTAX for p in problems):
        return None
    return text[: len(text) - len(body)] if body else text


def parse_data_file(
    source: SourceFile, data_dir: str, limits: YamlLimits = DEFAULT_YAML_LIMITS
) -> DataFile:
    path = PurePosixPath(source.rel)
    name = path.relative_to(data_dir).with_suffix("").as_posix()
    if source.too_large is not None:
        return DataFile(source.rel, name, None, None, [_too_large(source.too_large)])
    if source.content is None:
        problem = Problem(ProblemKind.UNREADABLE, Position(1, 1), source.error or "unreadable")
        return DataFile(source.rel, name, None, None, [problem])
    text = decode(source.content)
    if isinstance(text, Problem):
        return DataFile(source.rel, name, None, None, [text])
    text = text.removeprefix("\ufeff")
    suffix = path.suffix.lower()
    if suffix in {".yml", ".yaml"}:
        document = load_yaml(text, limits)
        directives = scan_yaml(text)
        return DataFile(source.rel, name, document.data, document, document.problems, directives)
    if suffix == ".json":
        try:
            return DataFile(source.rel, name, json.loads(text), None)
        except RecursionError:
            problem = Problem(
                ProblemKind.LIMIT, Position(1, 1), "the JSON nests too deep to be read"
            )
            return DataFile(source.rel, name, None, None, [problem])
        except json.JSONDecodeError as error:
            problem = Problem(
                ProblemKind.YAML_SYNTAX,
                Position(error.lineno, error.colno),
                f"JSON syntax error: {error.msg}",
            )
            return DataFile(source.rel, name, None, None, [problem])
    dialect = "excel-tab" if suffix == ".tsv" else "excel"
    rows = list(csv.DictReader(io.StringIO(text), dialect=dialect))
    return DataFile(source.rel, name, rows, None)
