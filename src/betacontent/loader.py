"""Load a site from disk: find its root and configuration, read and parse every file once."""

from __future__ import annotations

from pathlib import Path

import msgspec

from betacontent.config import LintConfig
from betacontent.front_matter import Problem, ProblemKind, load_yaml
from betacontent.parsing import parse_data_file, parse_source
from betacontent.positions import Position
from betacontent.site_config import SiteConfig, load_site_config
from betacontent.site_index import Site, SourceDecision, build_site
from betacontent.sources import SourceFile, read_file, read_sources
from betacontent.validation import _split_error

CONFIG_NAME = "_config.yml"


def find_site_root(start: Path) -> Path:
    """The nearest folder at or above `start` with a `_config.yml`; else `start` itself (a bare
    content folder). The search stops at a repository boundary."""
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        if (candidate / CONFIG_NAME).is_file():
            return candidate
        if (candidate / ".git").exists():
            break
    return folder


def _read_config(root: Path) -> tuple[SiteConfig, SourceFile | None, list[Problem]]:
    path = root / CONFIG_NAME
    if not path.is_file():
        return SiteConfig(), None, []
    source = read_file(path, CONFIG_NAME, whole=True)
    if source.content is None:
        problem = Problem(ProblemKind.UNREADABLE, Position(1, 1), source.error or "unreadable")
        return SiteConfig(), source, [problem]
    try:
        text = source.content.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        problem = Problem(ProblemKind.UNREADABLE, Position(1, 1), "not valid UTF-8")
        return SiteConfig(), source, [problem]
    document = load_yaml(text)
    problems = list(document.problems)
    try:
        config = load_site_config(document.data)
    except msgspec.ValidationError as error:
        message, path_steps = _split_error(error)
        where = ".".join(str(step) for step in path_steps)
        problems.append(
            Problem(
                ProblemKind.NOT_MAPPING,
                document.position(path_steps),
                f"`{where}` in {CONFIG_NAME}: {message}; the default is used",
            )
        )
        config = SiteConfig()
    return config, source, problems


def load_site(root: Path, lint: LintConfig | None = None) -> Site:
    lint = lint or LintConfig()
    config, config_source, config_problems = _read_config(root)
    sources = read_sources(root, config, config_source)
    markdown_extensions = config.markdown_extensions
    decisions: list[SourceDecision] = []
    for source in sources.files:
        readable = source.content is not None
        is_page = source.has_header or (readable and source.collection == "posts")
        parse = not readable or is_page or _may_hide_front_matter(source, config)
        parsed = parse_source(source, markdown_extensions) if parse else None
        decisions.append(SourceDecision(source.rel, source.collection, parsed, is_page))
    data_files = [parse_data_file(f, config.data_dir) for f in sources.data_files]
    return build_site(
        root,
        config,
        lint,
        config_rel=CONFIG_NAME if config_source else None,
        config_problems=config_problems,
        sources=decisions,
        data_files=data_files,
        layouts=sources.layouts,
        has_layouts_dir=sources.has_layouts_dir,
        includes=sources.includes,
        has_includes_dir=sources.has_includes_dir,
    )


def _may_hide_front_matter(source: SourceFile, config: SiteConfig) -> bool:
    """A Markdown file whose front matter Jekyll will not see (BOM, TOML, JSON)."""
    content = source.content or b""
    markdown = Path(source.rel).suffix.lower() in config.markdown_extensions
    return (markdown and content[:4] in (b"\xef\xbb\xbf-", b"+++\n", b"+++\r")) or (
        markdown and content[:1] == b"{"
    )
