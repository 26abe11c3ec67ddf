"""A content-addressed cache of `BodyFacts` in `<site>/.betacontent-cache/body-facts.bin`.

Each entry's key hashes the whole input of `body_facts.extract` (body, its first line, the
two flags) with betacontent's version and the text of its own modules, so a hit is exactly
what a fresh extraction would give; the settings do not enter `extract`. The file holds one
run's entries: a magic line, the BLAKE2b digest of the payload, then the payload (msgpack).
It is written once, when something changed, to a temporary file renamed over the old one:
two runs sharing it each write a whole file and readers never see a torn one. A file that
does not check out (truncated, corrupted, another format) is ignored with a notice on
stderr and rewritten; its entries are never trusted.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import msgspec

from betacontent import __version__
from betacontent.body_facts import BodyFacts, Task, compute, paused_gc
from betacontent.schema_export import write_atomic

FACTS_CACHE_DIR = ".betacontent-cache"  # at the site root, beside the external link cache
CACHE_FILENAME = "body-facts.bin"
MAGIC = b"betacontent body facts 2\n"
DIGEST_SIZE = 32
CACHE_MIN_FILES = 400
"""Below this many files a lint takes well under a second: no cache file is left around."""

_DECODER = msgspec.msgpack.Decoder(dict[str, BodyFacts])
_ENCODER = msgspec.msgpack.Encoder()


@cache
def code_key() -> bytes:
    """betacontent's version and the text of its modules: a changed extractor misses."""
    digest = hashlib.blake2b(__version__.encode(), digest_size=DIGEST_SIZE)
    package = Path(__file__).parent
    for module in sorted(package.rglob("*.py")):
        digest.update(module.relative_to(package).as_posix().encode())
        digest.update(module.read_bytes())
    return digest.digest()


def key(task: Task) -> str:
    digest = hashlib.blake2b(code_key(), digest_size=20)
    digest.update(f"{task.body_line}:{int(task.markdown)}:{int(task.html_page)}:".encode())
    digest.update(task.body.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def cache_dir_for(root: Path, files: int, wanted: bool | None = None) -> Path | None:
    """The site's cache folder when the cache is `wanted` (None: when the site is large)."""
    if wanted is False or (wanted is None and files < CACHE_MIN_FILES):
        return None
    return root / FACTS_CACHE_DIR


def _notice(message: str) -> None:
    print(f"betacontent: warning: {message}", file=sys.stderr)


def read(path: Path) -> dict[str, BodyFacts]:
    """The entries of a cache file; empty (with a notice) when it does not check out."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as error:
        _notice(f"cannot read the cache {path}: {error.strerror}; it is ignored")
        return {}
    head, digest = data[: len(MAGIC)], data[len(MAGIC) : len(MAGIC) + DIGEST_SIZE]
    payload = data[len(MAGIC) + DIGEST_SIZE :]
    problem = None
    if head != MAGIC:
        problem = "not a cache of this version"
    elif hashlib.blake2b(payload, digest_size=DIGEST_SIZE).digest() != digest:
        problem = "truncated or corrupted"
    else:
        try:
            with paused_gc():
                return _DECODER.decode(payload)
        except msgspec.DecodeError as error:
            problem = f"unreadable: {error}"
    _notice(f"the cache {path} is {problem}; it is ignored and will be rewritten")
    return {}


def write(path: Path, entries: dict[str, BodyFacts]) -> None:
    """Replace the cache file atomically; a failure is a notice, never an error."""
    payload = _ENCODER.encode(entries)
    digest = hashlib.blake2b(payload, digest_size=DIGEST_SIZE).digest()
    try:
        write_atomic(path, MAGIC + digest + payload)
    except OSError as error:
        _notice(f"cannot save the cache {path}: {error.strerror}")


def cached_facts(
    tasks: Sequence[Task], jobs: int | None = None, cache_dir: Path | None = None
) -> list[BodyFacts]:
    """`compute(tasks, jobs)`, with the entries found in `cache_dir` reused (none: no cache)."""
    if cache_dir is None:
        return compute(tasks, jobs)
    path = cache_dir / CACHE_FILENAME
    stored = read(path)
    keys = [key(task) for task in tasks]
    missing = sorted({k: i for i, k in enumerate(keys) if k not in stored}.values())
    computed = compute([tasks[i] for i in missing], jobs)
    fresh = dict(zip([keys[i] for i in missing], computed, strict=True))
    kept = {k: stored[k] if k in stored else fresh[k] for k in keys}
    if fresh or len(kept) != len(stored):
        write(path, kept)
    return [kept[k] for k in keys]
