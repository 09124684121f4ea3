"""Whether two accesses of a team may run at the same time: barrier phases, worksharing loops
(dependence tests), simd lanes, single/sections, and task ordering."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from hpclsp.analysis.ir import (
    Access,
    Affine,
    Construct,
    Function,
    Loop,
    dependence,
)
from hpclsp.analysis.openmp import datasharing
from hpclsp.analysis.races import indexsets, tasks
from hpclsp.analysis.races.model import (
    ACtx,
    _dep_base,
    _distinct_constant_elements,
    _is_entry,
    _is_team,
    _is_ws_loop,
)
from hpclsp.analysis.races.sync import SyncMixin


class PairAnalysis(SyncMixin):
    """The concurrency verdict for a pair of accesses."""

    def same_phase(self, x: ACtx, y: ACtx, team: Construct | None, f: Function, bars: list[int]) -> bool:
        if x.phase == y.phase:
            return True
        # barriers inside a sequential loop wrap around: the end of one iteration meets the start of the next
        a, b = (x, y) if x.acc.start <= y.acc.start else (y, x)
        for lp in f.loops:
            if team is not None and not (
                team.contains(lp.node.start_byte) and lp.node.start_byte > team.start
            ):
                continue
            if lp.construct is not None:
                continue
            if not (lp.contains(a.acc.start) and lp.contains(b.acc.start)):
                continue
            inside = [p for p in bars if lp.body_start <= p <= lp.body_end]
            if (
                inside
                and not any(p <= a.acc.start for p in inside)
                and not any(p > b.acc.start for p in inside)
            ):
                return True
        return False

    def concurrent(
        self, x: ACtx, y: ACtx, team: Construct | None, f: Function, bars: list[int]
    ) -> tuple | None:
        """None when x and y cannot run at the same time; else (kind hint, dependence or None)."""
        if self.mutually_excluded(x, y) or self.ordered_in_thread(x, y, team, f, bars):
            return None
        if x.task is not None or y.task is not None:
            return self.task_concurrent(x, y, team, f)
        if team is None:
            return None
        if id(team) in self.orphans:
            return self.loop_pair(x, y, team, f) if x.loopc is team and y.loopc is team else None
        if not _is_team(team):  # a simd loop on its own
            return self.simd_pair(x, y, team, f) if x.simdc is team and y.simdc is team else None
        if x.ws is not None or y.ws is not None:
            return self.workshare_pair(x, y)
        if self.in_one_construct(x, y):
            if x.loopc is not None and x.loopc is y.loopc:
                return self.loop_pair(x, y, x.loopc, f)
            if x.simdc is not None and x.simdc is y.simdc and x.loopc is None:
                return self.simd_pair(x, y, x.simdc, f)
            return None  # one single or one section: one thread, in program order
        return self.construct_pair(x, y)

    def mutually_excluded(self, x: ACtx, y: ACtx) -> bool:
        """Both atomic, distinct constant elements, a common critical (within one team) or a common lock."""
        if (x.atomic and y.atomic) or _distinct_constant_elements(x.acc, y.acc):
            return True
        if x.criticals & y.criticals:
            if not (self.league(x) and self.league(y)):
                return True
            self.cross_team.add(x.acc.name)  # critical excludes within one team only
        return bool(x.locks & y.locks)

    def ordered_in_thread(
        self, x: ACtx, y: ACtx, team: Construct | None, f: Function, bars: list[int]
    ) -> bool:
        """Different barrier phases, one thread running both in order, or a hand-off between them."""
        if not self.same_phase(x, y, team, f, bars):
            return True
        if x.task is None and y.task is None:
            if team is not None and _is_team(team) and self.thread_distinct(x, y, f, team):
                return True  # a[tid]: each thread its own element, and one thread runs its accesses in order
            if x.tid_guard is not None and x.tid_guard == y.tid_guard:
                return True  # both under ``if (tid == c)``: one thread runs them, in program order
        return (
            self.handed_off(x, y, f)
            or self.handed_off(y, x, f)
            or self.lock_handoff(x, y, f, bars)
            or self.lock_handoff(y, x, f, bars)
        )

    @staticmethod
    def workshare_pair(x: ACtx, y: ACtx) -> tuple | None:
        """At least one access in a ``workshare`` construct."""
        if x.ws is not None and x.ws is y.ws:
            return None  # workshare keeps the Fortran semantics of its statements (spec: implied synchronization)
        ws = x.ws or y.ws
        assert ws is not None
        return ("nowait", None) if ws.clause("nowait") is not None else ("shared-write", None)

    @staticmethod
    def in_one_construct(x: ACtx, y: ACtx) -> bool:
        """Both accesses in the same worksharing loop, simd loop, single or section."""
        return (
            (x.loopc is not None and x.loopc is y.loopc)
            or (x.simdc is not None and x.simdc is y.simdc and x.loopc is None)
            or (x.single is not None and x.single is y.single)
            or (x.section is not None and x.section is y.section)
        )

    def construct_pair(self, x: ACtx, y: ACtx) -> tuple | None:
        """Two accesses of one team in different worksharing constructs (or outside every one)."""
        if x.loopc is not None and y.loopc is not None:
            return None if self.same_static_mapping(x, y) else ("nowait", None)
        if x.single is not None or y.single is not None:
            if x.section is not None or y.section is not None:
                return ("shared-write", None)
            return ("single-no-barrier", None)
        if x.section is not None and y.section is not None:
            return ("shared-write", None)
        if x.loopc is not None or y.loopc is not None:
            return self.after_loop_pair(x, y)
        if x.section is not None or y.section is not None:
            return ("shared-write", None)
        # both replicated: every thread executes both
        return ("replicated", None)

    @staticmethod
    def after_loop_pair(x: ACtx, y: ACtx) -> tuple | None:
        """One access in a worksharing loop, the other outside it: racy after a ``nowait`` loop or beside it."""
        lc = x.loopc or y.loopc
        other = y if x.loopc is not None else x
        if lc is not None and lc.clause("nowait") is not None and other.acc.start >= lc.end:
            return ("nowait", None)
        if lc is not None and other.acc.start >= lc.end:
            return None if lc.clause("nowait") is None else ("nowait", None)
        return ("shared-write", None)

    def dependence_test(
        self, fn: Function, a1: Access, a2: Access, loop: Loop, **kw: Any
    ) -> dependence.Dependence | None:
        """``dependence.test`` charged to the work budget of the function under analysis (``fn``);
        raises ``budget.Exhausted`` once it is used up."""
        self.budget.spend(id(fn), dependence.size(a1, a2, loop, kw.get("loops")))
        return dependence.test(a1, a2, loop, **kw)

    def loop_pair(self, x: ACtx, y: ACtx, lc: Construct, fn: Function) -> tuple | None:
        """The verdict for two accesses in the iterations of one loop construct (``fn``: the function analysed)."""
        if x.ordered and y.ordered and lc.clause("ordered") is not None:
            return None
        assert lc.loop is not None
        if self.guarded_same_iteration(x.acc, y.acc, lc):
            return None
        variant = self.variant_scalars(lc)
        dep = self.dependence_test(
            fn,
            self.unshadowed(x.acc, lc),
            self.unshadowed(y.acc, lc),
            lc.loop,
            loops=lc.loops or None,
            variant=variant,
            defs=self.private_defs(lc),
        )
        if dep is not None and not dep.exact and lc.loop is not None and len(lc.loops) <= 1:
            f = x.acc.func
            hit = indexsets.collide(self.ir, f, x.acc, y.acc, lc.loop) if f is not None else None
            if hit is False:
                return None  # the visible index list never sends two iterations to one element
            if hit:
                dep = dataclasses.replace(dep, exact=True, indirect=False)
        if dep is None:
            if self.row_underflow(x.acc, y.acc, lc) or self.row_underflow(y.acc, x.acc, lc):
                dep = dependence.Dependence(
                    x.acc,
                    y.acc,
                    (None,),
                    ("*",),
                    True,
                    explanation="the subscript runs into the neighbouring row",
                )
                return ("loop", dep)
            return None
        if lc.has("simd") and not (
            lc.has("for") or lc.has("do") or lc.has("distribute") or lc.has("taskloop")
        ):
            return self.simd_pair(x, y, lc, fn)
        return ("loop", dep)

    def row_underflow(self, a: Access, b: Access, lc: Construct) -> bool:
        """``b[i][j-1]`` with ``j`` starting at 0 (Fortran ``b(i-1,j)`` with ``i`` from 1): the subscript of the
        contiguous dimension goes below the lower bound, into the row that another iteration owns."""
        lp = lc.loop
        if lp is None or not lp.index or len(lc.loops) > 1 or not (a.is_write or b.is_write):
            return False
        n = len(a.subscripts)
        if n < 2 or len(b.subscripts) != n or any(e is None for e in a.subscripts + b.subscripts):
            return False
        fast = 0 if self.fortran else n - 1
        p = lp.index
        e = b.subscripts[fast]
        if e is None or len(e.coeffs) != 1 or a.subscripts[fast] == e:
            return False
        q, kq = e.coeffs[0]
        if kq != 1 or q == p:
            return False
        for k in range(n):
            if k != fast and a.subscripts[k] != b.subscripts[k]:
                return False
        if not any(
            p in (e.vars if e is not None else set()) for k, e in enumerate(a.subscripts) if k != fast
        ):
            return False
        inner = [
            x
            for x in self.ir.loops
            if x.index == q
            and lp.node.start_byte < x.node.start_byte
            and x.node.start_byte <= b.start < x.node.end_byte
        ]
        if (
            len(inner) != 1
            or inner[0].lower is None
            or not inner[0].lower.is_const
            or (inner[0].step or 0) <= 0
        ):
            return False
        base = 1 if self.fortran else 0
        if self.fortran and not self.default_lower_bound(b.base):
            return False
        return inner[0].lower.const + e.const < base

    def default_lower_bound(self, name: str) -> bool:
        """A Fortran array whose declared or allocated first dimension has no explicit lower bound."""
        text = self.src.text.lower()
        for m in re.finditer(rf"\b{re.escape(name.lower())}\s*\(([^()]*)\)", text):
            first = m.group(1).split(",")[0].strip()
            if ":" in first and first != ":":
                return False
        return True

    def unshadowed(self, a: Access, lc: Construct) -> Access:
        """The access with the parallel indices that an inner loop redeclares (``for (int i ...)`` inside the
        ``i`` loop) renamed: in its subscripts that name is the inner loop's index, not the parallel one."""
        assert lc.loop is not None
        inner = self.shadow_cache.get(id(lc))
        if inner is None:
            pidx = {lp.index for lp in (lc.loops or [lc.loop]) if lp.index}
            inner = self.shadow_cache[id(lc)] = [
                lp
                for lp in self.ir.loops
                if lp.index in pidx
                and lp not in (lc.loops or [lc.loop])
                and lc.loop.node.start_byte < lp.node.start_byte < lc.loop.node.end_byte
            ]
        shadow = {lp.index for lp in inner if lp.index and lp.node.start_byte <= a.start < lp.node.end_byte}
        if not shadow or not any(e is not None and e.vars & shadow for e in a.subscripts):
            return a
        subs = list(a.subscripts)
        for p in shadow:
            subs = [e.substitute(p, Affine.var(p + "'")) if e is not None else None for e in subs]
        return dataclasses.replace(a, subscripts=subs)

    def guarded_same_iteration(self, a1: Access, a2: Access, lc: Construct) -> bool:
        """``if (i == c)`` guards: the two accesses can only meet in one iteration (no race between iterations)."""
        lp = lc.loop
        if lp is None or not lp.index or len(lc.loops) > 1:
            return False
        g1 = self.guard(a1, lp.index, lp.node.start_byte)
        g2 = self.guard(a2, lp.index, lp.node.start_byte) if a2 is not a1 else g1
        if g1 is None and g2 is None:
            return False
        if a1 is a2 or (g1 is not None and g1 == g2):
            return True  # executed by one iteration only
        if g1 is not None and g2 is not None:
            return False
        if g1 is None:
            a1, a2, g1 = a2, a1, g2
        assert g1 is not None
        # a1 runs in iteration g1 only; a2 in iteration p': they meet only when p' == g1
        if a1.is_scalar or a2.is_scalar or len(a1.subscripts) != len(a2.subscripts):
            return False
        p = lp.index
        for e1, e2 in zip(a1.subscripts, a2.subscripts):
            if e1 is None or e2 is None:
                continue
            v1 = e1.substitute(p, Affine(const=g1))
            k = e2.coeff(p)
            rest = e2.without({p})
            diff = v1 - rest
            if k and diff.is_const:
                if diff.const % k != 0:
                    return True  # never the same element
                return diff.const // k == g1
        return False

    def simd_pair(self, x: ACtx, y: ACtx, lc: Construct, fn: Function) -> tuple | None:
        """The verdict for two accesses in the lanes of one simd loop (``fn``: the function analysed)."""
        assert lc.loop is not None
        dep = self.dependence_test(
            fn, x.acc, y.acc, lc.loop, loops=lc.loops or None, variant=self.variant_scalars(lc)
        )
        if dep is None:
            return None
        d = dep.carried_distance
        sl = lc.clause("safelen") or lc.clause("simdlen")
        if d is not None and sl is not None and sl.args and sl.args.strip().isdigit():
            if abs(d) // max(1, abs(lc.loop.step or 1)) >= int(sl.args.strip()):
                return None
        if d is None:
            return ("loop", dep) if dep.exact and not x.acc.is_scalar else None
        # lanes run each statement for all iterations together: only lexically backward dependences break
        src, snk = (x.acc, y.acc) if d > 0 else (y.acc, x.acc)
        if src.order < snk.order:
            return None
        return ("loop", dep)

    def task_concurrent(self, x: ACtx, y: ACtx, team: Construct | None, f: Function) -> tuple | None:
        """The verdict for a pair of which at least one access runs in a (deferred) task."""
        tx, ty = x.task, y.task
        if team is None and _is_entry(f) and not any(t is not None and t.has("target") for t in (tx, ty)):
            return None  # outside every parallel region of the program's entry only the initial thread runs tasks
        if tx is not None and tx is ty:
            return self.same_task_pair(x, y, tx, team, f)
        if tx is not None and ty is not None:
            first, second = (tx, ty) if tx.start <= ty.start else (ty, tx)
            if first.contains(second.start):
                # nested task: the child runs concurrently with the parent's later code unless waited for
                return None if self.waited(second, x if x.task is first else y, f) else ("task", None)
            if tasks.mutually_exclusive(first, second) or self.tasks_ordered(first, second, f):
                return None
            return ("task", None)
        t = tx or ty
        other = y if tx is not None else x
        assert t is not None
        if other.acc.start < t.start:
            # before the task was created (by this thread); other threads are kept out by the single/phase
            return None
        if other.acc.start >= t.end and self.waited(t, None, f, upto=other.acc.start):
            return None
        if t.contains(other.acc.start):
            return None
        return ("task", None)

    def same_task_pair(
        self, x: ACtx, y: ACtx, t: Construct, team: Construct | None, f: Function
    ) -> tuple | None:
        """Both accesses in one task construct: its instances (taskloop iterations, a task in a loop or
        generated by every thread) run concurrently unless iterations or ``depend`` keep them apart."""
        if t.has("taskloop") and t.loop is not None and x.loopc is t:
            return self.loop_pair(x, y, t, f)  # the iterations of one taskloop run as concurrent tasks
        if not self.multi_instance(t, team):
            return None
        lp = self.instance_loop(t, team)
        if lp is not None and lp.index and not x.acc.is_scalar:
            sh = datasharing.resolve(
                self.ir, lp.index, t.start + 1 if t.start + 1 < t.end else t.start, team, f
            )
            if (
                not sh.shared
                and self.dependence_test(f, x.acc, y.acc, lp, variant=self.variant_in(lp)) is None
            ):
                return None
        if (
            (t.clause("depend") is not None)
            and x.acc.base in {_dep_base(i) for c in t.clauses if c.name == "depend" for i in c.items}
            and self.depend_self_ordered(t, x.acc.base)
            and not tasks.replicated_by_team(t)
        ):
            return None  # instances generated one after the other by one thread, ordered by their depend
        return ("task", None)

    def multi_instance(self, t: Construct, team: Construct | None) -> bool:
        """The task construct is encountered more than once (in a loop, or by every thread)."""
        for lp in self.ir.loops:
            if lp.contains(t.start) and (team is None or team.contains(lp.node.start_byte)):
                return True
        if team is not None:
            ch = self.chain(t.start, team)
            if not any(c.name in ("single", "master", "masked") for c in ch) and not any(
                _is_ws_loop(c) for c in ch
            ):
                return True
        return False

    def tasks_ordered(self, first: Construct, second: Construct, f: Function) -> bool:
        """``first`` completes before ``second`` starts: through sibling ``depend``/``taskwait`` ordering of
        ``first`` (or an ancestor that waits for it) and ``second`` (or an ancestor)."""
        lift_a = [first]
        p = tasks.generating_task(first)
        cur = first
        while p is not None and tasks.is_task(p) and not p.contains(second.start):
            if not self.waited(cur, None, f, upto=p.end):
                break
            lift_a.append(p)
            cur, p = p, tasks.generating_task(p)
        lift_b = [second]
        q = tasks.generating_task(second)
        while q is not None and tasks.is_task(q) and not q.contains(first.start):
            lift_b.append(q)
            q = tasks.generating_task(q)
        for a in lift_a:
            for b in lift_b:
                if not tasks.siblings(a, b):
                    continue
                if self.waited(a, None, f, upto=b.start) or tasks.conflicting(
                    tasks.depend_kinds(a), tasks.depend_kinds(b)
                ):
                    return True
        return False

    def waited(self, t: Construct, _x: ACtx | None, f: Function, upto: int | None = None) -> bool:
        """A taskwait that waits for ``t``, or the end of an enclosing taskgroup, lies between the task and ``upto``."""
        end = upto if upto is not None else f.node.end_byte
        for c in f.constructs:
            if (
                (c.name == "taskwait" or tasks.undeferred(c))
                and t.end <= c.start <= end
                and tasks.waits_for(c, t)
            ):
                return True
            if c.name == "taskgroup" and c.contains(t.start) and c.end <= end:
                return True
        if t.has("target") and t.clause("nowait") is None:
            return True
        return False

    def depend_ordered(self, t1: Construct, t2: Construct) -> bool:
        d1 = self.depends(t1)
        d2 = self.depends(t2)
        for v, k1 in d1.items():
            k2 = d2.get(v)
            if k2 is None:
                continue
            if k1 != {"in"} or k2 != {"in"}:
                if "mutexinoutset" in k1 and "mutexinoutset" in k2 and len(k1 | k2) == 1:
                    continue
                return True
        return False

    def depend_self_ordered(self, t: Construct, base: str) -> bool:
        k = self.depends(t).get(base, set())
        return bool(k & {"out", "inout"})

    def depends(self, t: Construct) -> dict[str, set[str]]:
        """The dependence kinds of each list item of the task's ``depend`` clauses."""
        return tasks.depend_kinds(t)
