"""`betacontent.kramdown.render`: HTML for the content API, with the heading ids the linter checks.

The heading ids must be those of `betacontent.kramdown.anchors` (which `test_anchors_jekyll.py`
checks against the real Jekyll): on the `anchors_site` fixture, whose pages gather kramdown's hard
cases, on every other fixture page and on the sample site's pages; and, when Jekyll is
installed, directly against `jekyll build`.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import msgspec
import pytest
from markdown_it.token import Token

from betacontent.kramdown import markdown
from betacontent.kramdown.anchors import heading_ids, page_anchors
from betacontent.kramdown.blocks import read_blocks
from betacontent.kramdown.render import (
    EXCERPT_LENGTH,
    Rendered,
    TocEntry,
    render_html,
    render_markdown,
    with_liquid,
)
from betacontent.site.front_matter import split
from conftest import ROOT, jekyll_build

ANCHORS_SITE = ROOT / "tests" / "fixtures" / "anchors_site"
ANCHORS_PAGES = sorted(p.name for p in ANCHORS_SITE.glob("*.md"))
ALL_PAGES = sorted(
    [*(ROOT / "content" / "_pages").glob("*.md"), *(ROOT / "tests" / "fixtures").rglob("*.md")]
)
HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))


class _Html(HTMLParser):
    """What a rendered page holds: its headings (tag, id or None), every attribute, text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[tuple[str, str | None]] = []
        self.attributes: list[tuple[str, str, str]] = []  # (tag, name, value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in HEADINGS:
            self.headings.append((tag, values.get("id")))
        self.attributes += [(tag, name, value or "") for name, value in attrs]


def html_of(html: str) -> _Html:
    parser = _Html()
    parser.feed(html)
    parser.close()
    return parser


def body_of(path: Path) -> str:
    return split(path.read_text(encoding="utf-8", errors="replace")).body


def rendered_heading_ids(body: str) -> list[str | None]:
    """The ids of the Markdown headings of the rendered body, in order (raw HTML headings,
    whose ids the linter knows as HTML anchors, left out)."""
    html_ids = {a.id for a in page_anchors(markdown.parse(body), body) if a.kind == "html"}
    found = html_of(render_markdown(body).html).headings
    return [anchor_id for _, anchor_id in found if anchor_id is None or anchor_id not in html_ids]


def _text_line(token: Token) -> int:
    assert token.map is not None
    setext = token.level == 0 and token.markup in ("=", "-")
    return token.map[1] - 2 if setext else token.map[0]


def anchors_heading_ids(body: str) -> list[str | None]:
    """What `anchors` says of each heading, in order: its id, or None for a heading markdown-it
    sees and kramdown does not (no id), with the headings only kramdown sees. An ATX line
    kramdown does not read as a heading (indented, or `##` alone) is text in the HTML, and
    raw HTML (the block reader's `html` blocks) is HTML: no heading inside."""
    tokens = markdown.parse(body)
    lines = body.splitlines()
    raw = {
        line
        for block in read_blocks(tokens, body).blocks
        if block.kind == "html"
        for line in range(block.start, block.end)
    }
    by_line: dict[int, str | None] = {
        _text_line(token): anchor_id
        for token, anchor_id in heading_ids(tokens, body)
        if anchor_id is not None
        or (
            _text_line(token) not in raw
            and (
                not token.markup.startswith("#")
                or re.fullmatch(r"#{1,6}[\t ]+.*", lines[_text_line(token)])
            )
        )
    }
    for anchor in page_anchors(tokens, body):
        if anchor.kind == "heading" or (anchor.kind == "explicit" and anchor.text):
            by_line.setdefault(anchor.line - 1, anchor.id)
    return [by_line[line] for line in sorted(by_line)]


# --- heading ids ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ANCHORS_PAGES)
def test_heading_ids_are_the_anchors_ids(name: str) -> None:
    body = body_of(ANCHORS_SITE / name)
    assert rendered_heading_ids(body) == anchors_heading_ids(body)


def test_the_fixture_has_headings_with_and_without_ids() -> None:
    found = [
        i for name in ANCHORS_PAGES for i in rendered_heading_ids(body_of(ANCHORS_SITE / name))
    ]
    assert None in found
    assert {"t-2024--bilan-1", "titre-visible-pour-kramdown", "mon-id", "autre-id"} <= set(found)


@pytest.mark.parametrize("path", ALL_PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_heading_ids_everywhere(path: Path) -> None:
    body = body_of(path)
    expected = [
        a.id
        for a in page_anchors(markdown.parse(body), body)
        if a.kind == "heading" or (a.kind == "explicit" and a.text)
    ]
    assert [i for i in rendered_heading_ids(body) if i is not None] == expected


def test_heading_ids_match_jekyll(tmp_path: Path) -> None:
    """The ids of every h1-h6 of each page, raw HTML ones included, as `jekyll build` makes
    them."""
    _, dest = jekyll_build(ANCHORS_SITE, tmp_path)
    for name in ANCHORS_PAGES:
        built = html_of((dest / name).with_suffix(".html").read_text(encoding="utf-8"))
        ours = html_of(render_markdown(body_of(ANCHORS_SITE / name)).html)
        jekyll_ids = [i for _, i in built.headings if i is not None]
        assert [i for _, i in ours.headings if i is not None] == jekyll_ids, name


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("```\ncode\n## Visible\n", ["visible"]),  # an unclosed fence is text for kramdown
        ("- item 1\n- item 2\n---\n", ["item-2"]),  # a setext heading in the last item
        ("> citation\n===\n", ["citation"]),
        ("</div>\n## Après\n", ["après"]),  # Markdown right after an end tag
        ("<details>\n<summary>x</summary>\n</details>\n## Après\n", ["après"]),
        ("<img src='x.png'>\n## Après\n", ["après"]),
        ("## !!!\n\n## ???\n", [None, "-1"]),  # kramdown counts the empty id
        # an indented ATX line is text; a heading inside raw HTML is no heading for kramdown
        (' ## Indenté\n\n<div class="x">\n\n## Caché\n\n</div>\n', []),
    ],
)
def test_headings_kramdown_sees(body: str, expected: list[str | None]) -> None:
    assert rendered_heading_ids(body) == expected == anchors_heading_ids(body)


def test_html_comments() -> None:
    # an unclosed comment is text for kramdown, and Markdown follows it
    unclosed = render_markdown("<!--\n## Titre\n").html
    assert unclosed == '<p>&lt;!--</p>\n<h2 id="titre">Titre</h2>\n'
    assert (
        rendered_heading_ids("<!--\n## Titre\n")
        == ["titre"]
        == anchors_heading_ids("<!--\n## Titre\n")
    )
    # a closed one is a comment (real kramdown: no heading)
    assert render_markdown("<!--\n## Titre\n-->\n").html == "<!--\n## Titre\n-->\n"


# Where `anchors` and Jekyll disagree, the HTML follows Jekyll (ids measured with `jekyll build`
# and kramdown 2.4.0 + kramdown-parser-gfm 1.1.0); the xfails record the linter's disagreement.
LIQUID_BLOCKS = [
    # the inside of {% comment %} is not Markdown, also when the body is re-read after a
    # span-element line...
    pytest.param(
        '<img src="/x.png">\n{% comment %}\n<div>\n{% endcomment %}\n## Titre\n',
        ["titre"],
        id="liquid-comment",
    ),
    # ... or after an unclosed fence: the highlighted code is not a heading
    pytest.param(
        "```\n{% highlight ruby %}\n## Dans le code\n{% endhighlight %}\n\n## Après\n",
        ["après"],
        id="highlight",
    ),
]


@pytest.mark.parametrize(("body", "jekyll"), LIQUID_BLOCKS)
def test_liquid_blocks_hide_headings_for_both(body: str, jekyll: list[str]) -> None:
    assert rendered_heading_ids(body) == jekyll == anchors_heading_ids(body)


# A multi-line HTML comment at a block start is raw up to `-->` for kramdown: no heading in it
# (the block reader says so to anchors and renderer alike). An unclosed one is text.
HTML_COMMENTS = [
    pytest.param("<!--\n## Titre\n-->\n", [], id="comment"),
    pytest.param("<!--\n## Titre\n-->\n## Après\n", ["après"], id="comment-then-heading"),
    pytest.param("<!-- ouvert\n\n## Titre\n", ["titre"], id="unclosed-comment"),
]


@pytest.mark.parametrize(("body", "jekyll"), HTML_COMMENTS)
def test_html_comments_hide_headings_for_both(body: str, jekyll: list[str]) -> None:
    assert rendered_heading_ids(body) == jekyll == anchors_heading_ids(body)


# --- explicit ids and IALs -----------------------------------------------------------------------


def test_explicit_ids() -> None:
    body = (
        "## Titre {#mon-id}\n\n## Autre titre\n{: #autre-id}\n\n{: #avant}\n## Id posé avant\n\n"
        "## Écrasé {#ecrase}\n{: .classe #ecrasant}\n\nSouligné {#souligne}\n---------\n\n"
        "## Titre {: #pas-explicite}\n"
    )
    rendered = render_markdown(body)
    assert html_of(rendered.html).headings == [
        ("h2", "mon-id"),
        ("h2", "autre-id"),
        ("h2", "avant"),
        ("h2", "ecrasant"),
        ("h2", "souligne"),
        ("h2", "titre--pas-explicite"),  # a span IAL after text: text for kramdown too
    ]
    assert [e.text for e in rendered.toc] == [
        "Titre",
        "Autre titre",
        "Id posé avant",
        "Écrasé",
        "Souligné",
        "Titre {: #pas-explicite}",
    ]
    assert "{#" not in rendered.html
    assert rendered.html.count("{:") == 1


def test_ials_on_other_elements() -> None:
    body = "Paragraphe\n{: #p}\n\n[Lien](/x){: #l} et *em*{: #e .c}.\n\n- a\n- b\n{: #liste}\n"
    rendered = render_markdown(body)
    ids = [(tag, value) for tag, name, value in html_of(rendered.html).attributes if name == "id"]
    assert ids == [("p", "p"), ("a", "l"), ("em", "e"), ("ul", "liste")]
    assert "{:" not in rendered.html


# --- table of contents ---------------------------------------------------------------------------


def test_toc_nesting() -> None:
    body = (
        "# Page\n\n## A\n\n### A.1\n\n#### A.1.a\n\n##### trop profond\n\n### A.2\n\n"
        "## B\n\n#### B.x.a\n\n## C\n"
    )
    toc = render_markdown(body).toc
    assert toc == [
        TocEntry(
            level=2,
            id="a",
            text="A",
            children=[
                TocEntry(
                    level=3,
                    id="a1",
                    text="A.1",
                    children=[TocEntry(level=4, id="a1a", text="A.1.a")],
                ),
                TocEntry(level=3, id="a2", text="A.2"),
            ],
        ),
        TocEntry(level=2, id="b", text="B", children=[TocEntry(level=4, id="bxa", text="B.x.a")]),
        TocEntry(level=2, id="c", text="C"),
    ]


def test_toc_levels() -> None:
    body = "# Page\n\n## A\n\n### A.1\n\n##### Profond\n"
    toc = render_markdown(body, toc_levels=(1, 6)).toc
    assert [(e.level, e.id) for e in toc] == [(1, "page")]
    assert [(e.level, e.id) for e in toc[0].children] == [(2, "a")]
    assert [(e.level, e.id) for e in toc[0].children[0].children] == [(3, "a1")]
    assert [(e.level, e.id) for e in toc[0].children[0].children[0].children] == [(5, "profond")]
    only_h3 = render_markdown(body, toc_levels=(3, 3)).toc
    assert [(e.level, e.id) for e in only_h3] == [(3, "a1")]


def test_toc_text_is_plain_and_skips_headings_without_id() -> None:
    body = (
        "## L'été *chaud* `code` <span>html</span> ![alt](x.png) &amp; fin\n\n## !!!\n\n"
        ' ## Indenté\n\n<div markdown="1">\n### Dans un div\n</div>\n'
    )
    toc = render_markdown(body).toc
    assert [(e.id, e.text) for e in toc] == [
        ("lété-chaud-code-html---fin", "L’été chaud code html & fin")  # kramdown's quote
    ]
    assert [(e.id, e.text) for e in toc[0].children] == [("dans-un-div", "Dans un div")]


# --- Liquid --------------------------------------------------------------------------------------

LIQUID_BODY = """\
{% include intro.html %}

## Bienvenue {{ page.title }}

[Approche]({{ site.baseurl }}/approche) et [accueil]({{ site.url }}/) et [réf][r].

{% if page.x %}
Texte conditionnel {{ page.x | upcase }}.
{% endif %}

{% comment %}
## Caché
{% endcomment %}

<a href="{{ site.baseurl }}/equipe" title="{{ page.title }}">Équipe</a>

<div class="{{ page.class }}">
{% for item in site.data.menu %}{{ item.title }}{% endfor %}
</div>

```
{{ site.url }}/code
```

[r]: {{ site.baseurl }}/reference
"""


def test_liquid_does_not_leak() -> None:
    html = render_markdown(LIQUID_BODY).html
    for leak in ("{{", "}}", "{%", "%}", markdown.MASK, "ZLQ"):
        assert leak not in html
    hrefs = [v for tag, name, v in html_of(html).attributes if name == "href"]
    assert hrefs == ["/approche", "/", "/reference", "/equipe"]
    assert "Caché" not in html
    assert "<p>Texte conditionnel .</p>" in html
    assert "<pre><code>/code\n</code></pre>" in html


def test_deferred_liquid_is_filled_in_the_html_and_the_toc() -> None:
    body = (
        "## Chez {{ site.title }} {#chez}\n\n### {{ page.vide }} {#vide}\n\n#### Sous-titre\n\n"
        'Voir [la page]({{ site.baseurl }}/x/) et <a href="{% link y.md %}">y</a>.\n'
    )
    deferred = render_markdown(body, defer_liquid=True)
    assert deferred.liquid == [
        "{{ site.title }}",
        "{{ page.vide }}",
        "{{ site.baseurl }}",
        "{% link y.md %}",
    ]
    assert deferred.marker and deferred.marker in deferred.html
    assert deferred.marker not in deferred.text  # the text and excerpt have no Liquid
    values = {"{{ site.title }}": "Beta & co", "{{ site.baseurl }}": "/base"}
    values["{% link y.md %}"] = "/base/y/"
    done = with_liquid(deferred, lambda tag: values.get(tag, ""))
    assert '<a href="/base/x/">la page</a>' in done.html
    assert '<a href="/base/y/">y</a>' in done.html
    assert '<h2 id="chez">Chez Beta &amp; co</h2>' in done.html  # as text: escaped
    assert deferred.marker not in done.html and not done.liquid
    # a heading left empty by Liquid leaves the TOC; its children move up
    assert [(e.level, e.text, [c.text for c in e.children]) for e in done.toc] == [
        (2, "Chez Beta & co", ["Sous-titre"]),
    ]


def test_an_html_page_gets_its_liquid_rendered() -> None:
    body = '<a href="{{ site.baseurl }}/x/">x</a>\n{% comment %}non{% endcomment %}<p>{{ y }}</p>'
    deferred = render_html(body, defer_liquid=True)
    done = with_liquid(deferred, lambda tag: "/base" if "baseurl" in tag else "")
    assert done.html == '<a href="/base/x/">x</a>\n<p></p>'


def test_footnotes_as_kramdown_writes_them() -> None:
    html = render_markdown("Un fait[^1], encore[^1].\n\n[^1]: La source.\n").html
    assert '<sup id="fnref:1" role="doc-noteref"><a href="#fn:1"' in html
    assert '<sup id="fnref:1:1" role="doc-noteref">' in html
    assert '<li id="fn:1" role="doc-endnote">' in html
    assert '<a href="#fnref:1" class="reversefootnote" role="doc-backlink">&#8617;</a>' in html
    assert "[^1]" not in html


def test_liquid_hook() -> None:
    seen: list[str] = []

    def liquid(tag: str) -> str:
        seen.append(tag)
        if "site.url" in tag:
            return "https://beta.gouv.fr"
        if "page.title" in tag:
            return "**la page**"  # Jekyll renders Liquid first: its output is Markdown
        return ""

    rendered = render_markdown(LIQUID_BODY, liquid=liquid)
    assert '<a href="https://beta.gouv.fr/">accueil</a>' in rendered.html
    assert "<h2" in rendered.html and "Bienvenue <strong>la page</strong></h2>" in rendered.html
    assert "<pre><code>https://beta.gouv.fr/code\n</code></pre>" in rendered.html
    assert "{{ page.x | upcase }}" in seen
    assert not any("comment" in tag for tag in seen)  # comment blocks are not tags


def test_liquid_hook_cannot_smuggle_a_javascript_link() -> None:
    body = "[x]({{ page.url }}) et [y][r]\n\n[r]: {{ page.url }}\n"
    html = render_markdown(body, liquid=lambda tag: "javascript:alert(1)").html
    assert "href" not in html


def test_raw_highlight_and_kramdown_comments() -> None:
    body = (
        "{% raw %}{{ gardé tel quel }}{% endraw %}\n\n"
        "{% highlight ruby %}\nputs '<b>' if {{ x }}\n{% endhighlight %}\n\n"
        "Avant {::comment}caché{:/comment} après.\n"
    )
    html = render_markdown(body).html
    assert "<p>{{ gardé tel quel }}</p>" in html  # as Jekyll outputs it
    assert "<pre><code class=\"language-ruby\">puts '&lt;b&gt;' if \n</code></pre>" in html
    assert "<p>Avant  après.</p>" in html


def test_liquid_keeps_the_linters_block_structure() -> None:
    # A line of Liquid is text for the linter (masked), so the heading below it is not a
    # setext heading after a block boundary: same ids, nothing of the tag in the output.
    body = "{% if x %}\nTitre\n=====\n{% endif %}\n\n## Titre\n"
    assert rendered_heading_ids(body) == anchors_heading_ids(body)
    assert "{%" not in render_markdown(body).html


# --- links and raw HTML --------------------------------------------------------------------------


def test_dangerous_links_are_not_rendered() -> None:
    body = (
        "[a](javascript:alert(1)) [b](JavaScript:alert(1)) [c](vbscript:x) "
        "[d](data:text/html;base64,PHNjcmlwdD4=) <javascript:alert(1)> [e][r] ![i](javascript:x)"
        "\n\n[r]: javascript:alert(1)\n\n[ok](/page) ![img](data:image/png;base64,AAAA)\n"
    )
    found = html_of(render_markdown(body).html).attributes
    urls = [v for _, name, v in found if name in ("href", "src")]
    assert urls == ["/page", "data:image/png;base64,AAAA"]


def test_raw_html_is_kept() -> None:
    body = (
        '<div class="fr-callout">\n<p class="fr-callout__text">Texte <b>gras</b></p>\n</div>\n\n'
        'Une image <img src="/img/x.png" alt="x" /> en ligne.\n\n'
        '<img src="/img/recap.png" alt="Frise" style="width: 100%;" />\n'
    )
    html = render_markdown(body).html
    assert (
        '<div class="fr-callout">\n<p class="fr-callout__text">Texte <b>gras</b></p>\n</div>'
        in html
    )
    assert '<p>Une image <img src="/img/x.png" alt="x" /> en ligne.</p>' in html
    # a span element at a block start begins a paragraph, as with kramdown
    assert '<p><img src="/img/recap.png" alt="Frise" style="width: 100%;" /></p>' in html


def test_markdown_inside_html_elements() -> None:
    body = (
        '<div class="fr-callout" markdown="1">\n## Dans le bloc\n**gras** et [lien](/x)\n</div>\n'
        "Après le bloc, *Markdown*.\n\n"
        '<div class="fr-grid-row">\n<div class="fr-col" markdown="1">\n- un\n- deux\n'
        "</div>\n</div>\n"
    )
    html = render_markdown(body).html
    assert html == (
        '<div class="fr-callout">\n<h2 id="dans-le-bloc">Dans le bloc</h2>\n'
        '<p><strong>gras</strong> et <a href="/x">lien</a></p>\n</div>\n'
        "<p>Après le bloc, <em>Markdown</em>.</p>\n"
        '<div class="fr-grid-row">\n<div class="fr-col">\n<ul>\n<li>un</li>\n<li>deux</li>\n'
        "</ul>\n</div>\n</div>\n"
    )


# --- plain text and excerpt ----------------------------------------------------------------------


def test_plain_text() -> None:
    body = (
        "# L'été à Paris\n\nUn   paragraphe\navec *emphase*, `code`, &eacute;t&eacute; &amp; "
        '<span class="x">HTML</span>.\n\n- un\n- deux\n\n<script>var x = 1;</script>\n\n'
        "| a | b |\n|---|---|\n| c | d |\n\n{{ page.title }} {% include x.html %}fin\n"
    )
    assert render_markdown(body).text == (
        "L’été à Paris Un paragraphe avec emphase, code, été & HTML. un deux a b c d fin"
    )  # the apostrophe as kramdown writes it


def test_excerpt_is_the_first_paragraph() -> None:
    body = (
        "# Titre\n\n![image seule](x.png)\n\n- une liste\n\nLe **premier** paragraphe, "
        "accentué : « déjà »\net <b>balisé</b>.\n\nLe second.\n"
    )
    assert render_markdown(body).excerpt == "Le premier paragraphe, accentué : « déjà » et balisé."


def test_long_excerpt_is_cut_at_a_word_boundary() -> None:
    words = [f"mot{n}é" for n in range(100)]
    rendered = render_markdown(" ".join(words) + "\n")
    excerpt = rendered.excerpt
    assert len(excerpt) <= EXCERPT_LENGTH
    assert excerpt.endswith("…")
    assert excerpt[:-1].split(" ") == words[: len(excerpt[:-1].split(" "))]
    assert len(excerpt) > EXCERPT_LENGTH - 12


def test_empty_body() -> None:
    assert render_markdown("") == Rendered(html="", toc=[], text="", excerpt="")


# --- determinism and serialization --------------------------------------------------------------


def test_output_is_deterministic_and_serializable() -> None:
    bodies = [body_of(ANCHORS_SITE / name) for name in ANCHORS_PAGES] + [LIQUID_BODY]
    for body in bodies:
        first = render_markdown(body)
        assert render_markdown(body) == first
        encoded = msgspec.json.encode(first)
        assert msgspec.json.encode(render_markdown(body)) == encoded
        assert msgspec.json.decode(encoded, type=Rendered) == first
