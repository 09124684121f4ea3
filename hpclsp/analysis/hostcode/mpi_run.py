"""Run the per-rank MPI evaluator on a file for 2, 3 and 4 processes and collect its findings.

The first process count at which no rank aborts (``MPI_Abort``: the program refuses that count) is
the one reported; each finding names that count and the ranks that show it. Results are cached in
``source.cache``; the whole evaluation of a file shares one time budget.
"""

from __future__ import annotations

import time

from hpclsp.analysis.hostcode import mpi_match
from hpclsp.analysis.hostcode.mpi_eval import Program, run_rank
from hpclsp.analysis.hostcode.mpi_trace import Finding, Trace

PROCESS_COUNTS = (2, 3, 4)
#: Seconds of evaluation for one file (all process counts and ranks together).
BUDGET = 0.5
_LANGS = ("c", "cpp", "cuda", "fortran")


def traces_for(program: Program, nprocs: int, deadline: float) -> list[Trace]:
    """Every rank's trace for one process count.

    A communicator split depends on every rank's color: when the first pass saw world splits, a
    second pass runs with all ranks' (color, key) known, so each rank knows its new rank and size.
    """
    traces = [run_rank(program, r, nprocs, deadline) for r in range(nprocs)]
    oracle: dict[int, dict[int, tuple[int, int]]] = {}
    for t in traces:
        for k, ck in t.splits.items():
            oracle.setdefault(k, {})[t.rank] = ck
    if oracle:
        traces = [run_rank(program, r, nprocs, deadline, oracle) for r in range(nprocs)]
    return traces


def findings(source) -> list[Finding]:  # type: ignore[no-untyped-def]
    """The evaluator's findings for a source file (cached per file)."""
    cached = source.cache.get("mpi_eval")
    if cached is not None:
        return cached
    out: list[Finding] = []
    if evaluates(source):
        program = source.cache["mpi_eval_program"]
        deadline = time.perf_counter() + BUDGET
        for n in PROCESS_COUNTS:
            traces = traces_for(program, n, deadline)
            if any(t.stopped == "MPI_Abort" for t in traces):
                continue
            for t in traces:
                out.extend(t.findings)
            out.extend(mpi_match.rma_conflicts(traces))
            coll = mpi_match.collectives(traces)
            out.extend(coll)
            # A rank missing from a collective also blocks the replay: report the cause only.
            out.extend(
                f for f in mpi_match.simulate(traces) if not (coll and f.code.startswith("mpi-deadlock"))
            )
            break
    seen: set[tuple[str, int]] = set()
    unique = []
    for f in out:
        key = (f.code, f.node.id)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    source.cache["mpi_eval"] = unique
    return unique


def as_findings(source, code: str) -> list:  # type: ignore[no-untyped-def]
    """The evaluator's findings of one code as engine findings (spans, related locations)."""
    from hpclsp.analysis.findings import Finding as EngineFinding
    from hpclsp.analysis.findings import Related, Severity

    out = []
    for f in findings(source):
        if f.code != code:
            continue
        related = [Related(source.node_span(n), msg) for n, msg in f.related]
        out.append(
            EngineFinding(code, f.message, source.node_span(f.node), Severity.WARNING, related=related)
        )
    return out


def evaluates(source) -> bool:  # type: ignore[no-untyped-def]
    """True when the evaluator takes charge of the file (a C-family file with MPI calls and a ``main``)."""
    if source.language not in _LANGS or "MPI_" not in source.text.upper():
        return False
    key = "mpi_eval_program"
    if key not in source.cache:
        source.cache[key] = Program(source)
    return "main" in source.cache[key].functions
