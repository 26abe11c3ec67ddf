"""The hostile corpus: every file gets its expected diagnostic, never a traceback or a hang, and
no file is changed. Expectations are in tests/fixtures/bad/expected.toml; files that cannot be
committed (20 MB, symlinks, a file deleted or unreadable mid-run) are made here."""

from __future__ import annotations

import hashlib
import re
import shutil
import time
import tomllib
from functools import cache
from pathlib import Path

import pytest

from betacontent.core.settings import LintConfig
from betacontent.lint.diagnostics import Diagnostic
from betacontent.lint.rules import RULES
from betacontent.lint.runner import lint
from betacontent.site.loader import load_site
from betacontent.site.parsing import parse_source
from betacontent.site.sources import SourceFile
from conftest import ROOT, Run

BAD = ROOT / "tests" / "fixtures" / "bad"
EXPECTED: dict[str, list[str]] = tomllib.loads((BAD / "expected.toml").read_text())["files"]
ENTRY = re.compile(r"(?P<code>BC\d{3}) (?P<line>\d+):(?P<col>\d+) (?P<text>.+)")
LINE = re.compile(
    r"^(?P<path>[^:\n]+):(?P<line>\d+):(?P<col>\d+): (?P<code>BC\d{3})\S* (?P<msg>.+)$", re.M
)


def digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@cache
def corpus_run() -> tuple[tuple[tuple[str, int, int, str, str], ...], bool]:
    """Lint the corpus once through the real command: (findings, files unchanged)."""
    before = digest(BAD / "site")
    result = Run(ROOT)("lint", str(BAD / "site"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    prefix = "tests/fixtures/bad/site/"
    found = tuple(
        (m["path"].removeprefix(prefix), int(m["line"]), int(m["col"]), m["code"], m["msg"])
        for m in LINE.finditer(result.stdout)
    )
    return found, digest(BAD / "site") == before


def test_every_corpus_file_has_an_expectation() -> None:
    files = {
        p.relative_to(BAD / "site").as_posix()
        for p in (BAD / "site").iterdir()
        if p.is_file() and not p.name.startswith("_")
    }
    assert files == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file(name: str) -> None:
    found, unchanged = corpus_run()
    assert unchanged, "the lint changed a file of the corpus"
    actual = sorted((line, col, code, msg) for path, line, col, code, msg in found if path == name)
    wanted = [ENTRY.fullmatch(entry) for entry in EXPECTED[name]]
    assert all(wanted), EXPECTED[name]
    assert [(int(w["line"]), int(w["col"]), w["code"]) for w in wanted if w] == [
        (line, col, code) for line, col, code, _ in actual
    ], actual
    for want, (_, _, _, message) in zip(wanted, actual, strict=True):
        assert want is not None and want["text"] in message


def lint_site(root: Path) -> list[Diagnostic]:
    return lint(load_site(root, LintConfig()), RULES.values())


def small_site(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "_config.yml").write_text("title: t\n")
    (root / "_layouts").mkdir(exist_ok=True)
    (root / "_layouts" / "default.html").write_text("{{ content }}\n")
    (root / "index.md").write_text("---\nlayout: default\ntitle: Accueil\n---\n")
    return root


def test_a_20_mb_page_is_reported_not_read(run: Run, tmp_path: Path) -> None:
    site = small_site(tmp_path / "site")
    page = "---\nlayout: default\ntitle: Énorme\n---\n" + "Du texte [lien](/x/). " * 1_000_000
    (site / "huge.md").write_text(page)
    assert (site / "huge.md").stat().st_size > 20_000_000
    result = run("lint", cwd=site)
    assert "Traceback" not in result.stderr
    assert re.search(r"^huge\.md:1:1: BC112 .*2\d,\d{3},\d{3} bytes", result.stdout, re.M)
    assert "BC301" not in result.stdout  # not read, so not checked


@pytest.mark.parametrize("name", ["alias-bomb.md", "deep-flow.md", "deep-block.md"])
def test_bombs_are_refused_in_under_a_second(name: str) -> None:
    """Bounded time: the limits stop these before any work proportional to their expansion.
    (The real cost is milliseconds; one second of CPU is a hang detector, not a benchmark.)"""
    content = (BAD / "site" / name).read_bytes()
    started = time.process_time()
    parsed = parse_source(SourceFile(name, content), frozenset({".md"}))
    assert time.process_time() - started < 1.0
    assert parsed.front_matter is None and parsed.problems


def test_symlinks_outside_the_site_and_loops(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "page.md").write_text("---\nlayout: default\ntitle: Dehors\n---\n")
    site = small_site(tmp_path / "site")
    (site / "dehors.md").symlink_to(outside / "page.md")
    (site / "dossier").symlink_to(outside)
    (site / "boucle").mkdir()
    (site / "boucle" / "encore").symlink_to(site / "boucle")
    (site / "soi").symlink_to(site / "soi")
    (site / "casse.md").symlink_to(site / "absent.md")
    found = {(d.path, d.code) for d in lint_site(site)}
    assert ("dehors.md", "BC113") in found
    assert ("dossier", "BC113") in found
    assert ("soi", "BC100") in found  # a link to itself: cannot be read
    assert ("casse.md", "BC100") in found  # dangling
    assert not any(path.startswith("boucle") for path, _ in found)  # entered once, ends


def test_a_file_deleted_during_the_lint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = small_site(tmp_path / "site")
    (site / "fugace.md").write_text("---\nlayout: default\ntitle: Fugace\n---\n")
    real_open = Path.open

    def vanishing_open(self: Path, *args: object, **kwargs: object) -> object:
        if self.name == "fugace.md":
            self.unlink(missing_ok=True)
        return real_open(self, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", vanishing_open)
    found = [(d.path, d.code, d.message) for d in lint_site(site)]
    assert ("fugace.md", "BC100", "the file vanished while it was being read") in found


def test_an_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """chmod 000 does not stop root, so the refusal is the operating system's error itself."""
    site = small_site(tmp_path / "site")
    (site / "interdit.md").write_text("---\nlayout: default\ntitle: Interdit\n---\n")
    real_open = Path.open

    def refusing_open(self: Path, *args: object, **kwargs: object) -> object:
        if self.name == "interdit.md":
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", refusing_open)
    found = [(d.path, d.code, d.message) for d in lint_site(site)]
    assert ("interdit.md", "BC100", "cannot read the file: Permission denied") in found


def test_the_corpus_copied_lints_the_same(tmp_path: Path) -> None:
    """Determinism: two runs over a copy give the same findings."""
    copy = tmp_path / "site"
    shutil.copytree(BAD / "site", copy, symlinks=True)
    assert lint_site(copy) == lint_site(copy)


def test_symlinked_files_are_in_scope_when_the_site_is_named(run: Run, tmp_path: Path) -> None:
    """PATHS are compared where files stand in the site, not where their links lead."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "page.md").write_text("---\nlayout: default\ntitle: Dehors\n---\n")
    site = small_site(tmp_path / "site")
    (site / "dehors.md").symlink_to(outside / "page.md")
    for args in (["site"], ["site/dehors.md"], []):
        result = run("lint", *args, cwd=tmp_path if args else site)
        assert re.search(r"dehors\.md:1:1: BC113 ", result.stdout), (args, result.stdout)
        assert result.returncode == 1


def test_unsafe_yaml_tags_run_nothing() -> None:
    """python-object.md asks YAML to run `echo pwned > /tmp/betacontent-pwned`."""
    marker = Path("/tmp/betacontent-pwned")
    marker.unlink(missing_ok=True)
    assert "betacontent-pwned" in (BAD / "site" / "python-object.md").read_text()
    found, _ = corpus_run()
    assert any(path == "python-object.md" and code == "BC101" for path, _, _, code, _ in found)
    assert not marker.exists()
