"""The most common libyaml errors come with a plain hint, and with the line as it should be
where it can be given."""

from __future__ import annotations

import pytest

from betacontent.site.front_matter import load_yaml


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("description: un : deux\n", '`description: "un : deux"`'),
        ("title: 'L'été'\n", "`title: 'L''été'`"),
        ('cite: "il a dit "oui""\n', '`cite: "il a dit \\"oui\\""`'),
        ("a:\n\tb: 1\n", "never with tabs"),
        ("auteur: @marie\n", "starts with `@` must be quoted"),
        ("note: *important*\n", "quote a value that starts with `*`"),
        ('titre: "Sans fin\n', "a quote opened on line 1 is never closed"),
        ("a:\n  b: 1\n c: 2\n", "the keys of one mapping start in the same column"),
        ("- a\nb: 1\n", "the items of one list start with `- `"),
        ("a: b\nc\n", "indent a value that goes on, or quote it"),
        ("tags: [un, deux\n", "is never closed: quote text"),
    ],
)
def test_common_errors_get_a_plain_hint(text: str, hint: str) -> None:
    (problem,) = load_yaml(text).problems
    assert problem.message.startswith("YAML syntax error: ")
    assert hint in problem.message


def test_the_suggested_line_parses_to_what_was_meant() -> None:
    (problem,) = load_yaml("description: un : deux\n").problems
    suggested = problem.message.split("`")[-2]
    assert load_yaml(suggested + "\n").data == {"description": "un : deux"}
    (problem,) = load_yaml("title: 'L'été'\n").problems
    assert load_yaml(problem.message.split("`")[-2] + "\n").data == {"title": "L'été"}


@pytest.mark.parametrize(
    "text", ["title: 'l''équipe' de France\n", 'a: "Le \\"mot\\" juste" ici\n']
)
def test_no_wrong_line_is_suggested_when_text_follows_the_quote(text: str) -> None:
    (problem,) = load_yaml(text).problems
    assert "put it inside the quotes" in problem.message
    assert "ends it" not in problem.message
