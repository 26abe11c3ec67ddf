"""The `betacontent` command. It only assembles parts: config, site, rules, reporter."""

from __future__ import annotations

import contextlib
import io
import os
import shlex
import sys
import threading
import time
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

import click
from rich.console import Console
from rich.status import Status

from betacontent import __version__
from betacontent.core.atomic import write_atomic
from betacontent.core.settings import (
    ConfigError,
    LintConfig,
    OutputFormat,
    describe_config,
    find_config,
    load_config,
    parse_config,
    read_config_data,
)
from betacontent.core.wording import counted
from betacontent.lint.baseline import BaselineError, apply_baseline, read_baseline, write_baseline
from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.reporters import (
    MACHINE_FORMATS,
    LintRun,
    append_step_summary,
    display_path,
    report_statistics,
    report_text,
    step_summary,
    summary,
    totals,
)
from betacontent.lint.rules import RULES, Rule
from betacontent.lint.runner import (
    SelectorError,
    check_codes,
    check_settings,
    config_unreadable,
    lint,
    select_rules,
)
from betacontent.lint.schema_export import generate
from betacontent.site.facts_cache import CACHE_MIN_FILES, FACTS_CACHE_DIR
from betacontent.site.index import Site
from betacontent.site.loader import find_site_root, load_site, sites_below

if TYPE_CHECKING:
    from betacontent.lint.external import ExternalResult
    from betacontent.serve.published import PublishedSite

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


def _site_relative(path: Path, root: Path) -> str | None:
    """`path` as a site-relative POSIX path ("." for the root), without following a symbolic
    link at its end (a symlinked page is in the site where it stands); None when outside."""
    absolute = Path(os.path.abspath(path))  # noqa: PTH100 (resolve() would follow the link)
    for base, where in (
        (root, absolute),
        (root.resolve(), absolute.parent.resolve() / absolute.name),
    ):
        try:
            return where.relative_to(base).as_posix()
        except ValueError:
            continue
    return None


def _in_scope(rel: str, targets: Sequence[str], changes: set[str] | None = None) -> bool:
    """Whether a site file is among the PATHS given (site-relative; none: all) and, with
    --changed, among the changed files."""
    if changes is not None and rel not in changes:
        return False
    return not targets or any(
        t == "." or rel == t or rel.startswith(t.rstrip("/") + "/") for t in targets
    )


def _changes(root: Path, ref: str) -> set[str]:
    """The site-relative paths of the files git reports changed since `ref`."""
    from betacontent.lint.changes import ChangesError, changed_files

    try:
        changed = changed_files(root, ref)
    except ChangesError as error:
        raise _fail(str(error)) from None
    return {rel for path in changed if (rel := _site_relative(path, root)) is not None}


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
    "--format",
    "output_format",
    type=click.Choice(get_args(OutputFormat)),
    help="Output format (default: `output-format` of the configuration, else text).",
)
@click.option(
    "--external",
    is_flag=True,
    help="Also request external http(s) links (cached in .betacontent-cache/).",
)
@click.option("--fix", is_flag=True, help="Apply the fixes that cannot change what the site means.")
@click.option("--diff", "show_diff", is_flag=True, help="Print the fixes as a diff; write nothing.")
@click.option(
    "--changed",
    is_flag=True,
    help="Show only the files git reports changed since HEAD (staged, unstaged, untracked).",
)
@click.option("--since", metavar="REF", help="Since commit REF, not HEAD; implies --changed.")
@click.option(
    "--watch",
    is_flag=True,
    help="After the report, lint again on every change and print only what changed.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    help="Worker processes for per-file work (default: the available cores, on large sites).",
)
@click.option(
    "--cache/--no-cache",
    default=None,
    help="Keep per-file results in .betacontent-cache/ (default: on sites of "
    f"{CACHE_MIN_FILES}+ files).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print the findings only: no summary, no notes.")
@click.option(
    "--statistics", is_flag=True, help="Count the findings of each rule instead of listing them."
)
@click.option(
    "-o",
    "--output-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to FILE (whole, or not at all) instead of the standard output.",
)
@click.option(
    "--exit-zero",
    is_flag=True,
    help="Exit 0 even when there are errors (2 still says a usage or configuration error).",
)
@click.option(
    "--show-source/--no-show-source",
    default=None,
    help="Show each finding's source line, with carets under it (default: when the output "
    "is a terminal).",
)
@click.option(
    "--write-baseline",
    "write_baseline_to",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Record the findings in FILE, to adopt the linter on a site that has some; exit 0.",
)
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Show and fail only on the findings that FILE (--write-baseline) does not hold.",
)
def lint_command(
    paths: tuple[Path, ...],
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    config_file: Path | None,
    color: bool | None,
    output_format: OutputFormat | None,
    external: bool,
    fix: bool,
    show_diff: bool,
    changed: bool,
    since: str | None,
    watch: bool,
    jobs: int | None,
    cache: bool | None,
    quiet: bool,
    statistics: bool,
    output_file: Path | None,
    exit_zero: bool,
    show_source: bool | None,
    write_baseline_to: Path | None,
    baseline_file: Path | None,
) -> None:
    """Check the site that holds PATHS (default: the current directory).

    The whole site is always loaded, since breadcrumbs and links need every page; PATHS only
    narrow which files' diagnostics are shown (and fixed), and so does --changed: the files
    git reports changed since HEAD (or --since REF, which implies --changed), staged, unstaged
    or untracked. Exit 0 without errors, 1 with errors, 2 on a usage or configuration error,
    or when there is nothing to check (the sites found below are named).
    With --diff: exit 1 when there is something to fix, else 0. --exit-zero makes both 0.
    With --baseline FILE, the findings FILE holds are counted, not shown, and do not fail.
    --watch runs until interrupted (Ctrl-C), then exits as the last run would. Colour follows
    the terminal, NO_COLOR and FORCE_COLOR, unless --color or --no-color says otherwise.
    """
    if fix and show_diff:
        raise _fail("--fix and --diff cannot be used together")
    if watch and (fix or show_diff):
        raise _fail("--watch prints text for people: use it without --fix or --diff")
    started = time.perf_counter()
    cwd = Path.cwd()
    root = find_site_root(paths[0] if paths else cwd)
    targets = []
    for path in paths:
        rel = _site_relative(path, root)
        if rel is None:
            raise _fail(f"{path} is not inside the site at {root}")
        targets.append(rel)

    def configure() -> tuple[LintConfig, list[Rule]]:
        for option, values in (
            ("--select", select),
            ("--extend-select", extend_select),
            ("--ignore", ignore),
        ):
            check_codes(option, _codes(values))
        path = config_file or find_config(root)
        config = load_config(path)
        try:
            check_settings(config)
            rules = select_rules(config.select, config.ignore, config.extend_select)
        except SelectorError as error:
            raise SelectorError(f"{path}: {error}") from None
        rules = select_rules(
            _codes(select) or config.select,
            [*config.ignore, *_codes(ignore)],
            [*config.extend_select, *_codes(extend_select)],
        )
        return config, rules

    try:
        config, rules = configure()
    except (ConfigError, SelectorError) as error:
        raise _fail(str(error)) from None
    chosen = output_format or config.output_format
    if write_baseline_to is not None and (baseline_file or watch or show_diff or fix):
        raise _fail(
            "--write-baseline records one run: use it without --baseline, --watch, --diff or --fix"
        )
    if baseline_file is not None and watch:
        raise _fail("--baseline filters one report: use it without --watch")
    known_findings = None
    if baseline_file is not None:
        try:
            known_findings = read_baseline(baseline_file)
        except BaselineError as error:
            raise _fail(str(error)) from None
    if statistics and chosen != "text":
        raise _fail(f"--statistics prints text, not {chosen} (`--format` or `output-format`)")
    if output_file is not None and (watch or show_diff):
        raise _fail("--output-file writes one report: use it without --watch or --diff")
    if watch and chosen != "text":
        raise _fail(f"--watch prints text for people, not {chosen} (`--format` or `output-format`)")
    changes = _changes(root, since or "HEAD") if changed or since else None

    def load_at(at: Path, config: LintConfig) -> Site:  # a scratch copy shares the cache
        return load_site(at, config, jobs=jobs, cache=cache, cache_dir=root / FACTS_CACHE_DIR)

    def load(config: LintConfig) -> Site:
        return load_at(root, config)

    # NO_COLOR (https://no-color.org) unless --color: plain text, no escape sequence at all
    if color is None and os.environ.get("NO_COLOR"):
        color = False
    errors_console = _console(color, stderr=True)
    shown_root = display_path(root, ".", cwd)
    with _Progress(errors_console, f"reading {shown_root}") as progress:
        try:
            site = load(config)
        except ConfigError as error:  # a schema file the configuration names, bound to nothing
            progress.stop()
            raise _fail(str(error)) from None
        checked = [f.rel for f in site.files] + [f.rel for f in site.data_files]
        checked += [site.config_rel] if site.config_rel else []
        progress.update(f"checking {counted(len(checked), 'file')} of {shown_root}")
        if not checked:  # nothing to lint is a mistake, not a pass: say where the sites are
            progress.stop()
            raise _fail(_nothing_to_check(root, cwd))
        if site.config_rel is None and not quiet:  # printed above the spinner, if it shows
            errors_console.print(f"betacontent: {_bare_folder(root, cwd)}", markup=False)
        if external and any(rule.code == "BC306" for rule in rules):
            progress.stop()  # the external check shows its own progress
            site.external = _check_external(site, root, color)
            progress.restart()
        diagnostics = [d for d in lint(site, rules) if _in_scope(d.path, targets, changes)]
    report_file = io.StringIO() if output_file is not None else None
    console = _console(False if report_file is not None else color, file=report_file)

    def in_scope(rel: str) -> bool:
        return _in_scope(rel, targets, changes)

    if show_diff:
        found = _show_diff(site, diagnostics, root, cwd, config, rules, in_scope, load_at)
        sys.exit(EXIT_OK if exit_zero else found)
    applied = None
    touched: set[str] = set()
    if fix:
        site, diagnostics, applied, touched = _fix(
            site, diagnostics, root, root, cwd, config, rules, in_scope, load_at
        )
    checked = [f.rel for f in site.files] + [f.rel for f in site.data_files]
    checked += [site.config_rel] if site.config_rel else []
    files = sorted(rel for rel in set(checked) if _in_scope(rel, targets, changes))
    if write_baseline_to is not None:
        try:
            recorded = write_baseline(write_baseline_to, diagnostics)
        except OSError as error:
            raise _fail(f"cannot write {write_baseline_to}: {error.strerror}") from None
        click.echo(f"{counted(recorded, 'finding')} recorded in {write_baseline_to}", err=True)
        sys.exit(EXIT_OK)
    filtered = None
    if known_findings is not None:
        scope = set(files) if targets or changes is not None else None
        filtered = apply_baseline(diagnostics, known_findings, scope)
        diagnostics = filtered.new
    seconds = time.perf_counter() - started
    line = summary(diagnostics, len(files), seconds)
    if filtered is not None:
        line += f"; {filtered.known} in the baseline"
        if filtered.gone:
            line += f", {counted(filtered.gone, 'baseline entry', 'baseline entries')} gone"
    if chosen == "text" and statistics:
        report_statistics(console, diagnostics)
        if not quiet:
            console.print(line, markup=False, highlight=False, soft_wrap=True)
    elif chosen == "text":
        sources = console.is_terminal if show_source is None else show_source
        report_text(console, diagnostics, root, cwd, None if quiet else line, sources)
    else:
        run = LintRun(diagnostics, root, cwd, files, seconds, tuple(RULES.values()))
        report = MACHINE_FORMATS[chosen](run)
        if output_file is not None:
            _write_report(output_file, report)
        else:
            sys.stdout.buffer.write(report.encode("utf-8"))  # UTF-8 always
        if not quiet:
            click.echo(line, err=True)
        if chosen == "github" and (step_file := os.environ.get("GITHUB_STEP_SUMMARY")):
            try:
                append_step_summary(Path(step_file), step_summary(run))
            except OSError as error:
                click.echo(f"betacontent: cannot write {step_file}: {error.strerror}", err=True)
    if report_file is not None and chosen == "text":
        _write_report(output_file, report_file.getvalue())
    if applied is not None and not quiet:
        click.echo(f"{counted(applied, 'fix', 'fixes')} applied", err=chosen != "text")
        for rel in sorted(touched):
            click.echo(f"fixed {display_path(root, rel, cwd)}", err=chosen != "text")
    if config_unreadable(site):
        click.echo("betacontent: _config.yml does not parse: other checks skipped", err=True)
    if watch:

        def relint() -> list[Diagnostic] | None:
            try:
                config, rules = configure()
            except (ConfigError, SelectorError) as error:
                click.echo(f"betacontent: error: {error}; waiting for a fix", err=True)
                return None
            scope = _changes(root, since or "HEAD") if changed or since else None
            try:
                found = lint(load(config), rules)
            except ConfigError as error:
                click.echo(f"betacontent: error: {error}; waiting for a fix", err=True)
                return None
            return [d for d in found if _in_scope(d.path, targets, scope)]

        settings = config_file or find_config(root)
        extra = [settings] if settings is not None and root not in settings.parents else []
        diagnostics = _watch(console, [root, *extra], root, cwd, relint, diagnostics)
    errors = any(d.severity is Severity.ERROR for d in diagnostics)
    sys.exit(EXIT_FINDINGS if errors and not exit_zero else EXIT_OK)


def _console(color: bool | None, **options: Any) -> Console:
    """A console for people: colour when `color` says so (None: when it is a terminal and
    FORCE_COLOR/NO_COLOR allow), no highlighting or emoji (`Gem::Installer` is not `:gem:`),
    long lines kept whole."""
    no_color = None if color is None else not color
    return Console(
        force_terminal=color,
        no_color=no_color,
        highlight=False,
        soft_wrap=True,
        emoji=False,
        **options,
    )


def _write_report(path: Path | None, report: str) -> None:
    """`--output-file`: the whole report or, on failure, nothing and exit 2."""
    assert path is not None
    try:
        write_atomic(path, report)
    except OSError as error:
        raise _fail(f"cannot write {path}: {error.strerror}") from None


PROGRESS_DELAY = 2.0  # seconds: a run longer than this shows that it is working


class _Progress:
    """A spinner on stderr once a run has lasted PROGRESS_DELAY seconds, only when stderr is
    a terminal (`--color` does not force it), so that machine outputs and tests stay clean.
    It shows from a timer thread; `stop` (or leaving the `with`) removes it."""

    def __init__(self, console: Console, message: str, delay: float = PROGRESS_DELAY) -> None:
        self._console = console
        self._message = message
        self._lock = threading.Lock()
        self._status: Status | None = None
        self._timer: threading.Timer | None = None
        self._enabled = sys.stderr.isatty()
        self._left = delay
        self._started = time.monotonic()
        self.restart()

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _show(self) -> None:
        with self._lock:
            if self._timer is None:  # stopped meanwhile
                return
            self._status = self._console.status(self._message)
            self._status.start()

    def update(self, message: str) -> None:
        with self._lock:
            self._message = message
            if self._status is not None:
                self._status.update(message)

    def restart(self) -> None:
        """Show again after what is left of the delay (at once if it has passed)."""
        if not self._enabled:
            return
        with self._lock:
            left = max(0.0, self._left - (time.monotonic() - self._started))
            self._timer = threading.Timer(left, self._show)
            self._timer.daemon = True
            self._timer.start()

    def stop(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._status is not None:
                self._status.stop()
                self._status = None


def _sites_listed(root: Path, cwd: Path) -> tuple[str, str] | None:
    """The sites below a folder without `_config.yml`, as `docs/_config.yml, ...`, and the
    command for the first; None when there is none."""
    sites = sites_below(root)
    if not sites:
        return None
    shown = [
        display_path(root, f"{p.relative_to(root).as_posix()}/_config.yml", cwd) for p in sites
    ]
    listed = ", ".join(shown[:3]) + (f" and {len(shown) - 3} more" if len(shown) > 3 else "")
    first = display_path(root, sites[0].relative_to(root).as_posix(), cwd)
    return listed, f"betacontent lint {shlex.quote(first)}"


def _nothing_to_check(root: Path, cwd: Path) -> str:
    where = display_path(root, ".", cwd)
    found = _sites_listed(root, cwd)
    if found is not None:
        return f"no site here: nothing to check in {where}; found {found[0]}: run `{found[1]}`"
    return (
        f"nothing to check in {where}: no _config.yml there nor up to 3 levels below, and no "
        "page, document or data file"
    )


def _bare_folder(root: Path, cwd: Path) -> str:
    where = display_path(root, ".", cwd)
    note = f"no _config.yml: linting {where} as a bare folder with Jekyll's defaults"
    found = _sites_listed(root, cwd)
    return note + (f" (found {found[0]}: `{found[1]}` lints that site)" if found else "")


def _watch(
    console: Console,
    watched: Sequence[Path],
    root: Path,
    cwd: Path,
    relint: Callable[[], list[Diagnostic] | None],
    first: list[Diagnostic],
) -> list[Diagnostic]:
    """Lint again after each batch of changes; print what appeared (`+`) and what was
    resolved (`-`), then the new totals. Returns the last findings when interrupted."""
    from betacontent.lint.watch import Delta, watch

    latest = list(first)
    click.echo(f"watching {display_path(root, '.', cwd)} (Ctrl-C to stop)", err=True)

    def show(delta: Delta) -> None:
        nonlocal latest
        latest = delta.current
        stamp = time.strftime("%H:%M:%S")
        if not delta.appeared and not delta.resolved:
            console.print(f"[{stamp}] no change in the findings", markup=False)
            return
        lines = [("+", d) for d in delta.appeared] + [("-", d) for d in delta.resolved]
        for sign, d in sorted(lines, key=lambda item: (item[1].sort_key(), item[0])):
            where = f"{display_path(root, d.path, cwd)}:{d.line}:{d.column}:"
            console.print(f"{sign} {where} {d.code} {d.message}", markup=False)
        console.print(f"[{stamp}] now {totals(delta.current)}", markup=False)

    with contextlib.suppress(KeyboardInterrupt):
        watch([str(path) for path in watched], relint, show, first)
    return latest


def _show_diff(
    site: Site,
    diagnostics: list[Diagnostic],
    root: Path,
    cwd: Path,
    config: LintConfig,
    rules: Sequence[Rule],
    in_scope: Callable[[str], bool],
    load_at: Callable[[Path, LintConfig], Site],
) -> int:
    """Print what --fix would write, by running it on a scratch copy of the site (so a fix
    that reveals another is shown too), and write nothing."""
    import shutil
    import tempfile

    from betacontent.lint.fixes import unified_diff

    ignored = shutil.ignore_patterns(".git", "_site", ".betacontent-cache", ".jekyll-cache")
    with tempfile.TemporaryDirectory(prefix="betacontent-diff-") as scratch:
        copy = Path(scratch) / "site"
        try:
            shutil.copytree(root, copy, symlinks=True, ignore=ignored)
        except (OSError, shutil.Error) as error:
            raise _fail(f"cannot copy the site to show the diff: {error}") from None
        _, _, applied, touched = _fix(
            site, diagnostics, copy, root, cwd, config, rules, in_scope, load_at
        )
        for rel in sorted(touched):
            before = (root / rel).read_bytes().decode("utf-8")
            after = (copy / rel).read_bytes().decode("utf-8")
            label = _diff_label(root, rel, cwd)
            click.echo(unified_diff(before, after, label).encode("utf-8"), nl=False)
    click.echo(f"{applied} fix{'es' if applied != 1 else ''} would be applied", err=True)
    return EXIT_FINDINGS if applied else EXIT_OK


def _diff_label(root: Path, rel: str, cwd: Path) -> str:
    """The path in a diff header: from the current directory when the file is below it (what
    `git apply` and `patch -p1` expect from the top of a repository), else from the site."""
    shown = display_path(root, rel, cwd)
    return rel if shown.startswith("..") or Path(shown).is_absolute() else shown


MAX_FIX_RUNS = 10  # a fix may reveal another (an absolute URL made relative, then canonical)


def _fix(
    site: Site,
    diagnostics: list[Diagnostic],
    root: Path,
    shown_root: Path,
    cwd: Path,
    config: LintConfig,
    rules: Sequence[Rule],
    in_scope: Callable[[str], bool],
    load_at: Callable[[Path, LintConfig], Site],
) -> tuple[Site, list[Diagnostic], int, set[str]]:
    """Apply fixes to the site at `root` and re-lint until nothing more applies: the site,
    what remains, how many fixes were applied and the files changed. Paths are shown as if
    under `shown_root` (the real site, when `root` is a scratch copy)."""
    from betacontent.lint.fixes import file_kinds, plan, refusal_line, write

    applied = 0
    touched: set[str] = set()
    for _ in range(MAX_FIX_RUNS):
        results = plan(root, diagnostics, file_kinds(site))
        try:
            write(root, results)
        except OSError as error:
            raise _fail(f"cannot write {error.filename}: {error.strerror}") from None
        count = sum(len(r.applied) for r in results)
        applied += count
        touched.update(r.path for r in results if r.after != r.before)
        if count:
            previous, site = site, load_at(root, config)
            site.external = previous.external
            diagnostics = [d for d in lint(site, rules) if in_scope(d.path)]
        if not count or not any(d.fix for d in diagnostics):
            break
    for result in results:
        for refusal in result.refused:
            shown = display_path(shown_root, result.path, cwd)
            click.echo(refusal_line(refusal, shown), err=True)
    return site, diagnostics, applied, touched


def _check_external(site: Site, root: Path, color: bool | None) -> dict[str, ExternalResult]:
    """Request the site's external links, with a progress bar on a terminal."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from betacontent.lint.external import CACHE_DIRNAME, check_urls

    urls = sorted(
        {
            t.url
            for page in site.semantic.checked_links
            for t in page.targets
            if t.kind == "external"
        }
    )
    errors = Console(
        stderr=True, force_terminal=color, no_color=color is False, highlight=False, emoji=False
    )
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
        f"{counted(len(published.pages), 'page')} published, {len(published.withheld)} withheld; "
        f"{counted(published.errors, 'error')}, {counted(published.warnings, 'warning')}"
    )


def _published(root: Path, config: LintConfig, cache: bool | None) -> PublishedSite:
    from betacontent.serve.published import load_published

    try:
        return load_published(root, config, cache=cache)
    except ConfigError as error:  # a schema file the configuration names, bound to nothing
        raise _fail(str(error)) from None


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
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Server processes (2 serve more on 2 CPUs: README, The API).",
)
@click.option("--watch", is_flag=True, help="Re-lint and reload when files change.")
@click.option("--strict", is_flag=True, help="Refuse to start while the site has errors.")
@click.option("--frontend", is_flag=True, help="Also serve the reference DSFR frontend under /.")
@click.option(
    "--cache/--no-cache",
    default=None,
    help="Keep each file's parse and rendering in .betacontent-cache/, for reloads and "
    f"restarts (default: on sites of {CACHE_MIN_FILES}+ files).",
)
def serve_command(
    site: Path | None,
    host: str,
    port: int,
    workers: int,
    watch: bool,
    strict: bool,
    frontend: bool,
    cache: bool | None,
) -> None:
    """Serve SITE (default: the site holding the current directory) as a JSON API.

    Pages with errors are withheld (404 naming the errors); warnings never withhold. The
    server is granian (bench/load.py measured it faster than uvicorn on this API); the
    workers start with the site loaded here, and with --watch each watches it by itself."""
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings
    from granian.log import LogLevels

    from betacontent.serve.api import preload
    from betacontent.serve.frontend import FRONTEND_ENV, bundled_frontend

    root, config = _site_and_config(site)
    folder = bundled_frontend() if frontend else None
    if frontend and folder is None:
        raise _fail("--frontend: the reference frontend is not installed (examples/frontend/)")
    published = _published(root, config, cache)
    console = _console(None)
    if strict and published.errors:
        errors = [d for d in published.diagnostics if d.severity is Severity.ERROR]
        report_text(console, errors, root, Path.cwd(), _published_summary(published))
        click.echo("betacontent: --strict: not serving a site with errors", err=True)
        sys.exit(EXIT_FINDINGS)
    click.echo(f"betacontent {__version__}: {root}: {_published_summary(published)}")
    click.echo(f"serving on http://{host}:{port}/api/pages  (OpenAPI: /schema)", nl=True)
    if folder is not None:
        click.echo(f"frontend: http://{host}:{port}/  ({folder})")
    sys.stdout.flush()
    preload(published)  # the workers, forked, start with it (spawned, they load their own)
    os.environ["BETACONTENT_SITE"] = str(root)
    os.environ["BETACONTENT_WATCH"] = "1" if watch else "0"
    os.environ["BETACONTENT_CACHE"] = {None: "", True: "1", False: "0"}[cache]
    os.environ[FRONTEND_ENV] = str(folder or "")
    Granian(
        "betacontent.serve.hot_path:create_server",
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
@click.option(
    "--cache/--no-cache",
    default=None,
    help="Keep each file's parse and rendering in .betacontent-cache/ (default: on sites of "
    f"{CACHE_MIN_FILES}+ files).",
)
def export_command(site: Path | None, out: Path, cache: bool | None) -> None:
    """Write the API's documents under OUT/api/ as static files (the same bytes as the API).

    OUT/api/ is replaced whole; nothing else in OUT is touched."""
    from betacontent.serve.export import ExportError, export

    root, config = _site_and_config(site)
    published = _published(root, config, cache)
    try:
        count = export(published, out)
    except ExportError as error:
        raise _fail(str(error)) from None
    except OSError as error:
        raise _fail(f"cannot write {out}: {error.strerror}") from None
    click.echo(f"{out}: {counted(count, 'file')}; {_published_summary(published)}")


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


@main.command(name="init")
@click.argument("site", required=False, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write it (default: betacontent.toml at the site root); `-` prints it.",
)
@click.option("--force", is_flag=True, help="Replace an existing file.")
def init_command(site: Path | None, out: Path | None, force: bool) -> None:
    """Write a starting betacontent.toml from SITE as it stands: the keys its collections and
    layouts use with their types and how often, the values that name another collection's
    documents, the phase collection. Review it: nothing in it is violated by the site today."""
    from betacontent.lint.init_config import propose

    root = find_site_root((site or Path.cwd()).resolve())
    loaded = load_site(root, LintConfig(), cache=None)
    if not loaded.files:
        raise _fail(_nothing_to_check(root, Path.cwd()))
    text = propose(loaded)
    parse_config(tomllib.loads(text), "the proposal")  # what is written is valid, always
    if out is not None and str(out) == "-":
        click.echo(text, nl=False)
        return
    target = out or root / "betacontent.toml"
    existing = find_config(root) if out is None else None
    if (target.exists() or existing is not None) and not force:
        shown = os.path.relpath(existing or target, Path.cwd())
        raise _fail(
            f"{shown} already configures this site: --force to write {target.name} anyway"
            " (it would take precedence), or --out - to print the proposal"
        )
    try:
        write_atomic(target, text)
    except OSError as error:
        raise _fail(f"cannot write {target}: {error.strerror}") from None
    click.echo(f"wrote {os.path.relpath(target, Path.cwd())}: review it, then lint the site")


def _write_folder(out: Path, files: dict[str, str], check: bool, stray: list[Path]) -> None:
    """Write `files` into `out` atomically and delete the `stray` ones; with `check`, write
    nothing and exit 1 if a file would change."""
    stale = [path.name for path in stray]
    for name, text in files.items():
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
    for path in [] if check else stray:
        try:
            path.unlink(missing_ok=True)
        except OSError as error:
            raise _fail(f"cannot remove {path}: {error.strerror}") from None
    click.echo(f"{out}: {len(stale)} file(s) {'stale' if check else 'updated'}")


@main.command(name="rule")
@click.argument("code", required=False)
@click.option("--all", "every", is_flag=True, help="Every rule's page, in Markdown.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="With --all: write the pages and their index (README.md) into this folder.",
)
@click.option(
    "--check", is_flag=True, help="With --out: write nothing; exit 1 if a file would change."
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown"]),
    default="text",
    show_default=True,
    help="markdown: the raw Markdown of the pages (and of the index without a code), even on "
    "a terminal.",
)
def rule_command(
    code: str | None, every: bool, out: Path | None, check: bool, output_format: str
) -> None:
    """List the rules, or explain one by code or name: `betacontent rule BC102`,
    `betacontent rule duplicate-key`.

    `betacontent rule --all --out docs/rules` writes the pages of docs/rules/."""
    from betacontent.lint import rule_docs

    if code is not None and every:
        raise _fail("give a rule code or --all, not both")
    if out is not None and not every:
        raise _fail("--out writes every rule's page: add --all")
    if check and out is None:
        raise _fail("--check compares with the pages in --out: add --out")
    if out is not None:
        files = rule_docs.generate()
        stray = [path for path in out.glob(rule_docs.PAGE_GLOB) if path.name not in files]
        _write_folder(out, files, check, stray)
        return
    if every:
        click.echo("\n".join(rule_docs.page(rule) for rule in RULES.values()), nl=False)
        return
    console = _console(None)
    if code is None and output_format == "markdown":
        click.echo(rule_docs.index(), nl=False)
        return
    if code is None:
        for rule in RULES.values():
            console.print(
                f"{rule.code}  {rule.name:<24} {rule.severity.value:<8} {rule.summary}",
                markup=False,
            )
        return
    chosen = RULES.get(code.upper()) or next(
        (rule for rule in RULES.values() if rule.name == code.lower()), None
    )
    if chosen is None:
        raise _fail(f"no rule `{code}`; `betacontent rule` lists them")
    text = rule_docs.page(chosen)
    if console.is_terminal and output_format == "text":
        from rich.markdown import Markdown

        console.print(Markdown(text))
    else:
        click.echo(text, nl=False)


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
    _write_folder(out, generate(), check, [])
