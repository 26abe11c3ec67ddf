"""A content-addressed cache of per-file parse results in `<site>/.betacontent-cache/`.

Each entry's key hashes the whole input of the per-file work (the file's bytes, whether it is
Markdown, the YAML limits) with betacontent's version and the text of its own modules, so a
hit is exactly what a fresh parse would give; no other setting enters that work. The file
holds one run's entries: a magic line, the code key (`code_key`: a file written by another
betacontent is passed over in silence, unread), the BLAKE2b digest of the payload, then the
payload (msgpack). It is written once, when something changed, to a temporary file renamed over the
old one: two runs sharing it each write a whole file and readers never see a torn one. A
file that does not check out (truncated, corrupted, another format or shape) is ignored with
a notice on stderr and rewritten; its entries are never trusted.
"""

from __future__ import annotations

import hashlib
import sys
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from betacontent import __version__
from betacontent.core.atomic import write_atomic
from betacontent.core.workers import paused_gc

FACTS_CACHE_DIR = ".betacontent-cache"  # at the site root, beside the external link cache
CACHE_FILENAME = "parsed-files.bin"
MAGIC = b"betacontent parsed files 1\n"
DIGEST_SIZE = 32
CACHE_MIN_FILES = 400
"""Below this many files a lint takes well under a second: no cache file is left around."""

_ENCODER = msgspec.msgpack.Encoder()

T = TypeVar("T")


_LIBRARIES = ("markdown-it-py", "PyYAML", "msgspec", "python-frontmatter", "mdurl")
"""Whose output the cached parses hold: an upgrade of one of them misses too."""


@cache
def code_key() -> bytes:
    """betacontent's version and the text of its modules, Python's version and those of the
    libraries that parse: a changed parser misses."""
    digest = hashlib.blake2b(__version__.encode(), digest_size=DIGEST_SIZE)
    digest.update(sys.version.encode())
    for library in _LIBRARIES:
        try:
            digest.update(f"{library}=={metadata.version(library)}".encode())
        except metadata.PackageNotFoundError:  # pragma: no cover - an incomplete install
            digest.update(f"{library} missing".encode())
    package = Path(__file__).parent.parent  # the whole betacontent package
    for module in sorted(package.rglob("*.py")):
        digest.update(module.relative_to(package).as_posix().encode())
        digest.update(module.read_bytes())
    return digest.digest()


def cache_filename(extra: str = "") -> str:
    """The cache file of the parses made with the `extra` function (`parse_files`), named
    after its module: one file per kind of parse, so that a lint and a server sharing a site
    each keep theirs (`serve.prepared`: parsed-files-prepared.bin)."""
    if not extra:
        return CACHE_FILENAME
    return f"parsed-files-{extra.partition(':')[0].rpartition('.')[2]}.bin"


def key(content: bytes, *parameters: object) -> str:
    """The key of the work on `content` with `parameters` (small values, by their repr)."""
    digest = hashlib.blake2b(code_key(), digest_size=20)
    digest.update(repr(parameters).encode())
    digest.update(content)
    return digest.hexdigest()


def cache_dir_for(root: Path, files: int, wanted: bool | None = None) -> Path | None:
    """The site's cache folder when the cache is `wanted` (None: when the site is large)."""
    if wanted is False or (wanted is None and files < CACHE_MIN_FILES):
        return None
    return root / FACTS_CACHE_DIR


def _notice(message: str) -> None:
    print(f"betacontent: warning: {message}", file=sys.stderr)


def read(path: Path, decoder: msgspec.msgpack.Decoder[dict[str, T]]) -> dict[str, T]:
    """The entries of a cache file; empty (with a notice) when it does not check out."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as error:
        _notice(f"cannot read the cache {path}: {error.strerror}; it is ignored")
        return {}
    view = memoryview(data)  # slices of a view copy nothing (the payload is most of the file)
    head, rest = bytes(view[: len(MAGIC)]), view[len(MAGIC) :]
    written_by, digest = bytes(rest[:DIGEST_SIZE]), bytes(rest[DIGEST_SIZE : 2 * DIGEST_SIZE])
    payload = rest[2 * DIGEST_SIZE :]
    problem = None
    if head != MAGIC:
        problem = "not a cache of this version"
    elif written_by != code_key():
        return {}  # another betacontent wrote it: none of its entries can hit
    elif hashlib.blake2b(payload, digest_size=DIGEST_SIZE).digest() != digest:
        problem = "truncated or corrupted"
    else:
        try:
            with paused_gc():
                return decoder.decode(payload)
        except (msgspec.DecodeError, ValueError) as error:
            problem = f"unreadable: {error}"
    _notice(f"the cache {path} is {problem}; it is ignored and will be rewritten")
    return {}


def write(path: Path, entries: dict[str, Any]) -> None:
    """Replace the cache file atomically; a failure is a notice, never an error."""
    payload = _ENCODER.encode(entries)
    digest = hashlib.blake2b(payload, digest_size=DIGEST_SIZE).digest()
    try:
        write_atomic(path, [MAGIC, code_key(), digest, payload])  # not joined: no copy
    except OSError as error:
        _notice(f"cannot save the cache {path}: {error.strerror}")
