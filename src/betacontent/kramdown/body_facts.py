"""What a page's body alone determines: its links, unsafe markup, HTML ids and anchors.

This is the costly part of a lint (each Markdown body is parsed here, once), and a pure
function of `(body, body_line, markdown, html_page)`: `parse_files` runs it for each file
with the rest of the file's parse (in worker processes on a large site), and `facts_cache`
keeps the result between runs. Results are small Structs (never tokens) that msgpack
carries between processes and to disk; positions in the original file.
"""

from __future__ import annotations

from typing import NamedTuple

import msgspec

from betacontent.core.positions import Position
from betacontent.kramdown import markdown
from betacontent.kramdown.anchors import Anchor, AnchorKind, read_body
from betacontent.kramdown.links import (
    FileLinks,
    Link,
    Unsafe,
    footnote_ids,
    html_page_links,
    markdown_links,
)


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


def extract(task: Task) -> BodyFacts:
    """The facts of one body (the reference: what `links.file_links` and `page_anchors` give):
    one parse, one walk of its blocks (`anchors.read_body`) for its anchors and links."""
    found_anchors: list[Anchor] = []
    footnotes: list[str] = []
    if task.markdown:
        tokens = markdown.parse(task.body)
        reading = read_body(tokens, task.body)
        found_anchors = reading.anchors
        found = markdown_links(reading.body, task.body_line)
        footnotes = sorted(footnote_ids(task.body))
    elif task.html_page:
        found = html_page_links(task.body, task.body_line)
    else:
        found = FileLinks([], [], [])
    anchors: list[tuple[str, Position, AnchorKind]] = [
        (a.id, Position(a.line + task.body_line - 1, a.column), a.kind)
        for a in found_anchors
        if a.kind != "html"
    ]
    return BodyFacts(found.links, found.unsafe, found.ids, anchors, footnotes)
