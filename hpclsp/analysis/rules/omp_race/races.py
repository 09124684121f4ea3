"""The ``omp-race-*`` rules: one rule per kind of data race the race analysis reports.

The analysis itself lives in ``hpclsp.analysis.races`` (``analyzer``: contexts per team; ``pairs``:
the concurrency verdict; ``sync``: locks, thread-id branches and hand-offs; ``report``: messages and
fixes; ``tasks``, ``calls``, ``indexsets``, ``pointers``: the facts they ask for). Each kind gets its
own rule id so that users can select, ignore and read about each one; the rules differ only in
the kind they report and their documentation, so they share this module.
"""

from __future__ import annotations

from collections.abc import Iterable

from hpclsp.analysis.context import Context
from hpclsp.analysis.findings import Finding
from hpclsp.analysis.rules import rule
from hpclsp.analysis.rules.omp_race._common import RULE_COMMON, race_findings


@rule(
    "omp-race-loop-carried",
    summary="A worksharing or simd loop whose iterations touch the same array element.",
    what="Finds array accesses in an OpenMP `for`/`do`/`simd`/`taskloop` loop where one iteration writes an element "
    "that another iteration reads or writes (GCD test and exact distances on affine subscripts).",
    why="Iterations run on different threads in any order; the result depends on timing.",
    example="#pragma omp parallel for\nfor (i = 0; i < n - 1; i++)\n  a[i] = a[i + 1] + 1;",
    **RULE_COMMON,
)
def check_loop_carried(ctx: Context) -> Iterable[Finding]:
    """Report loop-carried dependences under worksharing/simd loops."""
    return race_findings(ctx, "loop-carried")


@rule(
    "omp-race-shared-write",
    summary="A shared variable written by several threads without synchronization.",
    what="Finds writes to shared variables that several threads may execute at the same time as another access "
    "(no `atomic`, `critical` with the same name, lock, or barrier in between).",
    why="Unsynchronized writes to shared memory are data races: lost updates and torn values.",
    example="#pragma omp parallel\n{\n  count = count * 2;\n}",
    **RULE_COMMON,
)
def check_shared_write(ctx: Context) -> Iterable[Finding]:
    """Report unsynchronized writes to shared variables."""
    return race_findings(ctx, "shared-write")


@rule(
    "omp-race-missing-private",
    summary="A temporary written before it is read in each iteration, but shared.",
    what="Finds shared scalars that every iteration (or thread) overwrites before reading: they should be private.",
    why="All threads use one copy of the temporary, so one thread reads the value another wrote.",
    example="#pragma omp parallel for\nfor (i = 0; i < n; i++) {\n  t = a[i];\n  b[i] = t * t;\n}",
    **RULE_COMMON,
)
def check_missing_private(ctx: Context) -> Iterable[Finding]:
    """Report temporaries that need private."""
    return race_findings(ctx, "missing-private")


@rule(
    "omp-race-missing-reduction",
    summary="An accumulation into a shared scalar without a reduction clause.",
    what="Finds shared scalars that are only updated with one associative operator (`s += ...`, `p *= ...`).",
    why="Concurrent read-modify-write updates lose contributions; a reduction clause gives each thread a copy.",
    example="#pragma omp parallel for\nfor (i = 0; i < n; i++)\n  sum += a[i];",
    **RULE_COMMON,
)
def check_missing_reduction(ctx: Context) -> Iterable[Finding]:
    """Report accumulations that need reduction."""
    return race_findings(ctx, "missing-reduction")


@rule(
    "omp-race-missing-lastprivate",
    summary="A per-iteration value read after the loop, but shared.",
    what="Finds shared scalars written by every iteration of a worksharing loop and read after it.",
    why="Threads overwrite the one shared copy concurrently; `lastprivate` keeps the value of the last iteration.",
    example='#pragma omp parallel for\nfor (i = 0; i < n; i++)\n  last = a[i];\nprintf("%d", last);',
    **RULE_COMMON,
)
def check_missing_lastprivate(ctx: Context) -> Iterable[Finding]:
    """Report values that need lastprivate."""
    return race_findings(ctx, "missing-lastprivate")


@rule(
    "omp-race-nowait",
    summary="`nowait` removes the barrier that ordered two dependent accesses.",
    what="Finds accesses in a worksharing construct with `nowait` that conflict with later accesses of the same "
    "region before the next barrier.",
    why="Without the barrier, a fast thread starts the next loop while others are still writing the data it reads.",
    example="#pragma omp for nowait\nfor (i = 0; i < n; i++) a[i] = i;\n#pragma omp for\nfor (i = 0; i < n; i++) b[i] = a[n-1-i];",
    **RULE_COMMON,
)
def check_nowait(ctx: Context) -> Iterable[Finding]:
    """Report races enabled by nowait."""
    return race_findings(ctx, "nowait")


@rule(
    "omp-race-single-no-barrier",
    summary="A `single`/`master`/`masked` block conflicts with other threads' accesses without a barrier.",
    what="Finds accesses in `master`/`masked` (no implicit barrier) or `single nowait` blocks that conflict with "
    "accesses of the other threads in the same barrier phase.",
    why="The other threads do not wait for the block: they may read before it writes, or write while it reads.",
    example="#pragma omp master\nx = compute();\nuse(x);  /* other threads read x too early */",
    **RULE_COMMON,
)
def check_single_no_barrier(ctx: Context) -> Iterable[Finding]:
    """Report single/master blocks missing a barrier."""
    return race_findings(ctx, "single-no-barrier")


@rule(
    "omp-race-task",
    summary="Tasks that touch the same data without `depend`, `taskwait` or `taskgroup`.",
    what="Finds conflicting accesses between sibling tasks, or between a task and the code that created it, with no "
    "dependence, taskwait, taskgroup or barrier ordering them.",
    why="A task may run at any time until it is waited for; unordered tasks race.",
    example="#pragma omp task\nx = 1;\n#pragma omp task\ny = x;",
    **RULE_COMMON,
)
def check_task(ctx: Context) -> Iterable[Finding]:
    """Report task races."""
    return race_findings(ctx, "task")


@rule(
    "omp-race-target",
    summary="A data race inside a `target`/`teams`/`distribute` region, or with an asynchronous target.",
    what="Finds races among device threads (teams, distribute, parallel loops in a target region) and between a "
    "`target nowait` region and host code that is not synchronized with it.",
    why="Offloaded loops race the same way host loops do, and are much harder to debug on a device.",
    example="#pragma omp target teams distribute parallel for\nfor (i = 1; i < n; i++) a[i] = a[i-1];",
    **RULE_COMMON,
)
def check_target(ctx: Context) -> Iterable[Finding]:
    """Report races in device code."""
    return race_findings(ctx, "target")


@rule(
    "omp-race-indirect",
    summary="Indirect subscripts (`a[idx[i]]`) that cannot be proven distinct (lower confidence).",
    what="Finds writes through an index array inside a parallel loop when the index array is not known to hold "
    "distinct values. Hidden when low-confidence diagnostics are disabled.",
    why="If two iterations get the same index, they write the same element at the same time.",
    example="#pragma omp parallel for\nfor (i = 0; i < n; i++)\n  hist[bin[i]] += 1;",
    **RULE_COMMON,
)
def check_indirect(ctx: Context) -> Iterable[Finding]:
    """Report indirect-subscript races (low confidence)."""
    return race_findings(ctx, "indirect")
