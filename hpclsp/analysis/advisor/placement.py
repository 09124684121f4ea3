"""Where to suggest: the outermost profitable loop of a nest, collapse, schedule, simd for inner loops."""

from __future__ import annotations

import logging

from hpclsp.analysis.advisor.model import Blocker, LoopAdvice
from hpclsp.analysis.advisor.pragma import end_pragma_text, pragma_text
from hpclsp.analysis.advisor.tables import C_PURE, SMALL_TRIP
from hpclsp.analysis.advisor.verdict import VerdictMixin
from hpclsp.analysis.ir import Loop
from hpclsp.analysis.ir.tables import F_INTRINSICS
from hpclsp.analysis.treeutil import walk

log = logging.getLogger(__name__)


class Advisor(VerdictMixin):
    """Computes the advice for every loop of one file."""

    def run(self, candidates_only: bool = False) -> list[LoopAdvice]:
        """The advice for every loop of the file, in document order (outer before inner).

        With ``candidates_only``, loops that can neither be suggested nor be collapsed into a
        suggestion (see ``_never_suggested``) are not analysed: their advice only says so. The
        suggestions are the same as without it.
        """
        out = [
            self._not_analysed(lp)
            if candidates_only and self._never_suggested(lp)
            else self._advise_alone(lp)
            for lp in self.ir.loops
        ]
        by_loop = {id(adv.loop): adv for adv in out}
        # suggested: outermost profitable parallelizable loop, outer before inner (document order)
        for adv in out:
            adv.outer = self._suggested_ancestor(adv.loop, by_loop)
            self._place(adv, by_loop)
        for adv in out:
            if adv.outer is not None and adv.parallelizable:
                self._place_inner(adv, adv.outer)
        return out

    def _advise_alone(self, lp: Loop) -> LoopAdvice:
        """The verdict on one loop by itself, with whatever stopped the analysis as a blocker."""
        adv = LoopAdvice(lp, self.src.path, self.src.language)
        try:
            self.analyze_loop(lp, adv)
        except RecursionError:
            adv.blockers.append(Blocker("the loop is too deeply nested to analyse"))
        except Exception as exc:  # never crash on odd input
            log.exception("advisor failed on loop at line %d", lp.span.start.line + 1)
            adv.blockers.append(Blocker(f"could not be analysed ({type(exc).__name__})"))
        if not adv.parallelizable and not adv.blockers:
            adv.blockers.append(Blocker("could not be analysed"))
        adv.small = self._small(lp)
        adv.inside_parallel_region = self._in_region(lp)
        return adv

    def _never_suggested(self, lp: Loop) -> bool:
        """True when lp and every loop around it lie inside an OpenMP construct: none of them is
        suggested, and only a suggested loop's verdict reads the verdicts of the loops inside it."""
        cur: Loop | None = lp
        while cur is not None:
            if not self._in_region(cur):
                return False
            cur = cur.parent
        return True

    def _not_analysed(self, lp: Loop) -> LoopAdvice:
        """The advice on a loop left out by ``run(candidates_only=True)``."""
        adv = LoopAdvice(lp, self.src.path, self.src.language)
        adv.blockers.append(Blocker("inside an OpenMP construct (not analysed)"))
        adv.small = self._small(lp)
        adv.inside_parallel_region = True
        return adv

    @staticmethod
    def _suggested_ancestor(lp: Loop, by_loop: dict[int, LoopAdvice]) -> LoopAdvice | None:
        """The nearest enclosing loop already suggested for parallelization."""
        anc = lp.parent
        while anc is not None:
            a = by_loop.get(id(anc))
            if a is not None and a.suggested:
                return a
            anc = anc.parent
        return None

    def _place(self, adv: LoopAdvice, by_loop: dict[int, LoopAdvice]) -> None:
        """Decide whether a loop outside every suggested loop gets the suggestion, and why (not)."""
        if not adv.parallelizable:
            adv.reason = adv.blockers[0].message if adv.blockers else "not parallelizable"
            return
        if adv.outer is not None:
            return
        if adv.inside_parallel_region:
            adv.reason = "parallelizable, but already inside an OpenMP construct"
            adv.pragma = self._pragma(adv)
            return
        if adv.small:
            adv.reason = (
                f"parallelizable, but only {self._trip(adv.loop)} iterations: not worth a parallel region"
            )
            adv.pragma = self._pragma(adv)
            return
        adv.suggested = True
        self._collapse_and_schedule(adv, by_loop)
        adv.pragma = self._pragma(adv)
        adv.end_pragma = end_pragma_text(self.src.language)
        notes = list(adv.notes)
        if adv.collapse:
            notes.append(f"the {adv.collapse} loops form a perfect rectangular nest (collapse)")
        if adv.schedule:
            notes.append(adv.schedule_reason)
        head = "iterations are independent"
        if adv.assumptions:
            head += f", assuming {'; '.join(adv.assumptions)} (pointers that may alias)"
        adv.reason = head + (": " + "; ".join(notes) if notes else "")

    def _place_inner(self, adv: LoopAdvice, o: LoopAdvice) -> None:
        """A parallelizable loop inside a suggested one: collapsed into it, vectorizable, or left alone."""
        if adv.loop in o.collapsed:
            # no pragma of its own; its clause lists stay those it needs when parallelized alone
            adv.reason = f"parallelizable; collapsed into the loop at line {o.span.start.line + 1}"
            return
        adv.simd = self._simd_ok(adv)
        adv.pragma = self._pragma(adv)
        adv.end_pragma = end_pragma_text(self.src.language, adv.simd) if adv.simd else None
        where = f"inside the loop parallelized at line {o.span.start.line + 1}"
        adv.reason = f"vectorizable {where}" if adv.simd else f"parallelizable, but {where}"

    def _pragma(self, adv: LoopAdvice) -> str:
        return pragma_text(
            self.src.language,
            simd=adv.simd,
            private=adv.private,
            firstprivate=adv.firstprivate,
            lastprivate=adv.lastprivate,
            reduction=adv.reduction,
            collapse=adv.collapse,
            schedule=adv.schedule,
        )

    def _trip(self, lp: Loop) -> int | None:
        if lp.lower is None or lp.upper is None or not lp.step:
            return None
        diff = (lp.upper - lp.lower) if lp.step > 0 else (lp.lower - lp.upper)
        if not diff.is_const:
            return None
        return max(0, diff.const // abs(lp.step) + 1)

    def _small(self, lp: Loop) -> bool:
        t = self._trip(lp)
        return t is not None and t <= SMALL_TRIP

    def _in_region(self, lp: Loop) -> bool:
        if lp.construct is not None:
            return True
        if self._regions is None:
            words = {
                "parallel",
                "for",
                "do",
                "simd",
                "taskloop",
                "target",
                "teams",
                "task",
                "distribute",
                "loop",
                "single",
                "master",
                "masked",
                "critical",
                "sections",
            }
            self._regions = [
                (c.start, c.end) for c in self.ir.constructs if not c.standalone and words & set(c.words)
            ]
        b = lp.node.start_byte
        return any(s <= b < e for s, e in self._regions)

    def _perfect_child(self, lp: Loop) -> Loop | None:
        if len(lp.children) != 1:
            return None
        child = lp.children[0]
        if self.fortran:
            fbody = [
                c
                for c in lp.node.named_children
                if c.type not in ("do_statement", "end_do_loop_statement", "comment")
            ]
            return child if len(fbody) == 1 and fbody[0].id == child.node.id else None
        body = lp.node.child_by_field_name("body")
        if body is None:
            return None
        if body.id == child.node.id:
            return child
        if body.type == "compound_statement":
            stmts = [c for c in body.named_children if c.type != "comment"]
            if len(stmts) == 1 and stmts[0].id == child.node.id:
                return child
        return None

    def _collapse_and_schedule(self, adv: LoopAdvice, by_loop: dict[int, LoopAdvice]) -> None:
        lp = adv.loop
        nest = [lp]
        cur = lp
        while True:
            child = self._perfect_child(cur)
            if child is None:
                break
            cadv = by_loop.get(id(child))
            if cadv is None or not cadv.parallelizable or child.index is None:
                break
            idx = {x.index for x in nest if x.index}
            written = {a.base for a in self.body_accesses(lp) if a.kind == "W"}
            if not self._invariant_loop(child, (written | idx) - {child.index}):
                break  # not rectangular: the inner bounds move with the outer indices or the body
            nest.append(child)
            cur = child
        if len(nest) > 1:
            adv.collapse = len(nest)
            adv.collapsed = nest[1:]
            collapsed_idx = {x.index for x in nest}
            adv.private = [v for v in adv.private if v not in collapsed_idx]
            adv.lastprivate = [v for v in adv.lastprivate if v not in collapsed_idx]
            adv.notes = [s for s in adv.notes if not any(s.startswith(f"`{v}` ") for v in collapsed_idx)]
        # schedule: inner bounds that depend on the parallel indices (triangular) or on data
        par_idx = {x.index for x in nest}
        written = {a.base for a in self.body_accesses(lp) if a.kind == "W" and not a.subscripts}
        dynamic = guided = False
        stack = list(nest[-1].children)
        while stack:
            c = stack.pop()
            stack.extend(c.children)
            if c.kind in ("while", "do while"):
                dynamic = True
                continue
            if c.lower is None or c.upper is None:
                dynamic = True
                continue
            bv = c.lower.vars | c.upper.vars
            if bv & written - par_idx:
                dynamic = True
            elif bv & par_idx:
                guided = True
        if dynamic:
            adv.schedule = "dynamic"
            adv.schedule_reason = "inner trip counts depend on data (schedule(dynamic) balances the work)"
        elif guided:
            adv.schedule = "guided"
            adv.schedule_reason = (
                "inner trip counts grow or shrink with the index (triangular: schedule(guided))"
            )

    def _simd_ok(self, adv: LoopAdvice) -> bool:
        lp = adv.loop
        if lp.children or not adv.parallelizable:
            return False
        if adv.lastprivate:
            return False
        for root in self._body_nodes(lp):
            for n in walk(root):
                name = self._callee(n)
                if name is None:
                    continue
                if self.fortran:
                    if name not in F_INTRINSICS or name in self._func_defs:
                        return False
                elif name not in C_PURE:
                    return False
        return True
