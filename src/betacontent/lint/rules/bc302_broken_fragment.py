"""Link to a `#fragment` that the target page does not define.

## What it does
For links with a fragment (`/approche/#les-principes`, or `#les-principes` alone for the same
page), checks that the target page defines that id: a heading id exactly as Jekyll's kramdown
generates it (GFM auto ids, with smart quotes, duplicates numbered `-1`, `-2`), an explicit id
(`{#id}`, `{: #id}`), or an HTML `id=`/`name=` of the page or of its layouts and includes,
Liquid loops over collections and `_data/` included (see `liquid_ids`:
`<div id="{{ phase.slug }}">` in `{% for phase in site.phases %}`). HTML entities and
percent-encoding in fragments are decoded first, as the browser does (`#l&eacute;quipe`,
`#r%C3%A9sum%C3%A9`). Links through a redirect are checked against the page it leads to;
static files are not checked. `#` and `#top` always work, and a client-side route (`#/…`,
`#!…`) is the page's JavaScript's. A fragment that Liquid the linter cannot
evaluate may write (`id="{{ page.ancre }}"`) is not reported here but as BC310 (info).

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

from betacontent.core.positions import Position
from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.rules.base import rule
from betacontent.lint.rules.fixing import link_end
from betacontent.site.front_matter import ProblemKind
from betacontent.site.index import Entry, Site


def _refused(entry: Entry) -> Position | None:
    """Where the YAML of a page's front matter fails, if it does."""
    file = entry.file
    if file is None or file.unparsed is None:
        return None
    return next((p.position for p in file.problems if p.kind is ProblemKind.YAML_SYNTAX), None)


def check(site: Site) -> Iterator[Diagnostic]:
    for miss in site.semantic.fragment_misses:
        if miss.liquid:
            continue  # maybe written by Liquid that cannot be evaluated: BC310's
        fragment, page, target = miss.target.fragment or "", miss.page, miss.target
        close = difflib.get_close_matches(fragment, sorted(miss.ids), n=1, cutoff=0.6)
        hint = f"; did you mean `#{close[0]}`?" if close else ""
        composed = unicodedata.normalize("NFC", fragment)
        same = [i for i in miss.ids if unicodedata.normalize("NFC", i) == composed]
        if same:  # identical on screen, different code points
            hint = (
                f"; the id `#{same[0]}` looks the same but is written with other Unicode "
                "code points (NFC vs NFD accents): copy it from the heading"
            )
        broken = _refused(miss.holder)
        if broken is not None:  # the cause is there, not in the link
            hint = (
                f"; its front matter does not parse ({miss.holder.rel}:{broken.line}:"
                f"{broken.column}), so the ids of its layout are lost"
            )
        where = "this page" if miss.holder is target.entry else miss.holder.rel
        yield RULE.at(
            page.path,
            target.link.position,
            f"`#{fragment}` names no heading or id in {where}{hint}",
            end=link_end(target.link),
        )


RULE = rule("BC302", "broken-fragment", Severity.ERROR, __doc__)(check)
