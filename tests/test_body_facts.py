"""Per-file work in worker processes and its content-hash cache change no result: serial ==
parallel, cache miss == hit (also after an edit), a bad cache file is discarded with a notice,
and two runs sharing a cache both report what a run without it reports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.generate_site import main as generate
from betacontent.core.positions import Position
from betacontent.core.settings import LintConfig, find_config, load_config
from betacontent.kramdown.anchors import page_anchors
from betacontent.kramdown.body_facts import extract
from betacontent.kramdown.markdown import parse
from betacontent.lint.diagnostics import Diagnostic
from betacontent.lint.rules import RULES
from betacontent.lint.runner import lint
from betacontent.site.facts_cache import (
    CACHE_FILENAME,
    FACTS_CACHE_DIR,
    MAGIC,
    cache_dir_for,
    code_key,
)
from betacontent.site.index import EntryKind
from betacontent.site.links import (
    LinkShapes,
    file_links,
    front_matter_links,
    include_parameter_links,
)
from betacontent.site.loader import load_site
from conftest import FIXTURE_SITES, ROOT

FIXTURES = ROOT / "tests" / "fixtures"
SITES = FIXTURE_SITES


def diagnostics(
    root: Path, jobs: int | None = None, cache_dir: Path | None = None
) -> list[Diagnostic]:
    config_path = find_config(root)
    config = load_config(config_path) if config_path else LintConfig()
    cache = cache_dir is not None
    site = load_site(root, config, jobs=jobs, cache=cache, cache_dir=cache_dir)
    return lint(site, RULES.values())


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated site with injected defects, large enough for the automatic choices."""
    root = tmp_path_factory.mktemp("facts") / "site"
    assert generate([str(root), "--pages", "450", "--seed", "5", "--defects", "0.4"]) == 0
    return root


@pytest.mark.parametrize("site", SITES, ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_extract_matches_the_reference(site: Path) -> None:
    """`extract` gives what `file_links` and `page_anchors` give on each page's parsed body."""
    loaded = load_site(site)
    files = [
        e.file for e in loaded.entries if e.kind in (EntryKind.PAGE, EntryKind.DOCUMENT) and e.file
    ]
    assert files
    for file in files:
        facts = extract(file.body_task())
        tokens = parse(file.body) if file.markdown else []
        reference = file_links(file, LinkShapes(), tokens)
        body = facts.file_links()
        found = front_matter_links(file, LinkShapes()) + body.links
        assert found + include_parameter_links(file, LinkShapes()) == reference.links
        assert body.unsafe == reference.unsafe
        assert body.ids == reference.ids
        anchors = page_anchors(tokens, file.body) if file.markdown else []
        assert facts.anchors == [
            (a.id, Position(a.line + file.body_line - 1, a.column), a.kind)
            for a in anchors
            if a.kind != "html"
        ]


@pytest.mark.parametrize("site", SITES, ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_parallel_equals_serial_on_fixtures(site: Path) -> None:
    assert diagnostics(site, jobs=2) == diagnostics(site, jobs=1)


def test_parallel_equals_serial_on_a_generated_site(generated: Path) -> None:
    serial = diagnostics(generated, jobs=1)
    assert serial, "the defects are reported"
    assert diagnostics(generated, jobs=2) == serial
    assert diagnostics(generated) == serial  # the automatic choice: parallel at this size


@pytest.mark.parametrize("site", SITES, ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_cache_hit_equals_miss_on_fixtures(site: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    expected = diagnostics(site)
    assert diagnostics(site, cache_dir=cache) == expected  # miss: computed and stored
    assert (cache / CACHE_FILENAME).is_file()
    stored = (cache / CACHE_FILENAME).stat().st_mtime_ns
    assert diagnostics(site, cache_dir=cache) == expected  # hit: read back
    assert (cache / CACHE_FILENAME).stat().st_mtime_ns == stored, "nothing new to write"


def test_warm_cache_after_an_edit(generated: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert diagnostics(generated, cache_dir=cache) == diagnostics(generated)
    page = next((generated / "_pages").rglob("*.md"))
    original = page.read_text(encoding="utf-8")
    try:
        page.write_text(
            original
            + "\n## Une section ajoutée\n\n[perdu](/nulle-part/) [ici](#une-section-ajoutee)\n",
            encoding="utf-8",
        )
        warm = diagnostics(generated, cache_dir=cache)
        cold = diagnostics(generated)
        assert warm == cold
        rel = page.relative_to(generated).as_posix()
        assert any(d.path == rel and d.code == "BC301" for d in cold), "the edit is seen"
    finally:
        page.write_text(original, encoding="utf-8")


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(
            lambda data: data[:-20] + bytes([data[-20] ^ 0xFF]) + data[-19:], id="flipped-byte"
        ),
        pytest.param(lambda data: b"not a cache at all", id="foreign"),
        pytest.param(lambda data: b"", id="empty"),
    ],
)
def test_a_bad_cache_is_discarded_with_a_notice(
    damage: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = FIXTURES / "realistic_site"
    cache = tmp_path / "cache"
    expected = diagnostics(site)
    diagnostics(site, cache_dir=cache)
    path = cache / CACHE_FILENAME
    assert callable(damage)
    path.write_bytes(damage(path.read_bytes()))
    capsys.readouterr()
    assert diagnostics(site, cache_dir=cache) == expected
    notice = capsys.readouterr().err
    assert f"the cache {path} is" in notice and "ignored and will be rewritten" in notice
    assert path.read_bytes().startswith(MAGIC)
    assert diagnostics(site, cache_dir=cache) == expected
    assert capsys.readouterr().err == "", "the rewritten file is trusted again"


def test_an_entry_of_the_wrong_shape_is_not_trusted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file whose digest checks out but whose payload is not the expected shape."""
    import hashlib

    import msgspec

    site = FIXTURES / "anchors_site"
    cache = tmp_path / "cache"
    expected = diagnostics(site)
    cache.mkdir()
    # too few fields; then a record's eight fields, each of the wrong type
    for entry in ([["x"], [], [], [], []], ["x", "y", 1.5, {}, {}, [], "z", 3]):
        payload = msgspec.msgpack.encode({"0" * 40: entry})
        digest = hashlib.blake2b(payload, digest_size=32).digest()
        (cache / CACHE_FILENAME).write_bytes(MAGIC + code_key() + digest + payload)
        assert diagnostics(site, cache_dir=cache) == expected
        assert "unreadable" in capsys.readouterr().err


def test_cache_folder_choice(tmp_path: Path) -> None:
    assert cache_dir_for(tmp_path, 10) is None
    assert cache_dir_for(tmp_path, 10, wanted=True) == tmp_path / FACTS_CACHE_DIR
    assert cache_dir_for(tmp_path, 100_000) == tmp_path / FACTS_CACHE_DIR
    assert cache_dir_for(tmp_path, 100_000, wanted=False) is None


def _lint_command(site: Path, *flags: str) -> subprocess.Popen[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "betacontent", "lint", str(site), "--format", "json", *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _findings(output: str) -> list[object]:
    return list(json.loads(output)["diagnostics"])


def test_two_concurrent_lints_share_a_cache(generated: Path) -> None:
    reference = _lint_command(generated, "--no-cache")
    out, err = reference.communicate(timeout=120)
    assert reference.returncode == 1, err
    expected = _findings(out)
    assert not (generated / FACTS_CACHE_DIR / CACHE_FILENAME).exists()
    for _ in range(2):  # cold (both write), then warm (both read the survivor)
        runs = [_lint_command(generated, "--cache", "--jobs", "2") for _ in range(2)]
        for run in runs:
            out, err = run.communicate(timeout=120)
            assert run.returncode == 1, err
            assert "Traceback" not in err and "cache" not in err, err
            assert _findings(out) == expected
        assert (generated / FACTS_CACHE_DIR / CACHE_FILENAME).read_bytes().startswith(MAGIC)


def test_a_cache_of_another_betacontent_is_passed_over_silently(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """After an upgrade no entry can hit: the file is not decoded, and no notice is given."""
    site = FIXTURES / "realistic_site"
    cache = tmp_path / "cache"
    expected = diagnostics(site)
    diagnostics(site, cache_dir=cache)
    path = cache / CACHE_FILENAME
    data = path.read_bytes()
    other = bytes(b ^ 0xFF for b in code_key())
    path.write_bytes(MAGIC + other + data[len(MAGIC) + len(other) :])
    capsys.readouterr()
    assert diagnostics(site, cache_dir=cache) == expected
    assert capsys.readouterr().err == ""
    assert path.read_bytes()[len(MAGIC) :].startswith(code_key()), "rewritten by this one"
