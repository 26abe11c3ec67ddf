"""Heading ids and anchors as Jekyll's kramdown makes them (`betacontent.kramdown.anchors`).

Every expected id below was produced by the real kramdown 2.4 + kramdown-parser-gfm 1.1 with
Jekyll's options; `test_anchors_jekyll.py` checks a whole fixture site against `jekyll build`.
"""

from __future__ import annotations

import dataclasses
import unicodedata

import pytest
from markdown_it.token import Token

from betacontent.kramdown.anchors import Anchor, gfm_id, heading_ids, page_anchors, typographic
from betacontent.site.parsing import ParsedFile

NBSP = "\u00a0"
NNBSP = "\u202f"


def tokens_of(body: str) -> list[Token]:
    """The tokens betacontent itself makes of a page body."""
    return ParsedFile("page.md", None, body, 1, True).tokens


def anchors(body: str) -> list[Anchor]:
    return page_anchors(tokens_of(body), body)


def ids(body: str) -> list[str]:
    return [a.id for a in anchors(body)]


def heading_id(text: str) -> str:
    (anchor,) = anchors(f"## {text}\n")
    return anchor.id


# --- the measured cases of docs/jekyll-model.md ("Heading ids"), one assertion each


def test_jekyll_md_apostrophe() -> None:
    assert heading_id("L'été à Paris") == "lété-à-paris"


def test_jekyll_md_question() -> None:
    assert heading_id("Qu'est-ce que l'été ?") == "quest-ce-que-lété-"


def test_jekyll_md_colon_with_spaces() -> None:
    assert heading_id("Étape 1 : créer") == "étape-1--créer"


def test_jekyll_md_colon_with_narrow_no_break_space() -> None:
    assert heading_id(f"Étape 1{NNBSP}: créer") == "étape-1-créer"


def test_jekyll_md_em_dash() -> None:
    assert heading_id("Ça marche --- ou pas") == "ça-marche--ou-pas"


def test_jekyll_md_duplicates_share_an_id() -> None:
    assert ids("## Résumé\n\n## Résumé\n\n## Résumé-1\n") == ["résumé", "résumé-1", "résumé-1"]


def test_jekyll_md_nfd_keeps_the_combining_accent() -> None:
    assert heading_id(unicodedata.normalize("NFD", "Créer")) == "cre\u0301er"


def test_jekyll_md_superscript_two_is_dropped() -> None:
    assert heading_id("Nombres²") == "nombres"


def test_jekyll_md_explicit_id() -> None:
    assert heading_id("Déjà vu {#custom}") == "custom"


# --- gfm_id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Étape 1 : créer", "étape-1--créer"),  # no collapsing of dashes
        (" a ", "-a-"),  # no trimming
        ("a\tb", "a-b"),  # a TAB becomes '-' too
        (f"a{NBSP}b", "ab"),  # U+00A0 is dropped, not turned into '-'
        ("snake_case", "snake_case"),  # Connector_Punctuation is kept
        ("ⓐ Ⅻ ½ ²", "ⓐ-ⅻ--"),  # circled letters and Nl kept; No dropped
        ("ΟΔΟΣ", "οδοσ"),  # Ruby's downcase has no final-sigma rule
        ("😀 ✨", "-"),
        ("L’été", "lété"),
    ],
)
def test_gfm_id(text: str, expected: str) -> None:
    assert gfm_id(text) == expected


# --- typographic


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("L'été", "L’été"),
        ("'cité'", "‘cité’"),
        ('"Bonjour"', "“Bonjour”"),
        ("the '80s", "the ’80s"),
        ("a --- b -- c...", "a — b – c…"),
        ("<<x>>", "«x»"),
        ("<< x >>", f"«{NBSP}x{NBSP}»"),  # the spaces become no-break spaces
        ("\\<<", "<<"),
        ("rien", "rien"),
    ],
)
def test_typographic(text: str, expected: str) -> None:
    assert typographic(text) == expected


# --- heading text as rendered


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("Avec `code --x` et `l'été`", "avec-code---x-et-lété"),  # no typography in code
        ("Image ![alt texte](x.png) fin", "image--fin"),  # no alt text
        ("Un [lien](https://x.fr/a--b) ici", "un-lien-ici"),
        ("<https://x.fr/a--b>", "httpsxfra--b"),  # autolinks are literal
        ("*Emphase* **gras** ~~barré~~ _souligné_", "emphase-gras-barré-souligné"),
        ('HTML <span class="x">en ligne</span><br>', "html-en-ligne"),
        ("<code>a--b</code> <kbd>c--d</kbd> <span>e--f</span>", "a--b-c--d-ef"),
        ("Titre <div>bloc</div>", "titre-divblocdiv"),  # block tags are text
        ("&amp; &nbsp;x &#233; &eacute; &copy; &foo;", "-x-é-é--foo"),
        ("\\-\\- a--b", "---ab"),  # escaped hyphens stay hyphens
        ("Commentaire <!-- caché --> visible", "commentaire--visible"),
        ("Guillemets <<b>> collés", "guillemets-b-collés"),
        ("Apostrophe ` seule ` ici", "apostrophe--seule--ici"),
        ("Titre {: #pas-explicite}", "titre--pas-explicite"),  # a span IAL after text
        ("Fermé ##", "fermé"),
        ("C# et F#", "c-et-f"),
        ("a|b", "ab"),
    ],
)
def test_heading_text(markdown: str, expected: str) -> None:
    assert heading_id(markdown) == expected


def test_heading_text_is_the_rendered_text() -> None:
    (anchor,) = anchors("## L'été --- *chaud* `l'a` ![x](y.png)\n")
    assert anchor.text == "L’été — chaud l'a "


def test_reference_links_and_footnotes() -> None:
    body = "## [lien][r] et [absent][x] note[^1]\n\n[r]: https://r.fr\n[^1]: Note.\n"
    assert ids(body)[0] == "lien-et-absentx-note"


# --- counters and empty ids


def test_empty_ids_are_counted() -> None:
    # kramdown counts the empty id too: the second empty heading gets "-1"
    assert ids("## !!!\n\n## ???\n\n## 🎉\n") == ["-1", "-2"]


def test_levels_share_the_counter() -> None:
    assert ids("## FAQ\n\n### FAQ\n\n#### FAQ\n") == ["faq", "faq-1", "faq-2"]


def test_explicit_ids_are_not_counted() -> None:
    assert ids("## Titre {#titre}\n\n## Titre\n\n## Titre {#x}\n\n## Titre\n") == [
        "titre",
        "titre",
        "x",
        "titre-1",
    ]


# --- explicit ids


def test_explicit_id_kinds_and_text() -> None:
    (anchor,) = anchors("## Déjà vu {#custom}\n")
    assert (anchor.kind, anchor.text) == ("explicit", "Déjà vu")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("## Titre\n{: #apres}\n", ["apres"]),
        ("{: #avant}\n## Titre\n", ["avant"]),
        ("Texte\n\n{: #avant}\n\n## Titre\n", ["avant"]),  # after a blank line it waits
        ("{: #perdu}\n\n## Titre\n", ["titre"]),  # at the start, a blank line takes it
        ("## Titre {#a}\n{: .c #b}\n", ["b"]),  # the IAL wins over {#a}
        ("{: #a}\n{: #b}\n## Titre\n", ["b"]),
        ('{: id="kv"}\n## Titre\n', ["kv"]),
        ("## Ét {#été}\n", ["été"]),  # {#id} takes XML names
        ("Titre {#s}\n=====\n", ["s"]),
        ("## Titre {#z} ##\n", ["titre-z"]),  # closing hashes hide {#id} from kramdown
    ],
)
def test_explicit_ids(body: str, expected: list[str]) -> None:
    assert ids(body) == expected


def test_ials_on_other_blocks() -> None:
    body = "Paragraphe\n{: #p}\n\n[Lien](u){: #l} et *em*{: #e}.\n"
    found = anchors(body)
    assert [(a.id, a.kind, a.line) for a in found] == [
        ("p", "explicit", 1),
        ("l", "explicit", 4),
        ("e", "explicit", 4),
    ]


# --- which headings kramdown sees


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (" ## Indenté\n", []),  # ATX must start in column 1
        ("Ligne 1\nligne 2\n=======\n", []),  # setext: one line of text only
        ("## Titre\nSouligné\n========\n", ["titre"]),  # setext: after a block boundary
        ("Titre\n  ===\n", []),  # an indented underline is text
        ("#\n---\n", []),  # kramdown: a setext h2 "#", with an empty id
        ("```\ncode\n## Visible\n", ["visible"]),  # an unclosed fence is text
        ("- item 1\n- item 2\n---\n", ["item-2"]),  # the last item becomes a heading
        ("> citation\n===\n", ["citation"]),
        ("- ## Liste\n\n> ## Citation\n", ["liste", "citation"]),
        ("<br>\nTitre\n=====\n", []),
    ],
)
def test_headings_kramdown_sees(body: str, expected: list[str]) -> None:
    assert [a.id for a in anchors(body) if a.kind != "html"] == expected


# --- HTML blocks


def test_raw_html_hides_markdown_headings() -> None:
    body = '<div class="x">\n\n## Caché\n\n</div>\n\n<details>\n\n## Caché aussi\n\n</details>\n'
    assert ids(body) == []


def test_markdown_in_html_uses_the_old_generator() -> None:
    body = (
        '<div markdown="1">\n## Été 2024 : bilan\n\n## Été 2024 : bilan\n\n### !!!\n\n### ???\n'
        "</div>\n\n## Été 2024 : bilan\n"
    )
    assert ids(body) == [
        "t-2024--bilan",
        "t-2024--bilan-1",
        "section",
        "section-1",
        "été-2024--bilan",  # outside: the GFM generator, its own counter
    ]


def test_markdown_attribute_nesting() -> None:
    body = (
        '<div class="grille">\n<div class="col" markdown="1">\n## Colonne\n</div>\n</div>\n\n'
        '<details markdown="1">\n<summary>Voir</summary>\n\n### Détail caché\n\n</details>\n'
        '<div markdown="1">\n<div markdown="0">\n## Brut\n</div>\n</div>\n'
    )
    assert ids(body) == ["colonne", "dtail-cach"]


def test_html_anchors() -> None:
    body = (
        'Texte <a id="x"></a> et <a name="vieux">v</a> et <input name="q">.\n\n'
        '<div id="bloc">\n  <p id="p">x</p>\n</div>\n\n'
        '`<span id="code">`\n\n<!-- <b id="commentaire"></b> -->\n'
    )
    assert [(a.id, a.kind, a.line, a.column) for a in anchors(body)] == [
        ("x", "html", 1, 7),
        ("vieux", "html", 1, 25),
        ("bloc", "html", 3, 1),
        ("p", "html", 4, 3),
    ]


def test_an_ial_replaces_an_html_id() -> None:
    assert ids('<p id="avant">x</p>\n{: #apres}\n') == ["apres"]


# --- positions


def test_positions_are_body_relative() -> None:
    body = "Texte\n\n## Titre\n\n  Sous-titre\n==========\n\n> ## Citée\n"
    assert [(a.id, a.line, a.column) for a in anchors(body)] == [
        ("titre", 3, 1),
        ("sous-titre", 5, 3),
        ("citée", 8, 1),
    ]


def test_anchor_is_frozen() -> None:
    (anchor,) = anchors("## Titre\n")
    with pytest.raises(dataclasses.FrozenInstanceError):
        anchor.id = "autre"  # type: ignore[misc]


# --- heading_ids


def test_heading_ids_pairs_the_callers_tokens() -> None:
    body = (
        "## Titre\n\n## !!!\n\n## ???\n\n ## Indenté\n\n"
        '<div class="x">\n\n## Caché\n\n</div>\n\n<div markdown="1">\n\n## Été\n\n</div>\n'
    )
    tokens = tokens_of(body)
    pairs = heading_ids(tokens, body)
    assert all(any(token is t for t in tokens) for token, _ in pairs)
    assert [anchor_id for _, anchor_id in pairs] == ["titre", None, "-1", None, None, "t"]


def test_liquid_dependent_html_ids_are_skipped() -> None:
    body = '<div id="{{ page.slug }}">\n\n<a id="fixe"></a> <a id="{{ x }}"></a>\n\n</div>\n'
    assert ids(body) == ["fixe"]


def test_empty_body() -> None:
    assert page_anchors([], "") == []
    assert heading_ids([], "") == []
