"""The pre-commit hook of .pre-commit-hooks.yaml, run by pre-commit itself (`try-repo`) in a
content repository, offline: the hook's virtualenv installs from the wheelhouse `make` builds."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from subprocess import CompletedProcess

import pytest

from conftest import ROOT, Git, run_tool

HOOK_TIMEOUT = 300  # seconds: the first run builds the hook's virtualenv
DEAD_PROXY = "http://127.0.0.1:9"  # anything that still tries the network fails at once


def wheelhouse() -> Path:
    folder = Path(sys.prefix) / "wheelhouse"
    if not any(folder.glob("hatchling-*.whl")):
        pytest.fail(
            f"no wheelhouse with hatchling at {folder}: run `make` (its install step builds it; "
            "`make -B .venv/.installed` if the venv predates it)"
        )
    return folder


def hook_repository(target: Path) -> Path:
    """A one-commit repository of the files pre-commit needs to install betacontent, as they
    are in the working tree (committed or not)."""
    git = Git(target)
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(ROOT / name, target / name)
    for licence in ROOT.glob("LICEN[CS]E*"):  # hatchling includes them when there are some
        shutil.copy2(licence, target / licence.name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("src", "examples/frontend"):  # the wheel ships the reference frontend
        shutil.copytree(ROOT / folder, target / folder, ignore=ignore)
    git.commit("snapshot")
    return target


def try_repo(content: Git, hooks: Path, home: Path) -> CompletedProcess[str]:
    env = {k: v for k, v in content.env.items() if not k.lower().endswith("_proxy")}
    env |= {
        "PRE_COMMIT_HOME": str(home / "pre-commit"),
        "PRE_COMMIT_COLOR": "never",
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(wheelhouse()),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "VIRTUALENV_NO_PERIODIC_UPDATE": "1",
        "VIRTUALENV_OVERRIDE_APP_DATA": str(home / "virtualenv"),
        "HTTP_PROXY": DEAD_PROXY,
        "HTTPS_PROXY": DEAD_PROXY,
        "ALL_PROXY": DEAD_PROXY,
        "NO_COLOR": "1",
    }
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(hooks), "betacontent"]
    return run_tool(command, content.top, env, timeout=HOOK_TIMEOUT)


def test_the_hook_fails_on_a_staged_broken_page_and_passes_once_it_is_fixed(
    tmp_path: Path,
) -> None:
    hooks = hook_repository(tmp_path / "hooks")
    content = Git(tmp_path / "content")
    (content.top / "_config.yml").write_text("title: Site\n")
    (content.top / "index.md").write_text("---\ntitle: Home\nlayout: default\n---\nHello.\n")
    content.commit("a valid site")

    page = content.top / "page.md"
    page.write_text("---\ntitle: Page\nlayout: default\nlayout: page\n---\n")
    content("add", "page.md")
    failed = try_repo(content, hooks, tmp_path)

    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "page.md:4:1: BC102 duplicate key `layout`" in failed.stdout, failed.stdout

    page.write_text("---\ntitle: Page\nlayout: page\n---\n")
    content("add", "page.md")
    passed = try_repo(content, hooks, tmp_path)

    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "betacontent (changed files)" in passed.stdout
    assert "Passed" in passed.stdout
