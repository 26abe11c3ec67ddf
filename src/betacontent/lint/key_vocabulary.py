"""Likely misspelt front matter keys, learnt from the site itself.

Without a closed schema, a key nobody declared is not a finding: sites keep many keys of
their own. A key is suspicious only against a vocabulary: Jekyll's own keys, the keys the
configuration declares, the attributes the site's templates read, and the keys most of a
file's siblings use (same collection, or same layout for pages). A key that no template reads
and that is one or two edits away from a word of that vocabulary is a likely typo: `sidbar` on a
page whose layout reads `page.sidebar`, `titel`; against its siblings' keys only when it is used
once among them, since a key many siblings share is theirs: `fullnme` among 50 members using
`fullname`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from betacontent.core.positions import Position
from betacontent.site.index import Entry, EntryKind, Site
from betacontent.site.schema import JEKYLL_KEYS
from betacontent.site.schemas import Declared

MIN_KEY_LENGTH = 3
# Attributes Liquid itself gives arrays, strings and `forloop`: read by templates, but no key.
LIQUID_ATTRIBUTES = frozenset(
    {"size", "first", "last", "length", "index", "index0", "rindex", "rindex0", "parentloop"}
)


@dataclass(frozen=True, slots=True)
class LikelyTypo:
    rel: str
    key: str
    position: Position  # of the key
    suggestion: str
    reason: str  # why the suggestion is a word of the site's vocabulary
    uses: int  # files of its group that have the key

    @property
    def message(self) -> str:
        where = "is used only here" if self.uses == 1 else "is read by no template"
        return f"`{self.key}` {where}; did you mean `{self.suggestion}` ({self.reason})?"


def edit_distance(left: str, right: str, limit: int) -> int:
    """Optimal string alignment distance (insertions, deletions, substitutions and swaps of
    two neighbours), or `limit + 1` as soon as it is known to exceed `limit`."""
    if abs(len(left) - len(right)) > limit:
        return limit + 1
    # Only the cells within `limit` of the diagonal can stay within `limit` (a band): linear
    # in the length, not quadratic. Cells outside it count as over.
    over = limit + 1
    width = len(right)
    previous2: list[int] = []
    previous = [j if j <= limit else over for j in range(width + 1)]
    for i, a in enumerate(left, 1):
        current = [over] * (width + 1)
        if i <= limit:
            current[0] = i
        for j in range(max(1, i - limit), min(width, i + limit) + 1):
            b = right[j - 1]
            cost = 0 if a == b else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a == right[j - 2] and left[i - 2] == b:
                value = min(value, previous2[j - 2] + 1)
            current[j] = min(value, over)
        if min(current) > limit:
            return over
        previous2, previous = previous, current
    return min(previous[-1], over)


def _limit(key: str, word: str) -> int:
    """Edits allowed between a key and a word: one for short words, two for longer ones."""
    return 1 if min(len(key), len(word)) <= 5 else 2


def _group(entry: Entry) -> str:
    if entry.kind is EntryKind.DOCUMENT and entry.collection:
        return f"documents of `{entry.collection}`"
    layout = entry.data.get("layout")
    if isinstance(layout, str):
        return f"pages with layout `{layout}`"
    return "pages without a layout"


def likely_typos(site: Site) -> list[LikelyTypo]:
    """Every likely misspelt key of the site's pages and documents."""
    files: list[tuple[Entry, str, frozenset[str]]] = []
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    sizes: Counter[str] = Counter()
    for entry in site.pages():
        front_matter = entry.file.front_matter if entry.file is not None else None
        if front_matter is None or entry.kind is EntryKind.STATIC:
            continue
        own = frozenset(key for key in front_matter.data if isinstance(key, str))
        group = _group(entry)
        files.append((entry, group, own))
        counts[group].update(own)
        sizes[group] += 1
    read: dict[str, str] = {}  # attribute -> a template that reads it
    for rel, template in sorted(site.templates.items()):
        for name in getattr(template, "reads", ()):
            if name not in LIQUID_ATTRIBUTES:
                read.setdefault(name, rel)
    found: list[LikelyTypo] = []
    # One vocabulary per group and set of declared schemas, not per file: a group of
    # thousands of documents with keys of their own would make it quadratic.
    vocabularies: dict[tuple[str, tuple[str, ...]], tuple[dict[str, str], dict[str, str]]] = {}
    schemas = site.schemas
    for entry, group, own in files:
        unread = [
            key
            for key in own
            if len(key) >= MIN_KEY_LENGTH and key not in JEKYLL_KEYS and key not in read
        ]
        if not unread:
            continue
        layout = entry.data.get("layout")
        declared = [
            schemas.site_wide,
            *schemas.for_file(entry.rel, layout=layout, collection=entry.collection),
        ]
        key_of = (group, tuple(schema.where for schema in declared))
        if key_of not in vocabularies:
            words = _vocabulary(declared, group, counts[group], sizes[group], read)
            vocabularies[key_of] = (words, _strong(words))
        vocabulary, strong = vocabularies[key_of]
        for key in sorted(unread):
            if key in strong:
                continue
            # A key its siblings share is theirs; only a rare one may be a slip of the pen,
            # unless it misses a word that Jekyll, the configuration or a template reads.
            rare = counts[group][key] == 1
            match = _nearest(key, vocabulary if rare else strong, 2 if rare else 1)
            if match is not None:
                assert entry.file is not None and entry.file.front_matter is not None
                position = entry.file.front_matter.key_position(key)
                found.append(
                    LikelyTypo(
                        entry.rel, key, position, match, vocabulary[match], counts[group][key]
                    )
                )
    return found


def _vocabulary(
    declared: list[Declared], group: str, counts: Counter[str], size: int, read: dict[str, str]
) -> dict[str, str]:
    """word -> why it is one; a reason that does not depend on the siblings wins."""
    words: dict[str, str] = dict.fromkeys(
        JEKYLL_KEYS, "a key Jekyll, its plugins or betacontent read"
    )
    for schema in declared:
        for key in schema.vocabulary:
            words.setdefault(key, f"declared in `{schema.where}`")
    for name, template in read.items():
        words.setdefault(name, f"read by `{template}`")
    for key, count in counts.items():
        if count >= 2 and count * 2 > size:
            words.setdefault(key, f"used by {count} of the {size} {group}")
    return words


def _strong(vocabulary: dict[str, str]) -> dict[str, str]:
    """The words known other than by their siblings' use."""
    return {word: why for word, why in vocabulary.items() if not why.startswith("used by")}


def _plural(left: str, right: str) -> bool:
    """`page` and `pages`, `category` and `categories`: two words, not a slip."""
    short, long = sorted((left, right), key=len)
    return long in (short + "s", short + "es", short[:-1] + "ies")


def _nearest(key: str, vocabulary: dict[str, str], most: int) -> str | None:
    """The word of `vocabulary` closest to `key`, within `most` edits (fewer for short words).
    The key in another case or with `-` for `_` is the closest; its plural is another word."""
    best: tuple[int, str] | None = None
    folded = key.casefold().replace("-", "_")
    letters = frozenset(key)
    for word in vocabulary:
        if word.casefold().replace("-", "_") == folded and word != key:
            return word  # `Title`, `hero-image` for `hero_image`: the same key to a person
        # Each edit changes at most two of the letters either word uses: a cheap first cut.
        if abs(len(word) - len(key)) > most or len(letters.symmetric_difference(word)) > 2 * most:
            continue
        if word == key or _plural(key, word):
            continue
        limit = min(most, _limit(key, word))
        distance = edit_distance(key, word, limit)
        if distance <= limit and (best is None or (distance, word) < best):
            best = (distance, word)
    return best[1] if best is not None else None
