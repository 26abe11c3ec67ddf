"""What the API needs of a Markdown page beyond the lint, made with its parse.

`load_site(extra=PREPARE)` runs `prepare` in the worker that parses each file (and keeps its
bytes in the parse cache): the page's body rendered, its Liquid's output left to the site
(`render.with_liquid`), and the search index's term counts of its text. `prepared` reads
them back in the server.
"""

from __future__ import annotations

import msgspec

from betacontent.kramdown.render import Rendered, render_markdown
from betacontent.serve.search import term_counts
from betacontent.site.parsing import ParsedFile

PREPARE = f"{__name__}:prepare"


class Prepared(msgspec.Struct, array_like=True, gc=False):
    rendered: Rendered
    terms: dict[str, int]  # `search.term_counts(rendered.text)`


_DECODER = msgspec.msgpack.Decoder(Prepared)


def prepare(parsed: ParsedFile) -> bytes | None:
    """A Markdown page's rendering and search terms (None for any other file)."""
    if not parsed.markdown or parsed.front_matter is None:
        return None
    rendered = render_markdown(parsed.body, defer_liquid=True)
    return msgspec.msgpack.encode(Prepared(rendered, term_counts(rendered.text)))


def prepared(file: ParsedFile | None) -> Prepared | None:
    """What `prepare` made of `file`, if it ran."""
    if file is None or file.extra is None:
        return None
    return _DECODER.decode(file.extra)
