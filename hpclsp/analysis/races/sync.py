"""Synchronization between threads that the analysis understands beyond constructs: locks held
per thread branch, flag and lock hand-offs, thread-id subscripts, critical sections in leagues."""

from __future__ import annotations

import dataclasses

from hpclsp.analysis.ir import (
    THREAD_NUM_SYMBOL,
    Construct,
    Function,
)
from hpclsp.analysis.openmp import datasharing
from hpclsp.analysis.races import threads
from hpclsp.analysis.races.model import (
    ACtx,
    _var,
)
from hpclsp.analysis.races.state import AnalyzerState
from hpclsp.analysis.values import dependence


class SyncMixin(AnalyzerState):
    """Questions about locks, thread-id branches and hand-offs."""

    def asks_thread_id(self, f: Function) -> bool:
        """Whether the function asks for its thread id (only then can a branch depend on it)."""
        return dependence.THREAD_DEP in dependence.sources_of(self.src, f.node)

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
        return threads.thread_guard(self.src, probe, tids, f.node.start_byte)

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
