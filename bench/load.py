"""Bounded load benchmark of the JSON API: uvicorn against granian, both against nginx.

    python -m bench.load [--site SITE | --pages N] [--duration 10] [--connections 64]

One run, on 127.0.0.1 only. The site (the embedded `content/`, `--site`, or a site of
`--pages` pages generated with `bench.generate_site`, seed 42) is exported to a temporary
folder that nginx serves as files (`try_files $uri.json`), so `GET /api/pages/<url>` answers the
exported file. Then the API (`--app`: by default what `betacontent serve` runs) runs under
each ASGI server in turn, with as many workers as nginx has worker processes. Before
measuring, every target must answer 200 with the same bytes as the export; then wrk loads
one page URL (after a warm-up run that is thrown away), with a 200 scenario and a 304
scenario (`If-None-Match` with the target's own ETag).

Every process started here runs in its own process group and is stopped (SIGTERM, then
SIGKILL after a timeout) in a `finally`, as are the temporary folders removed. Results: a
Markdown table on stdout, and `bench/results/load-<UTC timestamp>.json` and `.md`.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.metadata
import importlib.util
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from betacontent.core.atomic import write_atomic
from betacontent.serve.export import page_file

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
HOST = "127.0.0.1"  # never anything else
API_PAGES = "/api/pages"
DEFAULT_PAGE = "/devenir-intrapreneur/decouvrir-le-role-d-intrapreneur"
SEED = 42
APP = "betacontent.serve.hot_path:create_server"  # what `betacontent serve` runs
SERVERS = ("uvicorn", "uvicorn-nodelay", "uvicorn-std", "granian")
# uvicorn --workers N binds the listener with proto 0, so asyncio never sets TCP_NODELAY on the
# connections it accepts (Kludex/uvicorn#3149): a response written as headers then body waits
# for the client's delayed ACK, ~40 ms. This shim gives the listener IPPROTO_TCP, as the open
# fix does, to measure uvicorn itself; it changes nothing else.
UVICORN_NODELAY = """\
import socket, sys
import uvicorn.config, uvicorn.main
bind = uvicorn.config.Config.bind_socket
def bind_socket(self):
    sock = bind(self)
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto == 0:
        return socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, sock.detach())
    return sock
uvicorn.config.Config.bind_socket = bind_socket
sys.exit(uvicorn.main.main())
"""
STOP_TIMEOUT = 10.0


class BenchError(Exception):
    """A step failed: the message says which and why."""


# --- time -----------------------------------------------------------------------------------


class Clock:
    """The run's deadline: every wait is bounded by it."""

    def __init__(self, budget: float) -> None:
        self.start = time.monotonic()
        self.deadline = self.start + budget

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def remaining(self, what: str) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise BenchError(f"over the time budget before {what} (--budget)")
        return left

    def bound(self, timeout: float, what: str) -> float:
        return min(timeout, self.remaining(what))


# --- processes ------------------------------------------------------------------------------


@dataclass
class Managed:
    """A process started here, in its own process group (its workers included)."""

    name: str
    argv: list[str]
    log: Path
    process: subprocess.Popen[bytes]

    def alive(self) -> bool:
        return self.process.poll() is None

    def output(self, limit: int = 4000) -> str:
        try:
            text = self.log.read_text("utf-8", errors="replace")
        except OSError:
            return ""
        return text[-limit:]

    def stop(self) -> None:
        """SIGTERM to the group, SIGKILL to it after STOP_TIMEOUT; the group is this
        process's own (start_new_session), so nothing else is signalled."""
        pgid = self.process.pid
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pgid, signal.SIGKILL)
                self.process.wait(STOP_TIMEOUT)
        # workers that outlived their supervisor still carry its group id
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)


def start(name: str, argv: list[str], log: Path, env: dict[str, str] | None = None) -> Managed:
    with log.open("wb") as sink:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=REPO,
            start_new_session=True,
        )
    return Managed(name, argv, log, process)


def run(argv: list[str], timeout: float, what: str) -> str:
    """A short command, bounded; its output, or BenchError with the output's tail."""
    try:
        done = subprocess.run(
            argv, cwd=REPO, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        raise BenchError(f"{what}: no answer after {timeout:.0f} s: {' '.join(argv)}") from None
    except OSError as error:
        raise BenchError(f"{what}: cannot run {argv[0]}: {error.strerror}") from None
    if done.returncode != 0:
        tail = (done.stdout + done.stderr)[-2000:]
        raise BenchError(f"{what} failed (exit {done.returncode}): {' '.join(argv)}\n{tail}")
    return done.stdout + done.stderr


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


# --- HTTP -----------------------------------------------------------------------------------

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # 127.0.0.1: no proxy


@dataclass
class Reply:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes


def _lower(items: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {name.lower(): value for name, value in items}


def fetch(url: str, headers: dict[str, str] | None = None, timeout: float = 5.0) -> Reply:
    if not url.startswith(f"http://{HOST}:"):
        raise BenchError(f"refusing a URL off {HOST}: {url}")
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return Reply(response.status, _lower(response.headers.items()), response.read())
    except urllib.error.HTTPError as error:  # 304 and 4xx land here
        return Reply(error.code, _lower(error.headers.items()), error.read())


def wait_ready(server: Managed, url: str, clock: Clock, timeout: float) -> float:
    """Seconds until `url` answers 200, while the process lives; bounded."""
    began = time.monotonic()
    limit = began + clock.bound(timeout, f"{server.name} to start")
    while time.monotonic() < limit:
        if not server.alive():
            raise BenchError(
                f"{server.name} exited ({server.process.returncode}) before answering:\n"
                + server.output()
            )
        with contextlib.suppress(OSError):
            if fetch(url, timeout=2).status == 200:
                return time.monotonic() - began
        time.sleep(0.2)
    raise BenchError(
        f"{server.name}: {url} not answering after {timeout:.0f} s:\n{server.output()}"
    )


# --- CPU accounting: how much of the machine other processes took during a run -------------

_TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class CpuSnapshot:
    at: float
    busy: float  # seconds of CPU the whole machine spent busy (/proc/stat)
    ours: float  # seconds of CPU of the target's process group and of our waited children


def cpu_snapshot(pgid: int | None) -> CpuSnapshot:
    """Linux /proc accounting; zeros where it is not readable."""
    busy = 0.0
    with contextlib.suppress(OSError, ValueError, IndexError):
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
        user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
        busy = (user + nice + system + irq + softirq + steal) / _TICK
    ours = 0.0
    if pgid is not None:
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                after = stat.read_text().rsplit(")", 1)[1].split()
                if int(after[2]) == pgid:  # field 5, pgrp
                    ours += (int(after[11]) + int(after[12])) / _TICK  # utime, stime
    children = os.times()
    ours += children.children_user + children.children_system + children.user + children.system
    return CpuSnapshot(time.monotonic(), busy, ours)


def other_cpu(before: CpuSnapshot, after: CpuSnapshot) -> float:
    """The share of all CPUs used by processes outside this run between two snapshots."""
    capacity = (after.at - before.at) * (os.cpu_count() or 1)
    other = (after.busy - before.busy) - (after.ours - before.ours)
    return max(0.0, other / capacity) if capacity > 0 else 0.0


# --- wrk ------------------------------------------------------------------------------------

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_UNITS_B = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}


def _duration_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not match:
        raise BenchError(f"wrk: unreadable duration {text!r}")
    return float(match[1]) * _UNITS_MS[match[2]]


@dataclass
class Load:
    """One wrk run, parsed."""

    requests_per_s: float
    p50_ms: float
    p75_ms: float
    p90_ms: float
    p99_ms: float
    requests: int
    seconds: float
    bytes_read: int
    socket_errors: dict[str, int]
    non_2xx_3xx: int
    command: str
    raw: str = field(repr=False)

    @property
    def bytes_per_request(self) -> float:
        return self.bytes_read / self.requests if self.requests else 0.0

    @property
    def errors(self) -> int:
        return sum(self.socket_errors.values()) + self.non_2xx_3xx


def parse_wrk(text: str, command: str) -> Load:
    percentiles: dict[str, float] = {}
    for match in re.finditer(r"^\s*(50|75|90|99)%\s+(\S+)\s*$", text, re.M):
        percentiles[match[1]] = _duration_ms(match[2])
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M)
    total = re.search(
        r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m), ([\d.]+)(B|KB|MB|GB|TB) read", text, re.M
    )
    if rate is None or total is None or len(percentiles) != 4:
        raise BenchError(f"wrk: unexpected output:\n{text}")
    errors = {"connect": 0, "read": 0, "write": 0, "timeout": 0}
    socket_line = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    if socket_line:
        errors = dict(zip(errors, (int(n) for n in socket_line.groups()), strict=True))
    non_ok = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return Load(
        requests_per_s=float(rate[1]),
        p50_ms=percentiles["50"],
        p75_ms=percentiles["75"],
        p90_ms=percentiles["90"],
        p99_ms=percentiles["99"],
        requests=int(total[1]),
        seconds=_duration_ms(total[2] + total[3]) / 1000,
        bytes_read=round(float(total[4]) * _UNITS_B[total[5]]),
        socket_errors=errors,
        non_2xx_3xx=int(non_ok[1]) if non_ok else 0,
        command=command,
        raw=text,
    )


def wrk(
    url: str, args: argparse.Namespace, seconds: float, header: str | None, clock: Clock
) -> Load:
    argv = [
        args.wrk,
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{seconds:g}s",
        f"--timeout={args.wrk_timeout:g}s",
        "--latency",
    ]
    if header:
        argv += ["-H", header]
    argv.append(url)
    command = " ".join(f"'{a}'" if " " in a else a for a in argv)
    text = run(argv, clock.bound(seconds + 30, "wrk"), "wrk")
    return parse_wrk(text, command)


# --- nginx ----------------------------------------------------------------------------------


def nginx_config(prefix: Path, root: Path, port: int, workers: int) -> str:
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read the temp export
    temp = "\n".join(
        f"    {kind}_temp_path {prefix / ('tmp-' + kind)};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}worker_processes {workers};
daemon off;
master_process on;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} warn;
events {{
    worker_connections 4096;
}}
http {{
    access_log off;
    gzip off;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    keepalive_requests 1000000;  # as the ASGI servers: no forced reconnects under wrk
    server_tokens off;
{temp}
    server {{
        listen {HOST}:{port};
        root {root};
        location /api/pages/ {{
            default_type application/json;
            try_files $uri.json $uri/index.json =404;
        }}
    }}
}}
"""


def start_nginx(nginx: str, prefix: Path, root: Path, port: int, workers: int) -> Managed:
    conf = prefix / "nginx.conf"
    conf.write_text(nginx_config(prefix, root, port, workers), "utf-8")
    argv = [nginx, "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(conf)]
    run([*argv, "-t"], 20, "nginx -t")
    return start("nginx", argv, prefix / "stdout.log")


# --- the API under an ASGI server -----------------------------------------------------------


def has_module(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def server_argv(
    server: str, port: int, workers: int, extra: Sequence[str], app: str = APP
) -> list[str]:
    python = sys.executable
    common = ["--host", HOST, "--port", str(port), "--workers", str(workers)]
    if server.startswith("uvicorn"):
        launch = ["-c", UVICORN_NODELAY] if server == "uvicorn-nodelay" else ["-m", "uvicorn"]
        argv = [python, *launch, app, "--factory", *common]
        argv += ["--log-level", "warning", "--no-access-log"]
        if server == "uvicorn-std":
            argv += ["--http", "httptools", "--loop", "uvloop"]
        return [*argv, *extra]
    if server == "granian":
        argv = [python, "-m", "granian", "--interface", "asgi", "--factory", "--http", "1"]
        argv += [*common, "--log-level", "warning", "--no-access-log", *extra]
        return [*argv, app]
    raise BenchError(f"unknown server {server!r}")


def server_details(server: str, extra: Sequence[str]) -> dict[str, Any]:
    """What the server's `auto` choices resolve to in this environment."""
    uvloop = has_module("uvloop")
    if server in ("uvicorn", "uvicorn-nodelay"):
        return {
            "version": version("uvicorn"),
            "http": "httptools" if has_module("httptools") else "h11",
            "loop": "uvloop" if uvloop else "asyncio",
            "listener": "IPPROTO_TCP (bench shim)" if server == "uvicorn-nodelay" else "as is",
        }
    if server == "uvicorn-std":
        return {"version": version("uvicorn"), "http": "httptools", "loop": "uvloop"}
    loop = next((a.split("=", 1)[1] for a in extra if a.startswith("--loop=")), "auto")
    resolved = loop if loop != "auto" else ("uvloop" if uvloop else "asyncio")
    return {"version": version("granian"), "http": "1 (Rust, hyper)", "loop": resolved}


def check_server(server: str) -> None:
    if server == "granian" and not has_module("granian"):
        raise BenchError("granian is not installed: .venv/bin/pip install granian")
    if server == "uvicorn-std" and not (has_module("httptools") and has_module("uvloop")):
        raise BenchError("uvicorn-std needs httptools and uvloop importable")


# --- the site -------------------------------------------------------------------------------


@dataclass
class Site:
    root: Path
    label: str
    pages: int
    export: Path
    page: str  # the page URL, under /api/pages
    page_bytes: bytes


def prepare_site(args: argparse.Namespace, work: Path, clock: Clock) -> Site:
    if args.pages is not None:
        root = work / "site"
        generate = [sys.executable, "-m", "bench.generate_site", str(root)]
        run(
            [*generate, "--pages", str(args.pages), "--seed", str(SEED)],
            clock.bound(300, "generating the site"),
            "bench.generate_site",
        )
        label = f"generated, {args.pages} pages, seed {SEED}"
    else:
        root = (args.site or REPO / "content").resolve()
        label = str(root.relative_to(REPO)) if root.is_relative_to(REPO) else str(root)
    export = work / "export"
    run(
        [sys.executable, "-m", "betacontent", "export", str(root), str(export)],
        clock.bound(300, "exporting the site"),
        "betacontent export",
    )
    page, path = pick_page(export, args.path)
    pages = sum(1 for _ in (export / "api" / "pages").rglob("*.json"))
    return Site(root, label, pages, export, page, path.read_bytes())


def pick_page(export: Path, wanted: str | None) -> tuple[str, Path]:
    """The page URL to load and its exported file: `wanted`, else DEFAULT_PAGE when the export
    has it, else the page of median size (a generated site), deterministically."""
    page = wanted or DEFAULT_PAGE
    path = export / page_file(page)
    if path.is_file():
        return page, path
    if wanted:
        raise BenchError(f"--path {wanted}: no such page in the export ({path})")
    pages = sorted((export / "api" / "pages").rglob("*.json"))
    chosen = sorted(pages, key=lambda p: (p.stat().st_size, str(p)))[len(pages) // 2]
    rel = chosen.relative_to(export / "api" / "pages").as_posix()
    page = "/" + (rel[: -len("index.json")] if rel.endswith("index.json") else rel[:-5])
    return page, chosen


# --- measuring ------------------------------------------------------------------------------


@dataclass
class Row:
    target: str
    scenario: str  # "200" or "304"
    load: Load
    other_cpu: float  # share of the machine's CPU used by processes not of this run
    ratio: float | None = None  # req/s over nginx's, same scenario
    p99_ratio: float | None = None


def verify(name: str, base: str, site: Site) -> str:
    """The target answers the page with the export's bytes; returns its ETag, after
    checking that the ETag gives a 304 with no body."""
    url = base + API_PAGES + site.page
    reply = fetch(url)
    if reply.status != 200:
        raise BenchError(f"{name}: GET {url} answered {reply.status}: {reply.body[:300]!r}")
    if reply.body != site.page_bytes:
        raise BenchError(
            f"{name}: GET {url}: {len(reply.body)} bytes differ from the export's "
            f"{len(site.page_bytes)}: the comparison would not be fair"
        )
    kind = reply.headers.get("content-type", "")
    if not kind.startswith("application/json"):
        raise BenchError(f"{name}: Content-Type {kind!r}, not application/json")
    etag = reply.headers.get("etag")
    if not etag:
        raise BenchError(f"{name}: no ETag")
    again = fetch(url, {"If-None-Match": etag})
    if again.status != 304 or again.body:
        raise BenchError(f"{name}: If-None-Match {etag} answered {again.status}, not 304")
    return etag


def measure(
    name: str, pgid: int, base: str, site: Site, args: argparse.Namespace, clock: Clock
) -> list[Row]:
    etag = verify(name, base, site)
    url = base + API_PAGES + site.page
    rows = []
    for scenario, header in (("200", None), ("304", f"If-None-Match: {etag}")):
        if scenario not in args.scenarios:
            continue
        if args.warmup > 0:
            wrk(url, args, args.warmup, header, clock)
        before = cpu_snapshot(pgid)
        load = wrk(url, args, args.duration, header, clock)
        other = other_cpu(before, cpu_snapshot(pgid))
        if load.errors:
            print(f"  warning: {name} {scenario}: {load.errors} errors", file=sys.stderr)
        if scenario == "304" and load.bytes_per_request >= len(site.page_bytes):
            raise BenchError(f"{name}: the 304 run read full bodies: the ETag did not match")
        if scenario == "200" and load.bytes_per_request < len(site.page_bytes):
            raise BenchError(f"{name}: the 200 run read less than the body per request")
        print(
            f"  {name:<15} {scenario}: {load.requests_per_s:>10,.0f} req/s  "
            f"p50 {load.p50_ms:.2f} ms  p99 {load.p99_ms:.2f} ms  "
            f"(other processes: {other:.0%} CPU; {clock.elapsed():.0f} s)",
            flush=True,
        )
        rows.append(Row(name, scenario, load, round(other, 3)))
    return rows


# --- reporting ------------------------------------------------------------------------------


def add_ratios(rows: list[Row]) -> None:
    base = {r.scenario: r.load for r in rows if r.target == "nginx"}
    for row in rows:
        ref = base.get(row.scenario)
        if ref is not None and ref.requests_per_s:
            row.ratio = row.load.requests_per_s / ref.requests_per_s
            row.p99_ratio = row.load.p99_ms / ref.p99_ms if ref.p99_ms else None


def table(rows: list[Row]) -> str:
    lines = [
        "| target | scenario | req/s | p50 (ms) | p99 (ms) | ratio to nginx (req/s) | errors |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        ratio = f"{r.ratio:.2f}" if r.ratio is not None else "n/a"
        lines.append(
            f"| {r.target} | {r.scenario} | {r.load.requests_per_s:,.0f} | {r.load.p50_ms:.2f} "
            f"| {r.load.p99_ms:.2f} | {ratio} | {r.load.errors} |"
        )
    return "\n".join(lines)


def verdict(rows: list[Row], servers: Sequence[str]) -> list[str]:
    """Which ASGI server is fastest, scenario by scenario, against each of the others."""
    lines = []
    for scenario in ("200", "304"):
        runs = sorted(
            (r for r in rows if r.scenario == scenario and r.target in servers),
            key=lambda r: -r.load.requests_per_s,
        )
        best = runs[0] if runs else None
        for other in runs[1:]:
            assert best is not None
            gain = best.load.requests_per_s / other.load.requests_per_s - 1
            p99 = best.load.p99_ms / other.load.p99_ms - 1
            lines.append(
                f"{scenario}: {best.target} is faster than {other.target}: "
                f"{gain:+.0%} req/s ({best.load.requests_per_s:,.0f} vs "
                f"{other.load.requests_per_s:,.0f}), p99 {p99:+.0%} "
                f"({best.load.p99_ms:.2f} vs {other.load.p99_ms:.2f} ms)"
            )
    return lines


def warnings(rows: list[Row]) -> list[str]:
    """Signatures that make a number measure something else than the server's speed."""
    lines = []
    by = {(r.target, r.scenario): r.load for r in rows}
    for (target, scenario), load in by.items():
        if load.errors:
            lines.append(f"{target} {scenario}: {load.errors} socket errors or bad statuses")
        small = by.get((target, "304"))
        if (
            scenario == "200"
            and small
            and 35 <= load.p50_ms <= 50
            and small.p50_ms * 4 < load.p50_ms
        ):
            lines.append(
                f"{target} 200: p50 {load.p50_ms:.1f} ms against {small.p50_ms:.1f} ms for a 304 "
                "on the same server: the signature of Nagle × delayed ACK (TCP_NODELAY off), "
                "~40 ms per response written in two parts"
            )
    return lines


def tool_version(argv: list[str]) -> str:
    """The first line a tool prints about itself (`wrk -v` exits 1)."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    lines = (done.stdout + done.stderr).strip().splitlines()
    return lines[0] if lines else "unknown"


def git_commit() -> str:
    with contextlib.suppress(BenchError):
        commit = run(["git", "rev-parse", "--short", "HEAD"], 10, "git").strip()
        dirty = run(["git", "status", "--porcelain", "--untracked-files=no"], 10, "git").strip()
        return commit + ("-dirty" if dirty else "")
    return "unknown"


def write_results(
    stamp: str,
    args: argparse.Namespace,
    argv: Sequence[str],
    site: Site,
    rows: list[Row],
    context: dict[str, Any],
    verdicts: list[str],
) -> tuple[Path, Path]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    document = {
        "timestamp": stamp,
        "command": "python -m bench.load " + " ".join(argv),
        "site": {"label": site.label, "pages": site.pages, "page": site.page},
        "page_bytes": len(site.page_bytes),
        "settings": {
            "workers": args.workers,
            "threads": args.threads,
            "connections": args.connections,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
        },
        **context,
        "results": [
            {
                "target": r.target,
                "scenario": r.scenario,
                "ratio_to_nginx": r.ratio,
                "p99_ratio_to_nginx": r.p99_ratio,
                "other_cpu_share": r.other_cpu,
                **{k: v for k, v in asdict(r.load).items() if k != "raw"},
                "bytes_per_request": round(r.load.bytes_per_request, 1),
                "wrk_output": r.load.raw,
            }
            for r in rows
        ],
        "verdict": verdicts,
    }
    json_path = RESULTS / f"load-{stamp}.json"
    md_path = RESULTS / f"load-{stamp}.md"
    write_atomic(json_path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    targets = "\n".join(f"- {name}: `{cmd}`" for name, cmd in context["commands"].items())
    md = (
        f"# Load benchmark {stamp}\n\n"
        f"`python -m bench.load {' '.join(argv)}` at {context['git']}, "
        f"{context['machine']['cpus']} CPUs, {context['machine']['platform']}\n\n"
        f"Site: {site.label} ({site.pages} pages); page `{API_PAGES}{site.page}` "
        f"({len(site.page_bytes)} bytes, identical from every target). "
        f"wrk -t{args.threads} -c{args.connections} -d{args.duration:g}s after "
        f"{args.warmup:g} s of warm-up; {args.workers} worker(s) per server; "
        f"304 = `If-None-Match` with the target's own ETag.\n\n"
        f"{table(rows)}\n\n"
        + "".join(f"- {line}\n" for line in verdicts)
        + "".join(f"- warning: {line}\n" for line in context["warnings"])
        + "\n"
        f"Targets:\n\n{targets}\n\nVersions: "
        + ", ".join(f"{k} {v}" for k, v in context["versions"].items())
        + "\n"
    )
    write_atomic(md_path, md)
    return json_path, md_path


# --- main -----------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load",
        description="Load-test the JSON API under uvicorn and granian against nginx serving "
        "the export, on 127.0.0.1.",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--site", type=Path, help="site folder (default: the embedded content/)")
    source.add_argument(
        "--pages", type=int, help=f"generate a site of N pages (bench.generate_site, seed {SEED})"
    )
    parser.add_argument("--path", help=f"page URL under /api/pages (default {DEFAULT_PAGE})")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="server workers (default: CPUs)"
    )
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections (default 64)")
    parser.add_argument("--duration", type=float, default=10, help="seconds per run (default 10)")
    parser.add_argument("--warmup", type=float, default=2, help="warm-up seconds (default 2)")
    parser.add_argument("--wrk-timeout", type=float, default=5, help="wrk request timeout (s)")
    parser.add_argument(
        "--servers",
        default="uvicorn,granian",
        help=f"comma-separated ASGI servers, from {', '.join(SERVERS)} (default uvicorn,granian)",
    )
    parser.add_argument(
        "--scenarios", default="200,304", help="comma-separated: 200, 304 (default both)"
    )
    parser.add_argument("--no-nginx", action="store_true", help="skip the nginx baseline")
    parser.add_argument(
        "--app",
        default=APP,
        help=f"ASGI app factory (default {APP}; betacontent.serve.api:create_app: Litestar alone)",
    )
    parser.add_argument(
        "--granian-opt", action="append", default=[], metavar="OPT", help="extra granian option"
    )
    parser.add_argument(
        "--uvicorn-opt", action="append", default=[], metavar="OPT", help="extra uvicorn option"
    )
    parser.add_argument("--start-timeout", type=float, default=90, help="seconds to /health")
    parser.add_argument("--budget", type=float, default=600, help="hard limit on the whole run")
    parser.add_argument("--wrk", default="wrk", help="wrk executable")
    parser.add_argument("--nginx", default="nginx", help="nginx executable")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/")
    args = parser.parse_args(argv)
    args.servers = [s.strip() for s in args.servers.split(",") if s.strip()]
    args.scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    for server in args.servers:
        if server not in SERVERS:
            parser.error(f"--servers: unknown {server!r}; known: {', '.join(SERVERS)}")
    if not set(args.scenarios) <= {"200", "304"}:
        parser.error("--scenarios: 200 and/or 304")
    if args.pages is not None and args.pages < 6:
        parser.error("--pages must be at least 6")
    if args.workers < 1 or args.threads < 1 or args.connections < args.threads:
        parser.error("--workers, --threads >= 1 and --connections >= --threads")
    if args.duration <= 0 or args.warmup < 0:
        parser.error("--duration > 0 and --warmup >= 0")
    return args


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds through the finally blocks


@contextlib.contextmanager
def workspace() -> Iterator[Path]:
    work = Path(tempfile.mkdtemp(prefix="betacontent-load-"))
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    clock = Clock(args.budget)
    for tool in ([] if args.no_nginx else [args.nginx]) + [args.wrk]:
        if shutil.which(tool) is None:
            print(f"load: {tool} not found (apt-get install -y wrk nginx)", file=sys.stderr)
            return 2
    try:
        for server in args.servers:
            check_server(server)
    except BenchError as error:
        print(f"load: {error}", file=sys.stderr)
        return 2
    first = cpu_snapshot(None)
    time.sleep(1)
    idle = other_cpu(first, cpu_snapshot(None))
    if idle > 0.1:
        print(
            f"load: warning: other processes use {idle:.0%} of the CPUs before starting: "
            "they will add noise",
            file=sys.stderr,
        )
    started: list[Managed] = []
    rows: list[Row] = []
    commands: dict[str, str] = {}
    startup: dict[str, float] = {}
    try:
        with workspace() as work:
            site = prepare_site(args, work, clock)
            print(
                f"site: {site.label}: {site.pages} pages exported; page {API_PAGES}{site.page} "
                f"({len(site.page_bytes)} bytes); {args.workers} worker(s); "
                f"{clock.elapsed():.1f} s",
                flush=True,
            )
            if not args.no_nginx:
                port = free_port()
                prefix = work / "nginx"
                for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
                    (prefix / f"tmp-{kind}").mkdir(parents=True)
                nginx = start_nginx(args.nginx, prefix, site.export, port, args.workers)
                started.append(nginx)
                base = f"http://{HOST}:{port}"
                startup["nginx"] = wait_ready(nginx, base + API_PAGES + site.page, clock, 20)
                commands["nginx"] = " ".join(nginx.argv)
                rows += measure("nginx", nginx.process.pid, base, site, args, clock)
                nginx.stop()
            for server in args.servers:
                port = free_port()
                extra = args.granian_opt if server == "granian" else args.uvicorn_opt
                argv_server = server_argv(server, port, args.workers, extra, args.app)
                env = {**os.environ, "BETACONTENT_SITE": str(site.root)}
                process = start(server, argv_server, work / f"{server}.log", env)
                started.append(process)
                shown = [
                    a if a != UVICORN_NODELAY else "<UVICORN_NODELAY shim>" for a in argv_server
                ]
                commands[server] = f"BETACONTENT_SITE={site.root} " + " ".join(shown)
                base = f"http://{HOST}:{port}"
                startup[server] = wait_ready(process, base + "/health", clock, args.start_timeout)
                rows += measure(server, process.process.pid, base, site, args, clock)
                process.stop()
                if process.output().strip():
                    print(f"  {server} log:\n{process.output(1500)}", file=sys.stderr)
    except BenchError as error:
        print(f"load: {error}", file=sys.stderr)
        return 1
    finally:
        for process in reversed(started):
            process.stop()
    add_ratios(rows)
    verdicts = verdict(rows, args.servers)
    flagged = warnings(rows)
    print()
    print(table(rows))
    print()
    for line in verdicts:
        print(line)
    for line in flagged:
        print(f"warning: {line}")
    context = {
        "git": git_commit(),
        "machine": {
            "cpus": os.cpu_count(),
            "other_cpu_share_at_start": round(idle, 3),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "versions": {
            "litestar": version("litestar"),
            "msgspec": version("msgspec"),
            "uvicorn": version("uvicorn"),
            "granian": version("granian"),
            "nginx": tool_version([args.nginx, "-v"]) if not args.no_nginx else None,
            "wrk": tool_version([args.wrk, "-v"]),
        },
        "servers": {s: server_details(s, args.granian_opt) for s in args.servers},
        "startup_s": {k: round(v, 2) for k, v in startup.items()},
        "commands": commands,
        "warnings": flagged,
        "elapsed_s": round(clock.elapsed(), 1),
    }
    if not args.no_save:
        json_path, md_path = write_results(stamp, args, argv, site, rows, context, verdicts)
        print(f"\n{json_path.relative_to(REPO)}, {md_path.relative_to(REPO)}")
    print(f"total {clock.elapsed():.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
