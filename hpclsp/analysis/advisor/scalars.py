"""Scalar classification: defined before use in every iteration, live after the loop, reduction updates."""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING

from hpclsp.analysis.advisor.effects import EffectsMixin
from hpclsp.analysis.advisor.headers import file_statics
from hpclsp.analysis.advisor.nodes import ancestors_until, lca, norm, unparen
from hpclsp.analysis.ir import Access, Loop
from hpclsp.analysis.treeutil import walk

if TYPE_CHECKING:
    import tree_sitter

    Node = tree_sitter.Node


class ScalarsMixin(EffectsMixin):
    """How each scalar of a loop body behaves across iterations."""

    def covered(self, r: Access, writes: list[Access], lp: Loop) -> bool:
        """True when some write of the same scalar always executes before r in the same iteration."""
        for w in writes:
            if w.order >= r.order or w.node.id == r.node.id:
                continue
            top = lca(w.node, r.node)
            if top is None:
                continue
            if not (lp.node.start_byte <= top.start_byte and top.end_byte <= lp.node.end_byte):
                continue
            path = ancestors_until(w.node, top)
            if any(self._conditional(p) for p in path):
                continue
            if top.id == lp.node.id and not (lp.body_start <= w.node.start_byte < lp.body_end):
                continue  # the loop's own header write (the index) is not a per-iteration definition
            return True
        return False

    def _conditional(self, n: Node) -> bool:
        if n.type in self.cond_nodes:
            return True
        if n.type in ("binary_expression", "logical_expression"):
            op = n.child_by_field_name("operator")
            txt = self.text(op).lower() if op is not None else ""
            return txt in ("&&", "||", ".and.", ".or.")
        return False

    def unconditional_in(self, w: Access, lp: Loop) -> bool:
        """True when a write executes in every iteration of lp (no branch or inner loop around it)."""
        return not any(self._conditional(p) for p in ancestors_until(w.node, lp.node)) or all(
            not self._conditional(p) for p in ancestors_until(w.node, lp.node)
        )

    def all_or_none(self, writes: list[Access], lp: Loop) -> bool:
        """True when some write runs in every iteration of lp or in none: only inner counted loops
        whose bounds do not change from one iteration of lp to the next lie around it."""
        written = {a.base for a in self.body_accesses(lp) if a.kind == "W"} | (
            {lp.index} if lp.index else set()
        )
        inner = {}
        stack = list(lp.children)
        while stack:
            c = stack.pop()
            inner[c.node.id] = c
            stack.extend(c.children)
        for w in writes:
            if all(
                not self._conditional(p) or self._invariant_loop(inner.get(p.id), written)
                for p in ancestors_until(w.node, lp.node)
            ):
                return True
        return False

    def _invariant_loop(self, c: Loop | None, written: set[str]) -> bool:
        """A counted inner loop whose header reads nothing the outer body changes (same trip count each time)."""
        if c is None or c.index is None or c.kind not in ("for", "do"):
            return False
        parts: list[Node | None]
        if self.fortran:
            parts = [c.node.named_children[0] if c.node.named_children else None]
        else:
            parts = [c.node.child_by_field_name(f) for f in ("initializer", "condition")]
        for part in parts:
            if part is None:
                return False
            for n in walk(part):
                if n.type in ("call_expression", "subroutine_call"):
                    return False
                if n.type == "identifier":
                    name = self.text(n).lower() if self.fortran else self.text(n)
                    if name != c.index and name in written:
                        return False
        return True

    def live_after(self, name: str, lp: Loop) -> bool:
        """True when the value a scalar has after the loop may be read later."""
        f = lp.func
        d = self.decl(name, lp.node.start_byte, f)
        if d is None or d.storage in ("global", "static", "save") or (self.fortran and d.storage == "param"):
            return (d is not None and d.storage != "global") or not self.scratch_static(name)
        if self.fortran and f is not None and name == f.name.lower():
            return True
        if f is None:
            return True
        accs = [a for a in f.accesses if a.base == name and not a.subscripts]
        after_writes = [a for a in accs if a.kind == "W" and a.node.start_byte >= lp.node.end_byte]
        for r in accs:
            if r.kind != "R":
                continue
            if r.node.start_byte >= lp.node.end_byte:
                if not any(
                    w.order < r.order
                    and not any(
                        self._conditional(p) for p in ancestors_until(w.node, lca(w.node, r.node) or f.node)
                    )
                    for w in after_writes
                ):
                    return True
        # read again in a later iteration of an enclosing loop, before the loop
        p = lp.parent
        while p is not None:
            for r in accs:
                if r.kind == "R" and p.body_start <= r.node.start_byte < lp.node.start_byte:
                    ws = [
                        w
                        for w in accs
                        if w.kind == "W" and p.body_start <= w.node.start_byte < r.node.start_byte
                    ]
                    if not self.covered(r, ws, p):
                        return True
            p = p.parent
        return False

    def scratch_static(self, name: str) -> bool:
        """True when name is a file-scope ``static`` of this translation unit (declared in the file or a
        header it includes) that every function assigns before it reads it, its address never taken:
        no value it holds after a loop is ever read, so the loop need not leave one (a fact of the
        file: computed once per name)."""
        memo = self._scratch_statics
        if name not in memo:
            memo[name] = self._scratch_static(name)
        return memo[name]

    def _scratch_static(self, name: str) -> bool:
        if self.fortran or name not in file_statics(self.src):
            return False
        if re.search(rf"&\s*{re.escape(name)}(?!\w)", self.src.text):
            return False
        for f in self.ir.functions:
            if name in f.all_decls:
                return False  # a local of the same name: leave the question alone
            accs = [a for a in f.accesses if a.base == name]
            if any(a.subscripts for a in accs):
                return False
            writes = [a for a in accs if a.kind == "W"]
            if not all(self._assigned_before(r, writes) for r in accs if r.kind == "R"):
                return False
        return True

    def _assigned_before(self, r: Access, writes: list[Access]) -> bool:
        """True when a write reached by no branch or loop runs before r wherever r runs."""
        for w in writes:
            if w.order >= r.order or w.node.id == r.node.id:
                continue
            top = lca(w.node, r.node)
            if top is not None and not any(self._conditional(p) for p in ancestors_until(w.node, top)):
                return True
        return False

    def _statement_level(self, w: Access) -> bool:
        """True when the assignment or increment writing w is a statement of its own."""
        if self.fortran:
            return True
        p = w.node.parent
        while p is not None and p.type == "parenthesized_expression":
            p = p.parent
        if p is None or p.type not in ("assignment_expression", "update_expression"):
            return False
        q = p.parent
        while q is not None and q.type in ("parenthesized_expression", "comma_expression"):
            q = q.parent
        return q is not None and q.type == "expression_statement"

    def reduction_op(self, name: str, accs: list[Access]) -> tuple[str | None, Access | None]:
        """The OpenMP reduction operator when every access of a scalar is part of one reduction update."""
        ops: set[str] = set()
        update_stmts: set[int] = set()
        for a in accs:
            if a.kind != "W":
                continue
            if not self._statement_level(a):
                return None, a  # tmp[t++]: the updated value is used by the expression around it
            op = self._write_op(a, name)
            if op is None:
                return None, a
            ops.add(op)
            if a.stmt is not None:
                update_stmts.add(a.stmt.id)
        if len(ops) != 1:
            return None, None
        op = ops.pop()
        bad = self._stray_read(op, name, accs, update_stmts)
        return (None, bad) if bad is not None else (op, None)

    def _write_op(self, a: Access, name: str) -> str | None:
        """The reduction operator of one write of a scalar (``max``/``min`` for a guarded assignment)."""
        op = a.update_op
        op_l = op.lower() if op else None
        if op_l is None:
            op_l = self._self_update_text(a, name)
        if op_l is None:
            return self._minmax_if(a, name)
        return self.red_ops.get(op_l)

    def _stray_read(self, op: str, name: str, accs: list[Access], update_stmts: set[int]) -> Access | None:
        """The first read that is neither the self-operand of an update nor the guard of a min/max if."""
        limit = 2 if op in ("max", "min") else 1
        reads_per_stmt: dict[int, int] = {}
        for a in accs:
            if a.kind != "R":
                continue
            if a.stmt is not None and a.stmt.id in update_stmts:
                reads_per_stmt[a.stmt.id] = reads_per_stmt.get(a.stmt.id, 0) + 1
                if reads_per_stmt[a.stmt.id] > limit:
                    return a
                continue
            if op in ("max", "min") and self._minmax_guard(a, name):
                continue
            return a
        return None

    def _self_update_text(self, w: Access, name: str) -> str | None:
        """``x = x .and. e`` / ``x = e .or. x`` (logical updates) -> the operator."""
        if w.stmt is None:
            return None
        st = norm(self.text(w.stmt)).rstrip(";")
        if self.fortran:
            st = st.lower()
        n = re.escape(name)
        m = re.fullmatch(rf"{n}=(.*)", st)
        if not m:
            return None
        rhs = unparen(m.group(1))
        for op in (".and.", ".or.", ".eqv.", ".neqv.", "&&", "||"):
            if rhs.startswith(name + op):
                rest = rhs[len(name) + len(op) :]
            elif rhs.endswith(op + name):
                rest = rhs[: -len(op) - len(name)]
            else:
                continue
            if not re.search(rf"(?<![\w%.]){n}(?![\w(%])", rest):
                return op
        return None

    def _minmax_if(self, w: Access, name: str) -> str | None:
        """``if (e > m) m = e`` / ``m = (e > m) ? e : m`` -> max or min."""
        stmt = w.stmt
        if stmt is None:
            return None
        st = norm(self.text(stmt))
        if self.fortran:
            st = st.lower()
        n = re.escape(name)
        m = re.fullmatch(rf"{n}=\(?\((.+?)(>=|<=|>|<)(.+?)\)\?(.+?):(.+?)\)?;?", st)
        if m:
            lhs, op, rhs, yes, no = m.groups()
            return self._minmax_from(lhs, op, rhs, yes, no, name)
        # if statement around the assignment
        p = stmt.parent
        while (
            p is not None
            and p.type in ("compound_statement", "block", "else_clause")
            and p.type != "if_statement"
        ):
            p = p.parent
        if p is None or p.type != "if_statement":
            return None
        if any(c.type in ("else_clause", "elseif_clause") for c in p.children):
            return None
        cond = p.child_by_field_name("condition")
        if cond is None:
            cond = next((c for c in p.named_children if c.type == "parenthesized_expression"), None)
        if cond is None:
            return None
        ct = unparen(norm(self.text(cond)))
        if self.fortran:
            ct = ct.lower()
        am = re.fullmatch(rf"{n}=(.+?);?", st)
        if not am:
            return None
        val = am.group(1)
        cm = re.fullmatch(r"(.+?)(>=|<=|>|<|\.gt\.|\.lt\.|\.ge\.|\.le\.)(.+)", ct)
        if not cm:
            return None
        lhs, op, rhs = cm.groups()
        return self._minmax_from(lhs, op, rhs, val, name, name)

    @staticmethod
    def _minmax_from(lhs: str, op: str, rhs: str, yes: str, no: str, name: str) -> str | None:
        op = {".gt.": ">", ".lt.": "<", ".ge.": ">=", ".le.": "<="}.get(op, op)
        lhs, rhs = unparen(lhs), unparen(rhs)
        if no != name:
            return None
        if lhs == yes and rhs == name:  # e > m ? e : m  -> max
            return "max" if op in (">", ">=") else "min"
        if rhs == yes and lhs == name:  # m < e ? e : m -> max
            return "max" if op in ("<", "<=") else "min"
        return None

    def _minmax_guard(self, r: Access, name: str) -> bool:
        """A read of m in the condition (or the ternary) of a min/max update."""
        p = r.node.parent
        while p is not None and p.type not in (
            "if_statement",
            "expression_statement",
            "assignment_statement",
        ):
            p = p.parent
        if p is None:
            return False
        if p.type == "if_statement":
            for n in walk(p):
                if n.type in ("assignment_expression", "assignment_statement"):
                    left = n.child_by_field_name("left") or (
                        n.named_children[0] if n.named_children else None
                    )
                    if left is not None and norm(self.text(left)).lower() == name.lower():
                        fake = dataclasses.replace(r, stmt=n if self.fortran else n.parent)
                        return self._minmax_if(fake, name) is not None
            return False
        fake = dataclasses.replace(r, stmt=p)
        return self._minmax_if(fake, name) is not None

    # -- the verdict ------------------------------------------------------------------------
