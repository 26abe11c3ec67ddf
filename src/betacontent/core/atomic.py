"""Files written whole or not at all: a reader sees the old file or the new one, never a part."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def write_atomic(path: Path, text: str | bytes | list[bytes]) -> None:
    """Write through a temporary file in the same folder, flushed to disk, then renamed over
    `path` (text as UTF-8, bytes as they are, a list of bytes one after the other, never
    joined in memory): a reader sees the old file or the new one, never a part. An existing
    file keeps its mode; a new one gets the umask's (mkstemp would make it 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        mode = stat.S_IMODE(path.stat().st_mode)
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as stream:
            for part in text if isinstance(text, list) else [text]:
                stream.write(part.encode("utf-8") if isinstance(part, str) else part)
            stream.flush()
            os.fsync(stream.fileno())
        Path(tmp).chmod(mode)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
