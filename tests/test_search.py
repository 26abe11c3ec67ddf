"""The search engine (`betacontent.serve.search`): analysis, matching, ranking, snippets, export."""

from __future__ import annotations

import html
import json
import math
import random
import re
from collections import Counter

import msgspec
import pytest

from betacontent.serve.search import (
    K1,
    SNIPPET_LENGTH,
    TITLE_WEIGHT,
    B,
    SearchDocument,
    SearchHit,
    SearchIndex,
    fold,
    index_term,
)

MARK = re.compile(r"<mark>(.*?)</mark>")


def doc(url: str, title: str = "", text: str = "", weight: float = 1.0) -> SearchDocument:
    return SearchDocument(url=url, title=title, text=text, weight=weight)


def urls(index: SearchIndex, query: str, **options: int) -> list[str]:
    hits, _ = index.search(query, **options)
    return [hit.url for hit in hits]


def marked(hit: SearchHit) -> list[str]:
    """The words wrapped in <mark> in a hit's snippet and title, unescaped."""
    return [html.unescape(word) for word in MARK.findall(hit.snippet + hit.title_highlighted)]


INDEX = SearchIndex.build(
    [
        doc("/role", "Le rôle de l’intrapreneur", "L’intrapreneur porte le rôle du projet."),
        doc("/role-ascii", "Fiche", "Le role du coach est décrit ici."),
        doc("/phases", "Les phases", "Chaque phase dure six mois, et les startups grandissent."),
        doc("/startup", "Une startup d'État", "Une startup est une petite équipe."),
        doc("/bureaux", "Nos bureaux", "Le bureau est à Paris. Process et accès."),
        doc("/investissement", "Comité", "Le comité d'investissement décide de la suite."),
    ]
)


# --- analysis -------------------------------------------------------------------------------


def test_fold_removes_case_accents_and_ligatures() -> None:
    assert fold("Rôle RÔLE rôle ROLE") == "role role role role"
    assert fold("Œuvre, cœur, Ægir") == "oeuvre, coeur, aegir"
    assert fold("ro\u0302le") == "role"  # decomposed input (NFD)
    assert fold("ﬁn ½ Straße İstanbul") == "fin 1⁄2 strasse istanbul"
    assert fold("par\u00adtie") == "partie"  # soft hyphen


@pytest.mark.parametrize(
    "text", ["L’Œuvre à ro\u0302le", "İİ ǅ ﬃ ẞ ᾈ", "cafe\u0301\u0327 x", "e\u0301œ\u0301", "½™㎏"]
)
def test_fold_works_character_by_character(text: str) -> None:
    """Highlighting relies on it to map matches back to the original text."""
    assert fold(text) == "".join(fold(char) for char in text)


@pytest.mark.parametrize(
    ("token", "term"),
    [
        ("phases", "phase"),
        ("startups", "startup"),
        ("bureaux", "bureau"),
        ("jeux", "jeu"),
        ("process", "process"),  # "ss" is not a plural
        ("bus", "bus"),  # too short
        ("prix", "prix"),  # only -aux/-eux lose their x
        ("covid19s", "covid19s"),  # not a word
        ("les", ""),  # stop word
        ("l", ""),
        ("qu", ""),
    ],
)
def test_index_terms(token: str, term: str) -> None:
    assert index_term(token) == term


# --- matching -------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["role", "rôle", "ROLE", "Rôle", "RÔLE", "rolê"])
def test_accents_and_case_are_ignored_both_ways(query: str) -> None:
    # "/role" has "rôle", "/role-ascii" has "role": every spelling finds both.
    assert sorted(urls(INDEX, query + " ")) == ["/role", "/role-ascii"]


@pytest.mark.parametrize(
    "query", ["le", "la les", "l'", "d’", "de des du", "À", "Et  pour  LES ", "qu'"]
)
def test_a_query_of_stop_words_finds_nothing(query: str) -> None:
    assert INDEX.search(query) == ([], 0)


@pytest.mark.parametrize("query", ["", "   ", "!?", "'", "…", "\u0301"])
def test_an_empty_query_finds_nothing(query: str) -> None:
    assert INDEX.search(query) == ([], 0)


def test_stop_words_in_a_query_are_ignored() -> None:
    assert urls(INDEX, "le rôle de l’") == urls(INDEX, "rôle")
    assert urls(INDEX, "comité d'investissement") == ["/investissement"]


@pytest.mark.parametrize(
    "query", ["intrapreneur", "l'intrapreneur", "l’intrapreneur", "L'INTRAPRENEUR"]
)
def test_elisions_are_split_with_either_apostrophe(query: str) -> None:
    (hit,), total = INDEX.search(query)
    assert (hit.url, total) == ("/role", 1)
    # Both "l’intrapreneur" of the title and "L’intrapreneur" of the text: the word only.
    assert marked(hit) == ["intrapreneur", "intrapreneur"]


def test_last_term_is_a_prefix() -> None:
    assert urls(INDEX, "intrap") == ["/role"]
    assert urls(INDEX, "l’intrap") == ["/role"]
    assert urls(INDEX, "rôle intrap") == ["/role"]
    assert urls(INDEX, "investiss") == ["/investissement"]
    (hit,), _ = INDEX.search("investiss")
    assert "<mark>investissement</mark>" in hit.snippet


def test_only_the_last_term_is_a_prefix() -> None:
    assert urls(INDEX, "intrap rôle") == []
    assert urls(INDEX, "intrap ") == []  # a space after it: the word is complete
    assert urls(INDEX, "intrap.") == []
    assert urls(INDEX, "i") == []  # too short to expand


def test_a_prefix_matches_the_plural_of_a_whole_word() -> None:
    assert sorted(urls(INDEX, "startups")) == ["/phases", "/startup"]
    assert sorted(urls(INDEX, "phases")) == ["/phases"]


def test_all_terms_must_match() -> None:
    assert sorted(urls(INDEX, "rôle ")) == ["/role", "/role-ascii"]
    assert sorted(urls(INDEX, "coach ")) == ["/role-ascii"]
    assert urls(INDEX, "rôle coach ") == ["/role-ascii"]
    assert urls(INDEX, "rôle coach absent") == []
    assert INDEX.search("rôle phase") == ([], 0)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("phase", ["/phases"]),
        ("phases ", ["/phases"]),
        ("startup ", ["/phases", "/startup"]),
        ("startups ", ["/phases", "/startup"]),
        ("bureau ", ["/bureaux"]),
        ("bureaux", ["/bureaux"]),
        ("proces ", []),  # "process" is not a plural
    ],
)
def test_plurals_match_singulars(query: str, expected: list[str]) -> None:
    assert sorted(urls(INDEX, query)) == expected


# --- ranking --------------------------------------------------------------------------------


def test_a_title_match_beats_body_matches() -> None:
    filler = "Texte de remplissage sans rapport avec la question posée. " * 3
    index = SearchIndex.build(
        [
            doc(
                "/a-body", "Guide pratique", f"{filler} Le budget, le budget et le budget. {filler}"
            ),
            doc("/b-title", "Le budget", filler * 2),
            doc("/c-other", "Autre", filler),
        ]
    )
    hits, total = index.search("budget ")
    assert [hit.url for hit in hits] == ["/b-title", "/a-body"] and total == 2
    assert hits[0].score > hits[1].score > 0
    assert hits[0].title_highlighted == "Le <mark>budget</mark>"


def score_of(index: SearchIndex, query: str, url: str) -> float:
    (score,) = [hit.score for hit in index.search(query, limit=100)[0] if hit.url == url]
    return score


def test_rarer_and_more_frequent_terms_score_higher() -> None:
    index = SearchIndex.build(
        [
            doc("/1", "", "mot mot mot autre"),
            doc("/2", "", "mot autre chose encore"),
            doc("/3", "", "autre chose"),
        ]
    )
    assert urls(index, "mot ") == ["/1", "/2"]  # more occurrences first
    # "mot" is in 2 documents of 3, "autre" in all: "mot" weighs more.
    assert score_of(index, "mot ", "/2") > score_of(index, "autre ", "/2") > 0
    assert urls(index, "mot autre ") == ["/1", "/2"]


def test_weight_scales_the_score() -> None:
    index = SearchIndex.build([doc("/a", "", "mot"), doc("/b", "", "mot", weight=2.0)])
    hits, _ = index.search("mot ")
    assert [hit.url for hit in hits] == ["/b", "/a"]
    assert hits[0].score == pytest.approx(2 * hits[1].score, rel=1e-5)


@pytest.mark.parametrize("weight", [-1.0, math.inf, math.nan])
def test_invalid_weights_are_refused(weight: float) -> None:
    with pytest.raises(ValueError, match="/x"):
        SearchIndex.build([doc("/x", "t", "mot", weight=weight)])


def test_ties_are_broken_by_url_whatever_the_input_order() -> None:
    docs = [doc(f"/page-{n:02d}", "Même titre", "Même texte, même mot.") for n in range(30)]
    expected = [f"/page-{n:02d}" for n in range(30)]
    for seed in range(3):
        random.Random(seed).shuffle(docs)
        index = SearchIndex.build(docs)
        assert urls(index, "même", limit=100) == expected
        assert urls(index, "mot texte", limit=100) == expected


def test_offset_and_limit_page_through_a_stable_ranking() -> None:
    docs = [doc(f"/{n:02d}", f"Titre {n}", "projet " * (1 + n % 7) + "fin " * n) for n in range(25)]
    index = SearchIndex.build(docs)
    everything, total = index.search("projet", limit=100)
    assert total == 25 and len(everything) == 25
    pages = []
    for offset in range(0, 30, 10):
        hits, page_total = index.search("projet", limit=10, offset=offset)
        assert page_total == 25
        pages.extend(hits)
    assert pages == everything
    assert index.search("projet", limit=10, offset=20)[0] == everything[20:]
    assert index.search("projet", limit=10, offset=25) == ([], 25)
    assert index.search("projet", limit=0) == ([], 25)
    assert index.search("proj", limit=0) == ([], 25)
    with pytest.raises(ValueError):
        index.search("projet", limit=-1)
    with pytest.raises(ValueError):
        index.search("projet", offset=-1)


# --- snippets and highlighting --------------------------------------------------------------


def test_highlights_keep_the_original_accented_words() -> None:
    (hit,), _ = INDEX.search("role intrapreneur")
    assert "<mark>rôle</mark>" in hit.snippet
    assert hit.title_highlighted == "Le <mark>rôle</mark> de l’<mark>intrapreneur</mark>"
    (hit,), _ = SearchIndex.build([doc("/o", "Œuvre", "La mise en Œuvre.")]).search("oeuvre")
    assert hit.snippet == "La mise en <mark>Œuvre</mark>."
    assert hit.title_highlighted == "<mark>Œuvre</mark>"


def test_highlights_in_decomposed_text_include_the_combining_marks() -> None:
    text = "Un cafe\u0301 et un ro\u0302le ﬁnal."
    (hit,), _ = SearchIndex.build([doc("/d", "", text)]).search("café rôle final")
    assert marked(hit) == ["cafe\u0301", "ro\u0302le", "ﬁnal"]
    assert html.unescape(MARK.sub(r"\1", hit.snippet)) == text


def test_snippets_and_titles_are_html_escaped() -> None:
    text = "Avant <script>alert('rôle')</script> & après \"rôle\" <b>gras</b>."
    (hit,), _ = SearchIndex.build([doc("/x", "<em>Rôle</em> & co", text)]).search("rôle")
    assert "<script" not in hit.snippet and "<b>" not in hit.snippet
    assert "&lt;script&gt;alert(&#x27;<mark>rôle</mark>&#x27;)&lt;/script&gt;" in hit.snippet
    assert "&amp; après &quot;<mark>rôle</mark>&quot;" in hit.snippet
    assert hit.title_highlighted == "&lt;em&gt;<mark>Rôle</mark>&lt;/em&gt; &amp; co"
    assert hit.title == "<em>Rôle</em> & co"  # the plain title stays as it is
    assert MARK.sub("", hit.snippet).count("<") == 0


def test_a_long_text_is_cut_around_the_best_match_at_word_boundaries() -> None:
    before = " ".join(f"avant{n}" for n in range(60))
    after = " ".join(f"après{n}" for n in range(60))
    text = f"{before} Le comité\nd’investissement se réunit. {after}"
    (hit,), _ = SearchIndex.build([doc("/long", "", text)]).search("comité investissement")
    snippet = hit.snippet
    assert snippet.startswith("…") and snippet.endswith("…")
    inner = html.unescape(MARK.sub(r"\1", snippet[1:-1]))
    assert "comité d’investissement se réunit." in inner  # the newline became a space
    flat = text.replace("\n", " ")
    assert f" {inner} " in f" {flat} "  # whole words only
    assert SNIPPET_LENGTH - 40 <= len(inner) <= SNIPPET_LENGTH + 10
    assert marked(hit) == ["comité", "investissement"]


def test_the_snippet_prefers_the_window_with_the_most_query_terms() -> None:
    filler = " ".join(f"mot{n}" for n in range(80))
    text = f"Budget seul ici. {filler} Le budget du comité est voté. {filler}"
    (hit,), _ = SearchIndex.build([doc("/w", "", text)]).search("budget comité")
    assert "<mark>budget</mark> du <mark>comité</mark>" in hit.snippet
    assert "seul" not in hit.snippet


def test_a_short_text_is_not_cut_and_a_title_only_match_shows_the_text_start() -> None:
    index = SearchIndex.build(
        [doc("/s", "Budget", "Un texte court, sans le mot."), doc("/e", "Budget", "")]
    )
    hits, _ = index.search("budget")
    assert [(hit.url, hit.snippet) for hit in hits] == [
        ("/e", ""),
        ("/s", "Un texte court, sans le mot."),
    ]
    long_text = "Début du texte " + "suite " * 100
    (hit,), _ = SearchIndex.build([doc("/l", "Budget", long_text)]).search("budget")
    assert hit.snippet.startswith("Début du texte") and hit.snippet.endswith("suite…")


# --- export ---------------------------------------------------------------------------------


def test_to_json_obj_shape_and_round_trip() -> None:
    obj = INDEX.to_json_obj()
    assert set(obj) == {"format", "version", "analysis", "ranking", "docs", "terms"}
    assert obj["format"] == "betacontent-search" and obj["version"] == 1
    assert obj["ranking"] == {"algorithm": "BM25", "k1": K1, "b": B, "title_weight": TITLE_WEIGHT}
    assert "les" in obj["analysis"]["stop_words"]
    assert obj["docs"][0] == {"url": "/bureaux", "title": "Nos bureaux"}  # URL order
    assert [d["url"] for d in obj["docs"]] == sorted(d["url"] for d in obj["docs"])
    terms = obj["terms"]
    assert list(terms) == sorted(terms) and "les" not in terms and "role" in terms
    for postings in terms.values():
        ids, scores = postings[::2], postings[1::2]
        assert ids == sorted(set(ids)) and all(isinstance(i, int) for i in ids)
        assert all(isinstance(s, float) and s > 0 for s in scores)
    role_ids, role_scores = terms["role"][::2], terms["role"][1::2]
    assert [obj["docs"][i]["url"] for i in role_ids] == ["/role", "/role-ascii"]
    # The exported scores are the engine's: one term's score is the hit's score.
    for hit in INDEX.search("rôle ")[0]:
        position = [d["url"] for d in obj["docs"]].index(hit.url)
        assert role_scores[role_ids.index(position)] == pytest.approx(hit.score, abs=1e-4)
    assert json.loads(json.dumps(obj)) == obj
    assert msgspec.json.decode(msgspec.json.encode(obj)) == obj


# --- against a plain reference implementation -----------------------------------------------


def reference(docs: list[SearchDocument], query: str) -> list[tuple[str, float]]:
    """Every matching document with its score, best first, computed the slow and obvious way."""
    tokens = re.findall(r"[^\W_]+", fold(query))
    is_prefix = bool(tokens) and fold(query)[-1:].isalnum() and len(tokens[-1]) >= 2
    prefix = tokens.pop() if is_prefix and index_term(tokens[-1]) else ""
    exact = {index_term(t) for t in tokens} - {""}
    if not exact and not prefix:
        return []

    def terms(text: str) -> Counter[str]:
        return Counter(t for t in map(index_term, re.findall(r"[^\W_]+", fold(text))) if t)

    bodies, titles = [terms(d.text) for d in docs], [terms(d.title) for d in docs]
    avg_body = sum(b.total() for b in bodies) / len(docs) or 1
    avg_title = sum(t.total() for t in titles) / len(docs) or 1

    def score(term: str, n: int) -> float:
        df = sum(1 for b, t in zip(bodies, titles, strict=True) if term in b or term in t)
        idf = math.log(1 + (len(docs) - df + 0.5) / (df + 0.5))
        total = 0.0
        for field, avg, weight in (
            (bodies[n], avg_body, 1.0),
            (titles[n], avg_title, TITLE_WEIGHT),
        ):
            tf = field[term]
            norm = K1 * (1 - B + B * field.total() / avg)
            total += weight * tf * (K1 + 1) / (tf + norm)
        return idf * total * docs[n].weight

    results = []
    for n, d in enumerate(docs):
        present = bodies[n].keys() | titles[n].keys()
        if not exact <= present:
            continue
        value = sum(score(term, n) for term in exact)
        if prefix:
            options = [t for t in present if t.startswith(prefix) or t == index_term(prefix)]
            if not options:
                continue
            value += max(score(term, n) for term in options)
        results.append((d.url, value))
    return sorted(results, key=lambda item: (-item[1], item[0]))


def test_matches_a_reference_implementation_on_random_documents() -> None:
    rng = random.Random(1)
    words = ["projet", "projets", "produit", "prototype", "phase", "phases", "comité", "coach"]
    words += ["commune", "rôle", "budget"]
    words += [f"co{n}" for n in range(40)] + [f"pro{n}" for n in range(40)] + ["le", "la", "de"]
    docs = [
        doc(
            f"/{n:03d}",
            " ".join(rng.choices(words, k=rng.randint(0, 4))),
            " ".join(rng.choices(words, k=rng.randint(0, 60))),
            weight=rng.choice([1.0, 1.0, 0.5, 2.0]),
        )
        for n in range(300)
    ]
    index = SearchIndex.build(docs)
    queries = ["co", "pro", "p", "projet", "phases", "rôle co", "comité pro", "projet phase"]
    queries += ["co1", "budget co", "coach commune pro", "le co", "projet ", "xyz", "pro xyz"]
    for query in queries:
        expected = reference(docs, query)
        for limit, offset in ((10, 0), (5, 3), (1, 0), (50, 20), (400, 0)):
            hits, total = index.search(query, limit=limit, offset=offset)
            assert total == len(expected), query
            window = expected[offset : offset + limit]
            assert [hit.url for hit in hits] == [url for url, _ in window], (query, limit, offset)
            for hit, (_, value) in zip(hits, window, strict=True):
                assert hit.score == pytest.approx(value, abs=1e-6), query
