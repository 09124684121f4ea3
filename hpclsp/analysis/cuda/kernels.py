"""Runs every kernel of a file for a small launch and reports races and divergent barriers.

Launch: 64 threads per block in one dimension (8x8 or 4x4x4 when the file uses ``threadIdx.y``/
``.z``), two blocks per grid dimension the file uses, integer kernel arguments set to a large size
(1000, so bounds guards hold) and, for barrier divergence only, also to a size that leaves a block
partly idle (37). Template integer parameters take the block size.

Two recorded accesses conflict when they touch a common byte of the same array, come from different
threads, at least one writes, not both are atomic, and they lie in the same barrier interval:
same block epoch for threads of one block (and same warp epoch inside one warp), same grid epoch
across blocks. Writes of one known value by both threads are benign. A conflict seen only between
threads of one warp is reported apart (warp-synchronous code), and one that needs an undecidable
branch is dropped.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from hpclsp.analysis.cuda.interp import (
    ANY_ELEMENT,
    UNK,
    GiveUp,
    Infeasible,
    Interp,
    Mem,
    Ptr,
    Thread,
)
from hpclsp.analysis.cuda.launch import launch_for, offset_params, shrink, threads_of
from hpclsp.analysis.cuda.program import N, Program
from hpclsp.analysis.source import SourceFile

STEP_BUDGET = 500_000  # interpreter steps for one launch of one kernel
FILE_STEPS = 800_000  # interpreter steps for all the launches of all the kernels of a file
FILE_BUDGET = 1.3  # wall-clock limit for one file in the editor (a safety net: the step budgets decide)
MAX_SECONDS = 4.0  # for batch callers with a large budget: the step budgets decide, results stay the same
WARP = 32
MAX_PAIRS = 200_000  # access groups compared per kernel launch


@dataclasses.dataclass(frozen=True)
class ThreadId:
    """A simulated thread: its block and its coordinates in the block."""

    block: tuple[int, int, int]
    tid: tuple[int, int, int]

    def __str__(self) -> str:
        t = ",".join(str(x) for x in self.tid[: _dims(self.tid)])
        b = ",".join(str(x) for x in self.block[: _dims(self.block)])
        return f"thread ({t})" + (f" of block ({b})" if any(self.block) else "")


def _dims(v: tuple[int, int, int]) -> int:
    return 3 if v[2] else 2 if v[1] else 1


@dataclasses.dataclass
class Conflict:
    """Two accesses of one array by different threads in the same barrier interval."""

    array: str
    space: str  # shared | global
    first: N  # earlier in the source
    second: N
    kinds: tuple[str, str]  # R | W | A for first, second
    threads: tuple[ThreadId, ThreadId]
    offset: int  # byte offset of a common byte
    esize: int
    intra_warp: bool  # every witness pairs threads of one warp
    volatile: bool
    data_dependent: bool  # the witness needs a data-dependent branch or index


@dataclasses.dataclass
class Divergence:
    """A barrier reached by some threads of a block (or of the grid) and not by others."""

    barrier: N
    reached: ThreadId
    missed: ThreadId
    grid: bool


@dataclasses.dataclass
class KernelReport:
    """What the analysis decided for one kernel (None fields: undecidable)."""

    kernel: N
    conflicts: list[Conflict] | None
    divergences: list[Divergence] | None


@dataclasses.dataclass
class _Inst:
    off: int
    size: int
    lin: int
    block: int
    ep: tuple[int, int, int]
    kind: str
    node: int
    value: Any
    path: tuple[tuple[int, int], ...]


class _Budget:
    """Steps and wall-clock time left for one file."""

    def __init__(self, seconds: float) -> None:
        self.steps = 0
        self.deadline = time.perf_counter() + seconds


class _Recorder:
    def __init__(self, budget: _Budget) -> None:
        self.budget = budget
        self.steps = 0
        self.oob = 0
        self.arrays: dict[str, list[_Inst]] = {}
        self.meta: dict[str, Ptr] = {}
        self.nodes: dict[int, N] = {}
        self.conds: dict[int, set[str]] = {}
        self.volatile: set[str] = set()  # arrays accessed through volatile lvalues

    def tick(self) -> None:
        """Called every 256 interpreter steps: enforce the step and time budgets."""
        self.steps += 256
        self.budget.steps += 256
        if (
            self.steps > STEP_BUDGET
            or self.budget.steps > FILE_STEPS
            or time.perf_counter() > self.budget.deadline
        ):
            raise GiveUp("budget")

    def access(self, th: Thread, ptr: Ptr, size: int, kind: str, node: N, value: Any) -> None:
        if ptr.space not in ("shared", "global") or (ptr.off < 0 and ptr.off != ANY_ELEMENT):
            return
        if ptr.size is not None and ptr.off + size > ptr.size and ptr.off != ANY_ELEMENT:
            self.oob += 1
            return  # outside the declared array: not a valid execution for this launch
        self.nodes[node.id] = node
        self.meta.setdefault(ptr.base, ptr)
        if ptr.volatile:
            self.volatile.add(ptr.base)
        lst = self.arrays.setdefault(ptr.base, [])
        if len(lst) > 200_000:
            raise GiveUp("too many accesses")
        lst.append(
            _Inst(ptr.off, size, th.lin, th.block, tuple(th.epochs), kind, node.id, value, tuple(th.path))  # type: ignore[arg-type]
        )


_Run = tuple[_Recorder, list[Thread], dict[int, N]]


def _run(
    prog: Program, kernel: N, n_value: int, launch: Any, budget: _Budget, small: frozenset[str] = frozenset()
) -> _Run | None:
    bd, gd = launch
    rec = _Recorder(budget)
    params: dict[str, Any] = {"<int>": n_value, "<template>": bd[0]}
    params.update({f"<int:{name}>": 1 for name in small})
    interp = Interp(prog, rec, params)
    live = []
    try:
        for th in threads_of(bd, gd):
            try:
                interp.run(th, kernel)
            except Infeasible:
                continue
            live.append(th)
    except (GiveUp, RecursionError):
        return None
    rec.conds = interp.conds
    return rec, live, interp.barrier_nodes


def analyze(source: SourceFile, seconds: float = FILE_BUDGET) -> list[KernelReport]:
    """Races and divergent barriers of every kernel of a CUDA file (``seconds``: wall-clock limit)."""
    cached: list[KernelReport] | None = source.cache.get("cuda_kernel_reports")
    if cached is not None:
        return cached
    prog = Program(source)
    reports = []
    budget = _Budget(min(seconds, MAX_SECONDS))
    for kernel in prog.kernels:
        launch = launch_for(prog, kernel)
        main = _run(prog, kernel, 1000, launch, budget)
        while main is not None and main[0].oob:
            launch = shrink(launch)
            if launch is None:
                break
            main = _run(prog, kernel, 1000, launch, budget)
        if main is None or launch is None:
            reports.append(KernelReport(kernel, None, None))
            continue
        conflicts = _conflicts(main[0], main[1])
        offsets = offset_params(prog, kernel)
        if offsets:  # `a[i + offset]`: also try the smallest offset, where neighbours meet
            near = _run(prog, kernel, 1000, launch, budget, offsets)
            seen = {(c.array, c.first.id, c.second.id) for c in conflicts}
            conflicts += [
                c
                for c in (_conflicts(near[0], near[1]) if near else [])
                if (c.array, c.first.id, c.second.id) not in seen
            ]
        divs = _divergences(main[1], main[2])
        if prog.contains_barrier(kernel, {}):
            small = _run(prog, kernel, 37, launch, budget)
            known = {d.barrier.id for d in divs}
            divs += [
                d for d in (_divergences(small[1], small[2]) if small else []) if d.barrier.id not in known
            ]
        reports.append(KernelReport(kernel, conflicts, divs))
    source.cache["cuda_kernel_reports"] = reports
    return reports


# -- divergence ----------------------------------------------------------------------------------


def _tid(th: Thread) -> ThreadId:
    return ThreadId(th.bid, th.tid)


def _divergences(threads: list[Thread], barriers: dict[int, N]) -> list[Divergence]:
    out: list[Divergence] = []
    seen: set[int] = set()
    first_of_block: dict[int, Thread] = {}
    first = threads[0] if threads else None
    for th in threads:
        ref = first_of_block.setdefault(th.block, th)
        for a, b, grid in ((ref, th, False), (first, th, True)):
            if a is None or a is b:
                continue
            ta, tb = (a.grid_trace, b.grid_trace) if grid else (a.trace, b.trace)
            if ta == tb:
                continue
            k = next(
                (i for i, (x, y) in enumerate(zip(ta, tb, strict=False)) if x != y), min(len(ta), len(tb))
            )
            reached, missed = (a, b) if k < len(ta) else (b, a)
            bid = (ta if k < len(ta) else tb)[k]
            if bid in seen:
                continue
            seen.add(bid)
            out.append(Divergence(barriers[bid], _tid(reached), _tid(missed), grid))
    return out


# -- races ---------------------------------------------------------------------------------------


def _conflicts(rec: _Recorder, threads: list[Thread]) -> list[Conflict]:
    by_lin_block = {(th.lin, th.block): th for th in threads}
    best: dict[tuple[str, int, int], tuple[int, Conflict]] = {}
    written = {
        (base, i.off, i.ep[1], i.block if rec.meta[base].space == "shared" else -1)
        for base, insts in rec.arrays.items()
        for i in insts
        if i.kind != "R"
    }
    pairs = 0
    for base, insts in rec.arrays.items():
        meta = rec.meta[base]
        if not any(i.kind != "R" for i in insts):
            continue
        sizes = {i.size for i in insts}
        unit = next(iter(sizes)) if len(sizes) == 1 else 1
        if unit > 1 and any(i.off % unit for i in insts if i.off != ANY_ELEMENT):
            unit = 1
        groups: dict[tuple[Any, ...], dict[tuple[Any, ...], _Group]] = {}
        for i in insts:
            blk = i.block if meta.space == "shared" else -1
            gkey = (i.node, i.kind, i.ep, i.block, i.path)
            slots = [-1] if i.off == ANY_ELEMENT else range(i.off // unit, (i.off + i.size - 1) // unit + 1)
            for slot in slots:
                # conflicting accesses share the block epoch (same block, or blocks between grid syncs)
                groups.setdefault((blk, slot, i.ep[1]), {}).setdefault(gkey, _Group()).append(i)
        for (_blk, slot, _ep), bucket in groups.items():
            if not any(k[1] != "R" for k in bucket):
                continue
            keys = list(bucket)
            pairs += len(keys) * (len(keys) + 1) // 2
            if pairs > MAX_PAIRS or time.perf_counter() > rec.budget.deadline:
                break  # what was found is real; the rest is not examined
            for x_i, kx in enumerate(keys):
                for ky in keys[x_i:]:
                    _pair(
                        rec,
                        base,
                        meta,
                        slot * unit,
                        bucket[kx],
                        bucket[ky],
                        kx,
                        ky,
                        best,
                        by_lin_block,
                        written,
                    )
    return [c for _, c in best.values()]


def _pair(
    rec: _Recorder,
    base: str,
    meta: Ptr,
    offset: int,
    gx: list[_Inst],
    gy: list[_Inst],
    kx: tuple[Any, ...],
    ky: tuple[Any, ...],
    best: dict[tuple[str, int, int], tuple[int, Conflict]],
    threads: dict[tuple[int, int], Thread],
    written: set[tuple[str, int, int, int]],
) -> None:
    (nx, kindx, epx, bx, ux), (ny, kindy, epy, by, uy) = kx, ky
    if kindx == "R" and kindy == "R":
        return
    if kindx in "AB" and kindy in "AB" and not (kindx == kindy == "B" and bx != by):
        return  # atomics (and a per-block generator state used inside its block) do not race
    if ux and uy and _exclusive(ux, uy):
        return  # different arms of one data-dependent branch
    name = base.split("@")[0].split(".")[0].split("[")[0]
    if "A" not in (kindx, kindy) and any(name in rec.conds.get(c, ()) for c, _ in ux + uy):
        return  # a branch on this array's own contents decides whether they happen: data may exclude it
    if bx == by:
        if epx[1] != epy[1]:
            return
        same_warp_ok = epx[2] == epy[2]
    else:
        if epx[0] != epy[0] or epx[1] != epy[1]:
            return  # different blocks, separated by a block barrier: the data is taken as block-owned
        same_warp_ok = True
    if kindx == "W" and kindy == "W" and _benign(gx, gy, written):
        return
    a, b = nx, ny
    na, nb = rec.nodes[a], rec.nodes[b]
    key = (base, min(a, b), max(a, b))
    prev = best.get(key)
    if prev is not None and prev[0] == 3:
        return
    wit = _witness(gx, gy, bx != by, same_warp_ok)
    if wit is None:
        return
    (la, lb), inter = wit
    dd = bool(ux or uy) or offset < 0
    rank = (2 if inter else 0) + (0 if dd else 1)
    if prev is not None and prev[0] >= rank:
        return
    ta, tb = threads[(la, bx)], threads[(lb, by)]
    if na.node.start_byte > nb.node.start_byte:
        na, nb, kindx, kindy, ta, tb = nb, na, kindy, kindx, tb, ta
    best[key] = (
        rank,
        Conflict(
            base.split("@")[0],
            meta.space,
            na,
            nb,
            (kindx, kindy),
            (_tid(ta), _tid(tb)),
            offset,
            meta.esize,
            not inter,
            meta.volatile or base in rec.volatile,
            dd,
        ),
    )


def _exclusive(px: tuple[tuple[int, int], ...], py: tuple[tuple[int, int], ...]) -> bool:
    """Whether two paths took different arms of one undecidable branch."""
    arms = dict(px)
    return any(c in arms and arms[c] != a for c, a in py)


def _benign(gx: list[_Inst], gy: list[_Inst], written: set[tuple[str, int, int, int]]) -> bool:
    """Every thread writes one same value: a constant, or what they all read from a location that
    nobody writes in the barrier interval of the reads."""
    vals = {i.value for i in gx} | {i.value for i in gy}
    if len(vals) != 1:
        return False
    v = next(iter(vals))
    if isinstance(v, Mem):
        return (v.base, v.off, v.epoch, v.block) not in written
    return v is not UNK and isinstance(v, (int, float))


class _Group(list[_Inst]):
    """The accesses of one node, kind, epoch, block and path to one element."""

    _lins: list[int] | None = None

    def lins(self) -> list[int]:
        """Sorted ids of the threads in the group (computed once)."""
        if self._lins is None:
            self._lins = sorted({i.lin for i in self})
        return self._lins


def _witness(
    gx: list[_Inst], gy: list[_Inst], cross_block: bool, same_warp_ok: bool
) -> tuple[tuple[int, int], bool] | None:
    """Two different threads, one from each group: an inter-warp pair when there is one."""
    lx = gx.lins() if isinstance(gx, _Group) else sorted({i.lin for i in gx})
    ly = gy.lins() if isinstance(gy, _Group) else sorted({i.lin for i in gy})
    if cross_block:
        return (lx[0], ly[0]), True
    for a in (lx[0], lx[-1]):
        for b in (ly[0], ly[-1]):
            if a // WARP != b // WARP:
                return (a, b), True
    wx = {x // WARP for x in lx}
    wy = {y // WARP for y in ly}
    if len(wx | wy) > 1:
        for a in lx:
            other = next((y for y in ly if y // WARP != a // WARP), None)
            if other is not None:
                return (a, other), True
    if not same_warp_ok:
        return None
    for a in lx:
        other = next((y for y in ly if y != a and y // WARP == a // WARP), None)
        if other is not None:
            return (a, other), False
    return None
