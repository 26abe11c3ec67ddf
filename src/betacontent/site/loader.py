"""Load a site from disk: find its root and configuration, read and parse every file once."""

from __future__ import annotations

import os
from pathlib import Path

import msgspec

from betacontent.core.positions import Position
from betacontent.core.settings import LintConfig
from betacontent.core.validation import validate
from betacontent.site.facts_cache import cache_dir_for
from betacontent.site.front_matter import Problem, ProblemKind, YamlLimits, load_yaml
from betacontent.site.index import Site, SourceDecision, build_site
from betacontent.site.jekyll_config import SiteConfig, load_site_config, prepare_site_config
from betacontent.site.links import template_facts
from betacontent.site.parse_files import parse_files
from betacontent.site.parsing import UTF16_BOMS, parse_data_file, parse_source
from betacontent.site.sources import SourceFile, read_file, read_sources

CONFIG_NAME = "_config.yml"


def find_site_root(start: Path) -> Path:
    """The nearest folder at or above `start` with a `_config.yml`; else `start` itself (a bare
    content folder). The search stops at a repository boundary."""
    start = Path(os.path.abspath(start))  # noqa: PTH100 (a symlinked page stays where it is)
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        if (candidate / CONFIG_NAME).is_file():
            return candidate
        if (candidate / ".git").exists():
            break
    return folder


# Folders never searched for sites: dependencies, version control, Jekyll's output.
_NOT_SITES = frozenset({"node_modules", ".git", "vendor", "_site"})


def sites_below(folder: Path, depth: int = 3) -> list[Path]:
    """Folders below `folder` (not itself), at most `depth` levels down, that hold a
    `_config.yml`: the Jekyll sites a folder without one may contain (`docs/`), shallowest
    first. Dependencies, `.git`, `_site` and hidden folders are not searched."""
    found: list[Path] = []
    level = [folder]
    for _ in range(depth):
        deeper: list[Path] = []
        for current in level:
            try:
                with os.scandir(current) as entries:
                    names = sorted(e.name for e in entries if e.is_dir())
            except OSError:
                continue
            for name in names:
                if name in _NOT_SITES or name.startswith("."):
                    continue
                path = current / name
                if (path / CONFIG_NAME).is_file():
                    found.append(path)
                deeper.append(path)
        level = deeper
    return found


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
    data = document.data if document.data is not None else {}
    if not isinstance(data, dict):
        message = f"{CONFIG_NAME} must be a mapping of settings; Jekyll stops on it"
        problems.append(Problem(ProblemKind.NOT_MAPPING, document.position([]), message))
        return SiteConfig(), source, problems
    # A setting of the wrong type falls back to its default alone; the others still apply.
    kept = dict(data)
    for issue in validate(prepare_site_config(data), SiteConfig):
        if issue.kind != "type" or not issue.path:
            continue
        key = str(issue.path[0])
        kept.pop(key, None)
        problems.append(
            Problem(
                ProblemKind.NOT_MAPPING,
                document.position(issue.path),
                f"{issue.message} in {CONFIG_NAME}; betacontent uses the default `{key}`",
            )
        )
    try:
        config = load_site_config(kept)
    except msgspec.ValidationError as error:  # pragma: no cover - every key was checked
        problems.append(Problem(ProblemKind.NOT_MAPPING, Position(1, 1), str(error)))
        config = SiteConfig()
    return config, source, problems


def load_site(
    root: Path,
    lint: LintConfig | None = None,
    *,
    jobs: int | None = None,
    cache: bool | None = False,
    cache_dir: Path | None = None,
    extra: str = "",
) -> Site:
    """Read and parse the site at `root`. Per-file work runs in `jobs` worker processes
    (None: the available cores, on a large site); `cache` keeps its results in `cache_dir`
    (default `<root>/.betacontent-cache`) between runs: True, False, or None for "when the
    site is large"). `extra`: a function also run on each file's parse (`parse_files`)."""
    lint = lint or LintConfig()
    config, config_source, config_problems = _read_config(root)
    limits = YamlLimits(lint.limits.max_yaml_nodes, lint.limits.max_yaml_depth)
    sources = read_sources(root, config, config_source, lint.limits.max_file_size)
    # Gems of the Gemfile's `:jekyll_plugins` group run as if `plugins:` named them.
    config.plugins += [gem for gem in sources.bundled_plugins if gem not in config.plugins]
    config.jekyll_version = sources.jekyll_version
    markdown_extensions = config.markdown_extensions
    plan: list[tuple[SourceFile, bool, bool]] = []  # (source, parse it?, is a page)
    for source in sources.files:
        readable = source.content is not None
        is_page = source.has_header or (readable and source.collection == "posts")
        parse = not readable or is_page or _may_hide_front_matter(source, config)
        plan.append((source, parse, is_page))
    chosen = [source for source, parse, _ in plan if parse]
    folder = cache_dir_for(root, len(chosen), cache)
    if cache_dir is not None and folder is not None:
        folder = cache_dir
    parsed = iter(parse_files(chosen, markdown_extensions, limits, jobs, folder, extra))
    decisions = [
        SourceDecision(source.rel, source.collection, next(parsed) if parse else None, is_page)
        for source, parse, is_page in plan
    ]
    data_files = [parse_data_file(f, config.data_dir, limits) for f in sources.data_files]
    templates = {
        template.rel: template_facts(parse_source(template, frozenset()))
        for template in sources.templates
        if template.content is not None
    }
    read_problems = [
        (rel, Problem(ProblemKind.UNREADABLE, Position(1, 1), message))
        for rel, message in sources.problems
    ]
    read_problems += [
        (
            rel,
            Problem(
                ProblemKind.OUTSIDE,
                Position(1, 1),
                f"a symbolic link to `{target}`, outside the site: Jekyll follows it, "
                "except in safe mode (GitHub Pages), where it is left out",
            ),
        )
        for rel, target in sources.outside
    ]
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
        read_problems=read_problems,
        templates=templates,
        generators=sources.generators,
    )


def _may_hide_front_matter(source: SourceFile, config: SiteConfig) -> bool:
    """A file whose front matter Jekyll will not see: `---` after a byte-order mark (any
    file, UTF-8 or UTF-16), or a Markdown file opening with TOML (`+++`) or JSON front matter."""
    content = source.content or b""
    if content.startswith(b"\xef\xbb\xbf---"):
        return True
    if content.startswith(UTF16_BOMS):
        return content.decode("utf-16", "replace").startswith("---")
    markdown = Path(source.rel).suffix.lower() in config.markdown_extensions
    return markdown and content.startswith((b"+++", b"{"))
