"""The links a frontend gets are the links the linter checked.

On every page and document of every fixture site (the rule fixtures, the oracle, anchors,
render and realistic sites, and the embedded site), the `href`, `src` and `srcset` URLs of the
HTML the API serves are the URLs of the body links the linter resolved (Markdown, reference
definitions, autolinks, raw HTML), Liquid resolved the same way, less those the renderer
deliberately leaves out: a script URL (`javascript:`) written in Markdown (raw HTML is kept as
written: sanitising it is the API's policy), and Liquid that cannot be known
without rendering the site (written as `href=""`). The renderer adds kramdown's footnote links
(`#fn:1`, `#fnref:1`), which the linter knows as ids. Links past `max-links-per-page` are
rendered, and reported unchecked (BC112).
"""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from betacontent.core.settings import LintConfig, load_config
from betacontent.serve.published import render_entry
from betacontent.site.index import EntryKind
from betacontent.site.loader import load_site
from conftest import ROOT
from test_render_jekyll import read

FIXTURES = ROOT / "tests" / "fixtures"
SITES = [
    *sorted(p for p in (FIXTURES / "rules").iterdir() if p.is_dir()),
    *(FIXTURES / name for name in ("anchors_site", "oracle_site", "realistic_site")),
    *(FIXTURES / name for name in ("render_site", "fixes/site", "bad/site")),
    ROOT / "content",
]
BODY = ("markdown", "reference", "autolink", "html")
LEFT_OUT = ("unsafe", "liquid", "liquid-error")  # what the HTML has no URL for


def _config(root: Path) -> LintConfig:
    toml = root / "betacontent.toml"
    return load_config(toml) if toml.exists() else LintConfig()


@pytest.mark.parametrize("root", SITES, ids=lambda p: str(p.relative_to(ROOT)))
def test_rendered_links_are_the_checked_links(root: Path) -> None:
    site = load_site(root, _config(root), jobs=1, cache=False)
    pages = 0
    for page in site.semantic.checked_links:
        entry = page.entry
        if entry is None or entry.kind not in (EntryKind.PAGE, EntryKind.DOCUMENT):
            continue
        pages += 1
        rendered = set(read(render_entry(site, entry).html).links)
        targets = [t for t in page.targets if t.link.origin in BODY]
        checked = {
            html.unescape(t.url)
            for t in targets
            if t.kind not in LEFT_OUT or (t.kind == "unsafe" and t.link.origin == "html")
        }
        checked |= {html.unescape(link.url) for link in page.skipped if link.origin in BODY}
        generated = {u for u in rendered - checked if u.startswith(("#fn:", "#fnref:"))}
        unknown = any(t.kind in LEFT_OUT[1:] for t in targets)
        assert rendered - generated - ({""} if unknown else set()) == checked, page.path
    assert pages, f"{root}: no page compared"
