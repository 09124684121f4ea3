"""Turning conflicting pairs into reported races: the kind, the message, the related accesses
and the quick fixes (add a clause, wrap in atomic)."""

from __future__ import annotations

from hpclsp.analysis.findings import Edit, Fix, Pos, Span
from hpclsp.analysis.ir import (
    Access,
    Construct,
    Function,
    dependence,
)
from hpclsp.analysis.openmp import datasharing
from hpclsp.analysis.races.model import (
    ACtx,
    Race,
    _is_ws_loop,
    _loop_invariant,
)
from hpclsp.analysis.races.pairs import PairAnalysis
from hpclsp.analysis.reductions import REDUCTION_OPS


class Reporter(PairAnalysis):
    """Race reports from conflicting pairs."""

    def report(self, name: str, pairs: list, team: Construct | None, f: Function, xs: list[ACtx]) -> None:
        # group pairs by kind / scope
        loop_pairs = [(x, y, v) for x, y, v in pairs if v[0] == "loop"]
        others = [(x, y, v) for x, y, v in pairs if v[0] != "loop"]
        in_target = any(x.in_target for x, _, _ in pairs)
        if loop_pairs:
            self.report_loop(name, loop_pairs, team, f, xs, in_target)
        replicated = [(a, b) for a, b, w in others if w[0] == "replicated"]
        if replicated:
            self.report_replicated(name, replicated, team, f, xs, in_target)
        for x, y, v in others:
            kind = v[0]
            if kind == "replicated":
                continue
            if in_target and kind != "task":
                kind = "target"
            if kind == "task" and (
                x.task is not None and x.task.has("target") or y.task is not None and y.task.has("target")
            ):
                kind = "target"
            prim, oth = (y.acc, x.acc) if y.acc.is_write and not x.acc.is_write else (x.acc, y.acc)
            if x.acc.indirect or y.acc.indirect:
                if kind in ("shared-write",):
                    kind = "indirect"
            msg = self.pair_message(kind, prim, oth, x, y)
            self.add(
                Race(
                    kind,
                    name,
                    prim,
                    [oth] if oth is not prim else [],
                    msg,
                    0.5 if kind == "indirect" else 0.85,
                )
            )

    def report_loop(
        self, name: str, pairs: list, team: Construct | None, f: Function, xs: list[ACtx], in_target: bool
    ) -> None:
        x0 = pairs[0][0]
        lc = x0.loopc or x0.simdc
        assert lc is not None and lc.loop is not None
        scalar_like = all(p[0].acc.is_scalar and p[1].acc.is_scalar for p in pairs)
        exact = [p for p in pairs if p[2][1] is not None and p[2][1].exact]
        if scalar_like or all(
            p[2][1] is not None
            and p[2][1].exact
            and p[2][1].distance == (None,) * len(p[2][1].distance)
            and _loop_invariant(
                p[0].acc, {lp.index for lp in lc.loops if lp.index} | self.variant_scalars(lc)
            )
            for p in pairs
        ):
            self.report_scalar(name, [x for x in xs if x.loopc is lc or x.simdc is lc], lc, f, in_target)
            return
        if not exact:
            if not any(p[0].acc.indirect or p[1].acc.indirect for p in pairs):
                return  # not provable and not an indirect subscript: stay silent
            x, y, (_, dep) = next(p for p in pairs if p[0].acc.indirect or p[1].acc.indirect)
            prim, oth = (x.acc, y.acc) if x.acc.is_write else (y.acc, x.acc)
            msg = (
                f"`{prim.text}` may touch the same element as `{oth.text}` in another iteration: the subscript "
                f"goes through another array and cannot be proven distinct"
            )
            self.add(_pair_race("target" if in_target else "indirect", name, prim, oth, msg, 0.5))
            return
        # prefer a read/write pair with a constant distance
        exact.sort(
            key=lambda p: (
                p[0].acc is p[1].acc,
                p[2][1].carried_distance is None,
                -(p[0].acc.kind != p[1].acc.kind),
            )
        )
        x, y, (_, dep) = exact[0]
        kind = "target" if in_target else "loop-carried"
        prim, oth, rel = self.orient(dep, lc)
        msg = self.loop_message(prim, oth, rel)
        fixes: list[Fix] = []
        self.add(Race(kind, name, prim, [oth] if oth is not prim else [], msg, 0.95, fixes))

    def orient(self, dep: dependence.Dependence, lc: Construct) -> tuple[Access, Access, str]:
        """(primary, other, relation of other's iteration to primary's)."""
        a1, a2 = dep.a1, dep.a2
        # the outermost parallel loop whose index differs (under collapse the outer ones may be shared)
        k = next((i for i, x in enumerate(dep.distance) if x != 0), 0)
        d = dep.distance[k] if dep.distance else None
        loops = lc.loops if len(lc.loops) == len(dep.distance) else [lc.loop]
        loop = loops[k] if k < len(loops) else lc.loop
        of = f" of `{loop.index}`" if k > 0 and loop is not None and loop.index else ""
        step = abs((loop.step if loop else 1) or 1)
        prim, oth = (a1, a2)
        if a1.is_write and not a2.is_write:
            prim, oth, d = a2, a1, (-d if d is not None else None)
        if d is None:
            rel = "another iteration"
        else:
            it = abs(d) // step if step else abs(d)
            if loop is not None and (loop.step or 1) < 0:
                d = -d
            if it == 1:
                rel = f"the next iteration{of}" if d > 0 else f"the previous iteration{of}"
            else:
                rel = f"the iteration {it} steps {'later' if d > 0 else 'earlier'}{of}"
        return prim, oth, rel

    def loop_message(self, prim: Access, oth: Access, rel: str) -> str:
        pk = "read" if not prim.is_write else "written"
        if oth.is_write:
            return f"`{prim.text}` {pk} here is written as `{oth.text}` by {rel}"
        return f"`{prim.text}` {pk} here is read as `{oth.text}` by {rel}"

    def report_scalar(
        self,
        name: str,
        xs: list[ACtx],
        lc: Construct | None,
        f: Function,
        in_target: bool,
        team: Construct | None = None,
    ) -> None:
        accs = sorted((x.acc for x in xs), key=lambda a: a.order)
        if not accs:
            return
        writes = [a for a in accs if a.is_write]
        if not writes:
            return
        holder = lc or team
        ops = {REDUCTION_OPS.get(a.update_op or "") for a in accs}
        is_update = all(a.update_op in REDUCTION_OPS for a in accs) and len(ops) == 1 and None not in ops
        first = accs[0]
        scalar = all(a.is_scalar for a in accs)
        fixes: list[Fix] = []
        in_callee = any(id(a) in self.proxies for a in accs)
        if name in self.cross_team:
            kind = "shared-write"
            msg = (
                f"`{name}` is updated inside `critical`, but a critical section excludes only the threads of one "
                f"team: the teams of this region update it at the same time"
            )
        elif in_callee:
            kind = "shared-write"
            msg = (
                f"`{name}` is one variable for every thread (static or global storage) and the function that "
                f"writes it is called by several threads at the same time without synchronization"
            )
        elif is_update and scalar and holder is not None:
            op = ops.pop() or "+"
            kind = "missing-reduction"
            msg = (
                f"`{name}` is shared and updated by every {'iteration' if lc else 'thread'} without "
                f"synchronization; it needs `reduction({op}:{name})`"
            )
            fx = self.clause_fix(holder, "reduction", f"{op}:{name}", name)
            if fx:
                fixes.append(fx)
        elif (
            first.is_write
            and first.update_op is None
            and not first.conditional
            and scalar
            and holder is not None
            and first.in_call is None
        ):
            used_after = lc is not None and self.used_after(name, holder, f)
            if used_after and lc is not None and _is_ws_loop(lc):
                kind = "missing-lastprivate"
                msg = (
                    f"`{name}` is shared: every iteration writes it and it is read after the loop; "
                    f"it needs `lastprivate({name})`"
                )
                fx = self.clause_fix(holder, "lastprivate", name, name)
            else:
                kind = "missing-private"
                msg = (
                    f"`{name}` is shared but every {'iteration' if lc else 'thread'} writes it before reading it: "
                    f"it should be `private({name})`"
                )
                fx = self.clause_fix(holder, "private", name, name)
            if fx:
                fixes.append(fx)
        else:
            kind = "shared-write"
            who = "iterations" if lc else "threads"
            msg = f"`{name}` is shared and written by several {who} at the same time without synchronization"
        if (is_update or kind == "shared-write") and not in_callee and name not in self.cross_team:
            fx = self.atomic_fix(writes, accs)
            if fx:
                fixes.append(fx)
        if in_target:
            kind = "target"
        prim = next((a for a in writes if a.update_op is None), writes[0])
        others = [a for a in accs if a is not prim and a.line != prim.line][:3]
        if not others:
            others = [a for a in accs if a is not prim][:3] or [prim]
        self.add(Race(kind, name, prim, others, msg, 0.9, fixes))

    def report_replicated(
        self, name: str, pairs: list, team: Construct | None, f: Function, xs: list[ACtx], in_target: bool
    ) -> None:
        rep = [x for x in xs if x.loopc is None and x.single is None and x.section is None and x.task is None]
        writers = [x for x in rep if x.acc.is_write]
        if writers and all(x.tid_guard is not None for x in writers):
            # written on one thread's branch only: the race is with the other threads' accesses
            x, y = min(pairs, key=lambda p: not (p[0].acc.is_write and p[1].acc.is_write))
            w, o = (x, y) if x.acc.is_write and x.tid_guard is not None else (y, x)
            ok = "written" if o.acc.is_write else "read"
            msg = (
                f"`{w.acc.text}` written here by thread {w.tid_guard} only may run while another thread "
                f"accesses `{o.acc.text}` ({ok}): no barrier separates them"
            )
            kind = "target" if in_target else "shared-write"
            self.add(Race(kind, name, w.acc, [o.acc] if o.acc is not w.acc else [], msg, 0.85))
            return
        if all(x.acc.is_scalar for x in rep) or all(
            all(e is not None and e.is_const for e in x.acc.subscripts) for x in rep
        ):
            self.report_scalar(name, rep, None, f, in_target, team)
            return
        x, y = pairs[0]
        prim, oth = (y.acc, x.acc) if y.acc.is_write and not x.acc.is_write else (x.acc, y.acc)
        msg = f"every thread writes `{prim.text}` and no subscript depends on the thread: the threads write the same elements"
        self.add(_pair_race("target" if in_target else "shared-write", name, prim, oth, msg, 0.85))

    def used_after(self, name: str, holder: Construct, f: Function) -> bool:
        for a in f.accesses:
            if a.name == name and a.start >= holder.end:
                return not a.is_write or a.update_op is not None
        return False

    def pair_message(self, kind: str, prim: Access, oth: Access, x: ACtx, y: ACtx) -> str:
        pk = "written" if prim.is_write else "read"
        ok = "written" if oth.is_write else "read"
        if prim is oth:
            return f"`{prim.text}` is {pk} by several threads at the same time"
        if kind == "nowait":
            return (
                f"`{prim.text}` {pk} here may run while `{oth.text}` is {ok} by another thread: "
                f"`nowait` removed the barrier between them"
            )
        if kind == "single-no-barrier":
            blk = x.single or y.single
            bname = blk.name if blk is not None else "single"
            if (x.single is not None and x.acc is prim) or (y.single is not None and y.acc is prim):
                return (
                    f"`{prim.text}` {pk} here in the `{bname}` block may run while other threads access "
                    f"`{oth.text}` ({ok}): there is no barrier between them"
                )
            return (
                f"`{prim.text}` {pk} here by every thread may run while the `{bname}` block accesses "
                f"`{oth.text}` ({ok}): there is no barrier between them"
            )
        if kind in ("task", "target"):
            return (
                f"`{prim.text}` {pk} here may run at the same time as `{oth.text}` ({ok}): no `depend` "
                f"clause, `taskwait` or `taskgroup` orders them"
            )
        if kind == "indirect":
            return f"`{prim.text}` {pk} here may touch the same element as `{oth.text}` in another thread"
        if x.criticals or y.criticals:
            return f"`{prim.text}` {pk} here and `{oth.text}` {ok} are not protected by the same critical section"
        return f"`{prim.text}` {pk} here may run at the same time as `{oth.text}` {ok} by another thread"

    def clause_fix(self, c: Construct, clause: str, arg: str, var: str) -> Fix | None:
        d = c.directive
        key = var.lower() if self.fortran else var
        for cl in c.clauses:
            if key in {
                (datasharing._items([i])[0].lower() if self.fortran else datasharing._items([i])[0])
                for i in cl.items
            }:
                return None  # already listed in another data-sharing clause: adding one would be invalid
        if c.clause("default") is not None and clause == "private":
            pass
        pos = d.name_span.end
        # the name span must end on the directive's first line for a safe edit
        edit = Edit(Span(pos, pos), f" {clause}({arg})")
        return Fix(f"Add `{clause}({arg})` to the `{d.name}` directive", (edit,), preferred=True)

    def atomic_fix(self, writes: list[Access], accs: list[Access]) -> Fix | None:
        stmts = []
        for w in writes:
            st = w.stmt
            if st is None or w.update_op is None:
                return None
            stmts.append(st)
        reads_elsewhere = [
            a for a in accs if not a.is_write and a.stmt is not None and all(a.stmt.id != s.id for s in stmts)
        ]
        if reads_elsewhere:
            return None
        edits = []
        seen = set()
        for st in stmts:
            if st.id in seen:
                continue
            seen.add(st.id)
            if not self.fortran and (st.parent is None or st.parent.type != "compound_statement"):
                return None
            span = self.src.node_span(st)
            line = self.src.lines[span.start.line]
            if line[: span.start.col].strip():
                return None
            indent = line[: span.start.col]
            text = "#pragma omp atomic\n" if not self.fortran else "!$omp atomic\n"
            edits.append(Edit(Span(Pos(span.start.line, 0), Pos(span.start.line, 0)), indent + text))
        if not edits:
            return None
        return Fix("Wrap the update in `atomic`", tuple(edits))


def _pair_race(kind: str, name: str, prim: Access, oth: Access, msg: str, confidence: float) -> Race:
    """A race between two accesses, reported at ``prim`` (no related access when both are one)."""
    return Race(kind, name, prim, [oth] if oth is not prim else [], msg, confidence)
