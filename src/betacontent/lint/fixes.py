"""Apply the fixes diagnostics carry: `betacontent lint --fix` and `--diff`.

Edits are placed in the file's decoded text (a byte-order mark is kept aside: positions do
not count it). The fixes of one file are taken in diagnostic order; one that overlaps a fix
already taken waits for the next run. Before anything is written, the edited text is parsed
again and must mean what the fixes promise: the front matter (or data file) equals the old
data with only the edited values changed, and the body's links are the old ones with only
the edited URLs changed. A fix that fails this is dropped and reported, never written.
Everything else stays byte for byte: line endings, comments, quoting, key order.
"""

from __future__ import annotations

import copy
import difflib
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from betacontent.core.atomic import write_atomic
from betacontent.core.positions import LineIndex, Position
from betacontent.kramdown import markdown
from betacontent.kramdown.blocks import read_blocks
from betacontent.kramdown.links import Link, html_page_links, markdown_links
from betacontent.lint.diagnostics import Diagnostic, Edit, Fix
from betacontent.lint.yaml_edit import insertion_point, scalar_value, walk
from betacontent.site.front_matter import BOM, load_yaml, node_span, split
from betacontent.site.index import Site

FileKind = Literal["markdown", "html", "yaml"]


def file_kinds(site: Site) -> dict[str, FileKind]:
    """The files fixes may touch: pages and documents (Markdown or HTML), YAML data files."""
    kinds: dict[str, FileKind] = {f.rel: "markdown" if f.markdown else "html" for f in site.files}
    for data in site.data_files:
        if data.yaml is not None:
            kinds[data.rel] = "yaml"
    return kinds


@dataclass(frozen=True, slots=True)
class Refusal:
    diagnostic: Diagnostic
    reason: str


@dataclass(slots=True)
class FileResult:
    """What fixing one file gives: its text before and after (byte-order mark included)."""

    path: str  # relative to the site root, POSIX
    before: str
    after: str
    applied: list[Diagnostic] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    deferred: list[Diagnostic] = field(default_factory=list)  # overlapped an earlier fix


class _Refused(Exception):
    """A fix that cannot be applied, with the reason."""


# --- what an edit promises ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Value:
    """A YAML edit's promise: the value at `path` becomes `value` (added when `new_key`)."""

    path: tuple[str | int, ...]
    value: str
    new_key: bool


@dataclass(frozen=True, slots=True)
class _Url:
    """A body edit's promise: the `index`-th link of the body gets `url`."""

    index: int
    url: str


@dataclass(slots=True)
class _Source:
    """The file as it was, parsed once: the base every candidate is compared with."""

    kind: FileKind
    text: str  # without its byte-order mark
    lines: LineIndex
    yaml_end: int  # offset where the YAML ends (the whole text for a data file)
    body_start: int
    data: Any
    root: yaml.Node | None
    problems: list[str]  # kinds of parse problems
    body: str
    body_line: int
    _links: list[Link] | None = None

    def offset(self, line: int, column: int) -> int:
        if not 1 <= line <= len(self.lines.starts):
            raise _Refused(f"line {line} is not in the file")
        found = self.lines.offset(Position(line, column))
        if found is None:
            raise _Refused(f"column {column} is not on line {line}")
        return found

    def links(self) -> list[Link]:
        if self._links is None:
            self._links = _body_links(self.kind, self.body, self.body_line)
        return self._links


def _body_links(kind: FileKind, body: str, body_line: int) -> list[Link]:
    if kind == "markdown":
        return markdown_links(read_blocks(markdown.parse(body), body), body_line).links
    return html_page_links(body, body_line).links


def _parse(kind: FileKind, text: str, bom: str) -> _Source:
    """Parse `text` (its byte-order mark, `bom`, taken off) as the linter did."""
    if kind == "yaml":
        document = load_yaml(text)
        problems = [str(p.kind) for p in document.problems]
        return _Source(
            kind,
            text,
            LineIndex(text),
            len(text),
            len(text),
            document.data,
            document.root,
            problems,
            "",
            1,
        )
    parts = split(bom + text)  # a BOM hides front matter from Jekyll
    front_matter = parts.front_matter
    yaml_end = len(front_matter.text) if front_matter else 0
    body_start = len(text) - len(parts.body)
    return _Source(
        kind,
        text,
        LineIndex(text),
        yaml_end,
        body_start,
        front_matter.data if front_matter else None,
        front_matter.root if front_matter else None,
        [str(p.kind) for p in parts.problems],
        parts.body,
        parts.body_line,
    )


def _shared(root: yaml.Node | None) -> set[int]:
    """Nodes reached by more than one path (through an alias), and everything inside them."""
    parents: Counter[int] = Counter()
    for _, node, _ in walk(root):
        children: list[yaml.Node] = []
        if isinstance(node, yaml.MappingNode):
            children = [value for _, value in node.value]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        parents.update(id(child) for child in children)
    shared: set[int] = set()
    for _, node, _ in walk(root):
        if parents[id(node)] > 1:
            shared.update(id(inner) for _, inner, _ in walk(node))
    return shared


def _promise(source: _Source, start: int, end: int, content: str) -> _Value | _Url:
    if end <= source.yaml_end:
        return _yaml_promise(source, start, end, content)
    if start < source.body_start:
        raise _Refused("the edit touches the front matter delimiter")
    text = source.text[start:end]
    for index, link in enumerate(source.links()):
        if link.url == text and _offset_or_none(source, link) == start:
            return _Url(index, content)
    raise _Refused(f"`{text}` is no longer a link's URL as written")


def _offset_or_none(source: _Source, link: Link) -> int | None:
    try:
        return source.offset(*link.position)
    except _Refused:
        return None


def _yaml_promise(source: _Source, start: int, end: int, content: str) -> _Value:
    shared = _shared(source.root)
    for path, node, flow in walk(source.root):
        if start == end and isinstance(node, yaml.MappingNode):
            where = insertion_point(node)
            if where is None or source.offset(*where) != start:
                continue
            key, value = _added_pair(content, bool(node.flow_style) or flow)
            if id(node) in shared:
                raise _Refused("the mapping is shared through a YAML alias")
            return _Value((*path, key), value, new_key=True)
        if isinstance(node, yaml.ScalarNode) and start < end:
            first, last = node_span(node)
            if (source.offset(*first), source.offset(*last)) != (start, end):
                continue
            if id(node) in shared:
                raise _Refused("the value is shared through a YAML alias")
            new = scalar_value(content, flow)
            if new is None:
                raise _Refused(f"`{content}` is not one string in this place")
            return _Value(path, new, new_key=False)
    raise _Refused(f"`{source.text[start:end]}` is no longer a YAML value as written")


def _added_pair(content: str, flow: bool) -> tuple[str, str]:
    """The key and value a `, key: value` (flow) or `key: value` line (block) adds."""
    text = content.removeprefix(", ") if flow else content
    if flow and text == content:
        raise _Refused("a flow mapping entry must follow a comma")
    document = load_yaml("{" + text + "}" if flow else text)
    pair = document.data
    if document.problems or not isinstance(pair, dict) or len(pair) != 1:
        raise _Refused(f"`{content.strip()}` does not add one key")
    ((key, value),) = pair.items()
    if not isinstance(key, str) or not isinstance(value, str):
        raise _Refused(f"`{content.strip()}` does not add one string")
    return key, value


# --- checking a candidate -------------------------------------------------------------------


def _expected_data(data: Any, promises: Iterable[_Value]) -> Any:
    expected = copy.deepcopy(data)
    for promise in promises:
        target = expected
        try:
            for step in promise.path[:-1]:
                target = target[step]
            last = promise.path[-1]
            if isinstance(target, dict):
                present = last in target
            else:
                present = isinstance(last, int) and last < len(target)
        except (KeyError, IndexError, TypeError):
            raise _Refused("the value is not where the data has it") from None
        if present == promise.new_key:
            raise _Refused("the key is not where the data has it")
        target[last] = promise.value
    return expected


def _check(source: _Source, text: str, bom: str, values: list[_Value], urls: list[_Url]) -> None:
    """Raise _Refused unless `text` means the source with exactly the promised changes."""
    new = _parse(source.kind, text, bom)
    if new.problems != source.problems or (new.data is None) != (source.data is None):
        raise _Refused("the file would not parse as before")
    if new.data != _expected_data(source.data, values):
        raise _Refused("the data would change beyond the fixed values")
    if not urls:
        if new.body != source.body:
            raise _Refused("the body would change")
        return
    expected = [(link.origin, link.element, link.url) for link in source.links()]
    for promise in urls:
        origin, element, _ = expected[promise.index]
        expected[promise.index] = (origin, element, promise.url)
    if [(link.origin, link.element, link.url) for link in new.links()] != expected:
        raise _Refused("the links would change beyond the fixed URLs")


# --- planning and writing -------------------------------------------------------------------

_Span = tuple[int, int, str]


def _overlaps(spans: Sequence[_Span], others: Sequence[_Span]) -> bool:
    for start, end, _ in spans:
        for other_start, other_end, _ in others:
            same_point = start == end == other_start == other_end
            if same_point or (start < other_end and other_start < end):
                return True
    return False


def _apply(text: str, spans: Iterable[_Span]) -> str:
    for start, end, content in sorted(spans, reverse=True):
        text = text[:start] + content + text[end:]
    return text


@dataclass(frozen=True, slots=True)
class _Candidate:
    diagnostic: Diagnostic
    spans: list[_Span]
    promises: list[_Value | _Url]


def _verify(source: _Source, bom: str, candidates: Sequence[_Candidate]) -> str:
    """The text with all the candidates' edits, if it means what they promise together."""
    text = _apply(source.text, [span for c in candidates for span in c.spans])
    promises = [p for c in candidates for p in c.promises]
    values = [p for p in promises if isinstance(p, _Value)]
    _check(source, text, bom, values, [p for p in promises if isinstance(p, _Url)])
    return text


def _settle(
    source: _Source,
    bom: str,
    base: list[_Candidate],
    group: list[_Candidate],
    refused: list[Refusal],
) -> list[_Candidate]:
    """`base` plus the fixes of `group` that verify with it: all at once when they can,
    else by halves, so that a large file with one bad fix is not re-parsed per fix."""
    try:
        _verify(source, bom, [*base, *group])
        return [*base, *group]
    except _Refused as refusal:
        if len(group) == 1:
            refused.append(Refusal(group[0].diagnostic, str(refusal)))
            return base
    middle = len(group) // 2
    base = _settle(source, bom, base, group[:middle], refused)
    return _settle(source, bom, base, group[middle:], refused)


def fix_text(kind: FileKind, text: str, fixes: Sequence[tuple[Diagnostic, Fix]]) -> FileResult:
    """Apply the fixes of one file's diagnostics to its decoded text (BOM included). Fixes
    are taken in order; one overlapping a fix taken before waits (`deferred`)."""
    bom = BOM if text.startswith(BOM) else ""
    source = _parse(kind, text.removeprefix(BOM), bom)
    result = FileResult("", text, text)
    pending: list[_Candidate] = []
    for diagnostic, fix in fixes:
        try:
            spans = [_span(source, edit) for edit in fix.edits]
            if any(_overlaps([a], [b]) for i, a in enumerate(spans) for b in spans[:i]):
                raise _Refused("its edits overlap")
            promises = [_promise(source, *span) for span in spans]
        except _Refused as refusal:
            result.refused.append(Refusal(diagnostic, str(refusal)))
            continue
        pending.append(_Candidate(diagnostic, spans, promises))
    accepted: list[_Candidate] = []
    while pending:
        chosen: list[_Candidate] = []
        waiting: list[_Candidate] = []
        for candidate in pending:
            taken = [span for c in [*accepted, *chosen] for span in c.spans]
            (waiting if _overlaps(candidate.spans, taken) else chosen).append(candidate)
        if not chosen:
            break
        accepted = _settle(source, bom, accepted, chosen, result.refused)
        pending = waiting  # tried again next round, in case what they overlapped was refused
    result.deferred = [c.diagnostic for c in pending]
    if accepted:
        result.after = bom + _verify(source, bom, accepted)
    order = {id(d): i for i, (d, _) in enumerate(fixes)}
    result.applied = sorted((c.diagnostic for c in accepted), key=lambda d: order[id(d)])
    return result


def _span(source: _Source, edit: Edit) -> _Span:
    start = source.offset(edit.line, edit.column)
    end = source.offset(edit.end_line, edit.end_column)
    if end < start:
        raise _Refused("the edit ends before it starts")
    return start, end, edit.content


def plan(
    root: Path, diagnostics: Iterable[Diagnostic], kinds: Mapping[str, FileKind]
) -> list[FileResult]:
    """What fixing the diagnostics that carry a fix would do to each file, read from disk."""
    by_path: dict[str, list[tuple[Diagnostic, Fix]]] = {}
    for diagnostic in sorted(diagnostics, key=Diagnostic.sort_key):
        if diagnostic.fix is not None:
            by_path.setdefault(diagnostic.path, []).append((diagnostic, diagnostic.fix))
    results = []
    real_root = root.resolve()
    real_paths: dict[Path, str] = {}
    for path, fixes in by_path.items():
        real = (root / path).resolve()
        alias = real_paths.setdefault(real, path)
        if real_root not in real.parents:
            why = "the file is a symbolic link out of the site: betacontent writes only inside it"
        elif alias != path:
            why = f"the same file as `{alias}` (a symbolic link): fixed there"
        else:
            why = ""
        if why:
            results.append(FileResult(path, "", "", refused=[Refusal(d, why) for d, _ in fixes]))
            continue
        kind = kinds.get(path)
        try:
            text = (root / path).read_bytes().decode("utf-8") if kind else None
        except (OSError, UnicodeDecodeError) as error:
            text, kind = None, None
            why = f"cannot read the file: {error}"
        else:
            why = "the file is not a page or a YAML data file"
        if text is None or kind is None:
            refused = [Refusal(d, why) for d, _ in fixes]
            results.append(FileResult(path, "", "", refused=refused))
            continue
        result = fix_text(kind, text, fixes)
        result.path = path
        results.append(result)
    return results


def write(root: Path, results: Iterable[FileResult]) -> None:
    """Write the changed files, each atomically and keeping its mode."""
    for result in results:
        if result.after != result.before:
            write_atomic((root / result.path).resolve(), result.after.encode("utf-8"))


def _lines(text: str) -> list[str]:
    """Lines as diff and patch see them: ended by LF only (a lone CR stays inside a line)."""
    return [line for line in re.split(r"(?<=\n)", text) if line]


def unified_diff(before: str, after: str, label: str) -> str:
    """The change as a unified diff, `a/label` to `b/label`, that `patch -p1` applies."""
    out = []
    for line in difflib.unified_diff(_lines(before), _lines(after), f"a/{label}", f"b/{label}"):
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def refusal_line(refusal: Refusal, shown_path: str) -> str:
    d = refusal.diagnostic
    return f"{shown_path}:{d.line}:{d.column}: {d.code} fix not applied: {refusal.reason}"
