"""Worker processes for per-file work: chunks of tasks out, msgpack bytes back, in order.

Per-file work (parsing front matter and bodies) is a pure function of the file, so a large
site spreads it over the available cores. Results come back encoded (cheaper to send than
objects) and are decoded here as they arrive, in the order of the tasks.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

import msgspec

PARALLEL_MIN_FILES = 400
"""Below this many files, worker start-up costs more than it saves."""

CHUNKS_PER_WORKER = 8

T = TypeVar("T")


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Decoding many small objects triggers collections that find nothing to free (4x)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def available_cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)  # pragma: no cover - platforms without affinity


def _context(preload: str) -> multiprocessing.context.BaseContext:
    """A fork server: workers forked from a small process that has imported `preload`, not
    from this one (whose site would count in each worker's memory, and which may run threads).
    As with any spawned worker, a script that lints must guard its entry point with
    `if __name__ == "__main__":` (the `betacontent` command does)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():  # pragma: no cover
        return multiprocessing.get_context("spawn")  # Windows
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([preload])
    return context


def worker_count(tasks: int, jobs: int | None) -> int:
    """How many worker processes `tasks` tasks get: 1 means "do them here"."""
    if multiprocessing.current_process().daemon:
        return 1  # a daemonic process (a server's worker) may not start processes
    if jobs is None and tasks < PARALLEL_MIN_FILES:
        return 1
    return max(1, min(jobs or available_cores(), tasks))


def map_chunks(
    work: Callable[[list[Any]], bytes],
    tasks: Sequence[Any],
    decoder: msgspec.msgpack.Decoder[list[T]],
    workers: int,
    preload: str,
) -> list[T] | None:
    """`work` over chunks of `tasks` in `workers` processes, the results decoded in order;
    None when the pool broke (a worker killed by the system): the caller does it itself."""
    size = -(-len(tasks) // (workers * CHUNKS_PER_WORKER))
    chunks = [list(tasks[start : start + size]) for start in range(0, len(tasks), size)]
    results: list[T] = []
    try:
        with ProcessPoolExecutor(workers, mp_context=_context(preload)) as pool, paused_gc():
            for blob in pool.map(work, chunks):  # decoded as they come, in order
                results += decoder.decode(blob)
    except (BrokenProcessPool, OSError):  # pragma: no cover - a worker killed by the system
        return None
    return results
