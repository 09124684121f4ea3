"""The one syntax-tree walker of the analyses and the node kinds they share, named once.

``preorder`` walks any tree (tree-sitter nodes or the light trees some analyses build) given how
to reach a node's children; ``walk`` is the tree-sitter case. Both are iterative, so deeply
nested code cannot exhaust the Python stack.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from typing import TypeVar

import tree_sitter

Node = tree_sitter.Node
T = TypeVar("T")

#: Loop statements of the C family (C, C++, CUDA) and of Fortran.
C_LOOPS = frozenset({"for_statement", "while_statement", "do_statement", "for_range_loop"})
F_LOOPS = frozenset({"do_loop"})
#: Constructs that choose between arms (the ternary operator included).
C_BRANCHES = frozenset({"if_statement", "switch_statement", "conditional_expression", "case_statement"})
F_BRANCHES = frozenset({"if_statement", "select_case_statement", "where_statement"})
#: Fortran program units that own their statements, and the constructs that nest other units in one.
F_UNITS = frozenset({"program", "subroutine", "function"})
F_NESTED_UNITS = frozenset({"subroutine", "function", "internal_procedures", "module"})
#: C-family parameters that declare a name: ``int n`` and, in C++, one with a default ``int b = 0``.
C_PARAMETERS = frozenset({"parameter_declaration", "optional_parameter_declaration"})


def preorder(
    root: T,
    children: Callable[[T], Sequence[T]],
    skip: Callable[[T], bool] | None = None,
) -> Iterator[T]:
    """Root and its descendants in source order; a descendant for which skip holds is not entered."""
    stack = [root]
    while stack:
        n = stack.pop()
        if skip is not None and n is not root and skip(n):
            continue
        yield n
        stack.extend(reversed(children(n)))


def _named(n: Node) -> Sequence[Node]:
    return n.named_children


def _all(n: Node) -> Sequence[Node]:
    return n.children


def walk(node: Node, *, named: bool = True, skip: Collection[str] = ()) -> Iterator[Node]:
    """Node and its descendants in source order: named ones only unless named is False.

    Descendants whose kind is in skip are neither yielded nor entered (node itself always is).
    """
    kinds = frozenset(skip)
    return preorder(node, _named if named else _all, (lambda n: n.type in kinds) if kinds else None)


def function_declarator(fn: Node) -> Node | None:
    """The ``function_declarator`` of a C-family function definition, reached through its pointer,
    reference and parenthesized declarators; None when there is none.

    The innermost one is the function's own: ``int (*h(int q))(int)`` defines ``h(int q)``, which
    returns a pointer to a function of ``int``."""
    found = None
    d = fn.child_by_field_name("declarator")
    while d is not None:
        if d.type == "function_declarator":
            found = d
        if d.type in _UNFIELDED_DECLARATORS:  # ``int& g(...)``, ``(*h(...))``: the inner one has no field
            d = d.named_children[0] if d.named_children else None
        else:
            d = d.child_by_field_name("declarator")
    return found


#: Declarators whose inner declarator is a plain child, not a ``declarator`` field
_UNFIELDED_DECLARATORS = frozenset({"reference_declarator", "parenthesized_declarator"})

#: Node kinds that name a C-family function in its declarator (``f``, ``s.f``, ``A::f``, ``~A``, ``operator+``)
C_FUNCTION_NAMES = frozenset(
    {"identifier", "field_identifier", "qualified_identifier", "destructor_name", "operator_name"}
)


def function_name_node(fn: Node) -> Node | None:
    """The node naming a C-family function definition: the name in its ``function_declarator``
    (``function_declarator`` finds that one through pointer, reference and parenthesized
    declarators), else the first name down its declarators; None when it has none. A qualified
    name (``A::f``) is returned whole: callers that match calls take its last part."""
    fd = function_declarator(fn)
    d = fn.child_by_field_name("declarator") if fd is None else fd.child_by_field_name("declarator")
    while d is not None and d.type not in C_FUNCTION_NAMES:
        if d.type in _UNFIELDED_DECLARATORS:
            d = d.named_children[0] if d.named_children else None
        else:
            d = d.child_by_field_name("declarator")
    return d


def function_parameters(fn: Node) -> list[Node]:
    """The parameters of a C-family function definition, in order ([] without a parameter list): the
    named children of its list except comments, so that the k-th entry is the k-th argument's."""
    d = function_declarator(fn)
    params = d.child_by_field_name("parameters") if d is not None else None
    return [p for p in params.named_children if p.type != "comment"] if params is not None else []


def parameter_name(param: Node) -> Node | None:
    """The identifier a C-family parameter declares, through its pointer, reference, array and
    parenthesized declarators (``int &x``, ``double (*v)[3]``); None when it names none (``int``, ``...``)."""
    d = param.child_by_field_name("declarator")
    while d is not None and d.type != "identifier":
        if d.type in _UNFIELDED_DECLARATORS:
            d = d.named_children[0] if d.named_children else None
        else:
            d = d.child_by_field_name("declarator")
    return d


def c_parameter_names(fn: Node) -> list[str]:
    """The names the parameters of a C-family function definition declare, in order ("" for one
    that names none), so that the k-th entry is the k-th argument's."""
    out = []
    for p in function_parameters(fn):
        d = parameter_name(p)
        out.append((d.text or b"").decode("utf-8", "replace") if d is not None else "")
    return out


def fortran_unit_name(unit: Node) -> Node | None:
    """The ``name`` node of a Fortran program unit (program, module, subroutine, function), read
    from its first statement; None when it has none."""
    head = unit.named_child(0)  # not ``named_children``: a unit's list holds every statement
    if head is None:
        return None
    return head.child_by_field_name("name") or next(
        (c for c in head.named_children if c.type == "name"), None
    )


def fortran_dummies(unit: Node) -> list[Node]:
    """The dummy-argument names of a Fortran subroutine or function, in order ([] without a list):
    the identifiers of its statement's ``parameters``, so a comment after a ``&`` is none (an
    obsolescent alternate return ``*`` is not counted either)."""
    st = unit.named_child(0)  # not ``named_children``: a unit's list holds every statement
    params = st.child_by_field_name("parameters") if st is not None else None
    return [p for p in params.named_children if p.type == "identifier"] if params is not None else []


def then_conditions(node: Node, stop: int = -1) -> Iterator[tuple[Node, Node]]:
    """``(if statement, condition)`` for each ``if`` enclosing ``node`` (starting after byte ``stop``)
    whose *then* branch holds it, innermost first; C family and Fortran."""
    p = node.parent
    while p is not None and p.start_byte > stop:
        if p.type == "if_statement":
            cond = p.child_by_field_name("condition")
            if cond is None:
                cond = next((c for c in p.named_children if c.type == "parenthesized_expression"), None)
            alt = p.child_by_field_name("alternative")
            in_else = any(
                c.start_byte <= node.start_byte < c.end_byte
                for c in p.named_children
                if c.type in ("else_clause", "elseif_clause") or (alt is not None and c.id == alt.id)
            )
            if cond is not None and not in_else and not (cond.start_byte <= node.start_byte < cond.end_byte):
                yield p, cond
        p = p.parent
