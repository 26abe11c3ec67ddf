"""What a page's body alone determines: its links, unsafe markup, HTML ids and anchors.

This is the costly part of a lint (each Markdown body is parsed here, once), and a pure
function of `(body, body_line, markdown, html_page)`: large sites compute it in worker
processes, and `facts_cache` keeps it between runs. Results are small Structs (never
tokens) that msgpack carries between processes and to disk; positions in the original file.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import msgspec

from betacontent import markdown
from betacontent.anchors import AnchorKind, page_anchors
from betacontent.links import (
    FileLinks,
    Link,
    Unsafe,
    footnote_ids,
    html_page_links,
    markdown_links,
)
from betacontent.parsing import ParsedFile
from betacontent.positions import Position
from betacontent.workers import map_chunks, worker_count


class Task(NamedTuple):
    """The whole input of `extract`."""

    body: str
    body_line: int  # file line of the body's first line
    markdown: bool
    html_page: bool  # a non-Markdown page with front matter: its body is HTML


class BodyFacts(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """The body's part of `links.file_links`, and the anchors of `anchors.page_anchors`."""

    links: list[Link]
    unsafe: list[Unsafe]
    ids: list[tuple[str, Position]]  # HTML id= / name= values
    anchors: list[tuple[str, Position, AnchorKind]]  # heading and explicit ids, no "html"
    footnotes: list[str]  # kramdown's footnote ids, sorted

    def file_links(self) -> FileLinks:
        return FileLinks(self.links, self.unsafe, self.ids)


def task_of(file: ParsedFile) -> Task:
    return Task(file.body, file.body_line, file.markdown, file.front_matter is not None)


def extract(task: Task) -> BodyFacts:
    """The facts of one body (the reference: what `links.file_links` and `page_anchors` give)."""
    file = ParsedFile("", None, task.body, task.body_line, task.markdown)
    anchors: list[tuple[str, Position, AnchorKind]] = []
    footnotes: list[str] = []
    if task.markdown:
        tokens = markdown.parse(task.body)
        found = markdown_links(file, tokens)
        anchors = [
            (a.id, Position(a.line + task.body_line - 1, a.column), a.kind)
            for a in page_anchors(tokens, task.body)
            if a.kind != "html"
        ]
        footnotes = sorted(footnote_ids(task.body))
    elif task.html_page:
        found = html_page_links(file)
    else:
        found = FileLinks([], [], [])
    return BodyFacts(found.links, found.unsafe, found.ids, anchors, footnotes)


_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder(list[BodyFacts])


def _extract_chunk(tasks: list[Task]) -> bytes:
    """In a worker: facts of a chunk of bodies, encoded."""
    return _ENCODER.encode([extract(task) for task in tasks])


def compute(tasks: Sequence[Task], jobs: int | None = None) -> list[BodyFacts]:
    """`extract` of each task, in order: in `jobs` worker processes (default: the available
    cores) when there are enough tasks, else here."""
    workers = worker_count(len(tasks), jobs)
    if workers > 1:
        facts = map_chunks(_extract_chunk, tasks, _DECODER, workers, __name__)
        if facts is not None:
            return facts
    return [extract(task) for task in tasks]
