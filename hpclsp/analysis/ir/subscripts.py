"""Affine and polynomial forms of subscripts and bounds, minimum operands, self-updates.

Loop indices stay variables; other loop-invariant names and subexpressions become opaque symbols
(``n``, ``n/2``); constants known from declarations and ``#define`` fold in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from hpclsp.analysis.ir.affine import Poly
from hpclsp.analysis.ir.reader import Reader, descendants
from hpclsp.analysis.values.affine import Affine

if TYPE_CHECKING:
    import tree_sitter

    Node = tree_sitter.Node

#: The symbol an ``omp_get_thread_num()`` call stands for inside an affine subscript (``a[omp_get_thread_num()]``).
THREAD_NUM_SYMBOL = "omp_get_thread_num()"


def unblank(text: str) -> str:
    """Text without its blanks (what ``re.sub(r"\\s+", "", text)`` gives, without the regex machinery)."""
    return "".join(text.split())


def squash(text: str) -> str:
    """Text without blanks or enclosing parentheses (to compare the operands of a min expression)."""
    t = unblank(text)
    while t.startswith("(") and t.endswith(")"):
        t = t[1:-1]
    return t.lower()


def is_thread_num_call(text: str) -> bool:
    """True for the text of an ``omp_get_thread_num()`` call."""
    return re.fullmatch(r"(?i)\s*omp_get_thread_num\s*\(\s*\)\s*", text) is not None


class SubscriptReader(Reader):
    """Reads integer expressions into ``Affine`` / ``Poly`` forms."""

    def index_node(self, sub: Node) -> Node | None:
        """The index expression of a subscript node (the first of several)."""
        idx = sub.child_by_field_name("index")
        if idx is None:
            idx = sub.child_by_field_name("indices")
            if idx is not None and idx.named_children:
                idx = idx.named_children[0]
        return idx

    def affine(self, node: Node | None, indices: set[str] | None) -> Affine | None:
        """Affine form of an expression; loop indices stay variables, other names become symbols."""
        if node is None:
            return None
        reader = _AFFINE_READERS.get(node.type)
        if reader is not None:
            return reader(self, node, indices)
        return self.atom(node, indices)

    def constant(self, node: Node | None) -> int | None:
        """The integer value of a constant expression (declared constants and macros folded), else None."""
        a = self.affine(node, set())
        return a.const if a is not None and a.is_const else None

    def affine_number(self, node: Node, indices: set[str] | None) -> Affine | None:
        """An integer literal (suffixes and Fortran kinds dropped); None for other numbers."""
        txt = self.text(node).rstrip("uUlL")
        try:
            return Affine(const=int(txt.split("_")[0], 0))
        except ValueError:
            return None

    def affine_name(self, node: Node, indices: set[str] | None) -> Affine | None:
        """A loop index, a known constant (declaration or ``#define``), or a symbol."""
        nm = self.name(node)
        if indices is not None and nm in indices:
            return Affine.var(nm)
        d = None
        if self.func is not None:
            d = self.func.decls.get(nm)
        d = d or self.globals.get(nm)
        if d is not None and d.const is not None:
            return Affine(const=d.const)
        if nm in self.macros:
            return Affine(const=self.macros[nm])
        return Affine.var(nm)

    def affine_parenthesized(self, node: Node, indices: set[str] | None) -> Affine | None:
        """``(e)``."""
        kids = node.named_children
        return self.affine(kids[0], indices) if len(kids) == 1 else None

    def affine_call(self, node: Node, indices: set[str] | None) -> Affine | None:
        """``omp_get_thread_num()`` as its symbol; another call as an opaque symbol when loop-invariant."""
        if is_thread_num_call(self.text(node)):
            return Affine.var(THREAD_NUM_SYMBOL)
        return self.atom(node, indices)

    def affine_unary(self, node: Node, indices: set[str] | None) -> Affine | None:
        """``-e`` and ``+e``."""
        op = node.child_by_field_name("operator")
        arg = node.child_by_field_name("argument") or (
            node.named_children[-1] if node.named_children else None
        )
        a = self.affine(arg, indices)
        if a is None:
            return None
        o = self.text(op) if op is not None else self.text(node)[:1]
        return -a if o == "-" else a if o == "+" else None

    def affine_binary(self, node: Node, indices: set[str] | None) -> Affine | None:
        """Sums, products by constants, and constant ``/ % << >>``; other operands become opaque symbols."""
        o = self.op_text(node)
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        la, ra = self.affine(left, indices), self.affine(right, indices)
        if o in ("+", "-"):
            if la is None or ra is None:
                return self.atom(node, indices)
            return la + ra if o == "+" else la - ra
        if o == "*":
            if la is not None and ra is not None:
                if la.is_const:
                    return ra.scale(la.const)
                if ra.is_const:
                    return la.scale(ra.const)
            return self.atom(node, indices)
        if o in ("/", "%", "<<", ">>"):
            if la is not None and ra is not None and la.is_const and ra.is_const and ra.const != 0:
                v = {
                    "/": int(la.const / ra.const),
                    "%": la.const % ra.const,
                    "<<": la.const << max(ra.const, 0),
                    ">>": la.const >> max(ra.const, 0),
                }[o]
                return Affine(const=v)
            return self.atom(node, indices)
        return None

    def atom(self, node: Node, indices: set[str] | None) -> Affine | None:
        """An opaque symbol for a loop-invariant subexpression (``n/2``); None when it involves an index."""
        if indices is None:
            return None
        for d in descendants(node):
            if d.type == "identifier" and self.name(d) in indices:
                return None
            if d.type in (
                "subscript_expression",
                "call_expression",
                "field_expression",
                "pointer_expression",
                "assignment_expression",
                "update_expression",
            ):
                return None
        return Affine.var(unblank(self.text(node)).lower() if self.fortran else unblank(self.text(node)))

    def poly(self, node: Node | None, indices: set[str]) -> Poly | None:
        """Polynomial form (degree <= 2) of an expression that is not affine (``i*m + j``)."""
        if node is None:
            return None
        t = node.type
        if t in ("parenthesized_expression",):
            kids = node.named_children
            return self.poly(kids[0], indices) if len(kids) == 1 else None
        if t in ("binary_expression", "math_expression"):
            op = node.child_by_field_name("operator")
            o = self.text(op) if op is not None else ""
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if o in ("+", "-", "*"):
                lp_, rp = self.poly(left, indices), self.poly(right, indices)
                if lp_ is None or rp is None:
                    return None
                res = lp_ + rp if o == "+" else lp_ - rp if o == "-" else lp_ * rp
                return res if res.degree <= 2 else None
        if t == "unary_expression":
            arg = node.child_by_field_name("argument") or (
                node.named_children[-1] if node.named_children else None
            )
            op = node.child_by_field_name("operator")
            o = self.text(op) if op is not None else self.text(node)[:1]
            inner = self.poly(arg, indices)
            if inner is None or o not in ("-", "+"):
                return None
            return inner.scale(-1) if o == "-" else inner
        a = self.affine(node, indices)
        return Poly.of_affine(a) if a is not None else None

    def min_operands(self, node: Node | None, depth: int = 0) -> list[Node]:
        """Operands of a minimum (``x < y ? x : y``, ``min(x, y)``, ``merge(x, y, x < y)``), flattened; [] if none."""
        while node is not None and node.type == "parenthesized_expression" and node.named_child_count == 1:
            node = node.named_children[0]
        if node is None or depth > 8:
            return []
        pair: list[Node] = []
        if node.type == "conditional_expression":
            c = node.child_by_field_name("condition")
            a, b = node.child_by_field_name("consequence"), node.child_by_field_name("alternative")
            while c is not None and c.type == "parenthesized_expression" and c.named_child_count == 1:
                c = c.named_children[0]
            if c is not None and a is not None and b is not None and c.type == "binary_expression":
                op, lhs, rhs = self.op_text(c), c.child_by_field_name("left"), c.child_by_field_name("right")
                if lhs is not None and rhs is not None:
                    lt, rt, at, bt = (squash(self.text(x)) for x in (lhs, rhs, a, b))
                    if (op in ("<", "<=") and (lt, rt) == (at, bt)) or (
                        op in (">", ">=") and (lt, rt) == (bt, at)
                    ):
                        pair = [a, b]
        elif node.type == "call_expression" and self.fortran:
            fn = node.named_children[0] if node.named_children else None
            args = next((x for x in node.named_children if x.type == "argument_list"), None)
            name = self.text(fn).lower() if fn is not None else ""
            kids = [x for x in args.named_children if x.type != "comment"] if args is not None else []
            if name == "min" and len(kids) >= 2:
                pair = kids
            elif name == "merge" and len(kids) == 3 and kids[2].type == "relational_expression":
                c = kids[2]
                op = self.op_text(c).lower()
                lhs, rhs = c.child_by_field_name("left"), c.child_by_field_name("right")
                if lhs is not None and rhs is not None:
                    lt, rt, at, bt = (squash(self.text(x)) for x in (lhs, rhs, kids[0], kids[1]))
                    if (op in ("<", "<=", ".lt.", ".le.") and (lt, rt) == (at, bt)) or (
                        op in (">", ">=", ".gt.", ".ge.") and (lt, rt) == (bt, at)
                    ):
                        pair = kids[:2]
        if not pair:
            return [node] if depth else []
        out: list[Node] = []
        for x in pair:
            out.extend(self.min_operands(x, depth + 1))
        return out

    def self_update(self, left: Node, right: Node) -> str | None:
        """``x = x op e`` (or ``x = e op x`` for commutative ops) -> op."""
        lt = unblank(self.text(left)).lower()
        r = right
        while r.type == "parenthesized_expression" and len(r.named_children) == 1:
            r = r.named_children[0]
        if r.type in ("binary_expression", "math_expression"):
            op = self.text(r.child_by_field_name("operator") or r)
            a, b = r.child_by_field_name("left"), r.child_by_field_name("right")
            at = unblank(self.text(a)).lower() if a is not None else ""
            bt = unblank(self.text(b)).lower() if b is not None else ""
            op = op.lower()
            if at == lt and not self.mentions(b, lt):
                return op
            if (
                bt == lt
                and op in ("+", "*", "&", "|", "^", "&&", "||", ".and.", ".or.")
                and not self.mentions(a, lt)
            ):
                return op
            # x = x + a + b  (left-assoc: ((x + a) + b))
            if a is not None and op in ("+", "-") and a.type in ("binary_expression", "math_expression"):
                inner = self.self_update(left, a)
                if inner in ("+", "-") and not self.mentions(b, lt):
                    return "+"
        if r.type == "call_expression" and not self.fortran:
            fn = r.child_by_field_name("function")
            fname = self.text(fn) if fn is not None else ""
            args = r.child_by_field_name("arguments")
            if fname in ("fmax", "fmaxf", "max", "MAX", "fmin", "fminf", "min", "MIN") and args is not None:
                ats = [unblank(self.text(x)) for x in args.named_children]
                if lt in ats:
                    return "max" if "max" in fname.lower() else "min"
        if r.type == "call_expression" and self.fortran:
            fn = r.named_children[0] if r.named_children else None
            fname = self.name(fn) if fn is not None else ""
            args = r.named_children[1] if len(r.named_children) > 1 else None
            if fname in ("max", "min") and args is not None:
                ats = [unblank(self.text(x)).lower() for x in args.named_children]
                if lt in ats:
                    return fname
        return None

    def mentions(self, node: Node | None, name: str) -> bool:
        """True when an identifier, element, call or field below node reads as ``name`` (blanks ignored)."""
        if node is None:
            return False
        for d in descendants(node):
            if d.type in ("identifier", "subscript_expression", "call_expression", "field_expression"):
                if unblank(self.text(d)).lower() == name:
                    return True
        return False


#: ``SubscriptReader.affine`` by node kind (other kinds: an opaque symbol when loop-invariant)
_AFFINE_READERS: dict[str, Callable[[SubscriptReader, Node, set[str] | None], Affine | None]] = {
    "number_literal": SubscriptReader.affine_number,
    "identifier": SubscriptReader.affine_name,
    "parenthesized_expression": SubscriptReader.affine_parenthesized,
    "call_expression": SubscriptReader.affine_call,
    "unary_expression": SubscriptReader.affine_unary,
    "binary_expression": SubscriptReader.affine_binary,
    "math_expression": SubscriptReader.affine_binary,
}
