"""`betacontent lint --changed`: findings only in the files git reports changed, in a temporary
repository; the whole site is still loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Git, Run
from test_cli import LINE

CONFIG = "title: t\n"
VALID = "---\ntitle: {name}\nlayout: default\n---\nSome text.\n"
BROKEN = "---\ntitle: {name}\ntitle: {name}\nlayout: default\n---\n"  # BC102, an error


def write(folder: Path, name: str, template: str) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(template.format(name=path.stem))


def shown(result_stdout: str) -> set[str]:
    return {m["path"] for m in LINE.finditer(result_stdout)}


@pytest.fixture
def git(tmp_path: Path) -> Git:
    return Git(tmp_path / "repo")


def test_staged_unstaged_and_untracked_files_are_shown_not_committed_ones(
    run: Run, git: Git
) -> None:
    site = git.top
    (site / "_config.yml").write_text(CONFIG)
    (site / ".gitignore").write_text("ignored.md\n")
    write(site, "old.md", BROKEN)
    write(site, "edited.md", VALID)
    write(site, "deleted.md", VALID)
    git.commit("base")
    write(site, "staged.md", BROKEN)
    git("add", "staged.md")
    write(site, "edited.md", BROKEN)
    write(site, "untracked.md", BROKEN)
    write(site, "ignored.md", BROKEN)
    (site / "deleted.md").unlink()

    everything = run("lint", cwd=site, env=git.env)
    changed = run("lint", "--changed", cwd=site, env=git.env)

    assert shown(everything.stdout) == {
        "old.md",
        "staged.md",
        "edited.md",
        "untracked.md",
        "ignored.md",
    }
    assert shown(changed.stdout) == {"staged.md", "edited.md", "untracked.md"}
    assert changed.returncode == 1, changed.stderr


def test_nothing_changed_exits_zero_despite_old_errors(run: Run, git: Git) -> None:
    (git.top / "_config.yml").write_text(CONFIG)
    write(git.top, "old.md", BROKEN)
    git.commit("base")
    result = run("lint", "--changed", cwd=git.top, env=git.env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert shown(result.stdout) == set()


def test_since_ref_counts_the_commits_after_it(run: Run, git: Git) -> None:
    (git.top / "_config.yml").write_text(CONFIG)
    write(git.top, "old.md", BROKEN)
    git.commit("base")
    git("tag", "base")
    write(git.top, "newer.md", BROKEN)
    git.commit("after the tag")
    write(git.top, "staged.md", BROKEN)
    git("add", "staged.md")

    since = run("lint", "--since", "base", cwd=git.top, env=git.env)
    since_head = run("lint", "--changed", cwd=git.top, env=git.env)

    assert shown(since.stdout) == {"newer.md", "staged.md"}
    assert shown(since_head.stdout) == {"staged.md"}


def test_a_renamed_file_counts_under_its_new_path(run: Run, git: Git) -> None:
    (git.top / "_config.yml").write_text(CONFIG)
    write(git.top, "before.md", BROKEN)
    write(git.top, "moved-by-hand.md", BROKEN)
    git.commit("base")
    git("mv", "before.md", "after.md")  # a staged rename
    (git.top / "moved-by-hand.md").rename(git.top / "by-hand.md")  # unstaged: untracked

    result = run("lint", "--changed", cwd=git.top, env=git.env)

    # The pages' titles come from their old stems; only the paths matter here.
    assert shown(result.stdout) == {"after.md", "by-hand.md"}


def test_a_site_in_a_subfolder_of_the_repository(run: Run, git: Git) -> None:
    site = git.top / "docs"
    site.mkdir()
    (site / "_config.yml").write_text(CONFIG)
    write(site, "old.md", BROKEN)
    write(git.top, "notes.md", BROKEN)  # outside the site
    git.commit("base")
    write(site, "guide/new.md", BROKEN)

    from_top = run("lint", "--changed", "docs", cwd=git.top, env=git.env)
    from_site = run("lint", "--changed", cwd=site, env=git.env)

    assert shown(from_top.stdout) == {"docs/guide/new.md"}
    assert shown(from_site.stdout) == {"guide/new.md"}


def test_paths_and_changed_intersect(run: Run, git: Git) -> None:
    (git.top / "_config.yml").write_text(CONFIG)
    write(git.top, "guide/old.md", BROKEN)
    git.commit("base")
    write(git.top, "guide/new.md", BROKEN)
    write(git.top, "other.md", BROKEN)

    result = run("lint", "--changed", "guide", cwd=git.top, env=git.env)

    assert shown(result.stdout) == {"guide/new.md"}


def test_a_repository_without_commits_counts_every_file(run: Run, git: Git) -> None:
    (git.top / "_config.yml").write_text(CONFIG)
    write(git.top, "staged.md", BROKEN)
    git("add", "--all")
    write(git.top, "untracked.md", BROKEN)

    result = run("lint", "--changed", cwd=git.top, env=git.env)

    assert shown(result.stdout) == {"staged.md", "untracked.md"}


def test_an_unknown_ref_is_a_usage_error(run: Run, git: Git) -> None:
    (git.top / "_config.yml").write_text(CONFIG)
    git.commit("base")
    for ref in ("no-such-branch", "--output=x"):
        result = run("lint", f"--since={ref}", cwd=git.top, env=git.env)
        assert result.returncode == 2, result.stdout + result.stderr
        assert f"`{ref}`" in result.stderr
        assert "Traceback" not in result.stderr
    assert not (git.top / "x").exists()


def test_outside_a_repository_is_a_usage_error(run: Run, git: Git, tmp_path: Path) -> None:
    site = tmp_path / "plain"  # beside the repository, not in it
    site.mkdir()
    (site / "_config.yml").write_text(CONFIG)

    result = run("lint", "--changed", cwd=site, env=git.env)

    assert result.returncode == 2
    assert "not in a git repository" in result.stderr
    assert "Traceback" not in result.stderr
