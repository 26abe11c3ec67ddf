"""The YAML size and depth limits at their edges: the one-pass walk for plain trees and the
full count (aliases expanded) agree on where the limit falls."""

from __future__ import annotations

import pytest

from betacontent.site.front_matter import ProblemKind, YamlLimits, load_yaml

# `a: [1, 2, 3]` is 1 mapping + key `a` + 1 sequence + 3 scalars = 6 nodes, 3 levels deep.
TREE = "a: [1, 2, 3]\n"
# Two keys share one sequence of 3: expanded, 1 + (1 + 4) + (1 + 4) + anchor... = 11 nodes.
SHARED = "a: &s [1, 2, 3]\nb: *s\n"


def over(text: str, nodes: int, depth: int) -> bool:
    document = load_yaml(text, YamlLimits(max_nodes=nodes, max_depth=depth))
    return any(p.kind is ProblemKind.LIMIT for p in document.problems)


@pytest.mark.parametrize(
    ("text", "nodes", "depth"),
    [(TREE, 6, 3), (SHARED, 11, 3), ("x: &x {y: 1}\nz: [*x, *x]\n", 13, 4)],
)
def test_limits_fall_exactly_at_the_expanded_size_and_depth(
    text: str, nodes: int, depth: int
) -> None:
    assert not over(text, nodes, depth)
    assert over(text, nodes - 1, depth)
    assert over(text, nodes, depth - 1)


def test_a_recursive_alias_is_not_over_the_limits() -> None:
    assert not over("a: &a [*a]\n", 100, 100)
