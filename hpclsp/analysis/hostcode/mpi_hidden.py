"""MPI calls that a statement macro hides from the C parser.

A line holding only an object-like macro that expands to statements (``TIMER_START``,
``ENTER_REGION``) followed by a call, ``MACRO\\n MPI_Barrier(comm);``, reads to tree-sitter as the
declaration of a function ``MPI_Barrier`` of type ``MACRO`` (or an ERROR node around such a
declarator). Nobody declares an MPI routine inside a function body, so such a declarator is a call
that the preprocessor would have exposed. The hybrid MPI+OpenMP rules add these calls to the ones
the model found; the argument nodes are recovered as far as the broken tree allows (None where a
position holds more than one token).
"""

from __future__ import annotations

from hpclsp.analysis.hostcode.model import Call, Model, Unit
from hpclsp.analysis.treeutil import Node, walk


def hidden_mpi_calls(m: Model, unit: Unit) -> list[Call]:
    """The MPI calls of a C unit that the parser read as function declarators after a macro name."""
    if m.fortran:
        return []
    key = f"mpi_hidden:{unit.node.start_byte}"
    out = m.source.cache.get(key)
    if out is None:
        out = [c for n in walk(unit.body) if (c := _as_call(m, n, unit)) is not None]
        m.source.cache[key] = out
    return out


def unit_calls(m: Model, unit: Unit) -> list[Call]:
    """The calls of the unit, hidden MPI calls included, in source order."""
    hidden = hidden_mpi_calls(m, unit)
    if not hidden:
        return unit.calls
    return sorted([*unit.calls, *hidden], key=lambda c: c.node.start_byte)


def _as_call(m: Model, n: Node, unit: Unit) -> Call | None:
    """A Call for a ``MACRO MPI_Xxx(...)`` function declarator in a function body, else None."""
    if n.type != "function_declarator" or n.parent is None or n.parent.type not in ("declaration", "ERROR"):
        return None
    prev = n.prev_named_sibling
    name_node = n.child_by_field_name("declarator")
    params = n.child_by_field_name("parameters")
    if prev is None or prev.type != "type_identifier" or name_node is None or params is None:
        return None
    name = m.text(name_node)
    if name_node.type != "identifier" or not name.upper().startswith("MPI_"):
        return None
    return Call(name, name.upper(), n, _arguments(params), unit)


def _arguments(params: Node) -> list[Node | None]:
    """The argument nodes of a misparsed parameter list, split at its top-level commas."""
    groups: list[list[Node]] = [[]]
    for tok in _tokens(params):
        if tok.type == ",":
            groups.append([])
        elif tok.type not in ("(", ")"):
            groups[-1].append(tok)
    out: list[Node | None] = []
    for g in groups:
        node = g[0] if len(g) == 1 else None
        if node is not None and node.type == "parameter_declaration" and node.named_child_count == 1:
            node = node.named_children[0]
        out.append(node)
    return [] if out == [None] else out


def _tokens(params: Node) -> list[Node]:
    """The children of a parameter list, with the children of its ERROR nodes spliced in."""
    out: list[Node] = []
    for ch in params.children:
        if ch.type == "ERROR":
            out.extend(_tokens(ch))
        else:
            out.append(ch)
    return out
