"""The OpenMP block constructs of a file, as the hybrid MPI+OpenMP rules see them (lines only)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hpclsp.analysis.hostcode.model import Model
from hpclsp.analysis.treeutil import walk

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
