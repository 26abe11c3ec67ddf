"""Positions come from one line index: lines end at LF, CRLF or CR, wherever a position is
computed (Markdown and HTML bodies, include parameters, fixes), and a link carries its end."""

from __future__ import annotations

from pathlib import Path

import pytest

from betacontent.core.positions import LineIndex, Position
from betacontent.kramdown import markdown
from betacontent.kramdown.blocks import read_blocks
from betacontent.kramdown.links import html_page_links, markdown_links
from betacontent.site.loader import load_site

ENDINGS = pytest.mark.parametrize("end", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])


@ENDINGS
def test_every_offset_maps_to_its_line_and_back(end: str) -> None:
    lines = ["a", "", "bcd", "é"]
    text = end.join(lines) + end
    index = LineIndex(text, first_line=10)
    for number, line in enumerate(lines):
        start = sum(len(previous) + len(end) for previous in lines[:number])
        for column, _ in enumerate(line):
            position = index.position(start + column)
            assert position == Position(10 + number, column + 1)
            assert index.offset(position) == start + column
        assert index.line_end(number) == start + len(line)
    assert index.offset(Position(9, 1)) is None  # before the text
    assert index.offset(Position(10, 3)) is None  # past the end of "a" and its break


@ENDINGS
def test_a_markdown_body_reports_links_on_their_lines(end: str) -> None:
    body = end.join(["# Titre", "", "Voir [la page](/page/) et", '<a href="/autre/">x</a>.'])
    found = markdown_links(read_blocks(markdown.parse(body), body), 5).links
    assert [(link.url, link.position, link.end) for link in found] == [
        ("/page/", Position(7, 16), Position(7, 22)),
        ("/autre/", Position(8, 10), Position(8, 17)),
    ]


@ENDINGS
def test_an_html_body_reports_links_on_their_lines(end: str) -> None:
    body = end.join(["<main>", "<p>", '  <a href="/page/">x</a>', '<img src="/i.png">', "</main>"])
    found = html_page_links(body, 3).links
    assert [(link.url, link.position) for link in found] == [
        ("/page/", Position(5, 12)),
        ("/i.png", Position(6, 11)),
    ]


@ENDINGS
def test_include_parameters_are_found_on_their_lines(tmp_path: Path, end: str) -> None:
    (tmp_path / "_includes").mkdir()
    (tmp_path / "_includes" / "carte.html").write_text("<a href='{{ include.url }}'>x</a>")
    # Jekyll reads front matter between LF line ends only: the body has the line ends tested
    body = end.join(["Texte", "", '{% include carte.html url="/x/" %}'])
    (tmp_path / "page.md").write_bytes(("---\ntitle: Page\n---\n" + body).encode())
    site = load_site(tmp_path, jobs=1)
    links = [
        target.link
        for page_links in site.semantic.checked_links
        for target in page_links.targets
        if target.link.origin == "include"
    ]
    assert [(link.url, link.position) for link in links] == [("/x/", Position(6, 28))]
