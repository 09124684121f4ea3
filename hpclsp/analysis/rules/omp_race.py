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

The analysis itself lives in ``hpclsp.analysis.races`` (``analyzer``: contexts per team; ``pairs``:
the concurrency verdict; ``sync``: locks, thread-id branches and hand-offs; ``report``: messages and
fixes; ``tasks``, ``calls``, ``indexsets``, ``pointers``: the facts they ask for); this module only
turns its races into findings, one rule per kind.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from hpclsp.analysis.engine import Context
from hpclsp.analysis.findings import Finding, Pos, Related, Severity, Span
from hpclsp.analysis.races.analyzer import Analyzer
from hpclsp.analysis.races.model import Race
from hpclsp.analysis.rules import rule
from hpclsp.analysis.source import SourceFile


def analyze(source: SourceFile) -> list[Race]:
    """All races in a file (cached)."""
    cached = source.cache.get("omp_race")
    if cached is None:
        an = Analyzer(source)
        cached = an.run()
        source.cache["omp_race"] = cached
        source.cache["omp_race_incomplete"] = sorted(an.budget.exhausted.values(), key=lambda t: t[1])
    return cached


def incomplete(source: SourceFile) -> list[tuple[str, int]]:
    """(function name, 0-based line) of the functions whose race analysis ran out of budget."""
    analyze(source)
    return list(source.cache.get("omp_race_incomplete", []))


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
