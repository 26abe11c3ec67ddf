"""What a page's body alone determines: its links, unsafe markup, HTML ids and anchors.

This is the costly part of a lint (each Markdown body is parsed here, once), and a pure
function of `(body, body_line, markdown, html_page)`: large sites compute it in worker
processes, and `facts_cache` keeps it between runs. Results are small Structs (never
tokens) that msgpack carries between processes and to disk; positions in the original file.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
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

PARALLEL_MIN_FILES = 400
"""Below this many bodies to extract, worker start-up costs more than it saves."""

CHUNKS_PER_WORKER = 8


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


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Decoding many small objects triggers collections that find nothing to free (4x)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _extract_chunk(tasks: list[Task]) -> bytes:
    """In a worker: facts of a chunk of bodies, encoded (cheaper to send than objects)."""
    return _ENCODER.encode([extract(task) for task in tasks])


def available_cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)  # pragma: no cover - platforms without affinity


def _context() -> multiprocessing.context.BaseContext:
    """A fork server: workers forked from a small process that has imported this module, not
    from this one (whose site would count in each worker's memory, and which may run threads).
    As with any spawned worker, a script that lints must guard its entry point with
    `if __name__ == "__main__":` (the `betacontent` command does)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():  # pragma: no cover
        return multiprocessing.get_context("spawn")  # Windows
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context


def compute(tasks: Sequence[Task], jobs: int | None = None) -> list[BodyFacts]:
    """`extract` of each task, in order: in `jobs` worker processes (default: the available
    cores) when there are enough tasks, else here. A pool that breaks (a worker killed) is
    left for the serial path: the result is the same."""
    workers = min(jobs or available_cores(), len(tasks))
    if multiprocessing.current_process().daemon:
        workers = 1  # a daemonic process (a server's worker) may not start processes
    if workers <= 1 or (jobs is None and len(tasks) < PARALLEL_MIN_FILES):
        return [extract(task) for task in tasks]
    size = -(-len(tasks) // (workers * CHUNKS_PER_WORKER))
    chunks = [list(tasks[start : start + size]) for start in range(0, len(tasks), size)]
    facts: list[BodyFacts] = []
    try:
        with ProcessPoolExecutor(workers, mp_context=_context()) as pool, paused_gc():
            for blob in pool.map(_extract_chunk, chunks):  # decoded as they come, in order
                facts += _DECODER.decode(blob)
    except (BrokenProcessPool, OSError):  # pragma: no cover - a worker killed by the system
        return [extract(task) for task in tasks]
    return facts
