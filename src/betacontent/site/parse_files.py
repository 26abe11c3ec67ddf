"""Parse a site's files: each once, in worker processes on a large site, from the cache when
its bytes have not changed.

The per-file work (decode, split, front matter, suppression directives and the body's facts:
links, anchors, ids) is a pure function of the file's bytes, whether it is Markdown and the
YAML limits. A worker sends back a `FileRecord`, which holds no YAML node and no text: the
main process, which has read the bytes, decodes them again (cheap) and cuts the body and the
front matter out by length. The same records are what `facts_cache` keeps. The result is
the `ParsedFile` that `parsing.parse_content` gives, facts included: a test compares them.

A caller that needs more of each file while it is parsed (the API: each page rendered) names
an `extra` function, `"module:function"`, that the worker calls with the `ParsedFile`; the
bytes it returns travel and are cached with the record, in
`ParsedFile.extra`. This layer does not know what they mean.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import msgspec

from betacontent.core.portable import Unportable, ext_hook, pack
from betacontent.core.workers import map_chunks, worker_count
from betacontent.kramdown.body_facts import BodyFacts, extract
from betacontent.site import facts_cache
from betacontent.site.directives import Directive
from betacontent.site.front_matter import FrontMatter, Path_, Problem, ProblemKind, Span, YamlLimits
from betacontent.site.parsing import (
    ParsedFile,
    is_markdown,
    parse_content,
    parse_source,
    refused_front_matter,
)
from betacontent.site.sources import SourceFile


class FileTask(NamedTuple):
    """The whole input of the per-file work."""

    content: bytes
    markdown: bool
    limits: tuple[int, int]  # YamlLimits: max nodes, max depth
    extra: str = ""  # "module:function" also run on the parse (see the module's doc)


class FrontMatterRecord(msgspec.Struct, array_like=True, gc=False):
    data: Any  # `portable.pack`ed
    end_line: int
    length: int  # of the YAML text, from the top of the file
    spans: list[tuple[Path_, Span]]
    key_spans: list[tuple[str, Span]]


class FileRecord(msgspec.Struct, array_like=True, gc=False):
    """A `ParsedFile` without its path, collection and texts."""

    front_matter: FrontMatterRecord | None
    body_length: int | None  # None: the bytes could not be decoded
    body_line: int
    problems: list[Problem]
    directives: list[Directive]
    facts: BodyFacts
    extra: bytes | None


_ENCODER = msgspec.msgpack.Encoder()
_RECORDS = msgspec.msgpack.Decoder(list[FileRecord | None], ext_hook=ext_hook)
_CACHE = msgspec.msgpack.Decoder(dict[str, FileRecord], ext_hook=ext_hook)


Extra = Callable[[ParsedFile], bytes | None]


@cache
def extra_function(name: str) -> Extra:
    """The function that `FileTask.extra` names."""
    module, _, function = name.partition(":")
    found: Extra = getattr(importlib.import_module(module), function)
    return found


def parse_task(task: FileTask) -> ParsedFile:
    """The reference: the file parsed here, with its body's facts (and what the task's
    `extra` function makes of it)."""
    parsed = parse_content("", task.content, task.markdown, None, YamlLimits(*task.limits))
    parsed.facts = extract(parsed.body_task())
    if task.extra:
        parsed.extra = extra_function(task.extra)(parsed)
    return parsed


def record_of(parsed: ParsedFile) -> FileRecord:
    """What it takes to rebuild `parsed`; raises `Unportable` for data that cannot travel."""
    # `parse_content` reports UNREADABLE only for bytes it could not decode
    decoded = not any(p.kind is ProblemKind.UNREADABLE for p in parsed.problems)
    front_matter = None
    if parsed.front_matter is not None:
        fm = parsed.front_matter
        front_matter = FrontMatterRecord(
            pack(fm.data),
            fm.end_line,
            len(fm.text),
            list(fm.spans.items()),
            list(fm.key_spans.items()),
        )
    assert parsed.facts is not None
    return FileRecord(
        front_matter,
        len(parsed.body) if decoded else None,
        parsed.body_line,
        parsed.problems,
        parsed.directives,
        parsed.facts,
        parsed.extra,
    )


def _record_chunk(tasks: list[FileTask]) -> bytes:
    """In a worker: the records of a chunk of files (None for one whose data cannot travel)."""
    records: list[FileRecord | None] = []
    for task in tasks:
        parsed = parse_task(task)
        try:
            records.append(record_of(parsed))
        except Unportable:
            records.append(None)
    return _ENCODER.encode(records)


def rebuild(source: SourceFile, record: FileRecord, markdown: bool) -> ParsedFile:
    """The `ParsedFile` of `source` from its record."""
    assert source.content is not None
    if record.body_length is None:
        return ParsedFile(
            source.rel,
            None,
            "",
            1,
            markdown,
            source.collection,
            record.problems,
            facts=record.facts,
        )
    text = source.content.decode("utf-8")
    body = text[len(text) - record.body_length :] if record.body_length else ""
    front_matter = None
    if record.front_matter is not None:
        fm = record.front_matter
        front_matter = FrontMatter(
            fm.data, fm.end_line, text[: fm.length], dict(fm.spans), dict(fm.key_spans)
        )
    return ParsedFile(
        source.rel,
        front_matter,
        body,
        record.body_line,
        markdown,
        source.collection,
        record.problems,
        record.directives,
        record.facts,
        record.extra,
        refused_front_matter(text, body, record.problems),
    )


def parse_files(
    sources: Sequence[SourceFile],
    markdown_extensions: frozenset[str],
    limits: YamlLimits,
    jobs: int | None = None,
    cache_dir: Path | None = None,
    extra: str = "",
) -> list[ParsedFile]:
    """Each source parsed, in order, its body's facts included: in `jobs` worker processes
    (default: the available cores, when there are enough files), and from the cache in
    `cache_dir` (None: no cache) for files whose bytes it has seen; `extra`: a function
    also run on each parse (see the module's doc)."""
    results: list[ParsedFile | None] = [None] * len(sources)
    pending: list[int] = []
    for index, source in enumerate(sources):
        if source.content is None or source.too_large is not None:
            results[index] = parse_source(source, markdown_extensions, limits)
        else:
            pending.append(index)
    limit_values = (limits.max_nodes, limits.max_depth)
    tasks = {
        index: FileTask(
            sources[index].content or b"",
            is_markdown(sources[index].rel, markdown_extensions),
            limit_values,
            extra,
        )
        for index in pending
    }
    name = facts_cache.cache_filename(extra)
    path = cache_dir / name if cache_dir is not None else None
    stored = facts_cache.read(path, _CACHE) if path is not None else {}
    keys = {i: facts_cache.key(t.content, *t[1:]) for i, t in tasks.items()}
    missing = [i for i in pending if keys[i] not in stored]
    kept: dict[str, FileRecord] = {}
    for index in pending:
        record = stored.get(keys[index])
        if record is not None:
            kept[keys[index]] = record
            results[index] = rebuild(sources[index], record, tasks[index].markdown)
    workers = worker_count(len(missing), jobs)
    records = None
    if workers > 1:
        chunk = [tasks[i] for i in missing]
        records = map_chunks(_record_chunk, chunk, _RECORDS, workers, __name__)
    for position, index in enumerate(missing):
        source, task = sources[index], tasks[index]
        record = records[position] if records is not None else None
        if record is not None:
            results[index] = rebuild(source, record, task.markdown)
        else:  # done here: a small site, a broken pool, or data that cannot travel
            parsed = parse_task(task)
            parsed.rel, parsed.collection = source.rel, source.collection
            results[index] = parsed
            if path is not None:
                try:
                    record = record_of(parsed)
                except Unportable:
                    continue
        if record is not None and path is not None:
            kept[keys[index]] = record
    if path is not None and kept.keys() != stored.keys():
        facts_cache.write(path, kept)
    return [parsed for parsed in results if parsed is not None]
