"""Names and control structure of host code, on tree-sitter trees of C/C++/CUDA and Fortran.

``HostView`` is the base of the host-code model (``hostcode.model``): identifiers compared the
way the language does (lower-case in Fortran), the variable an argument designates, and the
branches and loops around a node (with the condition guarding the node's arm).
"""

from __future__ import annotations

import re

from hpclsp.analysis.source import SourceFile
from hpclsp.analysis.treeutil import C_BRANCHES, C_LOOPS, F_BRANCHES, F_LOOPS, Node, walk


class HostView:
    """One source file seen as host code: names, argument designators and control structure."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.fortran = source.language == "fortran"

    # -- names -------------------------------------------------------------------------------
    def norm(self, name: str) -> str:
        """Identifier normalised for comparison (lower-case in Fortran)."""
        return name.lower() if self.fortran else name

    def text(self, node: Node | None) -> str:
        """Source text of a node ("" for None)."""
        return "" if node is None else self.source.node_text(node)

    def norm_text(self, node: Node | None) -> str:
        """Node text with white space removed and case folded in Fortran (for comparing expressions)."""
        t = re.sub(r"\s+", "", self.text(node))
        return t.lower() if self.fortran else t

    def idents(self, node: Node | None) -> set[str]:
        """Normalised names of identifiers read in an expression (field names excluded)."""
        if node is None:
            return set()
        out = set()
        for n in walk(node):
            if n.type == "identifier":
                out.add(self.norm(self.text(n)))
        return out

    def element_of(self, node: Node) -> Node | None:
        """The element ``p[i]`` or ``*p`` when node is the pointer subscripted or dereferenced (C family)."""
        par = node.parent
        if par is None:
            return None
        if par.type == "subscript_expression" and par.child_by_field_name("argument") == node:
            return par
        if par.type == "pointer_expression" and self.text(par.child_by_field_name("operator")) == "*":
            return par
        return None

    def base_name(self, node: Node | None) -> tuple[str | None, str]:
        """The variable an argument designates and how: ('a', 'whole'|'elem'|'offset'|'addr'|'deref').

        Returns (None, '') for anything not a plain variable (fields, calls, casts to other things).
        """
        kind = "whole"
        cur = node
        while cur is not None:
            t = cur.type
            if t == "identifier":
                return self.norm(self.text(cur)), kind
            if t == "parenthesized_expression" and cur.named_children:
                cur = cur.named_children[0]
            elif t == "cast_expression":
                cur = cur.child_by_field_name("value")
            elif t == "pointer_expression":
                op = self.text(cur.child_by_field_name("operator"))
                if op == "&":
                    kind = "addr" if kind == "whole" else kind
                else:
                    kind = "deref"
                cur = cur.child_by_field_name("argument")
            elif t == "subscript_expression":
                kind = "elem"
                cur = cur.child_by_field_name("argument")
            elif t == "binary_expression" and self.text(cur.child_by_field_name("operator")) in ("+", "-"):
                kind = "offset"
                cur = cur.child_by_field_name("left")
            elif self.fortran and t == "call_expression" and cur.named_children:
                kind = "elem"
                cur = cur.named_children[0]
            else:
                return None, ""
        return None, ""

    # -- control structure -------------------------------------------------------------------
    def is_loop(self, node: Node) -> bool:
        """True for loop statements."""
        return node.type in (F_LOOPS if self.fortran else C_LOOPS)

    def is_branch(self, node: Node) -> bool:
        """True for if/switch/select/ternary constructs."""
        return node.type in (F_BRANCHES if self.fortran else C_BRANCHES)

    def controls(self, node: Node, stop: Node) -> list[tuple[Node, Node | None]]:
        """Enclosing branch and loop constructs of node up to stop, innermost first, with the condition.

        For an ``if`` the condition is the one guarding the arm the node is in (for Fortran
        ``else if`` arms the arm's own condition; for ``else`` arms the if's condition).
        """
        out: list[tuple[Node, Node | None]] = []
        prev = node
        cur = node.parent
        while cur is not None and cur != stop:
            if self.is_loop(cur):
                out.append((cur, self.loop_condition(cur)))
            elif self.is_branch(cur) or cur.type in ("elseif_clause",):
                if cur.type == "conditional_expression" and prev == cur.child_by_field_name("condition"):
                    pass
                elif cur.type == "if_statement" and prev == self.if_condition(cur):
                    pass
                else:
                    out.append((cur, self.branch_condition(cur)))
            prev = cur
            cur = cur.parent
        return out

    def if_condition(self, node: Node) -> Node | None:
        """The condition node of an if statement / elseif clause."""
        c = node.child_by_field_name("condition")
        if c is not None:
            return c
        return next((k for k in node.named_children if k.type == "parenthesized_expression"), None)

    def branch_condition(self, node: Node) -> Node | None:
        """The controlling expression of a branch construct."""
        if node.type in ("if_statement", "elseif_clause", "conditional_expression"):
            return self.if_condition(node)
        if node.type == "switch_statement":
            return node.child_by_field_name("condition")
        if node.type == "select_case_statement":
            return next((k for k in node.named_children if k.type == "selector"), None)
        if node.type == "case_statement" and node.parent is not None:
            return (
                node.parent.parent.child_by_field_name("condition")
                if node.parent.parent is not None
                else None
            )
        return None

    def loop_condition(self, node: Node) -> Node | None:
        """The controlling expression of a loop (C condition, Fortran loop control / while)."""
        if self.fortran:
            ds = node.named_children[0] if node.named_children else None
            if ds is None:
                return None
            return next(
                (k for k in ds.named_children if k.type in ("loop_control_expression", "while_statement")),
                None,
            )
        if node.type == "for_range_loop":
            return node.child_by_field_name("right")
        return node.child_by_field_name("condition")

    def arm(self, branch: Node, node: Node) -> int:
        """Index of the direct child of a branch construct that contains node (identifies its arm)."""
        for i, c in enumerate(branch.children):
            if c.start_byte <= node.start_byte and node.end_byte <= c.end_byte:
                if (
                    self.fortran
                    and branch.type == "if_statement"
                    and c.type not in ("elseif_clause", "else_clause")
                ):
                    return -1  # every statement of the 'then' arm is a direct child
                return i
        return -2

    def exclusive(self, a: Node, b: Node) -> bool:
        """True when a and b lie in different arms of the same if/switch (never both executed)."""
        cur = a.parent
        while cur is not None:
            if (cur.type in ("if_statement", "select_case_statement", "conditional_expression")) and (
                cur.start_byte <= b.start_byte and b.end_byte <= cur.end_byte
            ):
                ia, ib = self.arm(cur, a), self.arm(cur, b)
                if ia != ib and ia >= -1 and ib >= -1:
                    cond = self.if_condition(cur) if cur.type != "select_case_statement" else None
                    in_cond = cond is not None and (
                        cond.start_byte <= a.start_byte < cond.end_byte
                        or cond.start_byte <= b.start_byte < cond.end_byte
                    )
                    if not in_cond:
                        return True
            cur = cur.parent
        return False

    def enclosing_loops(self, node: Node, stop: Node) -> list[Node]:
        """Loops enclosing node inside stop, innermost first."""
        return [c for c, _ in self.controls(node, stop) if self.is_loop(c)]

    def statement_of(self, node: Node, stop: Node) -> Node:
        """The outermost ancestor of node that is a direct child of stop's body (or node itself)."""
        cur = node
        while cur.parent is not None and cur.parent != stop:
            cur = cur.parent
        return cur
