"""Full-text search over pages: ranked, accent- and case-insensitive, with highlighted snippets.

Pure and self-contained (standard library and msgspec). `SearchIndex.build` indexes
`SearchDocument`s once; `SearchIndex.search` answers a query with `SearchHit`s and the number of
documents that match.

Analysis (the same for documents and queries)
---------------------------------------------
* `fold`: Unicode NFKD, casefold, NFKD again, combining marks (category M) and soft hyphens
  dropped, then the French ligatures œ and æ written oe and ae. "Rôle", "ROLE" and "role" all
  fold to "role"; "Œuvre" to "oeuvre".
* Tokens are the maximal runs of letters and digits of the folded text, so elisions split at
  the apostrophe (' and ’ alike): "l’intrapreneur" gives "l" and "intrapreneur".
* `STOP_WORDS` (French articles, prepositions, pronouns and the elided forms l, d, qu, j...)
  are not indexed, and are ignored in queries.
* A conservative plural rule (`index_term`): a token of 4 letters or more loses a final "s"
  (but not "ss": "process" stays) or the "x" of "-aux"/"-eux" ("bureaux" -> "bureau"). Nothing
  else is stemmed.

Matching and ranking
--------------------
* Every query term must be in the document, in its title or its body (AND).
* The last query term is also a prefix (search as you type: "intrap" finds "intrapreneur"),
  unless the query ends with a space or punctuation (the word is then complete), or the term
  is shorter than `MIN_PREFIX`. A prefix term matches the index terms that start with it and
  the term's own plural stem; it counts, per document, as the best of those.
* Score: BM25 (`K1`, `B`) with IDF ln(1 + (N - df + 0.5) / (df + 0.5)), summed over fields:
  body + `TITLE_WEIGHT` x title, each normalised by its own average length, and multiplied
  by the document's `weight`. Scores are computed once, at build time.
* Order: score descending, then URL ascending.
"""

from __future__ import annotations

import bisect
import heapq
import html
import math
import re
import unicodedata
from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import msgspec

__all__ = [
    "K1",
    "MIN_PREFIX",
    "SNIPPET_LENGTH",
    "STOP_WORDS",
    "TITLE_WEIGHT",
    "B",
    "SearchDocument",
    "SearchHit",
    "SearchIndex",
    "fold",
    "index_term",
]

K1 = 1.2
B = 0.75
TITLE_WEIGHT = 3.0
SNIPPET_LENGTH = 160  # characters of the original text, without the "…"
MIN_PREFIX = 2  # a 1-character last term matches exactly, not as a prefix
FORMAT_VERSION = 1


# Folded forms (no accents: "à" is "a", "où" is "ou").
def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOP_WORDS = _words(
    """
    a au aux avec c ce ces cet cette d dans de des du elle elles en est et eux il ils j je
    jusqu l la le les leur leurs lorsqu lui m ma mais me mes moi mon n ne ni nos notre nous on
    ou par pas pour puisqu qu que quelqu qui quoiqu s sa se ses si son sont sur t ta te tes toi
    ton tu un une vos votre vous y
    """
)

_WORD = re.compile(r"[^\W_]+")
_NON_WORD = re.compile(r"[\W_]")
_BREAKING_SPACE = re.compile(r"[^\S\u00a0\u2007\u202f]+")  # whitespace, no-break spaces aside
_LIGATURES = (("œ", "oe"), ("æ", "ae"))
_SOFT_HYPHEN = "\u00ad"
_ELLIPSIS = "…"


# --- analysis -----------------------------------------------------------------------------


@cache
def _dropped(char: str) -> bool:
    return char == _SOFT_HYPHEN or unicodedata.category(char).startswith("M")


def fold(text: str) -> str:
    """`text` without case, accents or compatibility variants (see the module docstring).

    Folding is done character by character: `fold(a + b) == fold(a) + fold(b)`."""
    if text.isascii():
        return text.lower()
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    if not folded.isascii():
        for char in {char for char in set(folded) if char > "\x7f" and _dropped(char)}:
            folded = folded.replace(char, "")
        for ligature, letters in _LIGATURES:
            if ligature in folded:
                folded = folded.replace(ligature, letters)
    return folded


_fold_char = cache(fold)


def index_term(token: str) -> str:
    """The index term of a folded token: "" for a stop word, else the token without its
    plural mark (`phases` -> `phase`, `bureaux` -> `bureau`)."""
    if token in STOP_WORDS:
        return ""
    if len(token) >= 4 and token.isalpha():
        last = token[-1]
        if (last == "s" and token[-2] != "s") or (
            last == "x" and token[-2] == "u" and token[-3] in "ae"
        ):
            return token[:-1]
    return token


_cached_index_term = lru_cache(maxsize=1 << 16)(index_term)


def _term_counts(text: str, terms: dict[str, str]) -> dict[str, int]:
    """Index term -> occurrences in `text`; `terms` caches `index_term` across texts."""
    counts: dict[str, int] = {}
    for token, n in Counter(_WORD.findall(fold(text))).items():
        term = terms.get(token)
        if term is None:
            term = terms[token] = index_term(token)
        if term:
            counts[term] = counts.get(term, 0) + n
    return counts


_TERMS: dict[str, str] = {}  # token -> index term, for `term_counts`


def term_counts(text: str) -> dict[str, int]:
    """Index term -> occurrences in `text`, as `SearchIndex.build` counts a document's text
    (computed beforehand, by whoever renders the text, in `SearchDocument.terms`)."""
    if len(_TERMS) > 1 << 18:
        _TERMS.clear()
    return _term_counts(text, _TERMS)


# --- public records -----------------------------------------------------------------------


class SearchDocument(msgspec.Struct, frozen=True, kw_only=True):
    """A page to index. `text` is the plain text of the body (Markdown already stripped)."""

    url: str
    title: str
    text: str
    weight: float = 1.0
    terms: dict[str, int] | None = None  # `term_counts(text)`, when already known


class SearchHit(msgspec.Struct, frozen=True, kw_only=True):
    """One result. `score` is rounded to 6 decimals. `snippet` and `title_highlighted` are HTML:
    escaped text with the matched words wrapped in `<mark>…</mark>`."""

    url: str
    title: str
    score: float
    snippet: str
    title_highlighted: str


# --- queries ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Query:
    """A parsed query: exact index terms (each a bit of a mask) and an optional prefix term."""

    exact: dict[str, int]  # index term -> its bit
    prefix: str  # "" when none
    prefix_stem: str  # index_term(prefix)
    prefix_bit: int
    pattern: re.Pattern[str]  # finds candidate tokens in folded text (a superset; see `mask`)

    def mask(self, token: str) -> int:
        """The query terms a folded token satisfies, as bits (0 when none)."""
        term = _cached_index_term(token)
        if not term:
            return 0
        bits = self.exact.get(term, 0)
        if self.prefix and (term.startswith(self.prefix) or term == self.prefix_stem):
            bits |= self.prefix_bit
        return bits


def _parse(query: str) -> _Query | None:
    folded = fold(query)
    tokens = [(m.group(), m.end()) for m in _WORD.finditer(folded)]
    prefix = ""
    if tokens:
        last, end = tokens[-1]
        if end == len(folded) and len(last) >= MIN_PREFIX and last not in STOP_WORDS:
            prefix = last
            tokens.pop()
    exact: dict[str, int] = {}
    for token, _ in tokens:
        term = _cached_index_term(token)
        if term and term not in exact:
            exact[term] = 1 << len(exact)
    if not exact and not prefix:
        return None
    prefix_stem = _cached_index_term(prefix) if prefix else ""
    # Every token whose index term is T is T, T+"s" or T+"x"; every token whose index term
    # starts with the prefix starts with it too.
    alternatives = [re.escape(term) + "[sx]?" for term in sorted({*exact, prefix_stem}) if term]
    if prefix:
        alternatives.append(re.escape(prefix) + r"[^\W_]*")
    pattern = re.compile(r"(?<![^\W_])(?:" + "|".join(alternatives) + r")(?![^\W_])")
    return _Query(exact, prefix, prefix_stem, 1 << len(exact), pattern)


# --- highlighting -------------------------------------------------------------------------


class _FoldMap:
    """`fold(text)` with a way back from its positions to those of `text`.

    Most characters fold to exactly one character; only the others ("irregular": ligatures,
    combining marks, compatibility forms) are recorded, so the map is cheap for usual text."""

    __slots__ = ("_irregular", "_starts", "_text", "folded")

    def __init__(self, text: str) -> None:
        self._text = text
        self._irregular: list[tuple[int, int, int]] = []  # (folded start, index, folded length)
        self._starts: list[int] = []
        if text.isascii():
            self.folded = text.lower()
            return
        self.folded = fold(text)
        odd = [char for char in set(text) if len(_fold_char(char)) != 1]
        if not odd:
            return
        positions = []
        for char in odd:
            index = text.find(char)
            while index >= 0:
                positions.append(index)
                index = text.find(char, index + 1)
        shift = 0
        for index in sorted(positions):
            length = len(_fold_char(text[index]))
            self._irregular.append((index + shift, index, length))
            shift += length - 1
        self._starts = [start for start, _, _ in self._irregular]

    def _index(self, position: int) -> int:
        """The index in `text` of the character that folded into `folded[position]`."""
        k = bisect.bisect_right(self._starts, position) - 1
        if k < 0:
            return position
        start, index, length = self._irregular[k]
        return index if position < start + length else index + 1 + position - start - length

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span of `text` that folded into `folded[start:end]` (end > start), with the
        combining marks that follow it."""
        if not self._irregular:
            return start, end
        text = self._text
        start, end = self._index(start), self._index(end - 1) + 1
        while end < len(text) and not _fold_char(text[end]):
            end += 1
        return start, end


def _find_matches(text: str, query: _Query) -> list[tuple[int, int, int]]:
    """(start, end, mask) of the words of `text` that match `query`, as positions in `text`
    itself (accents, case and all)."""
    folding = _FoldMap(text)
    found = []
    for match in query.pattern.finditer(folding.folded):
        mask = query.mask(match.group())
        if mask:
            found.append((*folding.span(*match.span()), mask))
    return found


def _marked(
    text: str, start: int, end: int, matches: list[tuple[int, int, int]], *, collapse: bool
) -> str:
    """`text[start:end]` as HTML, matches inside wrapped in `<mark>`; with `collapse`, runs of
    whitespace that allow a line break become one space."""

    def plain(part: str) -> str:
        return html.escape(_BREAKING_SPACE.sub(" ", part) if collapse else part)

    out: list[str] = []
    position = start
    for m_start, m_end, _ in matches:
        if m_start < position or m_end > end:
            continue
        out.append(plain(text[position:m_start]))
        out.append(f"<mark>{html.escape(text[m_start:m_end])}</mark>")
        position = m_end
    out.append(plain(text[position:end]))
    return "".join(out)


def _best_window(matches: list[tuple[int, int, int]]) -> tuple[int, int]:
    """The first and last index of the run of matches that fits in `SNIPPET_LENGTH` and covers
    the most query terms, then the most matches; the earliest such run."""
    best = (-1, -1)
    chosen = (0, 0)
    last = 0
    for first, (start, _, _) in enumerate(matches):
        last = max(last, first)
        while last + 1 < len(matches) and matches[last + 1][1] - start <= SNIPPET_LENGTH:
            last += 1
        mask = 0
        for _, _, bits in matches[first : last + 1]:
            mask |= bits
        key = (mask.bit_count(), last - first)
        if key > best:
            best, chosen = key, (first, last)
    return chosen


def _snippet(text: str, matches: list[tuple[int, int, int]]) -> str:
    """About `SNIPPET_LENGTH` characters of `text` around its best matches, cut between words,
    with "…" where text was cut."""
    if matches:
        first, last = _best_window(matches)
        keep_start, keep_end = matches[first][0], matches[last][1]
    else:
        keep_start = keep_end = 0
    room = max(0, SNIPPET_LENGTH - (keep_end - keep_start))
    start = max(0, keep_start - room // 3)
    end = min(len(text), start + SNIPPET_LENGTH)
    if end == len(text):
        start = max(0, min(start, end - SNIPPET_LENGTH))
    start = _cut_start(text, start, keep_start)
    end = _cut_end(text, max(end, keep_end), keep_end)
    while start < keep_start and text[start].isspace():
        start += 1
    after = _ELLIPSIS if text[end:].strip() else ""
    trailing = ",;:" if after else ""  # "word,…" reads badly
    while end > keep_end and (text[end - 1].isspace() or text[end - 1] in trailing):
        end -= 1
    before = _ELLIPSIS if text[:start].strip() else ""
    return f"{before}{_marked(text, start, end, matches, collapse=True)}{after}"


_NEAR = 30  # how far a cut may move to reach a space


def _inside_word(text: str, position: int) -> bool:
    word = _WORD.match(text, position - 1, position + 1)
    return word is not None and word.end() == position + 1


def _cut_start(text: str, start: int, limit: int) -> int:
    """A position at or near `start`, at most `limit`, where a word begins after a space."""
    if start == 0:
        return 0
    space = _BREAKING_SPACE.search(text, start - 1, limit)
    if space:
        return space.end()
    spaces = list(_BREAKING_SPACE.finditer(text, max(0, start - _NEAR), start))
    if spaces:
        return spaces[-1].end()
    if not _inside_word(text, start):
        return start
    boundary = _NON_WORD.search(text, start, limit)
    return boundary.end() if boundary else start


def _cut_end(text: str, end: int, limit: int) -> int:
    """A position at or near `end`, at least `limit`, where a space follows a word."""
    if end >= len(text):
        return len(text)
    spaces = list(_BREAKING_SPACE.finditer(text, limit, end + 1))
    if spaces:
        return spaces[-1].start()
    space = _BREAKING_SPACE.search(text, end, end + _NEAR)
    if space:
        return space.start()
    if not _inside_word(text, end):
        return end
    boundaries = list(_NON_WORD.finditer(text, limit, end))
    return boundaries[-1].start() if boundaries else end


# --- the index ----------------------------------------------------------------------------


# Document ids (ascending), their scores, the highest of those scores.
Postings = tuple["array[int]", "array[float]", float]


def _rank(item: tuple[int, float]) -> tuple[float, int]:
    return (-item[1], item[0])


class SearchIndex:
    """An immutable inverted index: index term -> (document ids, precomputed BM25 scores).

    Document ids follow URL order, so that ties are broken by URL."""

    __slots__ = ("_docs", "_postings", "_vocabulary")

    def __init__(self, docs: list[SearchDocument], postings: dict[str, Postings]) -> None:
        """Internal: use `build`."""
        self._docs = docs
        self._postings = postings
        self._vocabulary = sorted(postings)

    @classmethod
    def build(cls, documents: Iterable[SearchDocument]) -> SearchIndex:
        """Index `documents` (their `weight` must be finite and not negative)."""
        docs = sorted(documents, key=lambda doc: doc.url)
        terms: dict[str, str] = {}  # token -> index term
        body: dict[str, tuple[list[int], list[int]]] = {}  # term -> document ids, frequencies
        title_postings: dict[str, list[tuple[int, int]]] = {}
        body_lengths: list[int] = []
        title_lengths: list[int] = []
        for doc_id, doc in enumerate(docs):
            if not math.isfinite(doc.weight) or doc.weight < 0:
                raise ValueError(f"{doc.url}: weight must be finite and >= 0, not {doc.weight}")
            counts = doc.terms if doc.terms is not None else _term_counts(doc.text, terms)
            body_lengths.append(sum(counts.values()))
            for term, tf in counts.items():
                entry = body.get(term)
                if entry is None:
                    body[term] = ([doc_id], [tf])
                else:
                    entry[0].append(doc_id)
                    entry[1].append(tf)
            counts = _term_counts(doc.title, terms)
            title_lengths.append(sum(counts.values()))
            for term, tf in counts.items():
                title_postings.setdefault(term, []).append((doc_id, tf))

        count = len(docs)
        body_norm = _length_norms(body_lengths)
        title_norm = _length_norms(title_lengths)
        factor = [doc.weight * (K1 + 1) for doc in docs]
        postings: dict[str, Postings] = {}
        for term in body.keys() | title_postings.keys():
            ids, tfs = body.get(term, ([], []))
            titled = title_postings.get(term)
            if titled:
                parts = {d: tf / (tf + body_norm[d]) for d, tf in zip(ids, tfs, strict=True)}
                for d, tf in titled:
                    parts[d] = parts.get(d, 0.0) + TITLE_WEIGHT * tf / (tf + title_norm[d])
                ids = sorted(parts)
                values = [parts[d] for d in ids]
            else:
                values = [tf / (tf + body_norm[d]) for d, tf in zip(ids, tfs, strict=True)]
            df = len(ids)
            idf = math.log(1 + (count - df + 0.5) / (df + 0.5))
            scores = array("d", [idf * factor[d] * v for d, v in zip(ids, values, strict=True)])
            postings[term] = (array("I", ids), scores, max(scores))
        # the counts are in the postings now: the documents kept for snippets drop them
        kept = [msgspec.structs.replace(d, terms=None) if d.terms else d for d in docs]
        return cls(kept, postings)

    def __len__(self) -> int:
        return len(self._docs)

    def search(
        self, query: str, *, limit: int = 10, offset: int = 0
    ) -> tuple[list[SearchHit], int]:
        """The hits `offset` to `offset + limit` of `query`, best first, and how many documents
        match in all. A query without a searchable word (empty, or only stop words) matches
        nothing."""
        if limit < 0 or offset < 0:
            raise ValueError("limit and offset must be >= 0")
        parsed = _parse(query)
        if parsed is None:
            return [], 0
        wanted = offset + limit
        scores, total = self._match(parsed, wanted)
        if not scores or not limit:
            return [], total
        if wanted < len(scores):
            threshold = heapq.nlargest(wanted, scores.values())[-1]
            candidates = [item for item in scores.items() if item[1] >= threshold]
        else:
            candidates = list(scores.items())
        ranked = sorted(candidates, key=_rank)[offset:wanted]
        return [self._hit(doc_id, score, parsed) for doc_id, score in ranked], total

    def _match(self, query: _Query, wanted: int) -> tuple[dict[int, float], int]:
        """The number of documents that have every term of `query`, and the scores of those
        among them that may be in the best `wanted` (all of them, unless there is a prefix)."""
        lists = []
        for term in query.exact:
            postings = self._postings.get(term)
            if postings is None:
                return {}, 0
            lists.append(postings)
        lists.sort(key=lambda postings: len(postings[0]))
        found: dict[int, float] | None = None
        for ids, scores, _ in lists:
            if found is None:
                found = dict(zip(ids, scores, strict=True))
            else:
                found = _intersect(found, ids, scores)
            if not found:
                return {}, 0
        if not query.prefix:
            found = found or {}  # not None: a query has an exact term or a prefix
            return found, len(found)
        return self._match_prefix(self._expansions(query), found, wanted)

    def _match_prefix(
        self, terms: list[str], found: dict[int, float] | None, wanted: int
    ) -> tuple[dict[int, float], int]:
        """`_match` for a prefix that expands to `terms`, among the documents of `found` (all
        documents when None). A document's score for the prefix is its best score for one of
        `terms`.

        Terms are taken by decreasing best score; once even the best score of the next term,
        added to the best score in `found`, is below the `wanted`-th best score so far, no
        further term can change the top `wanted` (nor their order), so the rest of the terms
        only count the documents they add."""
        postings = self._postings
        terms.sort(key=lambda term: -postings[term][2])
        best: dict[int, float] = {}  # document -> its best score for the prefix
        ceiling = max(found.values()) if found is not None else 0.0
        threshold = -math.inf
        work = 0
        rest: list[str] = []
        for position, term in enumerate(terms):
            ids, scores, top = postings[term]
            if not wanted or ceiling + top < threshold:
                rest = terms[position:]
                break
            if found is None:
                pairs: Iterable[tuple[int, float]] = zip(ids, scores, strict=True)
            else:
                pairs = _intersect(found, ids, scores, add=False).items()
            for d, score in pairs:
                if score > best.get(d, -1.0):
                    best[d] = score
            work += min(len(ids), len(found)) if found is not None else len(ids)
            if len(best) > wanted and work >= len(best):  # cost amortised by the work done
                work = 0
                combined = best if found is None else {d: found[d] + s for d, s in best.items()}
                threshold = heapq.nlargest(wanted, combined.values())[-1]
        result = best if found is None else {d: found[d] + s for d, s in best.items()}
        if not rest:
            return result, len(result)
        matched = set(best)
        everything = len(self._docs) if found is None else len(found)
        for term in sorted(rest, key=lambda term: -len(postings[term][0])):
            if len(matched) == everything:
                break
            ids = postings[term][0]
            matched.update(ids if found is None else found.keys() & ids)
        return result, len(matched)

    def _expansions(self, query: _Query) -> list[str]:
        """The index terms the prefix term matches."""
        vocabulary = self._vocabulary
        index = bisect.bisect_left(vocabulary, query.prefix)
        terms = []
        while index < len(vocabulary) and vocabulary[index].startswith(query.prefix):
            terms.append(vocabulary[index])
            index += 1
        if query.prefix_stem != query.prefix and query.prefix_stem in self._postings:
            terms.append(query.prefix_stem)
        return terms

    def _hit(self, doc_id: int, score: float, query: _Query) -> SearchHit:
        doc = self._docs[doc_id]
        return SearchHit(
            url=doc.url,
            title=doc.title,
            score=round(score, 6),
            snippet=_snippet(doc.text, _find_matches(doc.text, query)),
            title_highlighted=_marked(
                doc.title, 0, len(doc.title), _find_matches(doc.title, query), collapse=False
            ),
        )

    def to_json_obj(self) -> dict[str, Any]:
        """The index as plain JSON data, for a static (client-side) export::

            {
              "format": "betacontent-search", "version": 1,
              "analysis": {...},            # how text and queries are folded, tokenised, stemmed
              "ranking": {"algorithm": "BM25", "k1": 1.2, "b": 0.75, "title_weight": 3.0},
              "docs": [{"url": str, "title": str}, ...],  # a document's id is its position
              "terms": {term: [doc_id, score, doc_id, score, ...], ...}
            }

        `terms` holds every index term (sorted), with the ids of the documents that have it
        (ascending) each followed by its precomputed score (rounded to 4 decimals), document
        weight included: a document's score for a query is the sum of its scores for the query
        terms. Document texts are not included.
        """
        terms: dict[str, list[float | int]] = {}
        for term in self._vocabulary:
            ids, scores, _ = self._postings[term]
            flat: list[float | int] = []
            for d, score in zip(ids, scores, strict=True):
                flat.append(d)
                flat.append(round(score, 4))
            terms[term] = flat
        return {
            "format": "betacontent-search",
            "version": FORMAT_VERSION,
            "analysis": {
                "normalization": "NFKD, casefold, NFKD; drop combining marks (category M) and"
                " U+00AD; then œ -> oe, æ -> ae",
                "tokens": "maximal runs of Unicode letters and digits",
                "stop_words": sorted(STOP_WORDS),
                "plural": "tokens of 4+ letters drop a final 's' (not 'ss') or the 'x' of"
                " '-aux'/'-eux'",
                "prefix": f"the last query term, when {MIN_PREFIX}+ characters and not followed"
                " by a separator, also matches the terms starting with it",
            },
            "ranking": {"algorithm": "BM25", "k1": K1, "b": B, "title_weight": TITLE_WEIGHT},
            "docs": [{"url": doc.url, "title": doc.title} for doc in self._docs],
            "terms": terms,
        }


def _length_norms(lengths: list[int]) -> list[float]:
    """BM25's K = k1 (1 - b + b dl / avgdl) of each document, for one field."""
    average = sum(lengths) / len(lengths) if lengths else 0.0
    if not average:
        return [K1 * (1 - B)] * len(lengths)
    return [K1 * (1 - B + B * length / average) for length in lengths]


def _intersect(
    found: dict[int, float], ids: array[int], scores: array[float], *, add: bool = True
) -> dict[int, float]:
    """The documents of `found` that are in `ids`, with their score from `scores` (added to the
    one of `found` when `add`)."""
    if len(found) * 16 < len(ids):  # few candidates: binary search in the postings
        out: dict[int, float] = {}
        size = len(ids)
        for d, score in found.items():
            index = bisect.bisect_left(ids, d)
            if index < size and ids[index] == d:
                out[d] = score + scores[index] if add else scores[index]
        return out
    if len(ids) <= len(found):
        pairs = zip(ids, scores, strict=True)
        if add:
            return {d: found[d] + score for d, score in pairs if d in found}
        return {d: score for d, score in pairs if d in found}
    other = dict(zip(ids, scores, strict=True))
    if add:
        return {d: score + other[d] for d, score in found.items() if d in other}
    return {d: other[d] for d in found if d in other}
