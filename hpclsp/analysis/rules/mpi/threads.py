"""The thread-level rule: MPI calls from OpenMP threads beyond the level MPI_Init_thread provided."""

from __future__ import annotations

from collections.abc import Iterator

from hpclsp.analysis.findings import Finding
from hpclsp.analysis.hostcode.model import Call, Model
from hpclsp.analysis.rules.mpi._common import _finding, mpi_rule
from hpclsp.analysis.rules.mpi._omp import mentions_openmp, omp_constructs
from hpclsp.analysis.rules.mpi.facts import (
    ALWAYS_ALLOWED,
    LEVEL_NAMES,
    THREAD_LEVELS,
    THREAD_NEUTRAL,
)
from hpclsp.analysis.rules.mpi.init_finalize import _is_init

# -- threads -------------------------------------------------------------------------------------


#: The constructs that decide the thread level an MPI call inside them needs.
_LEVEL_CONSTRUCTS = frozenset({"parallel", "single", "master", "masked", "critical"})


def _omp_regions(m: Model) -> list[tuple[str, int, int]]:
    """The OpenMP constructs that matter for the thread level, as (first word, first line, last line)."""
    return [(w[0], first, last) for w, first, last, _ in omp_constructs(m) if w[0] in _LEVEL_CONSTRUCTS]


@mpi_rule(
    "mpi-thread-level",
    summary="MPI called inside an OpenMP parallel region with too low a thread support level.",
    what="""
Flags MPI calls inside `omp parallel` regions when MPI was initialised with `MPI_Init` or with an
`MPI_Init_thread` level lower than the region needs: `MPI_THREAD_FUNNELED` under `master`/
`masked`, `MPI_THREAD_SERIALIZED` under `single`/`critical`, `MPI_THREAD_MULTIPLE` otherwise.
""",
    why="""
With a lower level the MPI library is not thread-safe: concurrent calls corrupt its state,
usually as rare, unreproducible crashes or wrong messages.
""",
    example="""
MPI_Init(&argc, &argv);              /* MPI_THREAD_SINGLE */
#pragma omp parallel
MPI_Send(buf, 1, MPI_INT, 0, omp_get_thread_num(), comm);
""",
)
def check_thread_level(m: Model) -> Iterator[Finding]:
    """MPI calls in OpenMP regions vs the requested thread level."""
    if not mentions_openmp(m):
        return
    provided = _provided_level(m)
    if provided is None:
        return
    init, level = provided
    regions = _omp_regions(m)
    if not any(r[0] == "parallel" for r in regions):
        return
    have = "MPI_Init (MPI_THREAD_SINGLE)" if init.key == "MPI_INIT" else LEVEL_NAMES[level]
    for unit in m.units:
        for c in unit.calls:
            if not c.is_mpi or c.key in THREAD_NEUTRAL or c.key in ALWAYS_ALLOWED:
                continue
            line = c.node.start_point[0]
            need = _needed_level({r[0] for r in regions if r[1] <= line <= r[2]})
            if need is None or level >= need:
                continue
            msg = (
                f"{c.name} inside an OpenMP parallel region needs {LEVEL_NAMES[need]}, but MPI was "
                f"initialised with {have}"
            )
            yield _finding(m, "mpi-thread-level", c.node, msg, see=(init.node, "MPI initialised here"))


def _provided_level(m: Model) -> tuple[Call, int] | None:
    """The file's MPI_Init or MPI_Init_thread call and the thread level it asks for (None: no such
    call, or a level that is not a known constant)."""
    init = next((c for u in m.units for c in u.calls if _is_init(c)), None)
    if init is None:
        return None
    if init.key == "MPI_INIT":
        return init, 0
    level_node = init.args[0] if m.fortran and init.args else init.arg("required")
    level = _level_of(m, init, level_node)
    return None if level < 0 else (init, level)


def _level_of(m: Model, init: Call, node: object) -> int:
    """The thread level a ``required`` argument names: a level constant, or a variable of the unit
    whose one assignment (its initialiser) is a level constant; -1 when unknown."""
    text = m.text(node).strip()  # type: ignore[arg-type]
    level = THREAD_LEVELS.get(text.upper(), -1)
    if level >= 0 or node is None or getattr(node, "type", "") != "identifier":
        return level
    name = m.norm(text)
    values = [rhs for var, rhs in m.assignments(init.unit) if m.norm(var) == name]
    if len(values) != 1 or m.decl(init.unit, name) is None:
        return -1
    return THREAD_LEVELS.get(m.text(values[0]).strip().upper(), -1)


def _needed_level(kinds: set[str]) -> int | None:
    """The thread level a call needs inside constructs of these kinds (None: not in a parallel region)."""
    if "parallel" not in kinds:
        return None
    if kinds & {"master", "masked"}:
        return 1
    if kinds & {"single", "critical"}:
        return 2
    return 3
