"""The OpenMP block constructs of a file, as the hybrid MPI+OpenMP rules see them (lines only)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hpclsp.analysis.hostcode.model import Model
from hpclsp.analysis.treeutil import Node, walk

if TYPE_CHECKING:
    from hpclsp.analysis.openmp.model import Directive

#: (directive words, first line, last line, directive); lines 0-based and inclusive.
Construct = tuple[list[str], int, int, "Directive"]

_STANDALONE = frozenset(
    {
        "barrier",
        "taskwait",
        "taskyield",
        "flush",
        "threadprivate",
        "declare",
        "cancel",
        "cancellation",
        "depobj",
        "scan",
    }
)


def mentions_openmp(m: Model) -> bool:
    """Cheap pre-check of the hybrid rules: does the file mention OpenMP at all (``omp`` in any case;
    computed once per file: several rules ask, one per call)."""
    key = "mpi.mentions_openmp"
    found = m.source.cache.get(key)
    if found is None:
        found = m.source.cache[key] = "omp" in m.source.text.lower()
    return bool(found)


def omp_constructs(m: Model) -> list[Construct]:
    """The OpenMP block constructs of the file (computed once per file): Fortran from a directive to
    its ``end`` directive, C/C++ from the pragma to the end of the statement it applies to."""
    key = "mpi.omp_constructs"
    cons = m.source.cache.get(key)
    if cons is None:
        cons = _fortran_constructs(m) if m.fortran else _c_constructs(m)
        m.source.cache[key] = cons
    return cons


def _directives(m: Model) -> list[Directive]:
    from hpclsp.analysis.openmp import scanner as directives

    try:
        return directives.parse_directives(m.source)
    except Exception:
        return []


def _fortran_constructs(m: Model) -> list[Construct]:
    out: list[Construct] = []
    stack: list[Directive] = []
    for d in _directives(m):
        if d.is_end:
            words = d.words[1:]
            for i in range(len(stack) - 1, -1, -1):
                if stack[i].words == words:
                    out.append((words, stack[i].first_line, d.first_line, stack[i]))
                    del stack[i:]
                    break
        elif d.words and d.words[0] not in _STANDALONE:
            stack.append(d)
    return out


def _c_constructs(m: Model) -> list[Construct]:
    out: list[Construct] = []
    pragmas = {n.start_point[0]: n for n in walk(m.source.tree.root_node) if n.type == "preproc_call"}
    for d in _directives(m):
        if not d.words or d.words[0] in _STANDALONE:
            continue
        node = pragmas.get(d.first_line)
        nxt = node.next_named_sibling if node is not None else None
        while nxt is not None and nxt.type in ("comment", "preproc_call"):
            nxt = nxt.next_named_sibling
        if nxt is not None:
            out.append((d.words, d.first_line, nxt.end_point[0], d))
    return out


def omp_sync_lines(m: Model) -> list[int]:
    """The first lines of the file's ``barrier`` and ``taskwait`` directives (cached): points where a
    thread waits for the others or for the tasks it created."""
    key = "mpi.omp_sync_lines"
    lines = m.source.cache.get(key)
    if lines is None:
        lines = [d.first_line for d in _directives(m) if d.words and d.words[0] in ("barrier", "taskwait")]
        m.source.cache[key] = lines
    return lines


def enclosing(m: Model, line: int) -> list[Construct]:
    """The constructs around a line, outermost first (a C construct starts after its pragma line;
    a Fortran one includes its directive line)."""
    cons = omp_constructs(m)
    around = [x for x in cons if x[1] < line <= x[2] or (m.fortran and x[1] <= line <= x[2])]
    return sorted(around, key=lambda x: (x[1], -x[2]))


def misparsed(m: Model, con: Construct, body: Node) -> bool:
    """True when a C construct's statement ends on the last line of its function body: the parser
    lost the construct's closing brace (preprocessor conditionals or macros inside it), so its extent
    is unknown."""
    return not m.fortran and con[2] >= body.end_point[0]


def parallel_region(m: Model, line: int, body: Node) -> tuple[Construct, list[Construct]] | None:
    """The innermost parallel region around a line, with the constructs inside it that also enclose
    the line (outermost first); None outside every region or when the region's extent is unknown
    (``misparsed``)."""
    around = enclosing(m, line)
    par = [x for x in around if "parallel" in x[0]]
    if not par or misparsed(m, par[-1], body):
        return None
    region = par[-1]
    return region, [x for x in around if x[1] >= region[1] and x is not region]


def clause_names(con: Construct) -> set[str]:
    """The names of a construct's clauses."""
    return {cl.name for cl in getattr(con[3], "clauses", [])}
