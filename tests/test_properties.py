"""Property-based tests: hypothesis writes pages (front matter and Markdown, valid or not) and
the lint must never raise, must place every finding inside the file, must give the same
findings twice, and must leave the file as it was. Bounded by example count, not time."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from betacontent.core.positions import split_lines
from betacontent.core.settings import LintConfig
from betacontent.lint.diagnostics import Diagnostic
from betacontent.lint.rules import RULES
from betacontent.lint.runner import lint
from betacontent.site.loader import load_site

EXAMPLES = int(os.environ.get("BETACONTENT_EXAMPLES", "150"))

# Characters that break parsers: RTL marks, combining accents, TAB, CR, NUL, BOM, NEL, LS.
NASTY = "\u202e\u200f\u0301\u0308\t\r\x00\ufeff\x85\u2028é<>[]()#{}%|:-*`\\\"'&;"
text = st.text(
    alphabet=st.one_of(st.characters(codec="utf-8"), st.sampled_from(list(NASTY))),
    max_size=40,
)
KEYS = ["title", "layout", "permalink", "breadcrumbs", "sidebar", "redirect_from", "date"]
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), text, st.dates()
)
yaml_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(text | st.sampled_from(KEYS), inner, max_size=4),
    ),
    max_leaves=12,
)
crumb = st.fixed_dictionaries({"title": text}, optional={"link": text | st.just("/")})
known = st.fixed_dictionaries(
    {},
    optional={
        "title": text,
        "layout": st.sampled_from(["default", "nulle", ""]) | text,
        "permalink": text | st.just("/a/"),
        "breadcrumbs": st.lists(crumb, max_size=4) | yaml_values,
    },
)


def dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, default_flow_style=None)


front_matter = st.one_of(
    st.builds(lambda d, extra: dump({**d, **extra}), known, st.dictionaries(text, yaml_values)),
    text,  # anything at all, usually invalid YAML
    st.just("a: &a [*a]\n"),  # a recursive alias
    st.builds(lambda n: "x: " + "[" * n + "]" * n + "\n", st.integers(0, 300)),
)
fragments = st.one_of(
    text,
    st.builds(lambda t, u: f"[{t}]({u})", text, text),
    st.builds(lambda t, u: f"![{t}]({u})", text, text),
    st.builds(lambda t, u: f"[{t}]: {u}", text, text),
    st.builds(lambda t: f"<{t}>", text),
    st.builds(lambda level, t: "#" * level + " " + t, st.integers(1, 7), text),
    st.builds(lambda u: f'<a href="{u}">x</a>', text),
    st.builds(lambda u: f'<img src="{u}" srcset="{u} 2x">', text),
    st.sampled_from(
        [
            '<div markdown="1">',
            "</div>",
            "<div>",
            "```",
            "~~~",
            "{% raw %}",
            "{% comment %}",
            "{% endcomment %}",
            "{{ site.url }}",
            "{% link _pages/x.md %}",
            "{% include carte.html url=",
            "{: #id .class}",
            "[^1]",
            "[^1]: note",
            "---",
            "<!-- betacontent-disable BC301 -->",
            "<!-- betacontent-disable-next-line -->",
            "> > >",
            "* * *",
            "|a|b|\n|-|-|",
        ]
    ),
    st.builds(lambda n: "x" * n, st.integers(0, 5000)),
)
endings = st.sampled_from(["\n", "\r\n", "\r"])


@st.composite
def pages(draw: st.DrawFn) -> bytes:
    parts = []
    if draw(st.booleans()):
        parts.append("\ufeff" if draw(st.integers(0, 9)) == 0 else "")
        parts.append("---" + draw(endings))
        parts.append(draw(front_matter))
        if draw(st.integers(0, 9)):  # sometimes never closed
            parts.append(draw(endings) + "---" + draw(endings))
    for fragment in draw(st.lists(fragments, max_size=12)):
        parts.append(fragment + draw(endings | st.just(" ")))
    raw = "".join(parts).encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 19)) == 0:  # now and then, bytes that are not UTF-8
        cut = draw(st.integers(0, len(raw)))
        raw = raw[:cut] + b"\xff\xfe\xc3" + raw[cut:]
    return raw


def make_site(root: Path, page: bytes, data: bytes) -> None:
    (root / "_layouts").mkdir(parents=True)
    (root / "_data").mkdir()
    (root / "_includes").mkdir()
    (root / "_config.yml").write_text("title: t\nurl: https://exemple.gouv.fr\n")
    (root / "_layouts" / "default.html").write_text("{{ content }}\n")
    (root / "_includes" / "carte.html").write_text('<a href="{{ include.url }}">x</a>\n')
    (root / "index.md").write_text("---\nlayout: default\ntitle: Accueil\n---\n# Accueil\n")
    (root / "page.md").write_bytes(page)
    (root / "_data" / "menu.yml").write_bytes(data)


def run_lint(root: Path) -> list[Diagnostic]:
    return lint(load_site(root, LintConfig()), RULES.values())


def assert_inside(diagnostic: Diagnostic, root: Path) -> None:
    content = (root / diagnostic.path).read_bytes()
    lines = split_lines(content.decode("utf-8", "replace"))
    # libyaml also ends lines at NEL and the Unicode separators: allow its count too.
    more = content.decode("utf-8", "replace").splitlines() or [""]
    count = max(len(lines), len(more))
    longest = max(len(line) for line in [*lines, *more])
    where = f"{diagnostic.path}:{diagnostic.line}:{diagnostic.column} {diagnostic.code}"
    assert 1 <= diagnostic.line <= count, where
    assert 1 <= diagnostic.column <= longest + 1, where
    assert (diagnostic.end_line, diagnostic.end_column) >= (diagnostic.line, diagnostic.column)
    assert diagnostic.end_line <= count, where


def digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(page=pages(), data=st.builds(lambda f: f.encode("utf-8", "surrogatepass"), front_matter))
def test_lint_never_raises_places_findings_inside_is_deterministic_and_writes_nothing(
    page: bytes, data: bytes
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "site"
        make_site(root, page, data)
        before = digest(root)
        first = run_lint(root)
        for diagnostic in first:
            assert_inside(diagnostic, root)
        assert run_lint(root) == first
        assert digest(root) == before
