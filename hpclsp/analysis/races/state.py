"""The state of one file's race analysis and the lookups every part of it uses (enclosing
constructs, barriers, per-construct caches)."""

from __future__ import annotations

import bisect

from hpclsp.analysis import cfg
from hpclsp.analysis.cfg import omp as cfg_omp
from hpclsp.analysis.ir import (
    THREAD_NUM_SYMBOL,
    Access,
    Construct,
    FileIR,
    Function,
    Loop,
    build_ir,
    index_guard,
)
from hpclsp.analysis.openmp import datasharing
from hpclsp.analysis.races.budget import WorkBudget
from hpclsp.analysis.races.model import (
    Race,
    _is_team,
)
from hpclsp.analysis.source import SourceFile


class AnalyzerState:
    """The IR of the file, the races found so far, and caches shared by the analysis parts."""

    def __init__(self, source: SourceFile, ir: FileIR | None = None) -> None:
        """The analysis of ``source``, on its IR (``ir``: a view of it with other constructs)."""
        self.src = source
        self.ir: FileIR = build_ir(source) if ir is None else ir
        self.fortran = source.language == "fortran"
        self.races: list[Race] = []
        self.seen: set[tuple[str, str, int]] = set()
        #: orphaned worksharing loops (no enclosing team in their function): analysed as their own region
        self.orphans: set[int] = set()
        #: functions of this file that contain orphaned worksharing (calls to them are not replicated work)
        self.ws_callees: set[str] = set()
        self.variant_cache: dict[int, set[str]] = {}
        self.budget = WorkBudget()
        self.lock_guards: dict[int, int | None] = {}
        self.shadow_cache: dict[int, list[Loop]] = {}
        #: variables whose critical sections sit in a league of teams (they do not exclude across teams)
        self.cross_team: set[str] = set()
        self.by_start: dict[int, tuple[list[int], list[Access]]] = {}
        #: ids of callee accesses placed at their call sites (``races.calls``)
        self.proxies: set[int] = set()
        self.guard_cache: dict[tuple[int, str, int], int | None] = {}
        self.chain_cache: dict[tuple[int, int], list[Construct]] = {}
        #: 0-based line ranges the caller wants the races of (None: every race of the file)
        self.focus: list[tuple[int, int]] | None = None

    def chain(self, byte: int, team: Construct | None) -> list[Construct]:
        """The constructs enclosing ``byte`` up to ``team``, innermost first (computed once per pair;
        callers only read the list)."""
        key = (byte, id(team))
        got = self.chain_cache.get(key)
        if got is None:
            got = self.chain_cache[key] = datasharing.enclosing(self.ir, byte, team)
        return got

    def sharing(self, name: str, byte: int, team: Construct | None, f: Function) -> datasharing.Sharing:
        """``datasharing.resolve`` of ``name`` at ``byte`` for ``team``, on the cached chain."""
        return datasharing.resolve(self.ir, name, byte, team, f, chain=self.chain(byte, team))

    def nearest_team(self, c: Construct) -> Construct | None:
        p = c.parent
        while p is not None:
            if _is_team(p):
                return p
            p = p.parent
        return None

    def barriers(self, team: Construct | None, f: Function) -> list[int]:
        """Bytes where the team's threads meet a barrier (from the function's control-flow graph)."""
        if team is None:
            return []
        lines = cfg_omp.barrier_lines(self.src)
        first = team.directive.first_line
        k = bisect.bisect_right(lines, first)
        if k == len(lines) or lines[k] > f.span.end.line:
            return []  # nothing inside the team can be one of its barriers: no graph needed
        g = cfg.graph_at(self.src, team.span_byte)
        region = g.region_at_line(team.directive.first_line) if g is not None else None
        if g is None or region is None:
            return []
        return sorted(b.at for b in g.team_barriers(region.index))

    def accesses_between(self, f: Function, start: int, end: int) -> list[Access]:
        """The function's accesses starting in [start, end), in evaluation order (bisect on a sorted index)."""
        idx = self.by_start.get(id(f))
        if idx is None:
            ordered = sorted(f.accesses, key=lambda a: a.start)
            idx = self.by_start[id(f)] = ([a.start for a in ordered], ordered)
        lo, hi = bisect.bisect_left(idx[0], start), bisect.bisect_left(idx[0], end)
        return sorted(idx[1][lo:hi], key=lambda a: a.order)

    def guard(self, a: Access, index: str, stop: int) -> int | None:
        """``index_guard`` of an access, computed once per (access, index, stop)."""
        key = (id(a), index, stop)
        if key not in self.guard_cache:
            self.guard_cache[key] = index_guard(a, index, stop)
        return self.guard_cache[key]

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

    def private_tid(self, name: str, byte: int, team: Construct | None, f: Function) -> bool:
        """Whether a thread-id variable is private to each thread at byte."""
        if name == THREAD_NUM_SYMBOL:
            return True
        return not self.sharing(name, byte, team, f).shared

    def variant_in(self, lp) -> set[str]:
        idx = {
            x.index
            for x in self.ir.loops
            if x.index and lp.node.start_byte <= x.node.start_byte < lp.node.end_byte
        }
        return {a.base for a in lp.accesses if a.is_write and a.is_scalar and a.base not in idx}

    def instance_loop(self, t: Construct, team: Construct | None):
        """The innermost sequential loop around a task construct (inside the team)."""
        best = None
        for lp in self.ir.loops:
            if lp.contains(t.start) and (team is None or team.contains(lp.node.start_byte)):
                if best is None or lp.node.start_byte > best.node.start_byte:
                    best = lp
        return best

    def add(self, r: Race) -> None:
        key = (r.kind, r.var, r.primary.start)
        if key in self.seen:
            return
        self.seen.add(key)
        self.races.append(r)
