"""Split a file into front matter and body, and parse the front matter as Jekyll does.

Jekyll (4.3) decides that a file has front matter when its first line is `---` (checked on the
raw bytes, so a byte-order mark hides it), then takes everything up to the next line that is
`---` or `...`. The YAML is parsed by libyaml, so it is here too (`yaml.CSafeLoader`), and the
YAML text starts at the top of the file: libyaml's marks are file positions as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import yaml
from frontmatter.default_handlers import BaseHandler, JSONHandler

from betacontent.core.positions import Position, clamp, count_breaks, split_lines

_OPEN = re.compile(r"---[ \t\r\n\f\v]*\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t\r\f\v]*$", re.MULTILINE)
BOM = "\ufeff"

# Front matter in formats other static site generators read, and Jekyll does not.
_FOREIGN_FORMATS: tuple[tuple[str, BaseHandler], ...] = (
    ("TOML (`+++`)", BaseHandler(fm_boundary=re.compile(r"^\+{3}\s*$", re.MULTILINE))),
    ("JSON", JSONHandler()),
)


class ProblemKind(StrEnum):
    UNREADABLE = "unreadable"
    YAML_SYNTAX = "yaml-syntax"
    UNCLOSED = "unclosed"
    DUPLICATE_KEY = "duplicate-key"
    NOT_READ = "not-read"
    NOT_MAPPING = "not-mapping"
    LIMIT = "limit"
    OUTSIDE = "outside"


@dataclass(frozen=True, slots=True)
class YamlLimits:
    """How much YAML one file may hold once aliases are expanded, and how deep it may nest.
    Aliases are shared when loaded, but every consumer that walks the data (validation,
    JSON encoding) expands them: nine aliases of nine aliases ("billion laughs") are 10^9
    values to walk."""

    max_nodes: int = 100_000
    max_depth: int = 100


DEFAULT_YAML_LIMITS = YamlLimits()


def _plain_tree_within(root: yaml.Node, limits: YamlLimits) -> bool:
    """Whether the graph is a tree (no node reached twice: no alias) within the limits; for
    a tree, size is the node count and depth the longest path, as `_over_limits` counts."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen or depth > limits.max_depth:
            return False
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend((item, depth + 1) for pair in node.value for item in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, depth + 1) for item in node.value)
    return len(seen) <= limits.max_nodes


def _over_limits(root: yaml.Node, limits: YamlLimits) -> str | None:
    """Why the node graph is too big once expanded, or None. Linear in distinct nodes: each
    node's expanded size and depth are computed once (aliases point to the same node). An
    alias to a node that contains it (Jekyll accepts it) counts as one value: the shape
    rules report what it makes."""
    if _plain_tree_within(root, limits):
        return None  # the common case, walked once without bookkeeping
    sizes: dict[int, tuple[int, int]] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    active: set[int] = set()
    while stack:
        node, done = stack.pop()
        key = id(node)
        if not done and (key in sizes or key in active):
            continue
        children: list[yaml.Node] = []
        if isinstance(node, yaml.MappingNode):
            children = [item for pair in node.value for item in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        if not done:
            active.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
            continue
        active.discard(key)
        measured = [sizes.get(id(child), (1, 1)) for child in children]
        size = 1 + sum(child[0] for child in measured)
        depth = 1 + max((child[1] for child in measured), default=0)
        if size > limits.max_nodes:
            return (
                f"expands to more than {limits.max_nodes:,} values once its aliases are "
                "followed (`limits.max-yaml-nodes`)"
            )
        if depth > limits.max_depth:
            return f"nests deeper than {limits.max_depth} levels (`limits.max-yaml-depth`)"
        sizes[key] = (size, depth)
    return None


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong found while reading or parsing a file (parse errors are values)."""

    kind: ProblemKind
    position: Position
    message: str
    end: Position | None = None  # where the offending text ends (exclusive), when known


Span = tuple[int, int, int, int]
"""Where a YAML node's text is: start line and column, end line and column (exclusive), 1-based."""

Path_ = tuple[str | int, ...]


def _span(node: yaml.Node) -> Span:
    start, end = node.start_mark, node.end_mark
    return (start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def node_spans(root: yaml.Node | None) -> tuple[dict[Path_, Span], dict[str, Span]]:
    """The span of the value at each path (mapping keys by their text, the last occurrence
    winning as in `node_at`; sequence items by index) and of each top-level key. An alias to
    a node that contains it is not followed into itself."""
    values: dict[Path_, Span] = {}
    keys: dict[str, Span] = {}
    if root is None:
        return values, keys
    if isinstance(root, yaml.MappingNode):
        for key, _ in root.value:
            if isinstance(key, yaml.ScalarNode):
                keys[key.value] = _span(key)
    active: set[int] = set()  # the nodes on the way down to the current one
    stack: list[tuple[Path_, yaml.Node, bool]] = [((), root, False)]
    while stack:
        path, node, leaving = stack.pop()
        if leaving:
            active.discard(id(node))
            continue
        if id(node) in active:
            continue
        values[path] = _span(node)
        if isinstance(node, yaml.MappingNode):
            last = {
                key.value: value for key, value in node.value if isinstance(key, yaml.ScalarNode)
            }
            children = [((*path, key), value) for key, value in last.items()]
        elif isinstance(node, yaml.SequenceNode):
            children = [((*path, index), item) for index, item in enumerate(node.value)]
        else:
            continue
        active.add(id(node))
        stack.append((path, node, True))
        stack.extend((child, item, False) for child, item in children)
    return values, keys


class _Unset:
    pass


_UNSET = _Unset()


@dataclass(slots=True)
class FrontMatter:
    """Parsed front matter: the data Jekyll sees, the YAML text and where each value is.

    The YAML node tree is not kept (on a large site it would outweigh everything else): the
    spans place findings, and `root` composes the tree again, once, for the rare users that
    edit YAML (fixes, suppression scopes)."""

    data: dict[str, Any]
    end_line: int  # line of the closing delimiter
    text: str = ""  # the YAML as written, from the top of the file (its marks index into it)
    spans: dict[Path_, Span] = field(default_factory=dict)
    key_spans: dict[str, Span] = field(default_factory=dict)
    _root: yaml.Node | _Unset | None = field(default=_UNSET, repr=False, compare=False)

    @property
    def root(self) -> yaml.Node | None:
        """The YAML node tree, as parsing left it (merge keys flattened)."""
        if isinstance(self._root, _Unset):
            self._root = compose(self.text)
        return self._root

    def node_at(self, path: Sequence[str | int]) -> yaml.Node | None:
        """The value node at `path` (last key wins, as in Jekyll); None when absent."""
        return node_at(self.root, path)

    def key_node(self, key: str) -> yaml.Node | None:
        """The node of a top-level key (its last occurrence)."""
        found = None
        if isinstance(self.root, yaml.MappingNode):
            for key_node, _ in self.root.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                    found = key_node
        return found

    def span(self, path: Sequence[str | int]) -> tuple[Position, Position] | None:
        """Where the value at `path` starts and ends (exclusive); None when absent."""
        found = self.spans.get(tuple(path))
        if found is None:
            return None
        return Position(found[0], found[1]), Position(found[2], found[3])

    def position(self, path: Sequence[str | int]) -> Position:
        """Where the value at `path` starts; falls back to its closest existing parent."""
        steps = tuple(path)
        for depth in range(len(steps), -1, -1):
            found = self.spans.get(steps[:depth])
            if found is not None:
                return Position(found[0], found[1])
        return Position(1, 1)

    def key_position(self, key: str) -> Position:
        found = self.key_spans.get(key)
        return Position(found[0], found[1]) if found is not None else Position(1, 1)


def compose(text: str) -> yaml.Node | None:
    """The node tree of YAML that parsed before, as `load_yaml` leaves it."""
    loader = JekyllLoader(text)
    try:
        root = loader.get_single_node()
        if root is not None:
            loader.construct_document(root)  # flattens merge keys in the tree, as before
        return root
    finally:
        loader.dispose()


@dataclass(slots=True)
class SplitFile:
    """A text file seen as Jekyll sees it."""

    front_matter: FrontMatter | None
    body: str
    body_line: int  # 1-based line where the body starts
    problems: list[Problem] = field(default_factory=list)


def node_at(root: yaml.Node | None, path: Sequence[str | int]) -> yaml.Node | None:
    node = root
    for step in path:
        if isinstance(node, yaml.MappingNode) and isinstance(step, str):
            found = None
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == step:
                    found = value
            node = found
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            node = node.value[step] if 0 <= step < len(node.value) else None
        else:
            return None
    return node


def key_position_in(root: yaml.Node | None, path: Sequence[str | int]) -> Position | None:
    """Where the key of the value at `path` starts (its last occurrence); None when absent."""
    if not path or not isinstance(path[-1], str):
        return None
    parent = node_at(root, path[:-1])
    found = None
    if isinstance(parent, yaml.MappingNode):
        for key, _ in parent.value:
            if isinstance(key, yaml.ScalarNode) and key.value == path[-1]:
                found = key
    return mark_position(found) if found is not None else None


def position_in(root: yaml.Node | None, path: Sequence[str | int]) -> Position:
    for depth in range(len(path), -1, -1):
        node = node_at(root, path[:depth])
        if node is not None:
            return mark_position(node)
    return Position(1, 1)


def mark_position(node: yaml.Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


def node_span(node: yaml.Node) -> tuple[Position, Position]:
    """Where a node's text starts and ends (exclusive), quotes of a scalar included."""
    end = node.end_mark
    return mark_position(node), Position(end.line + 1, end.column + 1)


def split(text: str, limits: YamlLimits = DEFAULT_YAML_LIMITS) -> SplitFile:
    """Split decoded text (byte-order mark still in place) into front matter and body."""
    if text.startswith(BOM):
        rest = text[1:]
        if _OPEN.match(rest):
            problem = Problem(
                ProblemKind.NOT_READ,
                Position(1, 1),
                "the file starts with a byte-order mark, so Jekyll does not see its front "
                "matter and copies it as a static file; save it as UTF-8 without BOM",
            )
            return SplitFile(None, rest, 1, [problem])
        text = rest
    opening = _OPEN.match(text)
    if opening is None:
        return SplitFile(None, text, 1, _foreign_format(text))
    closing = _CLOSE.search(text, opening.end())
    if closing is None:
        problem = Problem(
            ProblemKind.UNCLOSED,
            Position(1, 1),
            "front matter opened with `---` is never closed; Jekyll renders it as body text",
        )
        return SplitFile(None, text, 1, [problem])
    yaml_text = text[: closing.start()]
    end_line = count_breaks(yaml_text) + 1
    body_start = closing.end() + 1 if text.startswith("\n", closing.end()) else closing.end()
    front_matter, problems = parse_yaml(yaml_text, end_line, limits)
    return SplitFile(front_matter, text[body_start:], end_line + 1, problems)


def _foreign_format(text: str) -> list[Problem]:
    for name, handler in _FOREIGN_FORMATS:
        if handler.detect(text) and handler.FM_BOUNDARY and handler.FM_BOUNDARY.match(text):
            return [
                Problem(
                    ProblemKind.NOT_READ,
                    Position(1, 1),
                    f"{name} front matter is not read by Jekyll, which only reads YAML "
                    "between `---` lines; the file is copied as a static file",
                )
            ]
    return []


@dataclass(slots=True)
class YamlDocument:
    data: Any
    root: yaml.Node | None
    problems: list[Problem]

    def position(self, path: Sequence[str | int]) -> Position:
        return position_in(self.root, path)


class JekyllLoader(yaml.CSafeLoader):
    """libyaml with Psych's leniencies: a timestamp that is not a real date (`2024-02-30`)
    stays a string, and a mapping key that is a list or mapping is accepted."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        self.flatten_mapping(node)
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                key = repr(key)  # Ruby hashes lists and hashes; Python cannot
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


def _timestamp(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)  # type: ignore[arg-type]
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)  # type: ignore[arg-type]


JekyllLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def readable_scalars(text: str, attempts: int = 5) -> dict[str, str]:
    """The top-level `key: value` pairs libyaml reads in `text` around its errors: those
    before the first error (not one on the error's line, which may be cut short), then, a few
    times, those of the lines after it, read on their own. What a front matter that does not
    parse meant to say (`permalink`, `title`)."""
    lines = text.strip().removeprefix("---").split("\n")
    found, bad = _scalars_before_error("\n".join(lines))
    if bad is not None and attempts > 1 and bad + 1 < len(lines):
        # The lines after the error: a key that does not start there is skipped with it.
        after = lines[bad + 1 :]
        while after and (after[0][:1].isspace() or after[0].startswith("-")):
            after = after[1:]
        for key, value in readable_scalars("\n".join(after), attempts - 1).items():
            found.setdefault(key, value)
    return found


def _scalars_before_error(text: str) -> tuple[dict[str, str], int | None]:
    """The top-level scalar pairs before libyaml's first error, and that error's line."""
    found: dict[str, tuple[str, int]] = {}  # key -> (value, line)
    depth = 0
    key: str | None = None
    last_line = None
    try:
        for event in yaml.parse(text, Loader=JekyllLoader):
            if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                depth += 1
                if depth == 2:
                    key = None  # a nested value: its key holds no scalar
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                depth -= 1
            elif isinstance(event, yaml.ScalarEvent) and depth == 1:
                if key is None:
                    key = event.value
                else:
                    found[key] = (event.value, event.end_mark.line if event.end_mark else 0)
                    key = None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        last_line = mark.line if mark is not None else None
    except (yaml.YAMLError, ValueError):
        pass
    kept = {
        key: value for key, (value, line) in found.items() if last_line is None or line < last_line
    }
    return kept, last_line


_KEY_VALUE = re.compile(r"^(\s*(?:-\s+)?)([^\s:#][^:#]*?):\s+(.*?)\s*$")


def _means(line: str, key: str, value: str) -> bool:
    """Whether `line` parses to `{key: value}`: what a suggested line must mean."""
    try:
        parsed: object = yaml.load(line, Loader=JekyllLoader)
        return parsed == {key: value}
    except yaml.YAMLError:
        return False


def yaml_hint(text: str, error: yaml.MarkedYAMLError) -> str:
    """What to do about the most common libyaml errors, in plain words (with the line as it
    should be, where it can be given): "" when there is nothing sure to say."""
    problem, context = error.problem or "", error.context or ""
    mark = error.problem_mark
    lines = text.split("\n")
    line = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    found = line[mark.column] if mark is not None and mark.column < len(line) else ""
    pair = _KEY_VALUE.match(line)
    key, quoted = (pair.group(2), pair.group(3)) if pair else ("", "")
    if len(quoted) > 2 and quoted[0] in "'\"" and quoted[-1] == quoted[0] in quoted[1:-1]:
        quote, inner = quoted[0], quoted[1:-1]
        fixed = quote + inner.replace(quote, quote * 2 if quote == "'" else '\\"') + quote
        if _means(f"{key}: {fixed}", key, inner):  # a suggestion is shown only if it is right
            return f"; a `{quote}` inside a value in `{quote}` quotes ends it: `{key}: {fixed}`"
    if quoted[:1] in ("'", '"') and problem.startswith("did not find expected key"):
        return "; text follows the closing quote of the value: put it inside the quotes"
    if problem.startswith("mapping values are not allowed"):
        if pair and ": " in quoted:
            value = quoted.replace("\\", "\\\\").replace('"', '\\"')
            if _means(f'{key}: "{value}"', key, quoted):
                return f'; quote a value that holds `: `: `{key}: "{value}"`'
        return "; a value that holds `: ` must be quoted"
    if "cannot start any token" in problem:
        if found == "\t":
            return "; YAML indents with spaces, never with tabs"
        if found in ("@", "`", "%"):
            return f"; a value that starts with `{found}` must be quoted"
    if problem.startswith("found undefined alias") or "scanning an alias" in context:
        return "; `*` starts an alias in YAML: quote a value that starts with `*`"
    if "end of stream" in problem and "quoted scalar" in context:
        start = error.context_mark
        where = f" on line {start.line + 1}" if start is not None else ""
        return f"; a quote opened{where} is never closed"
    if problem.startswith("did not find expected key"):
        return "; check the indentation: the keys of one mapping start in the same column"
    if problem.startswith("did not find expected '-' indicator"):
        return "; check the indentation: the items of one list start with `- ` in one column"
    if problem.startswith("could not find expected ':'"):
        return "; a line holds no `key:`: indent a value that goes on, or quote it"
    if "flow sequence" in context or "flow mapping" in context:
        return "; a `[` or `{` opened at the start of a value is never closed: quote text"
    return ""


def load_yaml(text: str, limits: YamlLimits = DEFAULT_YAML_LIMITS) -> YamlDocument:
    """Parse YAML with libyaml; a syntax error, YAML over the limits and duplicate keys
    become problems. YAML over the limits is not loaded at all."""
    loader = JekyllLoader(text)
    try:
        root = loader.get_single_node()
        excess = _over_limits(root, limits) if root is not None else None
        if root is not None and excess is not None:
            problem = Problem(ProblemKind.LIMIT, mark_position(root), f"the YAML {excess}")
            return YamlDocument(None, None, [problem])
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        position = clamp(Position(mark.line + 1, mark.column + 1), text) if mark else Position(1, 1)
        message = error.problem or error.context or "invalid YAML"
        if error.context and error.problem:
            message = f"{error.problem} ({error.context})"
        message += yaml_hint(text, error)
        problem = Problem(ProblemKind.YAML_SYNTAX, position, f"YAML syntax error: {message}")
        return YamlDocument(None, None, [problem])
    except yaml.reader.ReaderError as error:  # a character YAML does not allow
        before = text[: error.position]
        position = Position(count_breaks(before) + 1, len(split_lines(before)[-1]) + 1)
        code = error.character if isinstance(error.character, int) else ord(error.character)
        message = f"YAML error: the character U+{code:04X} is not allowed ({error.reason})"
        return YamlDocument(None, None, [Problem(ProblemKind.YAML_SYNTAX, position, message)])
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as error:
        problem = Problem(ProblemKind.YAML_SYNTAX, Position(1, 1), f"YAML error: {error}")
        return YamlDocument(None, None, [problem])
    finally:
        loader.dispose()
    return YamlDocument(data, root, list(_duplicate_keys(root)))


def parse_yaml(
    yaml_text: str, end_line: int, limits: YamlLimits = DEFAULT_YAML_LIMITS
) -> tuple[FrontMatter | None, list[Problem]]:
    """Parse front matter YAML: it must be a mapping (or empty)."""
    document = load_yaml(yaml_text, limits)
    problems = document.problems
    if document.data is None:
        if any(p.kind in (ProblemKind.YAML_SYNTAX, ProblemKind.LIMIT) for p in problems):
            return None, problems
        return _front_matter({}, document.root, end_line, yaml_text), problems
    if not isinstance(document.data, dict):
        root = document.root
        position = mark_position(root) if root is not None else Position(2, 1)
        kind = type(document.data).__name__
        problems.append(
            Problem(
                ProblemKind.NOT_MAPPING,
                position,
                f"front matter must be a mapping of keys to values, not a {kind}; "
                "Jekyll stops with `Invalid YAML front matter`",
            )
        )
        return None, problems
    return _front_matter(document.data, document.root, end_line, yaml_text), problems


def _front_matter(
    data: dict[str, Any], root: yaml.Node | None, end_line: int, text: str
) -> FrontMatter:
    values, keys = node_spans(root)
    return FrontMatter(data, end_line, text, values, keys)


def _duplicate_keys(root: yaml.Node | None) -> Iterator[Problem]:
    """Repeated keys in any mapping; libyaml (like Jekyll's Psych) silently keeps the last."""
    stack = [root] if root is not None else []
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[tuple[str, str], yaml.Node] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                    identity = (key.tag, key.value)
                    if identity in first:
                        earlier = mark_position(first[identity])
                        yield Problem(
                            ProblemKind.DUPLICATE_KEY,
                            mark_position(key),
                            f"duplicate key `{key.value}` (first at line {earlier.line}); "
                            "Jekyll keeps the last value",
                            node_span(key)[1],
                        )
                    else:
                        first[identity] = key
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
