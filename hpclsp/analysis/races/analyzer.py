"""The race analysis of one file: per team (``parallel``/``teams``), orphaned worksharing loop,
loose tasks and simd loop, build the contexts of the shared accesses and compare them pairwise
within the work budget."""

from __future__ import annotations

import dataclasses

from hpclsp.analysis.ir import (
    Access,
    Construct,
    Function,
)
from hpclsp.analysis.openmp import datasharing
from hpclsp.analysis.races import calls, pointers, tasks, threads
from hpclsp.analysis.races.budget import Exhausted
from hpclsp.analysis.races.model import (
    ACtx,
    Race,
    _is_team,
    _is_ws_loop,
)
from hpclsp.analysis.races.report import Reporter


class Analyzer(Reporter):
    """Finds every race of a file (``run``)."""

    def run(self) -> list[Race]:
        ir = self.ir
        teams = [c for c in ir.constructs if _is_team(c) and not c.standalone]
        orphans: list[tuple[Function, Construct]] = []
        for f in ir.functions:
            fteams = [t for t in teams if f.node.start_byte <= t.start < f.node.end_byte]
            for c in f.constructs:
                if (
                    _is_ws_loop(c)
                    and (c.has("for") or c.has("do"))
                    and not _is_team(c)
                    and not c.has("taskloop")
                    and not any(t.contains(c.start) for t in fteams)
                    and not any(o.contains(c.start) for o in f.constructs if o is not c and _is_ws_loop(o))
                ):
                    orphans.append((f, c))
                    self.orphans.add(id(c))
                    self.ws_callees.add(f.name.lower() if self.fortran else f.name)
        skip = _Unfocused(self) if self.focus is not None else None
        for f in ir.functions:
            fteams = [t for t in teams if f.node.start_byte <= t.start < f.node.end_byte]
            for t in fteams:
                if skip is None or not skip.team(f, t):
                    self.team(f, t, fteams)
            # tasks and target nowait outside any team: the initial thread with its tasks
            loose = [
                c for c in f.constructs if _is_task_like(c) and not any(t.contains(c.start) for t in fteams)
            ]
            if loose:
                self.team(f, None, fteams)
            # simd loops outside any team: the lanes of one thread
            for c in f.constructs:
                if (
                    c.has("simd")
                    and c.loops
                    and not _is_team(c)
                    and not any(t.contains(c.start) for t in fteams)
                    and (skip is None or not skip.team(f, c))
                ):
                    self.team(f, c, fteams)
        for f, c in orphans:
            if skip is not None and skip.team(f, c):
                continue
            fteams = [t for t in teams if f.node.start_byte <= t.start < f.node.end_byte]
            self.team(f, c, fteams)
        return self.races

    def orphan_private(self, a: Access, f: Function) -> bool:
        """In an orphaned worksharing loop: the function's own non-static locals belong to each thread's call."""
        d = self.ir.decl(a.base, a.start)
        if d is None:
            return False
        if d.storage == "local":
            return not d.is_pointer or not a.subscripts
        if d.storage == "param" and not self.fortran:
            return not (d.is_pointer or d.is_array) or not a.subscripts
        return False

    def actx(self, a: Access, team: Construct | None, f: Function) -> ACtx:
        """Where access ``a`` sits in ``team``: its enclosing constructs, synchronization and thread guard."""
        ch = self.chain(a.start, team)
        x = ACtx(a, ch)
        crit: set[str] = set()
        for c in ch:
            _note_sync(x, c, crit)
            _note_enclosing(x, c)
        if team is not None:
            p = team.parent
            while p is not None:
                if p.has("target"):
                    x.in_target = True
                p = p.parent
        x.criticals = frozenset(crit)
        if team is not None and _is_team(team) and self.asks_thread_id(f):
            tids = {t for t in f.thread_ids if self.private_tid(t, a.start, team, f)}
            if tids:
                br = threads.thread_branch(self.src, a, tids, team.start)
                if br is not None:
                    x.tid_guard, x.block = br[0], (br[1], br[2])
        x.locks = frozenset(self.locks_held(f, a.start, x.tid_guard))
        if x.block is None and x.section is not None:
            x.block = (x.section.start, x.section.end)
        return x

    def team(self, f: Function, team: Construct | None, fteams: list[Construct]) -> None:
        """The races of one team (or of the code outside every team when ``team`` is None) in ``f``."""
        accs = self.team_accesses(f, team, fteams)
        bars = self.barriers(team, f)
        extra: list[ACtx] = []
        if team is not None and _is_team(team):
            extra = self.callee_ctxs(f, team, fteams, bars) + self.reduction_ctxs(f, team, bars)
        same = pointers.equal_pointers(self.ir, f, team) if team is not None and _is_team(team) else {}
        written = _written_names(accs, extra, same)
        ctxs: list[ACtx] = []
        for a in accs:
            if a.name in written and not self.not_racing(a, team, f):
                ctxs.extend(self.access_ctxs(a, team, f, bars))
        ctxs.extend(extra)
        if same:  # ``a = b`` reaches the region: a[...] and b[...] are one array
            for x in ctxs:
                pname = pointers.written_name(x.acc, same)
                rep = same.get(pname, pname)
                if rep != x.acc.name and (pname in same or pname in same.values()):
                    x.acc = dataclasses.replace(x.acc, name=rep, base=rep)
        self.compare(ctxs, team, f, bars)

    def team_accesses(self, f: Function, team: Construct | None, fteams: list[Construct]) -> list[Access]:
        """The accesses a team runs itself (not those of teams nested in it); with ``team`` None, those
        outside every team of ``f``."""
        if team is None:
            return [a for a in f.accesses if not any(t.contains(a.start) for t in fteams)]
        inner_teams = [t for t in fteams if t is not team and team.contains(t.start) and t.start > team.start]
        return [
            a
            for a in self.accesses_between(f, team.start, team.end)
            if not any(t.contains(a.start) for t in inner_teams)
        ]

    def not_racing(self, a: Access, team: Construct | None, f: Function) -> bool:
        """Accesses that never take part in a race of the team: the worksharing loop's own index,
        calls of orphaned worksharing callees, private data."""
        if (
            team is not None
            and team.loop is not None
            and a.stmt is not None
            and a.stmt.id == team.loop.node.id
        ):
            # the worksharing loop's own header (its index is private)
            if a.base == team.loop.index:
                return True
        if a.in_call is not None and (a.in_call.lower() if self.fortran else a.in_call) in self.ws_callees:
            return True  # the callee shares its work among the team (orphaned worksharing, analysed there)
        if not self.sharing(a.base, a.start, team, f).shared:
            return True
        return team is not None and id(team) in self.orphans and self.orphan_private(a, f)

    def access_ctxs(self, a: Access, team: Construct | None, f: Function, bars: list[int]) -> list[ACtx]:
        """The contexts of one shared access: its own, or what a visible callee does with the argument."""
        if a.in_call is not None and team is not None and _is_team(team):
            through = self.argument_ctxs(a, f, team, bars)
            if through is not None:
                return through  # what the visible callee does with the argument replaces the guess
        x = self.actx(a, team, f)
        x.phase = sum(1 for b in bars if b <= a.start)
        return [x]

    def compare(self, ctxs: list[ACtx], team: Construct | None, f: Function, bars: list[int]) -> None:
        """Compare the contexts of each variable pairwise within the function's work budget and
        report the races found (variables with few accesses first)."""
        by_name: dict[str, list[ACtx]] = {}
        for x in ctxs:
            by_name.setdefault(x.acc.name, []).append(x)
        key = id(f)
        # variables with few accesses first: past the budget, the common small cases are still checked
        for name, xs in sorted(by_name.items(), key=lambda kv: len(kv[1])):
            if not any(x.acc.is_write for x in xs) or self.budget.over(key):
                continue
            pairs = []
            for i, x in enumerate(xs):
                for y in xs[i:]:
                    if not (x.acc.is_write or y.acc.is_write):
                        continue
                    if x is y and not x.acc.is_write:
                        continue
                    if not self.budget.charge(key):
                        self.budget.give_up(key, f.name, f.span.start.line)
                        break
                    try:
                        verdict = self.concurrent(x, y, team, f, bars)
                    except Exhausted:  # a dependence test inside the pair used up the rest
                        self.budget.give_up(key, f.name, f.span.start.line)
                        break
                    if verdict is not None:
                        pairs.append((x, y, verdict))
                if self.budget.over(key):
                    break
            if pairs and not self.budget.over(key):
                self.report(name, pairs, team, f, xs)

    def callee_ctxs(
        self, f: Function, team: Construct, fteams: list[Construct], bars: list[int]
    ) -> list[ACtx]:
        """Contexts of the statics/globals that functions called inside the team touch (placed at the call)."""
        inner = [t for t in fteams if t is not team and team.contains(t.start) and t.start > team.start]
        sites = [
            (name, node.start_byte)
            for name, node in f.calls
            if team.contains(node.start_byte) and not any(t.contains(node.start_byte) for t in inner)
        ]
        out = []
        for ca in calls.callee_accesses(self.ir, f, sites, self.ws_callees):
            x = self.actx(ca.proxy, team, f)
            own = self.actx(ca.original, None, ca.callee)  # critical/atomic/locks inside the callee
            x.criticals = x.criticals | own.criticals
            x.atomic = x.atomic or own.atomic
            x.locks = x.locks | own.locks
            x.phase = sum(1 for b in bars if b <= ca.proxy.start)
            self.proxies.add(id(ca.proxy))
            out.append(x)
        return out

    def argument_ctxs(self, a: Access, f: Function, team: Construct, bars: list[int]) -> list[ACtx] | None:
        """Contexts of the callee's accesses through the dummy bound to the actual argument ``a``
        (with the callee's own critical/atomic/locks), or None when the callee is not visible."""
        fortran = self.fortran
        key = a.in_call.lower() if fortran and a.in_call else a.in_call
        site = None
        for n, node in f.calls:
            if (n.lower() if fortran else n) == key and node.start_byte <= a.start < node.end_byte:
                if site is None or node.start_byte >= site.start_byte:
                    site = node
        if site is None:
            return None
        eff = calls.argument_effect(self.ir, f, a, site, self.ws_callees)
        if eff is None:
            return None
        if eff.by_value:
            x = self.actx(dataclasses.replace(a, kind="R") if a.is_write else a, team, f)
            x.phase = sum(1 for b in bars if b <= a.start)
            return [x]
        dummy, actual = eff.rename
        out = []
        for ca in eff.accesses:
            x = self.actx(ca.proxy, team, f)
            own = self.actx(ca.original, None, ca.callee)
            x.criticals = x.criticals | own.criticals
            x.atomic = x.atomic or own.atomic
            x.locks = x.locks | {
                actual + lk[len(dummy) :] if lk.startswith(dummy) else lk for lk in own.locks
            }
            x.phase = sum(1 for b in bars if b <= a.start)
            out.append(x)
        return out

    def reduction_ctxs(self, f: Function, team: Construct, bars: list[int]) -> list[ACtx]:
        """The combining write of each ``reduction`` item of a worksharing construct of the team.

        Each thread adds its private copy into the shared variable at the end of the construct (safely
        among themselves, hence ``atomic``), before the construct's barrier: a ``master`` or ``nowait``
        access to the variable in the same phase races with it."""
        out = []
        for c in f.constructs:
            if c is team or not team.contains(c.start) or self.nearest_team(c) is not team:
                continue
            if not (_is_ws_loop(c) or c.has("sections")) or c.has("parallel") or c.has("taskloop"):
                continue
            for cl in c.clauses:
                if cl.name != "reduction":
                    continue
                for k, item in enumerate(cl.items):
                    name = datasharing._items([item])[0]
                    key = name.lower() if self.fortran else name
                    if not self.sharing(key, team.start, team, f).shared:
                        continue
                    span = cl.item_spans[k] if k < len(cl.item_spans) else c.span
                    node = calls.AtByte(c.start, c.stmt if c.stmt is not None else f.node)
                    acc = Access(key, key, "W", [], span, node, None, f, text=name)  # type: ignore[arg-type]
                    x = self.actx(acc, team, f)
                    x.atomic = True
                    x.phase = sum(1 for b in bars if b <= c.start)
                    out.append(x)
        return out


class _Unfocused:
    """Which teams of a file cannot give a race whose primary access lies on the analyzer's ``focus``
    lines, so that a caller asking only about those lines (the advisor's vetting) skips them.

    A team's races have their primary access inside the team (its accesses, or the reduction items of
    its directives), except through calls of functions of the file (the callee's accesses) and through
    ``critical`` sections in a league of teams (a variable marked for every later report): a team with
    neither and with no byte on the focus lines is skipped. The budget is per function and the other
    caches are per question, so the races of the teams analysed stay the same."""

    def __init__(self, an: Analyzer) -> None:
        starts = [*an.src.line_byte_starts, len(an.src.data) + 1]
        last = len(starts) - 2
        focus = an.focus or []
        self.ranges = [(starts[min(lo, last)], starts[min(hi, last) + 1]) for lo, hi in focus if lo <= hi]
        self.never = any(c.has("teams") for c in an.ir.constructs)
        fortran = an.fortran
        self.local = {g.name.lower() if fortran else g.name for g in an.ir.functions}
        self.fortran = fortran

    def team(self, f: Function, t: Construct) -> bool:
        """Whether the team (or orphaned/simd construct) ``t`` of ``f`` can be left out."""
        if self.never:
            return False
        lo, hi = min(t.span_byte, t.start), t.end
        if any(a < hi and lo < b for a, b in self.ranges):
            return False
        return not any(
            lo <= node.start_byte < hi and (name.lower() if self.fortran else name) in self.local
            for name, node in f.calls
        )


_SINGLE_NAMES = ("single", "master", "masked", "parallel master", "parallel masked")


def _is_task_like(c: Construct) -> bool:
    """Code that may run as a deferred task: ``task``, ``taskloop``, ``target nowait``."""
    return c.has("task") or c.has("taskloop") or (c.has("target") and c.clause("nowait") is not None)


def _note_sync(x: ACtx, c: Construct, crit: set[str]) -> None:
    """Record what an enclosing construct ``c`` adds to the synchronization of ``x`` (critical names into ``crit``)."""
    if c.has("atomic"):
        x.atomic = True
    elif c.name == "critical":
        crit.add((c.directive.argument or "").strip().lower())
    elif c.name == "ordered":
        x.ordered = True
    if c.has("target"):
        x.in_target = True


def _note_enclosing(x: ACtx, c: Construct) -> None:
    """Record ``c`` as the innermost loop, single, section, workshare or task around ``x`` when it is one
    (``c`` runs from the innermost construct outwards)."""
    if x.loopc is None and c.loops:
        # the innermost worksharing loop, even around a nested simd loop (its lanes belong to one thread)
        if _is_ws_loop(c):
            x.loopc = c
        elif c.has("simd") and x.simdc is None:
            x.simdc = c
    if x.single is None and c.name in _SINGLE_NAMES:
        x.single = c
    if x.section is None and (c.name == "section" or (c.has("sections") and not c.standalone)):
        x.section = c  # code of a sections construct outside every section is its one implicit section
    if x.ws is None and c.has("workshare"):
        x.ws = c
    if x.task is None and _is_task_like(c) and not tasks.undeferred(c):
        x.task = c


def _written_names(accs: list[Access], extra: list[ACtx], same: dict[str, str]) -> set[str]:
    """The variables written somewhere in the team (only those can race; a call may write its arguments),
    with every name of a pointer class (``same``) of which one name is written."""
    written = {a.name for a in accs if a.is_write or a.in_call is not None} | {x.acc.name for x in extra}
    if same:
        names = {pointers.written_name(a, same) for a in accs if a.is_write or a.in_call is not None}
        classes = {same.get(n, n) for n in names | written}
        written |= {a.name for a in accs if same.get(pointers.written_name(a, same), "") in classes}
        written |= {a.name for a in accs if pointers.written_name(a, same) in classes}
    return written
