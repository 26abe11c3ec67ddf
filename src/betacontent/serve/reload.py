"""Hot reload: watch the site's files, re-lint, and swap in a new published site at once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from betacontent.core.settings import ConfigError, LintConfig, find_config, load_config
from betacontent.core.wording import counted
from betacontent.lint.runner import SelectorError, check_settings
from betacontent.lint.watch import relevant
from betacontent.serve.published import PublishedSite, load_published
from betacontent.site.front_matter import ProblemKind


class Reloader:
    """A thread that watches `root` and, after each batch of changes, publishes the site
    again and hands it to `swap` (a single assignment: readers see one generation)."""

    def __init__(
        self,
        root: Path,
        config: LintConfig,
        current: Callable[[], PublishedSite],
        swap: Callable[[PublishedSite], None],
        report: Callable[[str], None] = print,
        cache: bool | None = None,
    ) -> None:
        self.root = root
        self.cache = cache  # keep parses in .betacontent-cache/ (None: on a large site)
        self.config = config
        self.current = current
        self.swap = swap
        self.report = report
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, name="betacontent-reload", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(timeout=5)

    def reload(self) -> PublishedSite:
        """Publish the site again. The configuration is read again too; while it, or
        `_config.yml`, cannot be used, the previous site stays in service."""
        current = self.current()
        try:
            config = load_config(find_config(self.root))
            check_settings(config)
            published = load_published(self.root, config, current.generation + 1, cache=self.cache)
        except (ConfigError, SelectorError) as error:
            self.report(
                f"configuration error, still serving generation {current.generation}: {error}"
            )
            return current
        broken = [p for p in published.site.config_problems if p.kind is ProblemKind.YAML_SYNTAX]
        if broken:
            where = f"_config.yml:{broken[0].position.line}:{broken[0].position.column}"
            self.report(
                f"{where}: {broken[0].message}; still serving generation {current.generation}"
            )
            return current
        self.config = config
        generation = published.generation
        self.swap(published)
        self.report(
            f"reloaded: generation {generation}, {counted(len(published.pages), 'page')} "
            f"published, {len(published.withheld)} withheld, "
            f"{counted(published.errors, 'error')}, {counted(published.warnings, 'warning')}"
        )
        return published

    def _run(self) -> None:
        from watchfiles import watch

        for changes in watch(
            self.root,
            stop_event=self.stop_event,
            watch_filter=lambda _change, path: relevant(path),
            debounce=200,
            step=50,
            rust_timeout=500,
            yield_on_timeout=False,
        ):
            if changes:
                try:
                    self.reload()
                except Exception as error:  # keep serving the last good site
                    self.report(f"reload failed, still serving the previous site: {error!r}")
