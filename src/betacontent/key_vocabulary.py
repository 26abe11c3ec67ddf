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

from betacontent.positions import Position
from betacontent.schema import JEKYLL_KEYS
from betacontent.site_index import Entry, EntryKind, Site

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
    previous2: list[int] = []
    previous = list(range(len(right) + 1))
    for i, a in enumerate(left, 1):
        current = [i] + [0] * len(right)
        for j, b in enumerate(right, 1):
            cost = 0 if a == b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a == right[j - 2] and left[i - 2] == b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


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
    """Every likely misspelt key of the site's pages and documents (once per site)."""
    table = site.memo.setdefault("likely_typos", {})
    if "all" in table:
        return list(table["all"])
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
    for entry, group, own in files:
        unread = [
            key
            for key in own
            if len(key) >= MIN_KEY_LENGTH and key not in JEKYLL_KEYS and key not in read
        ]
        if not unread:
            continue
        vocabulary = _vocabulary(site, entry, group, counts[group], sizes[group], read)
        strong = _strong(vocabulary)
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
    table["all"] = found
    return list(found)


def _vocabulary(
    site: Site, entry: Entry, group: str, counts: Counter[str], size: int, read: dict[str, str]
) -> dict[str, str]:
    """word -> why it is one; a reason that does not depend on the siblings wins."""
    words: dict[str, str] = dict.fromkeys(
        JEKYLL_KEYS, "a key Jekyll, its plugins or betacontent read"
    )
    schemas = site.schemas
    layout = entry.data.get("layout")
    declared = schemas.for_file(entry.rel, layout=layout, collection=entry.collection)
    for schema in (schemas.site_wide, *declared):
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
    for word in vocabulary:
        if word == key or _plural(key, word):
            continue
        if word.casefold().replace("-", "_") == folded:
            return word  # `Title`, `hero-image` for `hero_image`: the same key to a person
        limit = min(most, _limit(key, word))
        distance = edit_distance(key, word, limit)
        if distance <= limit and (best is None or (distance, word) < best):
            best = (distance, word)
    return best[1] if best is not None else None
