"""Small syntax-tree and text helpers shared by the advisor's modules."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tree_sitter

    Node = tree_sitter.Node


def ancestors_until(node: Node, stop: Node) -> list[Node]:
    """Ancestors of node (excluding node) up to but excluding stop."""
    out = []
    p = node.parent
    while p is not None and p.id != stop.id:
        out.append(p)
        p = p.parent
    return out


def lca(a: Node, b: Node) -> Node | None:
    """The lowest common ancestor of two nodes."""
    ids = set()
    p: Node | None = a
    while p is not None:
        ids.add(p.id)
        p = p.parent
    q: Node | None = b
    while q is not None:
        if q.id in ids:
            return q
        q = q.parent
    return None


def walk(node: Node) -> Iterator[Node]:
    """Pre-order walk of a subtree."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))


def norm(text: str) -> str:
    """Text without whitespace."""
    return re.sub(r"\s+", "", text)


def unparen(s: str) -> str:
    """Drop parentheses that enclose the whole expression."""
    while s.startswith("(") and s.endswith(")"):
        depth = 0
        for k, ch in enumerate(s):
            depth += ch == "("
            depth -= ch == ")"
            if depth == 0 and k < len(s) - 1:
                return s
        s = s[1:-1]
    return s
