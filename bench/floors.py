"""The Python floors of issue 6: the least a Python linter of these sites must do.

    python -m bench.floors {frontmatter,markdown} SITE [--processes N]

`frontmatter` reads every Markdown file of SITE and parses its front matter with
python-frontmatter (YAML by libyaml's CSafeLoader); `markdown` also parses the body with
markdown-it-py (CommonMark with tables and strikethrough, as betacontent's anchors use it),
inline tokens included. With `--processes 2` the files are shared out to a pool of 2 processes.
Prints the number of files and a checksum of what was parsed, so no work can be skipped.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import frontmatter
from markdown_it import MarkdownIt

CHUNK = 64  # files per task sent to a worker: small enough to balance, large enough to be cheap
_MARKDOWN = MarkdownIt("commonmark").enable("table").enable("strikethrough")


def markdown_files(site: Path) -> list[Path]:
    """The site's Markdown files, sorted; folders starting with `.` and `_site` are skipped."""
    return sorted(
        path
        for path in site.rglob("*.md")
        if not any(p.startswith(".") or p == "_site" for p in path.relative_to(site).parts[:-1])
    )


def front_matter_only(path: Path) -> int:
    """Read the file and parse its front matter; the number of keys."""
    post = frontmatter.loads(path.read_text("utf-8"))
    return len(post.metadata)


def front_matter_and_markdown(path: Path) -> int:
    """Read, parse the front matter, then parse the body into tokens; keys + tokens."""
    post = frontmatter.loads(path.read_text("utf-8"))
    tokens = _MARKDOWN.parse(post.content)
    return len(post.metadata) + len(tokens) + sum(len(t.children or ()) for t in tokens)


FLOORS: dict[str, Callable[[Path], int]] = {
    "frontmatter": front_matter_only,
    "markdown": front_matter_and_markdown,
}


def run(floor: str, files: Sequence[Path], processes: int) -> Iterator[int]:
    work = FLOORS[floor]
    if processes == 1:
        yield from map(work, files)
        return
    with ProcessPoolExecutor(max_workers=processes) as pool:
        yield from pool.map(work, files, chunksize=CHUNK)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.floors", description=__doc__)
    parser.add_argument("floor", choices=sorted(FLOORS))
    parser.add_argument("site", type=Path)
    parser.add_argument("--processes", type=int, default=1, help="worker processes (default 1)")
    args = parser.parse_args(argv)
    if args.processes < 1:
        parser.error("--processes must be at least 1")
    if not args.site.is_dir():
        parser.error(f"{args.site}: not a folder")
    files = markdown_files(args.site)
    checksum = sum(run(args.floor, files, args.processes))
    print(f"{args.floor}: {len(files)} files, {args.processes} process(es), checksum {checksum}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
