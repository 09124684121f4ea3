"""Loop-nest discovery: C ``for``/``while``/``do`` and Fortran ``do`` loops, their headers read
into index, affine bounds (or polynomial bounds, or ``min`` caps) and step."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from hpclsp.analysis.ir.accesses_f import FAccessReader
from hpclsp.analysis.ir.affine import Affine, Poly
from hpclsp.analysis.ir.model import Loop

if TYPE_CHECKING:
    import tree_sitter

    Node = tree_sitter.Node


class LoopReader(FAccessReader):
    """Creates ``Loop`` objects, nested under the loops enclosing them, and walks their bodies."""

    def new_loop(self, node: Node, kind: str, kw: Node | None) -> Loop:
        """Create a loop nested in the innermost enclosing loop."""
        lp = Loop(
            node,
            kind,
            self.src.node_span(node),
            self.src.node_span(kw if kw is not None else node),
            func=self.func,
        )
        lp.parent = self.loop_stack[-1] if self.loop_stack else None
        if lp.parent is not None:
            lp.parent.children.append(lp)
        self.loops.append(lp)
        if self.func is not None:
            self.func.loops.append(lp)
        return lp

    def c_loop(self, node: Node) -> None:
        """A C loop: its header read, then its parts walked with the loop on the stack."""
        kw = node.children[0] if node.children else None
        kind = {
            "for_statement": "for",
            "while_statement": "while",
            "do_statement": "do while",
            "for_range_loop": "for",
        }[node.type]
        lp = self.new_loop(node, kind, kw)
        body = node.child_by_field_name("body")
        lp.body_start = body.start_byte if body is not None else node.end_byte
        lp.body_end = body.end_byte if body is not None else node.end_byte
        if node.type == "for_statement":
            self.c_for_header(lp, node)
        self.push_loop(lp)
        outer_depth, self.cond_depth = self.cond_depth, 0  # only conditions inside the loop count
        try:
            for i, c in enumerate(node.children):
                fn = node.field_name_for_child(i)
                if fn == "body":
                    self.stmt(c)
                elif fn in ("initializer", "condition", "update"):
                    if c.type == "declaration":
                        self.c_declaration(c, scope=node)
                    else:
                        self.expr(c, node)
                elif (
                    fn is None and c.is_named and c.type not in ("comment",) and node.type == "for_statement"
                ):
                    # tree-sitter-c sometimes puts a declaration initializer without a field name
                    if c.type == "declaration":
                        self.c_declaration(c, scope=node)
        finally:
            self.pop_loop()
            self.cond_depth = outer_depth

    def c_for_header(self, lp: Loop, node: Node) -> None:
        """Read index, bounds and step of a C ``for`` header into the loop."""
        init = node.child_by_field_name("initializer")
        if init is None:
            init = next((c for c in node.named_children if c.type == "declaration"), None)
        cond = node.child_by_field_name("condition")
        idx, lower = self.c_for_init(lp, init) if init is not None else (None, None)
        if idx is None:
            return
        upper = self.c_for_upper(cond, idx)
        lp.index, lp.lower, lp.upper, lp.step = (
            idx,
            lower,
            upper,
            self.c_for_step(node.child_by_field_name("update"), idx),
        )
        inds = self.loop_indices()
        if lower is None and init is not None:
            lo_node = (
                init.child_by_field_name("right")
                if init.type == "assignment_expression"
                else (init.child_by_field_name("declarator") or init).child_by_field_name("value")
            )
            lp.lower_poly = self.poly(lo_node, inds)
        if upper is None and cond is not None and cond.type == "binary_expression":
            op = self.op_text(cond)
            left, right = cond.child_by_field_name("left"), cond.child_by_field_name("right")
            if left is not None and self.text(left) == idx and op in ("<", "<="):
                # not affine: a ``min`` of affine caps, or a polynomial bound
                shift = Affine(const=1 if op == "<" else 0)
                caps = [self.affine(x, inds) for x in self.min_operands(right)]
                lp.upper_caps = tuple(c - shift for c in caps if c is not None)
                bp = self.poly(right, inds)
                if bp is not None:
                    lp.upper_poly = bp - Poly.of_affine(Affine(const=1)) if op == "<" else bp

    def c_for_init(self, lp: Loop, init: Node) -> tuple[str | None, Affine | None]:
        """(index, affine lower bound) of a ``for`` initializer ``i = e`` or ``int i = e``; marks an index
        declared in the header."""
        if init.type == "assignment_expression" and self.op_text(init) == "=":
            left = init.child_by_field_name("left")
            if left is not None and left.type == "identifier":
                return self.text(left), self.affine(init.child_by_field_name("right"), self.loop_indices())
        elif init.type == "declaration":
            d = init.child_by_field_name("declarator")
            if d is not None and d.type == "init_declarator":
                nm = d.child_by_field_name("declarator")
                if nm is not None and nm.type == "identifier":
                    lp.index_declared_in_header = True
                    return self.text(nm), self.affine(d.child_by_field_name("value"), self.loop_indices())
        return None, None

    def c_for_step(self, upd: Node | None, idx: str) -> int | None:
        """The constant step of a ``for`` update (``i++``, ``i -= 2``, ``i = i + 4``), else None."""
        if upd is None:
            return None
        ut = self.text(upd).replace(" ", "")
        if ut in (f"{idx}++", f"++{idx}"):
            return 1
        if ut in (f"{idx}--", f"--{idx}"):
            return -1
        m = re.fullmatch(rf"{re.escape(idx)}(\+=|-=)(\d+)", ut) or re.fullmatch(
            rf"{re.escape(idx)}=({re.escape(idx)}[+-])(\d+)", ut
        )
        if m:
            k = int(m.group(2))
            return -k if "-" in m.group(1) else k
        return None

    def c_for_upper(self, cond: Node | None, idx: str) -> Affine | None:
        """The inclusive affine upper bound of a ``for`` condition comparing the index (either side)."""
        if cond is None or cond.type != "binary_expression":
            return None
        op = self.op_text(cond)
        left, right = cond.child_by_field_name("left"), cond.child_by_field_name("right")
        if left is not None and self.text(left) == idx and right is not None:
            b = self.affine(right, self.loop_indices())
            if b is not None:
                return {"<": b - Affine(const=1), "<=": b, ">": b + Affine(const=1), ">=": b}.get(op)
        elif right is not None and self.text(right) == idx and left is not None:
            b = self.affine(left, self.loop_indices())
            if b is not None:
                return {">": b - Affine(const=1), ">=": b, "<": b + Affine(const=1), "<=": b}.get(op)
        return None

    def f_loop(self, node: Node) -> None:
        """A Fortran ``do`` loop (``do concurrent``, ``do while``): header read, body walked."""
        st = next((c for c in node.named_children if c.type == "do_statement"), None)
        kind, ctl = self.f_do_control(st)
        kw = st.children[0] if st is not None and st.children else None
        lp = self.new_loop(node, kind, kw)
        body_nodes = [
            c for c in node.named_children if c.type not in ("do_statement", "end_do_loop_statement")
        ]
        lp.body_start = st.end_byte if st is not None else node.start_byte
        end = next((c for c in node.named_children if c.type == "end_do_loop_statement"), None)
        lp.body_end = end.start_byte if end is not None else node.end_byte
        if ctl is not None:
            self.f_loop_bounds(lp, ctl, st)
        elif st is not None:
            for c in st.named_children:
                if c.type == "while_statement":
                    self.cond_depth += 1  # the condition runs under its while statement
                    try:
                        for x in c.named_children:
                            self.expr(x, st)
                    finally:
                        self.cond_depth -= 1
        self.push_loop(lp)
        outer_depth, self.cond_depth = self.cond_depth, 0  # only conditions inside the loop count
        try:
            for c in body_nodes:
                self.stmt(c)
        finally:
            self.pop_loop()
            self.cond_depth = outer_depth

    @staticmethod
    def f_do_control(st: Node | None) -> tuple[str, Node | None]:
        """The kind of a ``do`` statement and its loop control (``i = a, b[, s]`` or the concurrent control)."""
        kind = "do"
        ctl = None
        for c in st.named_children if st is not None else []:
            if c.type == "loop_control_expression":
                ctl = c
            elif c.type == "concurrent_statement":
                kind = "do concurrent"
                hdr = next((x for x in c.named_children if x.type == "concurrent_header"), None)
                ctl = (
                    next((x for x in hdr.named_children if x.type == "concurrent_control"), None)
                    if hdr
                    else None
                )
            elif c.type == "while_statement":
                kind = "do while"
        return kind, ctl

    def f_loop_bounds(self, lp: Loop, ctl: Node, st: Node | None) -> None:
        """Read index, bounds (or ``min`` caps) and step of a Fortran loop control, then its expressions."""
        kids = [c for c in ctl.named_children if c.type != "comment"]
        if not kids or kids[0].type != "identifier":
            return
        lp.index = self.name(kids[0])
        vals = kids[1:]
        if ctl.type == "concurrent_control":
            ini, fin = ctl.child_by_field_name("initial"), ctl.child_by_field_name("final")
            stp = ctl.child_by_field_name("step")
            vals = [v for v in (ini, fin, stp) if v is not None]
        if len(vals) >= 2:
            lp.lower = self.affine(vals[0], self.loop_indices())
            lp.upper = self.affine(vals[1], self.loop_indices())
            if lp.upper is None:
                caps = [self.affine(x, self.loop_indices()) for x in self.min_operands(vals[1])]
                lp.upper_caps = tuple(c for c in caps if c is not None)
            lp.step = 1
            if len(vals) >= 3:
                lp.step = self.constant(vals[2]) or None  # a zero step is no step
        for v in vals:
            self.expr(v, st)
