"""MPI calls that a statement macro hides from the C parser.

A line holding only an object-like macro that expands to statements (``TIMER_START``,
``ENTER_REGION``) followed by a call, ``MACRO\\n MPI_Barrier(comm);``, reads to tree-sitter as the
declaration of a function ``MPI_Barrier`` of type ``MACRO`` (or an ERROR node around such a
declarator). Nobody declares an MPI routine inside a function body, so such a declarator is a call
that the preprocessor would have exposed. The host model (``hostcode.model``) lists these calls
among a unit's calls, so every MPI rule sees them, and the per-rank evaluator (``mpi_eval``) executes
a statement made of such calls (``hidden_statement``); the argument nodes are recovered as far as the
broken tree allows (None where a position holds more than one token).
"""

from __future__ import annotations

from collections.abc import Callable

from hpclsp.analysis.treeutil import Node


def hidden_call(text: Callable[[Node], str], n: Node) -> tuple[str, list[Node | None]] | None:
    """(name, argument nodes) for a ``MACRO MPI_Xxx(...)`` function declarator in a function body, else None."""
    if n.type != "function_declarator" or n.parent is None or n.parent.type not in ("declaration", "ERROR"):
        return None
    prev = n.prev_named_sibling
    name_node = n.child_by_field_name("declarator")
    params = n.child_by_field_name("parameters")
    if prev is None or prev.type != "type_identifier" or name_node is None or params is None:
        return None
    name = text(name_node)
    if name_node.type != "identifier" or not name.upper().startswith("MPI_"):
        return None
    return name, _arguments(params)


#: Single-token arguments whose node the evaluator can read as an expression.
READABLE = frozenset({"identifier", "type_identifier", "number_literal", "true", "false", "null"})
#: What else a statement of hidden calls holds when the parser gave up on it (an ERROR node).
_ERROR_FILLER = frozenset({"type_identifier", "identifier", "comment"})


def hidden_statement(
    text: Callable[[Node], str], node: Node
) -> list[tuple[Node, str, list[Node | None]]] | None:
    """The hidden calls (declarator, name, arguments) of a statement that holds nothing else, in order:
    a declaration ``MACRO MPI_Xxx(...);`` or an ERROR node of such calls, bare macro names and
    semicolons. None when the statement holds anything else."""
    calls: list[tuple[Node, str, list[Node | None]]] = []
    for ch in node.named_children:
        h = hidden_call(text, ch)
        if h is not None:
            calls.append((ch, h[0], h[1]))
        elif ch.type == "type_identifier" or (
            node.type == "ERROR" and (ch.type in _ERROR_FILLER or text(ch).strip() == ";")
        ):
            continue
        else:
            return None
    return calls or None


def broken_call(text: Callable[[Node], str], n: Node) -> bool:
    """True for an ERROR node holding ``MPI_Xxx (`` whose arguments the parser put in the next statement
    (``MACRO MPI_Send(&x, ...);`` can read as an ERROR then an expression): a call nobody can execute."""
    return n.type == "ERROR" and any(
        c.type == "identifier"
        and c.next_sibling is not None
        and c.next_sibling.type == "("
        and text(c).upper().startswith("MPI_")
        for c in n.children
    )


def _arguments(params: Node) -> list[Node | None]:
    """The argument nodes of a misparsed parameter list, split at its top-level commas (None for an
    argument of several tokens, ``&x`` included: its position is known, its node is not)."""
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
    return out if any(groups) else []


def _tokens(params: Node) -> list[Node]:
    """The children of a parameter list, with the children of its ERROR nodes spliced in."""
    out: list[Node] = []
    for ch in params.children:
        if ch.type == "ERROR":
            out.extend(_tokens(ch))
        else:
            out.append(ch)
    return out
