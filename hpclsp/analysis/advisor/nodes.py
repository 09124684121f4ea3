"""Small syntax-tree and text helpers shared by the advisor's modules."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from hpclsp.analysis.ir import Affine
from hpclsp.analysis.treeutil import walk

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


def affine_of(node: Node | None, text: Callable[[Node], str]) -> Affine | None:
    """The affine form of a small C/Fortran integer expression (names, literals, + - and * by a
    constant, parentheses); None for anything else."""
    if node is None:
        return None
    t = node.type
    if t in ("number_literal", "integer_literal"):
        try:
            return Affine(const=int(text(node).rstrip("uUlL").split("_")[0], 0))
        except ValueError:
            return None
    if t == "identifier":
        return Affine.var(text(node))
    if t in ("parenthesized_expression", "parenthesized"):
        inner = node.named_children
        return affine_of(inner[0], text) if len(inner) == 1 else None
    if t in ("unary_expression",) and node.named_children:
        op = node.child_by_field_name("operator")
        val = affine_of(node.named_children[-1], text)
        if val is None or op is None:
            return None
        sym = text(op)
        return -val if sym == "-" else val if sym == "+" else None
    if t in ("binary_expression", "math_expression"):
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        op = node.child_by_field_name("operator")
        a, b = affine_of(left, text), affine_of(right, text)
        if a is None or b is None or op is None:
            return None
        sym = text(op)
        if sym == "+":
            return a + b
        if sym == "-":
            return a - b
        if sym == "*" and (a.is_const or b.is_const):
            k, e = (a.const, b) if a.is_const else (b.const, a)
            return Affine(tuple((v, c * k) for v, c in e.coeffs if c * k), e.const * k)
    return None


_QUERIES: dict[tuple[str, frozenset[str]], tree_sitter.Query | None] = {}


def find_kinds(root: Node, language: str, kinds: frozenset[str]) -> list[Node]:
    """Every node of the given kinds inside root, in document order (a tree-sitter query: fast)."""
    key = (language, kinds)
    if key not in _QUERIES:
        _QUERIES[key] = _query(language, kinds)
    query = _QUERIES[key]
    if query is None:
        return [n for n in walk(root) if n.type in kinds]
    import tree_sitter

    found = tree_sitter.QueryCursor(query).captures(root).get("n", [])
    return sorted(found, key=lambda n: n.start_byte)


def _query(language: str, kinds: frozenset[str]) -> tree_sitter.Query | None:
    """A query capturing the kinds the grammar knows (None when the query cannot be built)."""
    import tree_sitter

    from hpclsp.analysis import languages

    try:
        lang = languages.ts_language(language)
        valid = []
        for k in sorted(kinds):
            try:
                tree_sitter.Query(lang, f"({k}) @n")
                valid.append(k)
            except Exception:  # the grammar has no such node kind
                continue
        return tree_sitter.Query(lang, " ".join(f"({k}) @n" for k in valid)) if valid else None
    except Exception:
        return None
