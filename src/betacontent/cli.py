"""The `betacontent` command. It only assembles parts: config, site, rules, reporter."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console

from betacontent import __version__
from betacontent.config import (
    ConfigError,
    LintConfig,
    describe_config,
    find_config,
    load_config,
    parse_config,
    read_config_data,
)
from betacontent.diagnostics import Diagnostic, Severity
from betacontent.lint import (
    SelectorError,
    check_settings,
    config_unreadable,
    lint,
    select_rules,
)
from betacontent.loader import find_site_root, load_site
from betacontent.reporters import report_text, summary
from betacontent.rules import RULES
from betacontent.rules.common import checked_links
from betacontent.schema_export import generate, write_atomic
from betacontent.site_index import Site

if TYPE_CHECKING:
    from betacontent.external import ExternalResult
    from betacontent.published import PublishedSite

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _fail(message: str) -> click.exceptions.Exit:
    click.echo(f"betacontent: error: {message}", err=True)
    return click.exceptions.Exit(EXIT_USAGE)


def _codes(values: Sequence[str]) -> list[str]:
    return [code.strip() for value in values for code in value.split(",") if code.strip()]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="betacontent")
def main() -> None:
    """Lint and serve Jekyll content: front matter, breadcrumbs and links."""


def _in_scope(diagnostic: Diagnostic, root: Path, targets: list[Path]) -> bool:
    if not targets:
        return True
    path = (root / diagnostic.path).resolve()
    return any(path == target or target in path.parents for target in targets)


@main.command(name="lint")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--select", multiple=True, help="Rule codes or prefixes to run (comma-separated).")
@click.option(
    "--extend-select", multiple=True, help="Rule codes or prefixes to run besides --select."
)
@click.option("--ignore", multiple=True, help="Rule codes or prefixes to skip (comma-separated).")
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="betacontent.toml or pyproject.toml to use instead of the nearest one.",
)
@click.option("--color/--no-color", default=None, help="Force colour on or off.")
@click.option(
    "--external",
    is_flag=True,
    help="Also request external http(s) links (cached in .betacontent-cache/).",
)
def lint_command(
    paths: tuple[Path, ...],
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    config_file: Path | None,
    color: bool | None,
    external: bool,
) -> None:
    """Check the site that holds PATHS (default: the current directory).

    The whole site is always loaded, since breadcrumbs and links need every page; PATHS only
    narrow which files' diagnostics are shown. Exit 0 without errors, 1 with errors, 2 on a
    usage or configuration error.
    """
    started = time.perf_counter()
    cwd = Path.cwd()
    targets = [p.resolve() for p in paths]
    root = find_site_root(targets[0] if targets else cwd)
    for target in targets:
        if target != root and root not in target.parents:
            raise _fail(f"{target} is not inside the site at {root}")
    try:
        config = load_config(config_file or find_config(root))
        check_settings(config)
        rules = select_rules(
            _codes(select) or config.select,
            [*config.ignore, *_codes(ignore)],
            [*config.extend_select, *_codes(extend_select)],
        )
    except (ConfigError, SelectorError) as error:
        raise _fail(str(error)) from None
    site = load_site(root, config)
    console = Console(
        force_terminal=color, no_color=color is False, highlight=False, soft_wrap=True
    )
    if external and any(rule.code == "BC306" for rule in rules):
        site.external = _check_external(site, root, color)
    diagnostics = [d for d in lint(site, rules) if _in_scope(d, root, targets)]
    checked = len(site.files) + len(site.data_files) + (1 if site.config_rel else 0)
    line = summary(diagnostics, checked, time.perf_counter() - started)
    report_text(console, diagnostics, root, cwd, line)
    if config_unreadable(site):
        click.echo("betacontent: _config.yml does not parse: other checks skipped", err=True)
    errors = any(d.severity is Severity.ERROR for d in diagnostics)
    sys.exit(EXIT_FINDINGS if errors else EXIT_OK)


def _check_external(site: Site, root: Path, color: bool | None) -> dict[str, ExternalResult]:
    """Request the site's external links, with a progress bar on a terminal."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from betacontent.external import CACHE_DIRNAME, check_urls

    urls = sorted(
        {t.url for page in checked_links(site) for t in page.targets if t.kind == "external"}
    )
    errors = Console(stderr=True, force_terminal=color, no_color=color is False, highlight=False)
    with Progress(
        TextColumn("external links"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=errors,
        transient=True,
        disable=not errors.is_terminal,
    ) as progress:
        task = progress.add_task("external", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        results, counts, warnings = check_urls(
            urls, site.lint.external, root / CACHE_DIRNAME, progress=advance
        )
    for warning in warnings:
        errors.print(f"betacontent: {warning}", markup=False)
    for url, result in sorted(results.items()):
        if result.status == "unknown":
            errors.print(f"unknown: {url} ({result.detail or 'no verdict'})", markup=False)
    errors.print(
        f"external links: {counts.checked} checked, {counts.cached} cached, "
        f"{counts.broken} broken, {counts.unknown} unknown, {counts.excluded} excluded",
        markup=False,
    )
    return results


def _published_summary(published: PublishedSite) -> str:
    return (
        f"{len(published.pages)} pages published, {len(published.withheld)} withheld; "
        f"{published.errors} errors, {published.warnings} warnings"
    )


def _site_and_config(site: Path | None) -> tuple[Path, LintConfig]:
    root = find_site_root(site or Path.cwd())
    try:
        config = load_config(find_config(root))
        check_settings(config)
    except (ConfigError, SelectorError) as error:
        raise _fail(str(error)) from None
    return root, config


@main.command(name="serve")
@click.argument("site", required=False, type=click.Path(exists=True, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option("--watch", is_flag=True, help="Re-lint and reload when files change.")
@click.option("--strict", is_flag=True, help="Refuse to start while the site has errors.")
def serve_command(
    site: Path | None, host: str, port: int, workers: int, watch: bool, strict: bool
) -> None:
    """Serve SITE (default: the site holding the current directory) as a JSON API.

    Pages with errors are withheld (404 naming the errors); warnings never withhold. The
    server is granian (bench/load.py measured it faster than uvicorn on this API); each
    worker loads the site, and with --watch watches it, by itself."""
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings
    from granian.log import LogLevels

    from betacontent.published import load_published

    root, config = _site_and_config(site)
    published = load_published(root, config)
    console = Console(highlight=False, soft_wrap=True)
    if strict and published.errors:
        errors = [d for d in published.diagnostics if d.severity is Severity.ERROR]
        report_text(console, errors, root, Path.cwd(), _published_summary(published))
        click.echo("betacontent: --strict: not serving a site with errors", err=True)
        sys.exit(EXIT_FINDINGS)
    click.echo(f"betacontent {__version__}: {root}: {_published_summary(published)}")
    click.echo(f"serving on http://{host}:{port}/api/pages  (OpenAPI: /schema)", nl=True)
    sys.stdout.flush()
    del published  # the workers load their own
    os.environ["BETACONTENT_SITE"] = str(root)
    os.environ["BETACONTENT_WATCH"] = "1" if watch else "0"
    Granian(
        "betacontent.api:create_app",
        factory=True,
        address=host,
        port=port,
        workers=workers,
        interface=Interfaces.ASGI,
        http=HTTPModes.http1,
        log_access=False,
        log_level=LogLevels.warning,
        # the request line and headers must fit in 32 KiB, else 431 (granian allows 400 KiB)
        http1_settings=HTTP1Settings(max_buffer_size=32 * 1024),
    ).serve()


@main.command(name="export")
@click.argument("site", required=False, type=click.Path(exists=True, path_type=Path))
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
def export_command(site: Path | None, out: Path) -> None:
    """Write the API's documents under OUT/api/ as static files (the same bytes as the API).

    OUT/api/ is replaced whole; nothing else in OUT is touched."""
    from betacontent.export import ExportError, export
    from betacontent.published import load_published

    root, config = _site_and_config(site)
    published = load_published(root, config)
    try:
        count = export(published, out)
    except ExportError as error:
        raise _fail(str(error)) from None
    except OSError as error:
        raise _fail(f"cannot write {out}: {error.strerror}") from None
    click.echo(f"{out}: {count} files; {_published_summary(published)}")


@main.command(name="config")
@click.argument("site", required=False, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="betacontent.toml or pyproject.toml to use instead of the nearest one.",
)
def config_command(site: Path | None, config_file: Path | None) -> None:
    """Print the effective configuration of SITE as TOML, each value with where it came from
    (the configuration file, or `default`)."""
    root = find_site_root((site or Path.cwd()).resolve())
    path = config_file or find_config(root)
    try:
        written = read_config_data(path) if path is not None else {}
        config = parse_config(written, str(path)) if path is not None else LintConfig()
        check_settings(config)
    except (ConfigError, SelectorError) as error:
        raise _fail(str(error)) from None
    source = os.path.relpath(path, Path.cwd()) if path is not None else "no file found"
    click.echo(describe_config(config, written, source), nl=False)


@main.command(name="rule")
@click.argument("code", required=False)
def rule_command(code: str | None) -> None:
    """List the rules, or explain one: `betacontent rule BC102`."""
    console = Console(highlight=False, soft_wrap=True)
    if code is None:
        for rule in RULES.values():
            console.print(
                f"{rule.code}  {rule.name:<24} {rule.severity.value:<8} {rule.summary}",
                markup=False,
            )
        return
    chosen = RULES.get(code.upper())
    if chosen is None:
        raise _fail(f"no rule `{code}`; `betacontent rule` lists them")
    text = f"# {chosen.code} {chosen.name} ({chosen.severity.value})\n\n{chosen.doc}"
    if console.is_terminal:
        from rich.markdown import Markdown

        console.print(Markdown(text))
    else:
        click.echo(text)


@main.command(name="schema")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("schemas"),
    show_default=True,
    help="Folder to write the JSON Schemas into.",
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if a file would change.")
def schema_command(out: Path, check: bool) -> None:
    """Write the JSON Schemas of front matter, phase data and configuration."""
    stale = []
    for name, text in generate().items():
        path = out / name
        try:
            current = path.read_text("utf-8") if path.is_file() else None
            if current == text:
                continue
            stale.append(name)
            if not check:
                write_atomic(path, text)
        except OSError as error:
            raise _fail(f"cannot write {path}: {error.strerror}") from None
    if check and stale:
        click.echo(f"out of date in {out}: {', '.join(stale)}", err=True)
        sys.exit(EXIT_FINDINGS)
    click.echo(f"{out}: {len(stale)} file(s) {'stale' if check else 'written'}")
