"""Data races in OpenMP code (``omp-race-*``), for C/C++ and Fortran.

One analysis per file (cached in ``source.cache["omp_race"]``) finds every pair of conflicting
accesses to a shared variable that two threads (or two tasks, or two SIMD lanes) may execute
at the same time; each rule below reports the races of one kind. The analysis works per team
(``parallel`` / ``teams`` construct): it resolves data sharing (``datasharing.py``), splits the
region into barrier phases (explicit ``barrier``, implicit barriers at the end of worksharing
constructs without ``nowait``), and decides concurrency of each pair from the constructs they
sit in (worksharing loop iterations via ``dependence.test``, ``single``/``master``, ``sections``,
tasks with ``depend``/``taskwait``/``taskgroup``), minus mutual exclusion (``critical`` with the
same name, ``atomic``, ``omp_set_lock``/``omp_unset_lock``, ``ordered``).
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Iterable
from typing import Any

from hpclsp.analysis import datasharing, dependence
from hpclsp.analysis.engine import Context
from hpclsp.analysis.findings import Edit, Finding, Fix, Pos, Related, Severity, Span
from hpclsp.analysis.loops import (
    THREAD_NUM_SYMBOL,
    Access,
    Affine,
    Construct,
    FileIR,
    Function,
    Loop,
    build_ir,
    index_guard,
)
from hpclsp.analysis.races import calls, indexsets, pointers, tasks, threads
from hpclsp.analysis.races.budget import WorkBudget
from hpclsp.analysis.rules import rule
from hpclsp.analysis.source import SourceFile

KINDS = (
    "loop-carried",
    "shared-write",
    "missing-private",
    "missing-reduction",
    "missing-lastprivate",
    "nowait",
    "single-no-barrier",
    "task",
    "target",
    "indirect",
)
REDUCTION_OPS = {
    "+": "+",
    "-": "+",
    "*": "*",
    "&": "&",
    "|": "|",
    "^": "^",
    "&&": "&&",
    "||": "||",
    "max": "max",
    "min": "min",
    ".and.": ".and.",
    ".or.": ".or.",
}
WS_LOOP_WORDS = ("for", "do", "distribute", "taskloop", "loop")


@dataclasses.dataclass
class Race:
    """One reported race: a primary access, the conflicting ones, and how to fix it."""

    kind: str
    var: str
    primary: Access
    others: list[Access]
    message: str
    confidence: float = 0.9
    fixes: list[Fix] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(eq=False)
class ACtx:
    """Where an access sits inside its team."""

    acc: Access
    chain: list[Construct]
    loopc: Construct | None = None  # innermost thread-worksharing loop construct
    simdc: Construct | None = None  # a simd-only loop construct
    single: Construct | None = None
    section: Construct | None = None
    task: Construct | None = None
    criticals: frozenset[str] = frozenset()
    atomic: bool = False
    ordered: bool = False
    locks: frozenset[str] = frozenset()
    phase: int = 0
    in_target: bool = False
    ws: Construct | None = None  # enclosing workshare / parallel workshare
    tid_guard: int | None = None  # runs only on the thread with this id (``if (tid == c)``)
    #: byte extent of the code one thread runs alone (its ``section``, or its ``if (tid == c)`` branch)
    block: tuple[int, int] | None = None


def _is_team(c: Construct) -> bool:
    return c.has("parallel") or c.has("teams")


def _is_ws_loop(c: Construct) -> bool:
    return bool(c.loops) and any(c.has(w) for w in WS_LOOP_WORDS)


def analyze(source: SourceFile) -> list[Race]:
    """All races in a file (cached)."""
    cached = source.cache.get("omp_race")
    if cached is None:
        an = _Analyzer(source)
        cached = an.run()
        source.cache["omp_race"] = cached
        source.cache["omp_race_incomplete"] = sorted(an.budget.exhausted.values(), key=lambda t: t[1])
    return cached


def incomplete(source: SourceFile) -> list[tuple[str, int]]:
    """(function name, 0-based line) of the functions whose race analysis ran out of budget."""
    analyze(source)
    return list(source.cache.get("omp_race_incomplete", []))


class _Analyzer:
    def __init__(self, source: SourceFile) -> None:
        self.src = source
        self.ir: FileIR = build_ir(source)
        self.fortran = source.language == "fortran"
        self.races: list[Race] = []
        self.seen: set[tuple[str, str, int]] = set()
        #: orphaned worksharing loops (no enclosing team in their function): analysed as their own region
        self.orphans: set[int] = set()
        #: functions of this file that contain orphaned worksharing (calls to them are not replicated work)
        self.ws_callees: set[str] = set()
        self.variant_cache: dict[int, set[str]] = {}
        self.budget = WorkBudget()
        self.tid_cache: dict[int, bool] = {}
        self.lock_guards: dict[int, int | None] = {}
        self.shadow_cache: dict[int, list[Loop]] = {}
        #: variables whose critical sections sit in a league of teams (they do not exclude across teams)
        self.cross_team: set[str] = set()
        self.by_start: dict[int, tuple[list[int], list[Access]]] = {}
        #: ids of callee accesses placed at their call sites (``races.calls``)
        self.proxies: set[int] = set()
        self.guard_cache: dict[tuple[int, str, int], int | None] = {}

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
        for f in ir.functions:
            fteams = [t for t in teams if f.node.start_byte <= t.start < f.node.end_byte]
            for t in fteams:
                self.team(f, t, fteams)
            # tasks and target nowait outside any team: the initial thread with its tasks
            loose = [
                c
                for c in f.constructs
                if (
                    c.has("task") or (c.has("target") and c.clause("nowait") is not None) or c.has("taskloop")
                )
                and not any(t.contains(c.start) for t in fteams)
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
                ):
                    self.team(f, c, fteams)
        for f, c in orphans:
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

    # -- contexts -------------------------------------------------------------------------
    def chain(self, byte: int, team: Construct | None) -> list[Construct]:
        return datasharing.enclosing(self.ir, byte, team)

    def actx(self, a: Access, team: Construct | None, f: Function) -> ACtx:
        ch = self.chain(a.start, team)
        x = ACtx(a, ch)
        crit = set()
        for c in ch:
            if c.has("atomic"):
                x.atomic = True
            elif c.name == "critical":
                crit.add((c.directive.argument or "").strip().lower())
            elif c.name == "ordered":
                x.ordered = True
            if x.loopc is None and c.loops:
                # the innermost worksharing loop, even around a nested simd loop (its lanes belong to one thread)
                if _is_ws_loop(c):
                    x.loopc = c
                elif c.has("simd") and x.simdc is None:
                    x.simdc = c
            if x.single is None and c.name in (
                "single",
                "master",
                "masked",
                "parallel master",
                "parallel masked",
            ):
                x.single = c
            if x.section is None and (c.name == "section" or (c.has("sections") and not c.standalone)):
                x.section = (
                    c  # code of a sections construct outside every section is its one implicit section
                )
            if x.ws is None and c.has("workshare"):
                x.ws = c
            if (
                x.task is None
                and (
                    c.has("task") or c.has("taskloop") or (c.has("target") and c.clause("nowait") is not None)
                )
                and not tasks.undeferred(c)
            ):
                x.task = c
            if c.has("target"):
                x.in_target = True
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
                br = threads.thread_branch(a, tids, team.start, self.fortran)
                if br is not None:
                    x.tid_guard, x.block = br[0], (br[1], br[2])
        x.locks = frozenset(self.locks_held(f, a.start, x.tid_guard))
        if x.block is None and x.section is not None:
            x.block = (x.section.start, x.section.end)
        return x

    def handed_off(self, x: ACtx, y: ACtx, f: Function) -> bool:
        """``x`` happens before ``y`` through a flag: after ``x`` its thread writes a flag atomically, and
        before ``y`` the other thread spins in a loop on an atomic read of that flag."""
        if (
            x.block is None
            or y.block is None
            or x.block == y.block
            or x.task is not None
            or y.task is not None
        ):
            return False
        if not (x.acc.start < x.block[1] and y.acc.start < y.block[1]):
            return False
        posts = {
            a.base
            for a in f.accesses
            if a.is_write and x.acc.start < a.start < x.block[1] and self.in_atomic(a.start)
        }
        if not posts:
            return False
        for lp in f.loops:
            if not (y.block[0] <= lp.node.start_byte and lp.node.end_byte <= y.acc.start):
                continue
            for a in f.accesses:
                if (
                    not a.is_write
                    and a.base in posts
                    and lp.node.start_byte <= a.start < lp.node.end_byte
                    and self.in_atomic(a.start)
                ):
                    return True
        return False

    def lock_handoff(self, x: ACtx, y: ACtx, f: Function, bars: list[int]) -> bool:
        """``x`` happens before ``y`` through a lock: ``x``'s thread acquired lock L before a barrier and holds
        it at ``x``; ``y``'s thread acquires L after that barrier, before ``y``, so it waits for the release."""
        if x.tid_guard is None or y.tid_guard is None or x.tid_guard == y.tid_guard or y.block is None:
            return False
        for lk in x.locks:
            sets = [p for kind, name, p in f.lock_calls if name == lk and kind == "set" and p < x.acc.start]
            if not sets:
                continue
            first = sets[-1]
            if not any(first < b <= x.acc.start for b in bars):
                continue
            if self.guard_at(first, f) != x.tid_guard:
                continue
            for kind, name, p in f.lock_calls:
                if kind == "set" and name == lk and y.block[0] <= p < y.acc.start:
                    if any(first < b <= p for b in bars):
                        return True
        return False

    def lock_guard(self, pos: int, f: Function) -> int | None:
        """``guard_at`` of a lock call, computed once per call."""
        if pos not in self.lock_guards:
            self.lock_guards[pos] = self.guard_at(pos, f)
        return self.lock_guards[pos]

    def guard_at(self, byte: int, f: Function) -> int | None:
        """The thread id of the ``if (tid == c)`` branch the code at ``byte`` runs under."""
        node = self.src.tree.root_node.descendant_for_byte_range(byte, byte)
        if node is None:
            return None
        probe = dataclasses.replace(f.accesses[0], node=node) if f.accesses else None
        if probe is None:
            return None
        tids = {
            t
            for t in f.thread_ids
            if t == THREAD_NUM_SYMBOL or not datasharing.resolve(self.ir, t, byte, None, f).shared
        }
        return threads.thread_guard(probe, tids, f.node.start_byte, self.fortran)

    def league(self, x: ACtx) -> bool:
        """The access runs in a ``teams`` region of several teams, around its ``critical``: the critical
        section binds to one team (contention group) and does not exclude the other teams."""
        for c in x.chain:
            if c.has("teams"):
                nt = c.clause("num_teams")
                return not (nt is not None and (nt.args or "").strip() == "1")
        return False

    def in_atomic(self, byte: int) -> bool:
        """Whether the byte lies in an ``atomic`` construct."""
        return any(c.has("atomic") for c in self.chain(byte, None))

    def accesses_between(self, f: Function, start: int, end: int) -> list[Access]:
        """The function's accesses starting in [start, end), in evaluation order (bisect on a sorted index)."""
        idx = self.by_start.get(id(f))
        if idx is None:
            ordered = sorted(f.accesses, key=lambda a: a.start)
            idx = self.by_start[id(f)] = ([a.start for a in ordered], ordered)
        lo, hi = bisect.bisect_left(idx[0], start), bisect.bisect_left(idx[0], end)
        return sorted(idx[1][lo:hi], key=lambda a: a.order)

    def asks_thread_id(self, f: Function) -> bool:
        """Whether the function calls ``omp_get_thread_num`` (only then can a branch depend on the thread id)."""
        got = self.tid_cache.get(id(f))
        if got is None:
            got = self.tid_cache[id(f)] = any(n.lower() == "omp_get_thread_num" for n, _ in f.calls)
        return got

    def locks_held(self, f: Function, byte: int, guard: int | None = None) -> set[str]:
        """Locks held at ``byte`` by the thread running it: lock calls on another thread's ``if (tid == c)``
        branch do not count (``guard``: the thread id the code at ``byte`` is restricted to, if any)."""
        held: dict[str, bool] = {}
        branches = self.asks_thread_id(f)
        for kind, lk, pos in sorted(f.lock_calls, key=lambda t: t[2]):
            if pos > byte:
                break
            if branches:
                g = self.lock_guard(pos, f)
                if g is not None and g != guard:
                    continue
            if kind in ("set", "test"):
                held[lk] = True
            else:
                held[lk] = False
        return {k for k, v in held.items() if v}

    def barriers(self, team: Construct | None, f: Function) -> list[int]:
        if team is None:
            return []
        out = []
        for c in f.constructs:
            if not team.contains(c.start) or c is team:
                continue
            if self.nearest_team(c) is not team:
                continue
            if c.name == "barrier":
                out.append(c.start)
            elif c.name in ("single", "sections", "workshare") or (
                _is_ws_loop(c) and (c.has("for") or c.has("do")) and not c.has("taskloop")
            ):
                if c.clause("nowait") is None:
                    out.append(c.end)
        return sorted(out)

    def nearest_team(self, c: Construct) -> Construct | None:
        p = c.parent
        while p is not None:
            if _is_team(p):
                return p
            p = p.parent
        return None

    # -- per team ---------------------------------------------------------------------------
    def team(self, f: Function, team: Construct | None, fteams: list[Construct]) -> None:
        ir = self.ir
        if team is not None:
            inner_teams = [
                t for t in fteams if t is not team and team.contains(t.start) and t.start > team.start
            ]
            accs = [
                a
                for a in self.accesses_between(f, team.start, team.end)
                if not any(t.contains(a.start) for t in inner_teams)
            ]
        else:
            accs = [a for a in f.accesses if not any(t.contains(a.start) for t in fteams)]
        bars = self.barriers(team, f)
        ctxs: list[ACtx] = []
        extra: list[ACtx] = []
        if team is not None and _is_team(team):
            extra = self.callee_ctxs(f, team, fteams, bars) + self.reduction_ctxs(f, team, bars)
        # only variables written somewhere in the team can race (a call may write its arguments)
        written = {a.name for a in accs if a.is_write or a.in_call is not None} | {x.acc.name for x in extra}
        same = pointers.equal_pointers(ir, f, team) if team is not None and _is_team(team) else {}
        if same:
            names = {pointers.written_name(a, same) for a in accs if a.is_write or a.in_call is not None}
            classes = {same.get(n, n) for n in names | written}
            written |= {a.name for a in accs if same.get(pointers.written_name(a, same), "") in classes}
            written |= {a.name for a in accs if pointers.written_name(a, same) in classes}
        for a in accs:
            if a.name not in written:
                continue
            if (
                team is not None
                and team.loop is not None
                and a.stmt is not None
                and a.stmt.id == team.loop.node.id
            ):
                # the worksharing loop's own header (its index is private)
                if a.base == team.loop.index:
                    continue
            if (
                a.in_call is not None
                and (a.in_call.lower() if self.fortran else a.in_call) in self.ws_callees
            ):
                continue  # the callee shares its work among the team (orphaned worksharing, analysed there)
            sh = datasharing.resolve(ir, a.base, a.start, team, f)
            if not sh.shared:
                continue
            if team is not None and id(team) in self.orphans and self.orphan_private(a, f):
                continue
            if a.in_call is not None and team is not None and _is_team(team):
                through = self.argument_ctxs(a, f, team, bars)
                if through is not None:
                    ctxs.extend(through)  # what the visible callee does with the argument replaces the guess
                    continue
            x = self.actx(a, team, f)
            if team is None and x.task is None:
                x.phase = 0
            x.phase = sum(1 for b in bars if b <= a.start)
            ctxs.append(x)
        ctxs.extend(extra)
        if same:  # ``a = b`` reaches the region: a[...] and b[...] are one array
            for x in ctxs:
                pname = pointers.written_name(x.acc, same)
                rep = same.get(pname, pname)
                if rep != x.acc.name and (pname in same or pname in same.values()):
                    x.acc = dataclasses.replace(x.acc, name=rep, base=rep)
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
                    verdict = self.concurrent(x, y, team, f, bars)
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
                    if not datasharing.resolve(self.ir, key, team.start, team, f).shared:
                        continue
                    span = cl.item_spans[k] if k < len(cl.item_spans) else c.span
                    node = calls.AtByte(c.start, c.stmt if c.stmt is not None else f.node)
                    acc = Access(key, key, "W", [], span, node, None, f, text=name)  # type: ignore[arg-type]
                    x = self.actx(acc, team, f)
                    x.atomic = True
                    x.phase = sum(1 for b in bars if b <= c.start)
                    out.append(x)
        return out

    # -- concurrency ---------------------------------------------------------------------------
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
        if x.atomic and y.atomic:
            return None
        if _distinct_constant_elements(x.acc, y.acc):
            return None
        if x.criticals & y.criticals:
            if not (self.league(x) and self.league(y)):
                return None
            self.cross_team.add(x.acc.name)  # critical excludes within one team only
        if x.locks & y.locks:
            return None
        if not self.same_phase(x, y, team, f, bars):
            return None
        if (
            x.task is None
            and y.task is None
            and team is not None
            and _is_team(team)
            and self.thread_distinct(x, y, f, team)
        ):
            return None  # a[tid]: each thread its own element, and one thread runs its accesses in order
        if x.task is None and y.task is None and x.tid_guard is not None and x.tid_guard == y.tid_guard:
            return None  # both under ``if (tid == c)``: one thread runs them, in program order
        if self.handed_off(x, y, f) or self.handed_off(y, x, f):
            return None
        if self.lock_handoff(x, y, f, bars) or self.lock_handoff(y, x, f, bars):
            return None
        if x.task is not None or y.task is not None:
            return self.task_concurrent(x, y, team, f)
        if team is None:
            return None
        if id(team) in self.orphans:
            if x.loopc is team and y.loopc is team:
                return self.loop_pair(x, y, team)
            return None
        if not _is_team(team):  # a simd loop on its own
            if x.simdc is team and y.simdc is team:
                return self.simd_pair(x, y, team)
            return None
        if x.ws is not None and x.ws is y.ws:
            return None  # workshare keeps the Fortran semantics of its statements (spec: implied synchronization)
        if x.ws is not None or y.ws is not None:
            ws = x.ws or y.ws
            assert ws is not None
            return ("nowait", None) if ws.clause("nowait") is not None else ("shared-write", None)
        if x.loopc is not None and x.loopc is y.loopc:
            return self.loop_pair(x, y, x.loopc)
        if x.simdc is not None and x.simdc is y.simdc and x.loopc is None:
            return self.simd_pair(x, y, x.simdc)
        if x.single is not None and x.single is y.single:
            return None
        if x.section is not None and x.section is y.section:
            return None
        if x.loopc is not None and y.loopc is not None:
            if self.same_static_mapping(x, y):
                return None
            return ("nowait", None)
        if x.single is not None or y.single is not None:
            if x.section is not None or y.section is not None:
                return ("shared-write", None)
            return ("single-no-barrier", None)
        if x.section is not None and y.section is not None:
            return ("shared-write", None)
        if x.loopc is not None or y.loopc is not None:
            lc = x.loopc or y.loopc
            other = y if x.loopc is not None else x
            if lc is not None and lc.clause("nowait") is not None and other.acc.start >= lc.end:
                return ("nowait", None)
            if lc is not None and other.acc.start >= lc.end:
                return None if lc.clause("nowait") is None else ("nowait", None)
            return ("shared-write", None)
        if x.section is not None or y.section is not None:
            return ("shared-write", None)
        # both replicated: every thread executes both
        return ("replicated", None)

    def thread_distinct(self, x: ACtx, y: ACtx, f: Function, team: Construct | None = None) -> bool:
        """a[tid] by every thread: distinct elements when the subscripts are equal and involve the thread id.

        The thread-id variable must be private (a shared ``tid`` is itself a race, reported on its own)."""
        s1, s2 = x.acc.subscripts, y.acc.subscripts
        if not s1 or len(s1) != len(s2) or not f.thread_ids:
            return False
        for e1, e2 in zip(s1, s2):
            if e1 is None or e2 is None:
                continue
            tids = e1.vars & f.thread_ids
            if tids and e1 == e2 and all(self.private_tid(t, x.acc.start, team, f) for t in tids):
                return True
        return False

    def private_tid(self, name: str, byte: int, team: Construct | None, f: Function) -> bool:
        """Whether a thread-id variable is private to each thread at byte."""
        if name == THREAD_NUM_SYMBOL:
            return True
        return not datasharing.resolve(self.ir, name, byte, team, f).shared

    def same_static_mapping(self, x: ACtx, y: ACtx) -> bool:
        lx, ly = x.loopc, y.loopc
        if lx is None or ly is None or not lx.loop or not ly.loop:
            return False
        for c in (lx, ly):
            s = c.clause("schedule")
            if s is None or not (s.args or "").lower().replace(" ", "").startswith("static"):
                return False
        a, b = lx.loop, ly.loop
        if (a.lower, a.upper, a.step) != (b.lower, b.upper, b.step) or a.lower is None or a.upper is None:
            return False
        s1 = [e.substitute(a.index or "", _var(b.index)) if e is not None else None for e in x.acc.subscripts]
        return s1 == y.acc.subscripts and bool(s1) and all(e is not None for e in s1)

    def loop_pair(self, x: ACtx, y: ACtx, lc: Construct) -> tuple | None:
        if x.ordered and y.ordered and lc.clause("ordered") is not None:
            return None
        assert lc.loop is not None
        if self.guarded_same_iteration(x.acc, y.acc, lc):
            return None
        variant = self.variant_scalars(lc)
        dep = dependence.test(
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
            return self.simd_pair(x, y, lc)
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

    def guard(self, a: Access, index: str, stop: int) -> int | None:
        """``index_guard`` of an access, computed once per (access, index, stop)."""
        key = (id(a), index, stop)
        if key not in self.guard_cache:
            self.guard_cache[key] = index_guard(a, index, stop)
        return self.guard_cache[key]

    def simd_pair(self, x: ACtx, y: ACtx, lc: Construct) -> tuple | None:
        assert lc.loop is not None
        dep = dependence.test(x.acc, y.acc, lc.loop, loops=lc.loops or None, variant=self.variant_scalars(lc))
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

    def variant_scalars(self, lc: Construct) -> set[str]:
        """Scalars written inside the construct's loop (computed once per construct)."""
        got = self.variant_cache.get(id(lc))
        if got is None:
            got = self.variant_cache[id(lc)] = self._variant_scalars(lc)
        return got

    def _variant_scalars(self, lc: Construct) -> set[str]:
        assert lc.loop is not None
        idx = {
            lp.index
            for lp in self.ir.loops
            if lp.index and lc.loop.node.start_byte <= lp.node.start_byte < lc.loop.node.end_byte
        }
        return {a.base for a in lc.loop.accesses if a.is_write and a.is_scalar and a.base not in idx}

    def private_defs(self, lc: Construct) -> dict:
        """Private scalars defined once from the indices (``int j = 2*i;``) substitute into subscripts."""
        return {}

    def task_concurrent(self, x: ACtx, y: ACtx, team: Construct | None, f: Function) -> tuple | None:
        tx, ty = x.task, y.task
        if team is None and _is_entry(f) and not any(t is not None and t.has("target") for t in (tx, ty)):
            return None  # outside every parallel region of the program's entry only the initial thread runs tasks
        if tx is not None and tx is ty and tx.has("taskloop") and tx.loop is not None and x.loopc is tx:
            return self.loop_pair(x, y, tx)  # the iterations of one taskloop run as concurrent tasks
        if tx is not None and tx is ty:
            if not self.multi_instance(tx, team):
                return None
            lp = self.instance_loop(tx, team)
            if lp is not None and lp.index and not x.acc.is_scalar:
                sh = datasharing.resolve(
                    self.ir, lp.index, tx.start + 1 if tx.start + 1 < tx.end else tx.start, team, f
                )
                if not sh.shared and dependence.test(x.acc, y.acc, lp, variant=self.variant_in(lp)) is None:
                    return None
            if (
                (tx.clause("depend") is not None)
                and x.acc.base in {_dep_base(i) for c in tx.clauses if c.name == "depend" for i in c.items}
                and self.depend_self_ordered(tx, x.acc.base)
                and not tasks.replicated_by_team(tx)
            ):
                return None  # instances generated one after the other by one thread, ordered by their depend
            return ("task", None)
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
            if other.single is not None or team is None:
                return None
            if t.contains(other.acc.start):
                return None
            return None
        if other.acc.start >= t.end and self.waited(t, None, f, upto=other.acc.start):
            return None
        if t.contains(other.acc.start):
            return None
        return ("task", None)

    def instance_loop(self, t: Construct, team: Construct | None):
        """The innermost sequential loop around a task construct (inside the team)."""
        best = None
        for lp in self.ir.loops:
            if lp.contains(t.start) and (team is None or team.contains(lp.node.start_byte)):
                if best is None or lp.node.start_byte > best.node.start_byte:
                    best = lp
        return best

    def variant_in(self, lp) -> set[str]:
        idx = {
            x.index
            for x in self.ir.loops
            if x.index and lp.node.start_byte <= x.node.start_byte < lp.node.end_byte
        }
        return {a.base for a in lp.accesses if a.is_write and a.is_scalar and a.base not in idx}

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
        out: dict[str, set[str]] = {}
        for c in t.clauses:
            if c.name == "depend":
                mod = (c.modifier or "").lower().split(",")[-1].strip()
                for it in c.items:
                    out.setdefault(_dep_base(it), set()).add(mod)
        return out

    # -- reporting ----------------------------------------------------------------------------
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
            self.add(
                Race(
                    "target" if in_target else "indirect",
                    name,
                    prim,
                    [oth] if oth is not prim else [],
                    msg,
                    0.5,
                )
            )
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
        d = dep.carried_distance
        step = abs((lc.loop.step if lc.loop else 1) or 1)
        prim, oth = (a1, a2)
        if a1.is_write and not a2.is_write:
            prim, oth, d = a2, a1, (-d if d is not None else None)
        if d is None:
            rel = "another iteration"
        else:
            it = abs(d) // step if step else abs(d)
            if lc.loop is not None and (lc.loop.step or 1) < 0:
                d = -d
            if it == 1:
                rel = "the next iteration" if d > 0 else "the previous iteration"
            else:
                rel = f"the iteration {it} steps {'later' if d > 0 else 'earlier'}"
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
        self.add(
            Race(
                "target" if in_target else "shared-write",
                name,
                prim,
                [oth] if oth is not prim else [],
                msg,
                0.85,
            )
        )

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

    # -- fixes ----------------------------------------------------------------------------------
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

    def add(self, r: Race) -> None:
        key = (r.kind, r.var, r.primary.start)
        if key in self.seen:
            return
        self.seen.add(key)
        self.races.append(r)


def _is_entry(f: Function) -> bool:
    """The program's entry point (C ``main``, a Fortran ``program`` unit): never called from a parallel region."""
    return f.name == "main" or f.node.type == "program"


def _distinct_constant_elements(a: Access, b: Access) -> bool:
    """``a[0]`` against ``a[1]``: constant subscripts that differ in one dimension never meet."""
    if a.is_scalar or len(a.subscripts) != len(b.subscripts) or a.indirect or b.indirect:
        return False
    for e1, e2 in zip(a.subscripts, b.subscripts):
        if e1 is not None and e2 is not None and e1.is_const and e2.is_const and e1.const != e2.const:
            return True
    return False


def _loop_invariant(a: Access, indices: set[str]) -> bool:
    """Every subscript of the access is the same in all iterations of the parallel loop(s)."""
    for k, e in enumerate(a.subscripts):
        if e is not None:
            if e.vars & indices:
                return False
            continue
        poly = a.polys[k] if k < len(a.polys) else None
        if poly is None or any(set(m) & indices for m, _ in poly.terms):
            return False
    return True


def _var(name: str | None):
    from hpclsp.analysis.loops import Affine

    return Affine.var(name or "")


def _dep_base(item: str) -> str:
    s = item.strip()
    m = re.match(r"[A-Za-z_]\w*", s)
    return (m.group(0) if m else s).lower() if s else s


def _findings(ctx: Context, kind: str) -> Iterable[Finding]:
    code = f"omp-race-{kind}"
    if kind == "indirect" and not ctx.options.low_confidence:
        return []
    out = []
    fortran = ctx.source.language == "fortran"
    for r in analyze(ctx.source):
        if r.kind != kind:
            continue
        accesses = [
            {"line": a.span.start.line, "character": a.span.start.col, "kind": a.kind}
            for a in [r.primary, *r.others]
        ]
        related = [
            Related(a.span, f"conflicting {'write' if a.is_write else 'read'} of `{a.text or a.name}`")
            for a in r.others
        ]
        var = r.var
        out.append(
            Finding(
                code,
                r.message,
                r.primary.span,
                Severity.WARNING,
                related,
                list(r.fixes),
                {
                    "variable": var.lower() if fortran else var,
                    "accesses": accesses,
                    "confidence": r.confidence,
                },
            )
        )
    return out


_COMMON: dict[str, Any] = dict(
    family="omp-race",
    severity=Severity.WARNING,
    languages=("c", "cpp", "cuda", "fortran"),
    # per top-level unit, cached by the engine; reads no option but low_confidence
    scope="unit",
    options=("low_confidence",),
)


@rule(
    "omp-race-loop-carried",
    summary="A worksharing or simd loop whose iterations touch the same array element.",
    what="Finds array accesses in an OpenMP `for`/`do`/`simd`/`taskloop` loop where one iteration writes an element "
    "that another iteration reads or writes (GCD test and exact distances on affine subscripts).",
    why="Iterations run on different threads in any order; the result depends on timing.",
    example="#pragma omp parallel for\nfor (i = 0; i < n - 1; i++)\n  a[i] = a[i + 1] + 1;",
    **_COMMON,
)
def check_loop_carried(ctx: Context) -> Iterable[Finding]:
    """Report loop-carried dependences under worksharing/simd loops."""
    return _findings(ctx, "loop-carried")


@rule(
    "omp-race-shared-write",
    summary="A shared variable written by several threads without synchronization.",
    what="Finds writes to shared variables that several threads may execute at the same time as another access "
    "(no `atomic`, `critical` with the same name, lock, or barrier in between).",
    why="Unsynchronized writes to shared memory are data races: lost updates and torn values.",
    example="#pragma omp parallel\n{\n  count = count * 2;\n}",
    **_COMMON,
)
def check_shared_write(ctx: Context) -> Iterable[Finding]:
    """Report unsynchronized writes to shared variables."""
    return _findings(ctx, "shared-write")


@rule(
    "omp-race-missing-private",
    summary="A temporary written before it is read in each iteration, but shared.",
    what="Finds shared scalars that every iteration (or thread) overwrites before reading: they should be private.",
    why="All threads use one copy of the temporary, so one thread reads the value another wrote.",
    example="#pragma omp parallel for\nfor (i = 0; i < n; i++) {\n  t = a[i];\n  b[i] = t * t;\n}",
    **_COMMON,
)
def check_missing_private(ctx: Context) -> Iterable[Finding]:
    """Report temporaries that need private."""
    return _findings(ctx, "missing-private")


@rule(
    "omp-race-missing-reduction",
    summary="An accumulation into a shared scalar without a reduction clause.",
    what="Finds shared scalars that are only updated with one associative operator (`s += ...`, `p *= ...`).",
    why="Concurrent read-modify-write updates lose contributions; a reduction clause gives each thread a copy.",
    example="#pragma omp parallel for\nfor (i = 0; i < n; i++)\n  sum += a[i];",
    **_COMMON,
)
def check_missing_reduction(ctx: Context) -> Iterable[Finding]:
    """Report accumulations that need reduction."""
    return _findings(ctx, "missing-reduction")


@rule(
    "omp-race-missing-lastprivate",
    summary="A per-iteration value read after the loop, but shared.",
    what="Finds shared scalars written by every iteration of a worksharing loop and read after it.",
    why="Threads overwrite the one shared copy concurrently; `lastprivate` keeps the value of the last iteration.",
    example='#pragma omp parallel for\nfor (i = 0; i < n; i++)\n  last = a[i];\nprintf("%d", last);',
    **_COMMON,
)
def check_missing_lastprivate(ctx: Context) -> Iterable[Finding]:
    """Report values that need lastprivate."""
    return _findings(ctx, "missing-lastprivate")


@rule(
    "omp-race-nowait",
    summary="`nowait` removes the barrier that ordered two dependent accesses.",
    what="Finds accesses in a worksharing construct with `nowait` that conflict with later accesses of the same "
    "region before the next barrier.",
    why="Without the barrier, a fast thread starts the next loop while others are still writing the data it reads.",
    example="#pragma omp for nowait\nfor (i = 0; i < n; i++) a[i] = i;\n#pragma omp for\nfor (i = 0; i < n; i++) b[i] = a[n-1-i];",
    **_COMMON,
)
def check_nowait(ctx: Context) -> Iterable[Finding]:
    """Report races enabled by nowait."""
    return _findings(ctx, "nowait")


@rule(
    "omp-race-single-no-barrier",
    summary="A `single`/`master`/`masked` block conflicts with other threads' accesses without a barrier.",
    what="Finds accesses in `master`/`masked` (no implicit barrier) or `single nowait` blocks that conflict with "
    "accesses of the other threads in the same barrier phase.",
    why="The other threads do not wait for the block: they may read before it writes, or write while it reads.",
    example="#pragma omp master\nx = compute();\nuse(x);  /* other threads read x too early */",
    **_COMMON,
)
def check_single_no_barrier(ctx: Context) -> Iterable[Finding]:
    """Report single/master blocks missing a barrier."""
    return _findings(ctx, "single-no-barrier")


@rule(
    "omp-race-task",
    summary="Tasks that touch the same data without `depend`, `taskwait` or `taskgroup`.",
    what="Finds conflicting accesses between sibling tasks, or between a task and the code that created it, with no "
    "dependence, taskwait, taskgroup or barrier ordering them.",
    why="A task may run at any time until it is waited for; unordered tasks race.",
    example="#pragma omp task\nx = 1;\n#pragma omp task\ny = x;",
    **_COMMON,
)
def check_task(ctx: Context) -> Iterable[Finding]:
    """Report task races."""
    return _findings(ctx, "task")


@rule(
    "omp-race-target",
    summary="A data race inside a `target`/`teams`/`distribute` region, or with an asynchronous target.",
    what="Finds races among device threads (teams, distribute, parallel loops in a target region) and between a "
    "`target nowait` region and host code that is not synchronized with it.",
    why="Offloaded loops race the same way host loops do, and are much harder to debug on a device.",
    example="#pragma omp target teams distribute parallel for\nfor (i = 1; i < n; i++) a[i] = a[i-1];",
    **_COMMON,
)
def check_target(ctx: Context) -> Iterable[Finding]:
    """Report races in device code."""
    return _findings(ctx, "target")


@rule(
    "omp-race-indirect",
    summary="Indirect subscripts (`a[idx[i]]`) that cannot be proven distinct (lower confidence).",
    what="Finds writes through an index array inside a parallel loop when the index array is not known to hold "
    "distinct values. Hidden when low-confidence diagnostics are disabled.",
    why="If two iterations get the same index, they write the same element at the same time.",
    example="#pragma omp parallel for\nfor (i = 0; i < n; i++)\n  hist[bin[i]] += 1;",
    **_COMMON,
)
def check_indirect(ctx: Context) -> Iterable[Finding]:
    """Report indirect-subscript races (low confidence)."""
    return _findings(ctx, "indirect")


@rule(
    "omp-analysis-incomplete",
    family="omp-race",
    severity=Severity.INFORMATION,
    summary="A function too large for the race analysis to examine every pair of accesses.",
    what="Reports, once per function, that the data-race analysis stopped at its work budget: the races listed "
    "for that function are the ones found before the budget ran out.",
    why="Generated code (tiled loop nests with thousands of accesses) must not stall the editor; the note says "
    "the silence there is not a proof that the function is race-free.",
    example="/* a 2,000-line generated kernel with seven-deep tiled loop nests in one function */",
    languages=("c", "cpp", "cuda", "fortran"),
    scope="unit",
    options=(),
)
def check_incomplete(ctx: Context) -> Iterable[Finding]:
    """One Information note per function whose race analysis hit the work budget."""
    out = []
    for name, line in incomplete(ctx.source):
        text = ctx.source.lines[line] if 0 <= line < len(ctx.source.lines) else ""
        col = max(0, text.find(name)) if name else 0
        out.append(
            Finding(
                "omp-analysis-incomplete",
                f"`{name}` is too large to analyse fully for data races: only part of its accesses were compared",
                Span(Pos(line, col), Pos(line, col + len(name))),
                Severity.INFORMATION,
            )
        )
    return out
