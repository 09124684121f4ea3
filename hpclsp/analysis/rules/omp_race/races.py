"""The ``omp-race-*`` rules: one rule per kind of data race the race analysis reports.

The analysis itself lives in ``hpclsp.analysis.races`` (``analyzer``: contexts per team; ``pairs``:
the concurrency verdict; ``sync``: locks, thread-id branches and hand-offs; ``report``: messages and
fixes; ``tasks``, ``calls``, ``indexsets``, ``pointers``: the facts they ask for). Each kind gets its
own rule id so that users can select, ignore and read about each one; the rules differ only in
the kind they report and their documentation, so they are registered here from one table.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from hpclsp.analysis.context import Context
from hpclsp.analysis.findings import Finding, Severity
from hpclsp.analysis.rules import CheckFn, rule
from hpclsp.analysis.rules.omp_race._common import race_findings


class RaceKind(NamedTuple):
    """The documentation of one kind of race; its rule id is ``omp-race-<kind>``."""

    kind: str
    summary: str
    what: str
    why: str
    example: str


RACE_KINDS: tuple[RaceKind, ...] = (
    RaceKind(
        "loop-carried",
        "A worksharing or simd loop whose iterations touch the same array element.",
        "Finds array accesses in an OpenMP `for`/`do`/`simd`/`taskloop` loop where one iteration writes an element "
        "that another iteration reads or writes (GCD test and exact distances on affine subscripts).",
        "Iterations run on different threads in any order; the result depends on timing.",
        "#pragma omp parallel for\nfor (i = 0; i < n - 1; i++)\n  a[i] = a[i + 1] + 1;",
    ),
    RaceKind(
        "shared-write",
        "A shared variable written by several threads without synchronization.",
        "Finds writes to shared variables that several threads may execute at the same time as another access "
        "(no `atomic`, `critical` with the same name, lock, or barrier in between).",
        "Unsynchronized writes to shared memory are data races: lost updates and torn values.",
        "#pragma omp parallel\n{\n  count = count * 2;\n}",
    ),
    RaceKind(
        "missing-private",
        "A temporary written before it is read in each iteration, but shared.",
        "Finds shared scalars that every iteration (or thread) overwrites before reading: they should be private.",
        "All threads use one copy of the temporary, so one thread reads the value another wrote.",
        "#pragma omp parallel for\nfor (i = 0; i < n; i++) {\n  t = a[i];\n  b[i] = t * t;\n}",
    ),
    RaceKind(
        "missing-reduction",
        "An accumulation into a shared scalar without a reduction clause.",
        "Finds shared scalars that are only updated with one associative operator (`s += ...`, `p *= ...`).",
        "Concurrent read-modify-write updates lose contributions; a reduction clause gives each thread a copy.",
        "#pragma omp parallel for\nfor (i = 0; i < n; i++)\n  sum += a[i];",
    ),
    RaceKind(
        "missing-lastprivate",
        "A per-iteration value read after the loop, but shared.",
        "Finds shared scalars written by every iteration of a worksharing loop and read after it.",
        "Threads overwrite the one shared copy concurrently; `lastprivate` keeps the value of the last iteration.",
        '#pragma omp parallel for\nfor (i = 0; i < n; i++)\n  last = a[i];\nprintf("%d", last);',
    ),
    RaceKind(
        "nowait",
        "`nowait` removes the barrier that ordered two dependent accesses.",
        "Finds accesses in a worksharing construct with `nowait` that conflict with later accesses of the same "
        "region before the next barrier.",
        "Without the barrier, a fast thread starts the next loop while others are still writing the data it reads.",
        "#pragma omp for nowait\nfor (i = 0; i < n; i++) a[i] = i;\n#pragma omp for\nfor (i = 0; i < n; i++) b[i] = a[n-1-i];",
    ),
    RaceKind(
        "single-no-barrier",
        "A `single`/`master`/`masked` block conflicts with other threads' accesses without a barrier.",
        "Finds accesses in `master`/`masked` (no implicit barrier) or `single nowait` blocks that conflict with "
        "accesses of the other threads in the same barrier phase.",
        "The other threads do not wait for the block: they may read before it writes, or write while it reads.",
        "#pragma omp master\nx = compute();\nuse(x);  /* other threads read x too early */",
    ),
    RaceKind(
        "task",
        "Tasks that touch the same data without `depend`, `taskwait` or `taskgroup`.",
        "Finds conflicting accesses between sibling tasks, or between a task and the code that created it, with no "
        "dependence, taskwait, taskgroup or barrier ordering them.",
        "A task may run at any time until it is waited for; unordered tasks race.",
        "#pragma omp task\nx = 1;\n#pragma omp task\ny = x;",
    ),
    RaceKind(
        "target",
        "A data race inside a `target`/`teams`/`distribute` region, or with an asynchronous target.",
        "Finds races among device threads (teams, distribute, parallel loops in a target region) and between a "
        "`target nowait` region and host code that is not synchronized with it.",
        "Offloaded loops race the same way host loops do, and are much harder to debug on a device.",
        "#pragma omp target teams distribute parallel for\nfor (i = 1; i < n; i++) a[i] = a[i-1];",
    ),
    RaceKind(
        "indirect",
        "Indirect subscripts (`a[idx[i]]`) that cannot be proven distinct (lower confidence).",
        "Finds writes through an index array inside a parallel loop when the index array is not known to hold "
        "distinct values. Hidden when low-confidence diagnostics are disabled.",
        "If two iterations get the same index, they write the same element at the same time.",
        "#pragma omp parallel for\nfor (i = 0; i < n; i++)\n  hist[bin[i]] += 1;",
    ),
)


def _checker(kind: str) -> CheckFn:
    """The check function reporting the races of one kind."""

    def check(ctx: Context) -> Iterable[Finding]:
        return race_findings(ctx, kind)

    check.__doc__ = f"Report races of kind {kind!r}."
    return check


for _k in RACE_KINDS:
    rule(
        f"omp-race-{_k.kind}",
        family="omp-race",
        summary=_k.summary,
        what=_k.what,
        why=_k.why,
        example=_k.example,
        severity=Severity.WARNING,
        languages=("c", "cpp", "cuda", "fortran"),
        # per top-level unit, cached by the engine; reads no option but low_confidence
        scope="unit",
        options=("low_confidence",),
    )(_checker(_k.kind))
