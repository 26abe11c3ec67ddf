"""`liquid_ids`: ids written by Liquid in templates, found in the text and evaluated against a
site's collections and data (the real Jekyll's output for them is checked in
test_jekyll_oracle.py)."""

from __future__ import annotations

import pytest

from betacontent.site.liquid_ids import SiteValues, evaluate, liquid_ids

SITE = SiteValues(
    collections={
        "phases": [
            {"title": "Investigation", "slug": "investigation", "order": 2, "tags": ["a", "b"]},
            {"title": "Construction", "slug": "construction", "order": 1, "tags": ["b"]},
            {"title": "Accélération", "slug": "acceleration", "order": None},
        ],
        "posts": [],
    },
    data={"menus": {"main": [{"label": "Accueil"}, {"label": "Équipe"}]}, "pairs": {"k": 1}},
)


def ids(template: str) -> frozenset[str] | None:
    (found,) = liquid_ids(template)
    return evaluate(SITE, found)


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        (
            '{% for p in site.phases %}<h2 id="{{ p.slug }}">{% endfor %}',
            {"investigation", "construction", "acceleration"},
        ),
        (
            '{% for p in site.phases %}<h2 id="x-{{ p.title | slugify }}">{% endfor %}',
            {"x-investigation", "x-construction", "x-accélération"},
        ),
        (
            '{% for p in site.phases %}<h2 id="{{ p.title | downcase | remove: "tion" }}">'
            "{% endfor %}",
            {"investiga", "construc", "accéléra"},
        ),
        (
            '{% for i in site.data.menus.main %}<a name="{{ i.label | slugify: "ascii" }}"></a>'
            "{% endfor %}",
            {"accueil", "quipe"},
        ),
        (
            '{% for kv in site.data.pairs %}<b id="{{ kv[0] }}-{{ kv[1] }}-{{ kv.first }}">'
            "{% endfor %}",
            {"k-1-k"},
        ),
        (
            '{% assign s = site.phases | sort: "order" %}{% for p in s %}<i id="{{ forloop.index }}'
            '{{ p.slug }}">{% endfor %}',
            {"1acceleration", "2construction", "3investigation"},
        ),
        (
            '{% for p in site.phases limit: 1 offset: 1 %}<i id="{{ p.slug }}">{% endfor %}',
            {"construction"},
        ),
        (
            '{% for p in site.phases reversed %}<i id="{{ p.slug }}-{{ forloop.index0 }}">'
            "{% endfor %}",
            {"acceleration-0", "construction-1", "investigation-2"},
        ),
        (
            '{% assign w = site.phases | where: "tags", "a" %}{% for p in w %}<i id="{{ p.slug }}">'
            "{% endfor %}",
            {"investigation"},
        ),
        (
            '{% for p in site.phases %}{% assign k = p.slug | append: "-k" %}<i id="{{ k }}">'
            "{% endfor %}",
            {"investigation-k", "construction-k", "acceleration-k"},
        ),
        ('{% for n in (1..2) %}<i id="n{{ n }}">{% endfor %}', {"n1", "n2"}),
        ('<i id="{{ site.data.menus.main.first.label | default: "x" }}">', {"Accueil"}),
        ('{% for p in site.posts %}<i id="{{ p.slug }}">{% endfor %}', set()),
        (
            '{% for p in site.phases %}{% if p.order %}<i id="{{ p.slug }}">{% endif %}'
            "{% endfor %}",
            {"investigation", "construction", "acceleration"},
        ),
    ],
)
def test_evaluated(template: str, expected: set[str]) -> None:
    assert ids(template) == frozenset(expected)


@pytest.mark.parametrize(
    "template",
    [
        '<div id="{{ page.ancre }}">',
        '<div id="{{ include.id }}">',
        '{% for p in site.pages %}<i id="{{ p.slug }}">{% endfor %}',
        '{% for p in site.phases %}<i id="{{ p.date | date: "%Y" }}">{% endfor %}',
        '{% capture c %}x{% endcapture %}<i id="{{ c }}">',
        '{% assign s = site.phases | sort_natural: "title" %}{% for p in s %}'
        '<i id="{{ forloop.index }}">{% endfor %}',
        '{% assign s = site.phases | sort: "missing" %}{% for p in s limit: 1 %}'
        '<i id="{{ p.slug }}">{% endfor %}',
        '<i id="{% if true %}a{% endif %}">',
        '{% for p in site.phases offset: continue %}<i id="{{ p.slug }}">{% endfor %}',
    ],
)
def test_unknown_without_rendering(template: str) -> None:
    assert ids(template) is None


def test_found_in_the_text_only_where_liquid_runs() -> None:
    text = (
        '<p id="plain">{% raw %}<b id="{{ raw }}">{% endraw %}'
        '{% comment %}<b id="{{ no }}">{% endcomment %}<span data-id="{{ x }}" id="{{ y }}">'
    )
    assert [found.value for found in liquid_ids(text)] == ["{{ y }}"]
    assert liquid_ids("<p>{{ page.title }}</p>") == ()
