"""Link to a `#fragment` that the target page does not define.

## What it does
For links with a fragment (`/approche/#les-principes`, or `#les-principes` alone for the same
page), checks that the target page defines that id: a heading id exactly as Jekyll's kramdown
generates it (GFM auto ids, with smart quotes, duplicates numbered `-1`, `-2`), an explicit id
(`{#id}`, `{: #id}`), or an HTML `id=`/`name=`. Percent-encoded fragments are decoded first.
Links through a redirect are checked against the page it leads to; static files are not
checked. `#` and `#top` always work.

## Why is this bad?
The browser lands at the top of the page instead of the section the reader was promised.
Heading ids change silently when a heading is reworded or when an apostrophe becomes `’`.

## Example
```markdown
Voir [les principes](/approche/#principes).
```
where `/approche/` has the heading `## Les principes`.

## Use instead
```markdown
Voir [les principes](/approche/#les-principes).
```
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterator

from betacontent.diagnostics import Diagnostic, Severity
from betacontent.rules.base import rule
from betacontent.rules.common import anchors_of, checked_links, final_page
from betacontent.rules.fixing import link_end
from betacontent.site_index import EntryKind, Site


def check(site: Site) -> Iterator[Diagnostic]:
    for page in checked_links(site):
        for target in page.targets:
            fragment = target.fragment
            if not fragment or fragment.lower() == "top":
                continue
            if target.kind == "same-page":
                holder = target.entry
            elif target.resolution is not None and target.kind in ("internal", "own-domain"):
                holder = final_page(site, target.resolution)
            else:
                continue
            if holder is None or holder.kind not in (EntryKind.PAGE, EntryKind.DOCUMENT):
                continue
            ids = {anchor for anchor, _, _ in anchors_of(site, holder)}
            if fragment in ids:
                continue
            close = difflib.get_close_matches(fragment, sorted(ids), n=1, cutoff=0.6)
            hint = f"; did you mean `#{close[0]}`?" if close else ""
            composed = unicodedata.normalize("NFC", fragment)
            same = [i for i in ids if unicodedata.normalize("NFC", i) == composed]
            if same:  # identical on screen, different code points
                hint = (
                    f"; the id `#{same[0]}` looks the same but is written with other Unicode "
                    "code points (NFC vs NFD accents): copy it from the heading"
                )
            where = "this page" if holder is target.entry else holder.rel
            yield RULE.at(
                page.path,
                target.link.position,
                f"`#{fragment}` names no heading or id in {where}{hint}",
                end=link_end(site, page.path, target.link),
            )


RULE = rule("BC302", "broken-fragment", Severity.ERROR, __doc__)(check)
