"""A site shaped like beta.gouv.fr (`fixtures/realistic_site`): no false positives, and
html-proofer as the oracle of the link rules.

The fixture has collections with permalink patterns (`/startups/:title.html`,
`/incubateurs/:name/`), a non-output `phases` collection, `redirect_from` lists, `_data` menus
naming targets by URL and by source path, permalinks with and without a trailing slash or
`.html`, an accented permalink (`/fast/lauréats`), and links of every form: inline, reference
definitions, autolinks, percent-encoded, relative, heading anchors (kramdown GFM ids with
accents, apostrophes, typography, duplicates, `{#id}`, `{: #id}`, `<div markdown="1">`), raw
HTML `<a>`, `<img srcset>`, `<picture><source srcset>`, Liquid (`site.baseurl`,
`relative_url`, `{% link %}`, `{% post_url %}`) and `{% include card.html url="..." %}`.

`test_html_proofer_agrees` builds the fixture with the real `jekyll build`, runs html-proofer
3.19 (Debian `ruby-html-proofer`) on the output, then does the same on a broken twin with
known defects injected. What html-proofer cannot see, so that no assertion expects it to:
- `srcset` candidates of an `<img>` that has a `src` (it checks `src` only), and `<source
  srcset>` of a `<picture>` (it checks `source` elements for `src` only);
- a menu entry naming a source file that does not exist (`path: _pages/x.md`): the template
  finds no page and writes `href=""`, which html-proofer skips as "no href" in HTML5;
- Liquid, front matter and `_data` as such: it sees breadcrumbs and menus only as the HTML the
  templates render, on every page, and cannot say which source line to fix;
- anything in templates that betacontent does not lint (layouts and includes): the fixture
  keeps those correct, and no defect is injected there.
html-proofer, in turn, checks links that betacontent leaves alone: links passed to
`{% include %}` and links written in layouts. The clean build proves those are correct.

Needs `jekyll` with jekyll-redirect-from and `htmlproofer` (Debian: `apt-get install jekyll
ruby-jekyll-redirect-from ruby-html-proofer`). Skipped when missing, except on CI (`CI` set)
where a missing tool is a failure.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from betacontent.core.settings import find_config, load_config
from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.rules import RULES
from betacontent.lint.runner import lint
from betacontent.site.index import Entry, Site
from betacontent.site.loader import load_site
from conftest import jekyll_build, require_tool, run_tool

FIXTURE = Path(__file__).parent / "fixtures" / "realistic_site"
OWN_DOMAINS = ("beta.gouv.fr", "www.beta.gouv.fr")


def _lint(root: Path) -> tuple[Site, list[Diagnostic]]:
    site = load_site(root, load_config(find_config(root)))
    return site, lint(site, RULES.values())


def _serious(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.severity in (Severity.ERROR, Severity.WARNING)]


def _show(diagnostics: Iterable[Diagnostic]) -> str:
    lines = [f"    {d.path}:{d.line}:{d.column} {d.code} {d.message}" for d in diagnostics]
    return "\n".join(lines) or "    (none)"


def test_realistic_site_lints_clean() -> None:
    _, diagnostics = _lint(FIXTURE)
    serious = _serious(diagnostics)
    assert not serious, f"false positives on the realistic site:\n{_show(serious)}"


# --- the oracles --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    """One html-proofer failure: the output file, its message, and the URL it is about."""

    output: str  # POSIX path relative to the build's destination
    message: str
    url: str  # the href or src as html-proofer reports it ("" when unknown)
    fragment_only: bool  # "linking to internal hash ... that does not exist"


_MISSING_LINK = re.compile(r"^internally linking to (.*), which does not exist$")
_MISSING_IMAGE = re.compile(r"^internal image (.*) does not exist$")
_MISSING_HASH = re.compile(r"^linking to internal hash #(.*) that does not exist$")
_ISSUE = re.compile(r"^  \*  (.*?)(?: \(line \d+\))?$")
_URL_ATTRIBUTE = re.compile(r"""\s(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _parse_proofer(stderr: str, dest: Path) -> list[Failure]:
    """Failures from html-proofer 3.19's report: `- <file>` lines, each followed by
    `  *  <message> (line N)` lines, each optionally followed by the element's HTML indented by
    five spaces. Duplicates (3.19 reports some internal-link failures twice) are dropped."""
    failures: dict[tuple[str, str, str], Failure] = {}
    lines = stderr.splitlines()
    current: str | None = None
    for index, line in enumerate(lines):
        if line.startswith("- "):
            path = Path(line[2:])
            if path.is_file() and dest in path.resolve().parents:
                current = path.resolve().relative_to(dest).as_posix()
            continue
        issue = _ISSUE.match(line)
        if issue is None or current is None:
            continue
        message = issue.group(1)
        following = lines[index + 1] if index + 1 < len(lines) else ""
        content = following[5:] if following.startswith("     ") else ""
        url = ""
        for pattern in (_MISSING_LINK, _MISSING_IMAGE):
            found = pattern.match(message)
            if found:
                url = found.group(1)
        hashed = _MISSING_HASH.match(message) is not None
        if hashed:
            attribute = _URL_ATTRIBUTE.search(content)
            if attribute:
                url = html.unescape(attribute.group(1) or attribute.group(2) or "")
        failures[(current, message, url)] = Failure(current, message, url, hashed)
    return list(failures.values())


def _proof(htmlproofer: str, dest: Path) -> tuple[int, list[Failure], str]:
    command = [
        htmlproofer,
        str(dest),
        "--disable-external",
        "--allow-hash-href",
        "--assume-extension",  # `/x` finds `x.html`, as nginx's `try_files $uri.html` does
        "--internal-domains",  # links to the site's own domain are checked as internal
        ",".join(OWN_DOMAINS),
    ]
    result = run_tool(command, dest.parent)
    report = f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
    assert result.returncode in (0, 1), f"htmlproofer crashed ({result.returncode})\n{report}"
    failures = _parse_proofer(result.stderr, dest.resolve())
    if result.returncode == 1:
        assert failures, f"htmlproofer failed but no failure could be read\n{report}"
    return result.returncode, failures, report


# --- the broken twin ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Defect:
    """A defect injected into a copy of the fixture: `old` (once in `path`) becomes `new`."""

    path: str
    old: str
    new: str
    code: str  # the rule that must report it, on the line where `new` starts
    proofer_sees: bool  # whether html-proofer 3.19 can report it (see the module docstring)

    def line(self, root: Path) -> int:
        text = (root / self.path).read_text(encoding="utf-8")
        return text[: text.index(self.new)].count("\n") + 1


DEFECTS = (
    # A relative link in a collection document (`/startups/:title.html`).
    Defect(
        "_startups/domifa.md",
        "(../incubateurs/dinum/)",
        "(../incubateur/dinum/)",
        "BC301",
        True,
    ),
    # An anchor that lost its accent: kramdown keeps `é` in ids.
    Defect(
        "_startups/aides-jeunes.md",
        "/fast/lauréats#les-lauréats-2024",
        "/fast/lauréats#les-laureats-2024",
        "BC302",
        True,
    ),
    # A missing image in raw HTML.
    Defect(
        "_incubateurs/dinum.md",
        '<img src="/img/incubateurs/dinum.png"',
        '<img src="/img/incubateurs/dinum.jpg"',
        "BC303",
        True,
    ),
    # A reference definition to a page that does not exist (accented by mistake).
    Defect(
        "_pages/mentions-legales.md",
        "[a11y]: /accessibilite/",
        "[a11y]: /accessibilité/",
        "BC301",
        True,
    ),
    # A `srcset` candidate of an `<img>` with a `src`: html-proofer checks `src` only.
    Defect(
        "_pages/contact.html",
        "/img/equipe-large.png 1200w",
        "/img/equipe-xl.png 1200w",
        "BC303",
        False,
    ),
    # A breadcrumb to nothing: html-proofer sees the link the template renders.
    Defect(
        "_startups/pass_culture.md",
        "link: /startups/\n",
        "link: /startup/\n",
        "BC204",
        True,
    ),
    # A menu URL to nothing: html-proofer sees it in the header of every page.
    Defect("_data/navigation.yml", "url: /fast/", "url: /fonds-fast/", "BC309", True),
    # A menu entry naming a source file that does not exist: rendered as `href=""`.
    Defect(
        "_data/navigation.yml",
        "path: _pages/incubateurs.md",
        "path: _pages/incubateur.md",
        "BC309",
        False,
    ),
)


def _inject(root: Path, defects: Iterable[Defect]) -> None:
    for defect in defects:
        path = root / defect.path
        text = path.read_text(encoding="utf-8")
        assert text.count(defect.old) == 1, f"{defect.path}: `{defect.old}` is not there once"
        path.write_text(text.replace(defect.old, defect.new), encoding="utf-8")


# --- builds -------------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class Checked:
    """A copy of the fixture, linted by betacontent, built by Jekyll, checked by html-proofer."""

    source: Path
    dest: Path
    site: Site
    diagnostics: list[Diagnostic]
    proofer_status: int
    failures: list[Failure]
    proofer_report: str


def _check(work: Path, defects: Iterable[Defect]) -> Checked:
    htmlproofer = require_tool("htmlproofer", "ruby-html-proofer")
    source, dest = jekyll_build(FIXTURE, work, lambda copy: _inject(copy, defects))
    site, diagnostics = _lint(source)
    status, failures, report = _proof(htmlproofer, dest)
    return Checked(source, dest.resolve(), site, diagnostics, status, failures, report)


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Checked:
    return _check(tmp_path_factory.mktemp("realistic_clean"), ())


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Checked:
    return _check(tmp_path_factory.mktemp("realistic_broken"), DEFECTS)


# --- comparing the two tools --------------------------------------------------------------------


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", unquote(text))


def _target(page_url: str, url: str) -> tuple[str, str]:
    """(site path, fragment) a link leads to, percent-decoded and NFC-normalised, resolved
    against the page's URL as a browser does; own-domain URLs count as site paths."""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and (parts.hostname or "") in OWN_DOMAINS:
        url = url[len(f"{parts.scheme}://{parts.netloc}") :] or "/"
    resolved = urlsplit(urljoin(page_url, url))
    return _norm(resolved.path), _norm(resolved.fragment)


def _content_page(site: Site, output: str) -> Entry | None:
    """The page or document written at `output`; None for redirects and generated files."""
    for entry in site.outputs.get(output, []):
        if entry.is_page:
            return entry
    return None


@dataclass(frozen=True)
class Reported:
    path: str  # the source file betacontent reports it in
    target: tuple[str, str]
    code: str


def _reported_links(site: Site, diagnostics: Iterable[Diagnostic]) -> list[Reported]:
    """The links betacontent reports (errors and warnings), with where they lead."""
    at: dict[tuple[str, int, int], tuple[str, str]] = {}
    for page in site.semantic.checked_links:
        for target in page.targets:
            if target.site_path is None:
                continue
            where = (page.path, target.link.position.line, target.link.position.column)
            at[where] = (_norm(target.site_path), _norm(target.fragment or ""))
    found = []
    for diagnostic in _serious(diagnostics):
        leads = at.get((diagnostic.path, diagnostic.line, diagnostic.column))
        if leads is not None:
            found.append(Reported(diagnostic.path, leads, diagnostic.code))
    return found


def _covered(failure: Failure, page: Entry, reported: Iterable[Reported], data_dir: str) -> bool:
    """Whether betacontent reports the link of an html-proofer failure: in the page's own
    source (its body or its breadcrumbs), or in a `_data/` file (menus are on every page)."""
    path, fragment = _target(page.url, failure.url)
    for item in reported:
        if item.path != page.rel and not item.path.startswith(data_dir + "/"):
            continue
        if item.target[0] == path and (not failure.fragment_only or item.target[1] == fragment):
            return True
    return False


def _describe(failures: Iterable[Failure]) -> str:
    return "\n".join(f"    {f.output}: {f.message} [{f.url}]" for f in failures) or "    (none)"


def test_html_proofer_agrees(clean: Checked, broken: Checked) -> None:
    # The fixture is clean for html-proofer too, templates and `{% include %}` links included.
    assert clean.proofer_status == 0 and not clean.failures, (
        f"html-proofer finds failures in the clean fixture:\n{_describe(clean.failures)}\n"
        f"{clean.proofer_report}"
    )

    # Every failure html-proofer reports in the broken twin is on a content page (the
    # redirects jekyll-redirect-from writes still lead somewhere) and is reported by betacontent.
    site = broken.site
    reported = _reported_links(site, broken.diagnostics)
    stray, missed = [], []
    for failure in broken.failures:
        page = _content_page(site, failure.output)
        if page is None:
            stray.append(failure)
        elif not failure.url or not _covered(failure, page, reported, site.config.data_dir):
            missed.append(failure)
    assert not stray, f"html-proofer failures outside content pages:\n{_describe(stray)}"
    assert not missed, (
        f"html-proofer failures that betacontent does not report:\n{_describe(missed)}\n"
        f"betacontent reports:\n{_show(broken.diagnostics)}"
    )

    # betacontent reports every injected defect, at its line, and nothing else new.
    baseline = {(d.path, d.code, d.message) for d in _serious(clean.diagnostics)}
    new = [d for d in _serious(broken.diagnostics) if (d.path, d.code, d.message) not in baseline]
    expected = {(d.path, d.line(broken.source), d.code) for d in DEFECTS}
    found = {(d.path, d.line, d.code) for d in new}
    assert expected <= found, (
        f"injected defects betacontent does not report: {sorted(expected - found)}\n"
        f"betacontent reports:\n{_show(new)}"
    )
    extra = [d for d in new if (d.path, d.line, d.code) not in expected]
    assert not extra, f"diagnostics no defect explains:\n{_show(extra)}"

    # And the oracle is awake: html-proofer reports each defect it can see.
    unseen = []
    for defect in DEFECTS:
        if not defect.proofer_sees:
            continue
        wanted = _defect_target(site, defect, broken.source)
        if not any(_failure_target(site, f) == wanted for f in broken.failures):
            unseen.append(f"{defect.path}: {defect.new.strip()}")
    assert not unseen, (
        f"defects html-proofer should have reported: {unseen}\n{_describe(broken.failures)}"
    )


def _defect_target(site: Site, defect: Defect, root: Path) -> tuple[str, str]:
    """Where the injected link leads, read from betacontent's own link extraction."""
    line = defect.line(root)
    for page in site.semantic.checked_links:
        if page.path != defect.path:
            continue
        for target in page.targets:
            link = target.link
            if link.position.line == line and link.url in defect.new and target.site_path:
                return _norm(target.site_path), _norm(target.fragment or "")
    raise AssertionError(f"{defect.path}:{line}: no link found where the defect was injected")


def _failure_target(site: Site, failure: Failure) -> tuple[str, str] | None:
    page = _content_page(site, failure.output)
    if page is None or not failure.url:
        return None
    path, fragment = _target(page.url, failure.url)
    return path, fragment if failure.fragment_only else ""


def test_model_predicts_the_files_jekyll_writes(clean: Checked) -> None:
    written = {p.relative_to(clean.dest).as_posix() for p in clean.dest.rglob("*") if p.is_file()}
    predicted = {e.output for e in clean.site.entries if e.output}
    assert written == predicted, (
        f"written by Jekyll only: {sorted(written - predicted)}\n"
        f"predicted by betacontent only: {sorted(predicted - written)}"
    )
