"""The hybrid MPI+OpenMP buffer rule: threads write a shared buffer while one thread passes it to MPI."""

from __future__ import annotations

from collections.abc import Iterator

from hpclsp.analysis.findings import Finding
from hpclsp.analysis.hostcode.model import Call, Model, Unit
from hpclsp.analysis.rules.mpi._common import _finding, mpi_rule
from hpclsp.analysis.rules.mpi._omp import (
    Construct,
    clause_names,
    enclosing,
    mentions_openmp,
    omp_constructs,
    omp_sync_lines,
    parallel_region,
)
from hpclsp.analysis.rules.mpi.buffers import _buffer_role
from hpclsp.analysis.treeutil import Node, walk

#: Constructs run by one thread of the team, with no barrier on entry.
_ONE_THREAD = frozenset({"master", "masked", "single"})
#: Worksharing constructs that end with a barrier unless they have a nowait clause.
_WORKSHARING = frozenset({"for", "do", "sections", "single", "workshare"})
#: Clauses that give each thread its own copy of a list item.
_PRIVATISING = frozenset({"private", "firstprivate", "lastprivate", "reduction", "linear"})
_BUFFERS = ("buf", "buffer", "sendbuf", "recvbuf")
_WRITES = frozenset({"assignment_expression", "update_expression", "assignment_statement"})


def _words(con: Construct) -> set[str]:
    return set(con[0])


@mpi_rule(
    "mpi-thread-buffer-race",
    summary="Threads write a shared buffer that one thread passes to MPI, with no barrier in between.",
    what="""
Flags an MPI call under `master`, `masked` or `single` whose buffer other threads of the same
parallel region write (an assignment to the variable or its elements) earlier in the region, when
no `barrier` and no worksharing construct without `nowait` ends between the write and the call;
and two MPI calls in different `section`s of one `sections` construct that send and receive into
the same shared buffer.
""",
    why="""
`master`/`masked`/`single` have no barrier on entry: the thread that makes the MPI call can reach it
while the other threads are still writing the buffer, so MPI sends (or receives into) memory that is
being modified, a data race whose result changes from run to run.
""",
    example="""
#pragma omp parallel
{
    data[omp_get_thread_num()] = -1;
    #pragma omp master
    MPI_Send(data, n, MPI_INT, 1, 0, comm);    /* other threads may still be writing data */
}
""",
)
def check_thread_buffer_race(m: Model) -> Iterator[Finding]:
    """MPI calls of one thread racing with the other threads' writes of their buffer."""
    if not mentions_openmp(m):
        return
    for unit in m.units:
        writes: list[tuple[str, Node]] | None = None
        calls = [c for c in unit.calls if c.is_mpi]
        yield from check_sections_buffer_race(m, unit, calls)
        for c in calls:
            placed = parallel_region(m, c.node.start_point[0], unit.body)
            if placed is None:
                continue
            region, inner = placed
            one = [x for x in inner if _words(x) & _ONE_THREAD]
            if not one or _words(region) & _ONE_THREAD:
                continue
            if writes is None:
                writes = _writes(m, unit)
            hit = _racing_write(m, unit, c, region, one[0], writes)
            if hit is not None:
                yield _finding(
                    m,
                    "mpi-thread-buffer-race",
                    c.node,
                    f"{c.name} uses '{hit[0]}', which other threads of the OpenMP region at line "
                    f"{region[1] + 1} may still be writing (line {hit[1].start_point[0] + 1}): "
                    f"{' '.join(one[0][0])} has no barrier on entry; put a barrier before it",
                    see=(hit[1], "written by the other threads here"),
                )


def check_sections_buffer_race(m: Model, unit: Unit, calls: list[Call]) -> Iterator[Finding]:
    """Two MPI calls in different sections of one ``sections`` construct on the same shared buffer,
    one sending it and one receiving into it: the sections run on different threads at the same time,
    so what is sent is being overwritten. (Two receives into one buffer are left alone: a buffer that
    only collects messages nobody reads is a common sink.)"""
    seen: list[tuple[Call, Construct, Construct, str, str]] = []
    for c in calls:
        placed = parallel_region(m, c.node.start_point[0], unit.body)
        if placed is None:
            continue
        region, inner = placed
        works = [x for x in (region, *inner) if x[0][0] == "sections" or x[0][:2] == ["parallel", "sections"]]
        parts = [x for x in inner if x[0] == ["section"]]
        if not works or not parts:
            continue
        for p in _BUFFERS:
            name, kind = m.base_name(c.arg(p))
            if name and kind in ("whole", "deref") and _shared(m, unit, name, works[-1]):
                seen.append((c, works[-1], parts[-1], name, _buffer_role(c, p)))
    for k, (c, work, part, name, role) in enumerate(seen):
        for d, work2, part2, name2, role2 in seen[:k]:
            if work2 == work and part2 != part and name2 == name and {role, role2} == {"read", "write"}:
                yield _finding(
                    m,
                    "mpi-thread-buffer-race",
                    c.node,
                    f"{c.name} and {d.name} (line {d.node.start_point[0] + 1}) use '{name}' in two "
                    f"sections that run at the same time on different threads: the send reads what the receive overwrites",
                    see=(d.node, "the other section's call"),
                )
                break


def _writes(m: Model, unit: Unit) -> list[tuple[str, Node]]:
    """(variable, write node) for each assignment or increment whose target is a variable or one of
    its elements, in the unit."""
    out = []
    for n in walk(unit.body):
        if n.type == "init_declarator" and _hidden_element_store(n):
            target = n.child_by_field_name("declarator").child_by_field_name("declarator")  # type: ignore[union-attr]
        elif n.type in _WRITES:
            target = n.child_by_field_name("left") or n.child_by_field_name("argument")
        else:
            continue
        name, kind = m.base_name(target)
        if name and kind in ("whole", "elem", "deref", "offset"):
            out.append((name, n))
    return out


def _hidden_element_store(n: Node) -> bool:
    """True for ``MACRO a[i] = v;`` read as the declaration of an array ``a`` of type ``MACRO`` with a
    scalar initialiser, which C does not allow: it is an element store after a statement macro."""
    d, v = n.child_by_field_name("declarator"), n.child_by_field_name("value")
    decl = n.parent
    if d is None or v is None or decl is None or decl.type != "declaration":
        return False
    t = decl.child_by_field_name("type")
    return (
        d.type == "array_declarator"
        and t is not None
        and t.type == "type_identifier"
        and v.type not in ("initializer_list", "string_literal", "concatenated_string")
    )


def _racing_write(
    m: Model, unit: Unit, c: Call, region: Construct, one: Construct, writes: list[tuple[str, Node]]
) -> tuple[str, Node] | None:
    """A write of one of the call's buffers, before the one-thread construct in the region, by threads
    other than the caller, with no synchronisation between (None: none found)."""
    names = {n for p in _BUFFERS if (n := m.base_name(c.arg(p))[0])}
    if not names:
        return None
    for name, w in writes:
        line = w.start_point[0]
        if name not in names or not (region[1] < line < one[1]) or not _shared(m, unit, name, region):
            continue
        around = [x for x in enclosing(m, line) if x[1] > region[1]]
        if any(_words(x) & (_ONE_THREAD | {"critical", "ordered", "task", "atomic"}) for x in around):
            continue
        if any(name in {m.norm(i) for cl in getattr(x[3], "clauses", []) for i in cl.items} for x in around):
            continue
        if not _synchronised(m, region, line, one[1]):
            return name, w
    return None


def _shared(m: Model, unit: Unit, name: str, region: Construct) -> bool:
    """True when the variable is declared before the region and the region does not privatise it."""
    decl = m.decl(unit, name)
    if decl is None or decl.node is None or decl.node.start_point[0] >= region[1]:
        return False
    items = {
        m.norm(i) for cl in getattr(region[3], "clauses", []) if cl.name in _PRIVATISING for i in cl.items
    }
    return name not in items and "default(private)" not in "".join(m.source.lines[region[1]].lower().split())


def _synchronised(m: Model, region: Construct, first: int, last: int) -> bool:
    """True when a barrier, or the end of a worksharing construct without nowait, lies between two lines."""
    if any(first < s < last for s in omp_sync_lines(m)):
        return True
    for x in omp_constructs(m):
        if (
            region[1] < x[1]
            and first <= x[2] < last
            and _words(x) & _WORKSHARING
            and "nowait" not in clause_names(x)
        ):
            return True
    return False
