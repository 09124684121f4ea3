"""The verdict on one loop: blockers from shape, side effects, scalars and array dependences; the clauses."""

from __future__ import annotations

import dataclasses
import logging
import re
from typing import TYPE_CHECKING

from hpclsp.analysis.advisor.arrays import ArrayPrivatizationMixin
from hpclsp.analysis.advisor.model import Blocker, LoopAdvice
from hpclsp.analysis.advisor.nodes import affine_of, ancestors_until
from hpclsp.analysis.ir import Access, Affine, Loop, dependence

if TYPE_CHECKING:
    import tree_sitter

    Node = tree_sitter.Node

log = logging.getLogger(__name__)


@dataclasses.dataclass
class _Classes:
    """The data-sharing classes found so far for one loop."""

    private: set[str] = dataclasses.field(default_factory=set)
    firstprivate: set[str] = dataclasses.field(default_factory=set)
    lastprivate: set[str] = dataclasses.field(default_factory=set)
    reductions: dict[str, str] = dataclasses.field(default_factory=dict)
    variant: set[str] = dataclasses.field(default_factory=set)


#: Dependence tests one array of one loop may cost; past it the loop is judged not provably independent.
TEST_BUDGET = 400


def _disjoint(a: Access, b: Access, index: str | None, varying: set[str]) -> bool:
    """A quick sufficient test: two different constant subscripts in one dimension, or one dimension equal
    in both accesses that moves with the loop index and nothing else that varies (distance 0)."""
    if len(a.subscripts) != len(b.subscripts) or a.indirect or b.indirect:
        return False
    pa, pb = a.polys, b.polys
    for k, (e1, e2) in enumerate(zip(a.subscripts, b.subscripts)):
        if (
            e1 is None
            or e2 is None
            or (k < len(pa) and pa[k] is not None)
            or (k < len(pb) and pb[k] is not None)
        ):
            continue
        c1, c2 = e1.coeffs, e2.coeffs
        if not c1 and not c2:
            if e1.const != e2.const:
                return True
            continue
        if c1 == c2 and e1.const == e2.const and any(v == index for v, _ in c1):
            if not any(v in varying for v, _ in c1):
                return True
    return False


def _const_at(a: Access, k: int) -> int | None:
    """The constant subscript of a in dimension k (None when it is not a known constant)."""
    if k >= len(a.subscripts) or (k < len(a.polys) and a.polys[k] is not None):
        return None
    e = a.subscripts[k]
    return e.const if e is not None and not e.coeffs else None


class _ConstIndex:
    """For each dimension, which accesses have which constant subscript there: two accesses with
    different constants in one dimension never touch the same element, so they are never paired."""

    def __init__(self, accs: list[Access]) -> None:
        self.all = set(range(len(accs)))
        rank = max((len(a.subscripts) for a in accs), default=0)
        self.by_value: list[dict[int, set[int]]] = [{} for _ in range(rank)]
        self.unknown: list[set[int]] = [set() for _ in range(rank)]
        for i, a in enumerate(accs):
            if a.indirect:
                for k in range(rank):
                    self.unknown[k].add(i)
                continue
            for k in range(rank):
                c = _const_at(a, k)
                if c is None:
                    self.unknown[k].add(i)
                else:
                    self.by_value[k].setdefault(c, set()).add(i)

    def candidates(self, a: Access) -> set[int]:
        """The accesses that may share an element with a."""
        out = set(self.all)
        if a.indirect:
            return out
        for k in range(len(self.by_value)):
            c = _const_at(a, k)
            if c is not None:
                out &= self.by_value[k].get(c, set()) | self.unknown[k]
        return out


def _distinct(accs: list[Access]) -> list[Access]:
    """One access per distinct shape (kind, subscripts, polynomials, indirection): the test sees nothing else."""
    seen: set[tuple[object, ...]] = set()
    out = []
    for a in accs:
        key = (a.kind, tuple(a.subscripts), tuple(a.polys), a.indirect)
        if key not in seen:
            seen.add(key)
            out.append(a)
    return out


_CALL_LIKE = re.compile(r"\b([A-Za-z_]\w*)\s*\(([^()]*)\)")
_LOWER_BOUND = re.compile(r"[^\s,(:][^,]*:")


def _bounded_names(text: str) -> set[str]:
    """The names (lower case) written somewhere in text as ``name(..., lo:hi, ...)`` with a lower bound."""
    return {m.group(1).lower() for m in _CALL_LIKE.finditer(text) if _LOWER_BOUND.search(m.group(2))}


def _fill_clauses(adv: LoopAdvice, cls: _Classes) -> None:
    """The data-sharing and reduction clauses of a parallelizable loop, with a note on each."""
    adv.private = sorted(cls.private)
    adv.firstprivate = sorted(cls.firstprivate)
    adv.lastprivate = sorted(cls.lastprivate)
    adv.reduction = [f"{op}:{v}" for v, op in sorted(cls.reductions.items())]
    for v in adv.private:
        adv.notes.append(f"`{v}` is assigned before use in every iteration (private)")
    for v in adv.lastprivate:
        adv.notes.append(f"`{v}` is assigned in every iteration and used after the loop (lastprivate)")
    for v in adv.firstprivate:
        adv.notes.append(
            f"`{v}` is assigned in every iteration or in none, and used after the loop (firstprivate and lastprivate)"
        )
    for v, op in sorted(cls.reductions.items()):
        adv.notes.append(f"`{v}` accumulates with {op} (reduction)")


class VerdictMixin(ArrayPrivatizationMixin):
    """Whether a loop's iterations are independent, and under which clauses."""

    def analyze_loop(self, lp: Loop, adv: LoopAdvice) -> None:
        """Fill the verdict and clauses of lp parallelized on its own."""
        accs = self._checked_accesses(lp, adv)
        if accs is None:
            return
        by_base: dict[str, list[Access]] = {}
        for a in accs:
            by_base.setdefault(a.base, []).append(a)
        cls = _Classes()
        for base, bl in by_base.items():
            if base != lp.index:
                self._classify_scalar(lp, base, bl, cls, adv)
        if adv.blockers:
            return
        self._array_dependences(lp, by_base, cls, adv)
        if adv.blockers:
            return
        why, adv.assumptions = self.alias_check(lp, accs)
        if why:
            adv.blockers.append(Blocker(why, lp.keyword_span))
            return
        adv.parallelizable = True
        _fill_clauses(adv, cls)

    def _checked_accesses(self, lp: Loop, adv: LoopAdvice) -> list[Access] | None:
        """The body's accesses (C: with the effects of its calls), or None after adding the blockers."""
        why = self.canonical(lp) or self.escapes(lp)
        if why:
            adv.blockers.append(Blocker(why, lp.keyword_span))
            return None
        accs = self.body_accesses(lp)
        blocker = self._header_changed(lp, accs)
        if blocker is not None:
            adv.blockers.append(blocker)
            return None
        adv.blockers.extend(self.call_blockers(lp))
        if adv.blockers:
            return None
        if not self.fortran:
            accs, why = self.call_site_accesses(lp, accs)
            if why:
                adv.blockers.append(Blocker(why, lp.keyword_span))
                return None
        return accs

    def _header_changed(self, lp: Loop, accs: list[Access]) -> Blocker | None:
        """The index and the bounds must not change inside the body."""
        bound_vars = (lp.lower.vars if lp.lower else set()) | (lp.upper.vars if lp.upper else set())
        for a in accs:
            if a.kind == "W" and not a.subscripts and a.base == lp.index:
                return Blocker(
                    f"{lp.index} is changed inside the body", a.span, first_text=a.text, first_kind="W"
                )
            if a.kind == "W" and not a.subscripts and a.base in bound_vars:
                return Blocker(
                    f"the loop bound {a.base} is changed inside the body", a.span, first_text=a.text
                )
        return None

    def _inner_indices(self, lp: Loop) -> dict[str, Loop]:
        out: dict[str, Loop] = {}
        stack = list(lp.children)
        while stack:
            c = stack.pop()
            if c.index:
                out.setdefault(c.index, c)
            stack.extend(c.children)
        return out

    def _classify_scalar(self, lp: Loop, base: str, bl: list[Access], cls: _Classes, adv: LoopAdvice) -> None:
        """private / lastprivate / firstprivate+lastprivate / reduction for a scalar, or a blocker."""
        if any(self.is_array(a) for a in bl):
            return
        writes = [a for a in bl if a.kind == "W"]
        if not writes:
            return
        cls.variant.add(base)
        inner = self._inner_indices(lp)
        if base in inner:
            if self.fortran or self.decl_inside(base, lp, inner[base].node.start_byte):
                return
            if not inner[base].index_declared_in_header:
                cls.private.add(base)
            return
        if self.decl_inside(base, lp, writes[0].node.start_byte):
            return
        d = self.decl(base, writes[0].node.start_byte, lp.func)
        if d is not None and d.storage == "static" and lp.body_start <= d.scope_start < lp.body_end:
            adv.blockers.append(
                Blocker(
                    f"`{base}` is a static variable of the loop body: one copy shared by every iteration, "
                    "and no clause can name it",
                    writes[0].span,
                    first_text=writes[0].text,
                    first_kind="W",
                )
            )
            return
        reads = [a for a in bl if a.kind == "R"]
        if all(self.covered(r, writes, lp) for r in reads):
            if not self.live_after(base, lp):
                cls.private.add(base)
            elif any(self.unconditional_in(w, lp) and not self._under_cond(w, lp) for w in writes):
                cls.lastprivate.add(base)
            elif self.all_or_none(writes, lp):
                cls.firstprivate.add(base)
                cls.lastprivate.add(base)
            else:
                adv.blockers.append(
                    Blocker(
                        f"`{base}` is assigned only in some iterations and used after the loop",
                        writes[0].span,
                        first_text=writes[0].text,
                        first_kind="W",
                    )
                )
            return
        op, _bad = self.reduction_op(base, bl)
        if op is not None:
            cls.reductions[base] = op
            return
        r = next((r for r in reads if not self.covered(r, writes, lp)), reads[0] if reads else writes[0])
        w = next((w for w in writes if w is not r), writes[0])
        adv.blockers.append(
            Blocker(
                f"`{base}` carries a value from one iteration to the next: it is read "
                f"(line {r.line + 1}) before it is assigned in the same iteration (line {w.line + 1})",
                r.span,
                w.span,
                r.text,
                w.text,
                r.kind,
                w.kind,
            )
        )

    def _outside_row(self, lp: Loop, arrays: list[Access]) -> Access | None:
        """An access whose subscript can fall below the lower bound in a dimension that is not the
        slowest one (C ``b[i][j-1]`` with ``j`` from 0; Fortran ``b(i-1,j)`` with ``i`` from 1): it
        touches the neighbouring row or column, which the per-dimension dependence test does not see.
        Fortran arrays declared with explicit lower bounds are left alone."""
        if self.fortran and arrays and self._explicit_bounds(arrays[0].base, lp):
            return None
        floor = 1 if self.fortran else 0
        nest = [c for c in [lp, *self._inner_loops(lp)] if c.index and c.step and c.step > 0]
        for a in arrays:
            around = [c for c in nest if c.body_start <= a.node.start_byte < c.body_end]
            around.sort(key=lambda c: c.node.start_byte)  # outer first: the innermost binding wins
            lower = {c.index: c.lower for c in around}
            for e in a.subscripts[:-1] if self.fortran else a.subscripts[1:]:
                if e is None or len(e.coeffs) != 1:
                    continue
                ((v, k),) = e.coeffs
                lo = lower.get(v)
                if k > 0 and lo is not None and lo.is_const and k * lo.const + e.const < floor:
                    return a
        return None

    def _explicit_bounds(self, name: str, lp: Loop) -> bool:
        """True when some ``name(lo:hi, ...)`` gives a lower bound (declaration, allocate, section);
        the names are collected once per function."""
        cache: dict[int, set[str]] = self.__dict__.setdefault("_bounds_cache", {})
        names = cache.get(id(lp.func))
        if names is None:
            names = cache[id(lp.func)] = _bounded_names(self.visible_text(lp.func))
        return name.lower() in names

    def _private_defs(self, lp: Loop, by_base: dict[str, list[Access]], cls: _Classes) -> dict[str, Affine]:
        """Private scalars assigned once per iteration an affine function of the index (``n = 5*m - 10``):
        the dependence test substitutes them into subscripts."""
        written = {b for b, bl in by_base.items() if any(a.kind == "W" for a in bl)}

        def text(n: Node) -> str:
            return self.text(n).lower() if self.fortran else self.text(n)

        out: dict[str, Affine] = {}
        for v in sorted(cls.private | cls.lastprivate):
            writes = [a for a in by_base.get(v, []) if a.kind == "W"]
            if len(writes) != 1 or any(
                self._conditional(p) for p in ancestors_until(writes[0].node, lp.node)
            ):
                continue
            assign = writes[0].node.parent
            if assign is None or assign.type not in ("assignment_expression", "assignment_statement"):
                continue
            rhs = assign.child_by_field_name("right") or (
                assign.named_children[-1] if len(assign.named_children) > 1 else None
            )
            val = affine_of(rhs, text)
            if val is not None and not (val.vars - {lp.index or ""}) & written:
                out[v] = val
        return out

    def _array_dependences(
        self, lp: Loop, by_base: dict[str, list[Access]], cls: _Classes, adv: LoopAdvice
    ) -> None:
        """A blocker for each array written in one iteration and touched in another (unless a reduction)."""
        defs = self._private_defs(lp, by_base, cls)
        inner_idx = set(self._inner_indices(lp))  # the dependence test lets inner indices vary itself
        for base, bl in by_base.items():
            if base == lp.index:
                continue
            arrays = [a for a in bl if self.is_array(a)]
            if not any(a.kind == "W" for a in arrays):
                continue
            if not self.fortran and self.iteration_memory(base, lp, arrays[0].node.start_byte):
                continue
            outside = self._outside_row(lp, arrays)
            if outside is not None:
                adv.blockers.append(
                    Blocker(
                        f"`{outside.text}` may index below the lower bound, into the previous "
                        f"{'column' if self.fortran else 'row'} (the same memory as another element)",
                        outside.span,
                        first_text=outside.text,
                        first_kind=outside.kind,
                    )
                )
                continue
            dep = self._first_dependence(lp, arrays, cls.variant - set(defs) - inner_idx, defs)
            if dep is None:
                continue
            if self.privatizable_array(base, lp, arrays):
                cls.private.add(base)
                continue
            op = self._array_reduction(base, arrays, lp)
            if op is not None:
                cls.reductions[base] = op
                continue
            a1, a2 = dep.a1, dep.a2
            adv.blockers.append(
                Blocker(self._dep_message(dep, lp), a1.span, a2.span, a1.text, a2.text, a1.kind, a2.kind)
            )

    def _under_cond(self, w: Access, lp: Loop) -> bool:
        return (
            any(self._conditional(p) for p in ancestors_until(w.node, lp.node))
            and w.node.start_byte >= lp.body_start
        )

    def _first_dependence(
        self, lp: Loop, arrays: list[Access], variant: set[str], defs: dict[str, Affine]
    ) -> dependence.Dependence | None:
        """The most certain cross-iteration dependence among the accesses of one array (None: independent)."""
        arrays = _distinct(arrays)
        writes = [a for a in arrays if a.kind == "W"]
        fixed = {c.index for c in self._inner_loops(lp) if c.index} | variant
        fixed |= {a.base for a in lp.accesses if a.kind == "W" and not a.subscripts}
        best = None
        budget = TEST_BUDGET
        position = {id(a): k for k, a in enumerate(arrays)}
        same_const = _ConstIndex(arrays)
        for w in writes:
            for k in sorted(same_const.candidates(w)):
                o = arrays[k]
                if o.kind == "W" and k < position[id(w)]:
                    continue  # the pair was tested the other way round
                if _disjoint(w, o, lp.index, fixed):
                    continue
                budget -= 1
                if budget < 0:
                    return dependence.Dependence(
                        w,
                        o,
                        (None,),
                        ("*",),
                        False,
                        explanation="too many accesses to analyse within the budget",
                    )
                try:
                    dep = dependence.test(w, o, lp, variant=frozenset(variant), defs=defs)
                except Exception:  # the shared test must not take the advisor down
                    log.exception("dependence test failed")
                    dep = dependence.Dependence(
                        w, o, (None,), ("*",), False, explanation="dependence test failed"
                    )
                if dep is None:
                    if len(w.subscripts) != len(o.subscripts) or (not w.subscripts and not o.subscripts):
                        # whole-array access mixed with elements: same memory in every iteration
                        if not w.subscripts or not o.subscripts:
                            dep = dependence.Dependence(
                                w,
                                o,
                                (None,),
                                ("*",),
                                False,
                                explanation=f"`{w.text}` is the whole array in every iteration",
                            )
                if dep is not None:
                    if best is None or (dep.exact and not best.exact):
                        best = dep
                    if dep.exact:
                        return dep
        return best

    def _array_reduction(self, base: str, arrays: list[Access], lp: Loop) -> str | None:
        """``hist[idx[i]] += 1``: every access of the array is part of an update with one operator."""
        d = self.decl(base, lp.node.start_byte, lp.func)
        if d is None or not d.is_array or d.is_pointer:
            return None
        if not self.fortran and d.storage == "param":
            return None
        if self.fortran and d.storage == "param":
            return None
        if not all(a.subscripts for a in arrays):
            return None
        varying = {lp.index} | {c.index for c in self._inner_loops(lp) if c.index}
        if not any(s is None or (s.vars & varying) for a in arrays for s in a.subscripts):
            return None  # one element updated by every iteration: not worth an array reduction
        op, _bad = self.reduction_op(base, arrays)
        if op in ("max", "min") and not self.fortran:
            return op
        return op

    def _dep_message(self, dep: dependence.Dependence, lp: Loop) -> str:
        a1, a2 = dep.a1, dep.a2
        t1, t2 = a1.text or a1.name, a2.text or a2.name
        idx = lp.index or "i"
        d = dep.carried_distance
        if a1 is a2 or (t1 == t2 and a1.kind == a2.kind):
            if dep.indirect or not dep.exact:
                return f"`{t1}` may be written by several iterations"
            return f"`{t1}` is written by every iteration (the same element)"
        verb2 = "reads" if a2.kind == "R" else "writes"
        if d is not None and d != 0:
            rel = "a later" if d > 0 else "an earlier"
            return (
                f"`{t1}` (line {a1.line + 1}) and `{t2}` (line {a2.line + 1}) touch the same element "
                f"{abs(d)} iteration{'s' if abs(d) != 1 else ''} of `{idx}` apart: {rel} iteration {verb2} it"
            )
        if not dep.exact:
            return f"`{t1}` (line {a1.line + 1}) and `{t2}` (line {a2.line + 1}) may touch the same element in different iterations"
        return dep.explanation or f"`{t1}` and `{t2}` touch the same element in different iterations"

    # -- whole file -------------------------------------------------------------------------
