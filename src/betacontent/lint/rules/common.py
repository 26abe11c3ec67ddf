"""What several rules' messages share. What the site means (links resolved, trails, anchors,
schema findings) is `site.semantic`, computed once per site and read through `site.semantic`.
"""

from __future__ import annotations

import unicodedata

from betacontent.site.index import Site
from betacontent.site.semantic import TEMPLATED, Target


def broken_hint(site: Site, target: Target) -> str:
    """`Semantic.why_broken` for a resolved link that found nothing."""
    templated = target.link.origin in TEMPLATED and target.kind != "own-domain"
    return site.semantic.why_broken(target.site_path or target.url, templated=templated)


def fold(text: str) -> str:
    """Text without accents and case, for "differs only in accents or case" messages."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)
