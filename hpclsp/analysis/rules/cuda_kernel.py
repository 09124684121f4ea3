"""CUDA kernel rules decided by executing the kernel for a small launch (``hpclsp.analysis.cuda``).

``cuda-race-shared`` and ``cuda-race-global``: two threads touch one element in the same barrier
interval, one of them writing. ``cuda-warp-synchronous``: the same, but only between threads of one
warp (code that relies on lockstep execution). ``cuda-barrier-divergence``: a barrier that some
threads of a block (or of the grid, for a grid-wide sync) reach and others do not. Every finding
names its witness threads; kernels the execution cannot decide produce nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hpclsp.analysis.context import Context
from hpclsp.analysis.findings import Finding, Related, Severity
from hpclsp.analysis.rules import rule
from hpclsp.analysis.treeutil import walk

FAMILY = "cuda"
LANGS = ("cuda",)
_CONTROL = ("if_statement", "for_statement", "while_statement", "do_statement", "switch_statement")


def _reports(ctx: Context) -> list[Any]:
    from hpclsp.analysis.cuda import kernels

    # the editor's budget (2 s) bounds the wall-clock time; batch runs (check, tests) have a large
    # budget and are decided by the step budgets alone, so their results do not depend on the load
    budget = ctx.options.budget
    return kernels.analyze(ctx.source, kernels.FILE_BUDGET if budget <= 5.0 else kernels.MAX_SECONDS)


@rule(
    "cuda-barrier-divergence",
    family=FAMILY,
    summary="A barrier that some threads of the block (or grid) reach and others do not.",
    what="""
Executes each kernel for a small launch and compares, thread by thread, the sequence of
`__syncthreads()` / cooperative-group `sync()` calls they reach. A barrier under a condition on
`threadIdx` (directly or through variables), after a `return` taken by some threads, or in a loop
whose trip count differs between threads is reported with two witness threads. Conditions on
`blockDim`, `gridDim`, kernel arguments and uniform loop counters are the same for every thread and
are fine; a grid-wide `sync()` must also be reached by every block.
""",
    why="""
A block-wide barrier must be reached by every thread of the block. When some threads skip it the
kernel hangs or, worse, silently synchronises the wrong barriers and reads stale shared memory.
""",
    example="""
if (threadIdx.x < 128) {
    s[threadIdx.x] += s[threadIdx.x + 128];
    __syncthreads();            /* threads >= 128 never arrive */
}
""",
    languages=LANGS,
)
def check_barrier_divergence(ctx: Context) -> Iterator[Finding]:
    """Barriers not reached by every thread of the block (or grid)."""
    src = ctx.source
    for rep in _reports(ctx):
        for d in rep.divergences or []:
            node = d.barrier.node
            scope = "grid" if d.grid else "block"
            related = []
            ctl = _enclosing_control(node)
            if ctl is not None:
                cond = ctl.child_by_field_name("condition") or ctl
                related.append(Related(src.node_span(cond), "the condition on which the threads differ"))
            else:
                ret = _early_return(rep.kernel.node, node)
                if ret is not None:
                    related.append(Related(src.node_span(ret), "return taken by some threads only"))
            text = src.node_text(node)
            yield Finding(
                "cuda-barrier-divergence",
                f"{text} is reached by {d.reached} but not by {d.missed}: every thread of the {scope} "
                "must reach the same barriers",
                src.node_span(node),
                related=related,
            )


def _enclosing_control(node: Any) -> Any:
    cur = node.parent
    while cur is not None and cur.type != "function_definition":
        if cur.type in _CONTROL:
            return cur
        cur = cur.parent
    return None


def _early_return(kernel: Any, barrier: Any) -> Any:
    """The last return statement of a kernel that ends before a barrier, or None."""
    last = None
    for n in walk(kernel):
        if n.type == "return_statement" and n.end_byte <= barrier.start_byte:
            last = n
    return last


def _race_findings(ctx: Context, code: str, want: str, severity: Severity) -> Iterator[Finding]:
    """Findings ``code`` for conflicts of one class: ``shared``, ``global`` or ``warp``."""
    src = ctx.source
    groups: dict[int, list[Any]] = {}
    racy: set[int] = set()  # lines with a race between warps: no warp-synchronous hint on them
    for rep in _reports(ctx):
        for c in rep.conflicts or []:
            cls = ("warp" if not c.volatile else None) if c.intra_warp else c.space
            if not c.intra_warp:
                racy.update((c.second.node.start_point[0], c.first.node.start_point[0]))
            if cls == want:
                groups.setdefault(c.second.node.start_byte, []).append(c)
    for _key, cs in sorted(groups.items()):
        if want == "warp" and cs[0].second.node.start_point[0] in racy:
            continue
        c = cs[0]
        node = c.second.node
        elem = c.offset // max(c.esize, 1) if c.offset >= 0 else "(chosen by data: equal values collide)"
        ta, tb = c.threads
        if c.first.node == node:
            verb = "write" if "W" in c.kinds else "update"
            msg = f"'{src.node_text(node)}': {ta} and {tb} both {verb} element {elem} of '{c.array}' with no barrier between"
        else:
            msg = (
                f"'{src.node_text(node)}' ({tb}) and '{src.node_text(c.first.node)}' on line "
                f"{c.first.node.start_point[0] + 1} ({ta}) touch element {elem} of '{c.array}' with no barrier "
                f"between; {'one of them writes it' if 'W' in c.kinds else 'one updates it'}"
            )
        if want == "warp":
            msg += (
                " — both threads are in one warp: this relies on lockstep execution, which Volta and later "
                "GPUs do not guarantee (add __syncwarp() or use shuffles)"
            )
        related: list[Related] = []
        seen = set()
        for x in cs:
            if x.first.node != node and x.first.node.start_byte not in seen and len(related) < 3:
                seen.add(x.first.node.start_byte)
                what = "write" if x.kinds[0] == "W" else "read" if x.kinds[0] == "R" else "atomic update"
                related.append(
                    Related(src.node_span(x.first.node), f"conflicting access ({what}) by {x.threads[0]}")
                )
        accesses = [
            {"line": n.start_point[0] + 1, "character": n.start_point[1], "kind": "W" if k != "R" else "R"}
            for n, k in ((c.first.node, c.kinds[0]), (node, c.kinds[1]))
        ]
        yield Finding(
            code,
            msg,
            src.node_span(node),
            severity,
            related=related,
            data={
                "variable": c.array,
                "accesses": accesses,
                "confidence": "medium" if c.data_dependent else "high",
            },
        )


def _race_rule(
    id: str,
    want: str,
    *,
    summary: str,
    what: str,
    why: str,
    example: str,
    severity: Severity = Severity.WARNING,
) -> None:
    """Register the rule reporting the conflicts of class ``want`` as ``id``."""

    def check(ctx: Context) -> Iterator[Finding]:
        return _race_findings(ctx, id, want, severity)

    check.__doc__ = f"{want.capitalize()}-class conflicts of one launch."
    rule(
        id,
        family=FAMILY,
        summary=summary,
        what=what,
        why=why,
        example=example,
        severity=severity,
        languages=LANGS,
    )(check)


_race_rule(
    "cuda-race-shared",
    "shared",
    summary="A __shared__ element written by one thread and used by another with no barrier between.",
    what="""
Executes each kernel for a small launch and records every `__shared__` access with its barrier
interval (split at `__syncthreads()` and cooperative-group syncs; a loop's next iteration shares
the interval of this one's last part). Two accesses of different threads to one element in the same
interval, one a plain write, are reported with both threads named. Atomics, writes of one known
value by every thread, and code guarded so that one thread runs it are understood; indices computed
from memory contents are not guessed (no warning).
""",
    why="""
Threads of a block run in no guaranteed order: without a barrier the reader may see the old or
the new value. Such races give results that change from run to run and GPU to GPU.
""",
    example="""
tile[threadIdx.x] = in[i];
/* missing __syncthreads(); */
out[i] = tile[threadIdx.x + 1];
""",
)


_race_rule(
    "cuda-race-global",
    "global",
    summary="A global-memory element written by one thread and used by another thread of the launch.",
    what="""
The same execution as `cuda-race-shared`, for global memory (pointer arguments, `__device__`
arrays): two threads, of one block in the same barrier interval or of different blocks between grid
syncs, touch one element and one writes — for example `A[i] = A[i + 1]` with `i` the global thread
index, or every thread writing `p[0]`. Different pointer arguments are assumed not to alias.
""",
    why="""
Blocks run in any order and `__syncthreads()` does not order them: a value read from an element
another thread writes is old or new depending on scheduling.
""",
    example="""
int i = blockIdx.x * blockDim.x + threadIdx.x;
a[i] = a[i + 1] * 0.5f;      /* thread i+1 may already have written a[i+1] */
""",
)


_race_rule(
    "cuda-warp-synchronous",
    "warp",
    summary="Threads of one warp share memory without __syncwarp(): relies on lockstep execution.",
    what="""
Reports accesses that conflict only between threads of the same warp (the classic unrolled last-warp
reduction or warp scan), on memory that is not `volatile`, with no `__syncwarp()` between them.
""",
    why="""
Since Volta, threads of a warp are scheduled independently: code that assumed they execute in
lockstep can read stale values. `__syncwarp()` or shuffle intrinsics make the assumption explicit.
""",
    example="""
if (tid < 32) {
    s[tid] += s[tid + 16];   /* needs __syncwarp() between steps on Volta+ */
    s[tid] += s[tid + 8];
}
""",
    severity=Severity.HINT,
)
