"""The state the IR builder carries through one walk of a tree, and its text helpers.

The builder is layered by concern (``subscripts`` → ``decls`` → ``accesses_c`` → ``accesses_f`` →
``loops`` → ``build``); each layer adds methods to this state. Expressions can hold statements
(GNU statement expressions, lambda bodies), so the statement walker defined last is declared here.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from hpclsp.analysis.ir.model import Access, Decl, Function, Loop
from hpclsp.analysis.source import SourceFile

if TYPE_CHECKING:
    import tree_sitter

    Node = tree_sitter.Node


_CONDITIONAL_TYPES = frozenset(
    {
        "if_statement",
        "conditional_expression",
        "case_statement",
        "elseif_clause",
        "else_clause",
        "switch_statement",
        "where_statement",
        "while_statement",
    }
)


def descendants(node: Node, prune: Callable[[Node], bool] | None = None) -> Iterator[Node]:
    """Every named descendant of node (itself first), in source order, without recursion; below a
    node for which ``prune`` is true nothing is visited."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        if prune is None or not prune(n):
            stack.extend(reversed(n.named_children))


class Reader(abc.ABC):
    """What the walk has collected so far, and where it is (function, enclosing loops)."""

    def __init__(self, source: SourceFile) -> None:
        self.src = source
        self.fortran = source.language == "fortran"
        #: the text when byte offsets are code-point offsets (ASCII), else None: ``text`` slices it
        self._ascii_text = source.text if source.is_ascii else None
        self.order = 0
        self.functions: list[Function] = []
        self.loops: list[Loop] = []
        self.accesses: list[Access] = []
        self.globals: dict[str, Decl] = {}
        self.threadprivate: set[str] = set()
        self.macros: dict[str, int] = {}
        self.func: Function | None = None
        self.loop_stack: list[Loop] = []
        self.texts: dict[tuple[int, int], str] = {}
        #: the indices of ``loop_stack`` (kept by ``push_loop`` / ``pop_loop``, read for every access)
        self.indices: set[str] = set()
        #: the node of the latest access with its text (a read-modify-write records two)
        self.last_node: tuple[Node, str] | None = None
        #: how many conditional nodes (if, ?:, case, && / ||...) the walk is inside, within the
        #: innermost enclosing loop (an access's ``conditional`` flag)
        self.cond_depth = 0

    def text(self, node: Node) -> str:
        """The source text of a node (memoized by extent unless the source is ASCII)."""
        ascii_text = self._ascii_text
        if ascii_text is not None:  # a slice of the text: nothing to memoize (read for every name)
            return ascii_text[node.start_byte : node.end_byte]
        key = (node.start_byte, node.end_byte)
        got = self.texts.get(key)
        if got is None:  # generated code asks for the same large subexpressions many times
            got = self.texts[key] = self.src.node_text(node)
        return got

    def name(self, node: Node) -> str:
        """A node's text as a name (lower-cased in Fortran, which ignores case)."""
        t = self.text(node)
        return t.lower() if self.fortran else t

    def op_text(self, node: Node) -> str:
        """Text of a node's ``operator`` field ("" when the parse has none)."""
        op = node.child_by_field_name("operator")
        return self.text(op) if op is not None else ""

    def loop_indices(self) -> set[str]:
        """Indices of the loops enclosing the current position (shared: callers must not change it)."""
        return self.indices

    def push_loop(self, lp: Loop) -> None:
        """Enter a loop whose header has been read."""
        self.loop_stack.append(lp)
        self.indices = {x.index for x in self.loop_stack if x.index}

    def pop_loop(self) -> None:
        """Leave the innermost loop."""
        self.loop_stack.pop()
        self.indices = {x.index for x in self.loop_stack if x.index}

    def conditional_node(self, p: Node) -> bool:
        """True for a node whose parts run only under a condition (if, ?:, case, && / ||...)."""
        if p.type in _CONDITIONAL_TYPES:
            return True
        return p.type in ("binary_expression", "logical_expression") and self.text(
            p.child_by_field_name("operator") or p
        ) in ("&&", "||", ".and.", ".or.")

    @abc.abstractmethod
    def stmt(self, node: Node) -> None:
        """Walk one statement, creating loops and accesses."""
