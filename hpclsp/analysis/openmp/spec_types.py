"""The record types of the OpenMP 5.2 tables: what a clause and a directive look like.

The tables (``spec_tables``) are written as rows of these records and the lookups (``spec``) hand
them out, so both, and every reader of a lookup's answer, share one definition of the fields; the
types live apart from the tables so that the data module holds nothing but data.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

EndKind = Literal["required", "optional", "none"]
ArgKind = Literal["none", "optional", "required"]

#: Argument shapes the parser knows (see ``hpclsp.analysis.openmp.clauses``):
#: ``none``      no parentheses (``nowait``);
#: ``list``      ``(list)`` of variables / array sections (``private``);
#: ``mod_list``  ``([modifiers :] list)`` (``reduction``, ``map``, ``depend``, ``lastprivate``);
#: ``list_step`` ``(list [: expr])`` (``linear``, ``aligned``);
#: ``expr``      ``(expr)`` (``num_threads``, ``collapse``);
#: ``mod_expr``  ``([modifier :] expr)`` (``if``, ``device``, ``grainsize``);
#: ``keyword``   ``(kind)`` (``default``, ``proc_bind``, ``bind``);
#: ``kind_expr`` ``([modifiers :] kind [, expr])`` (``schedule``, ``dist_schedule``);
#: ``mod_keyword`` ``([modifier :] kind)`` / ``(kind [: category])`` (``order``, ``defaultmap``);
#: ``exprlist``  ``(expr, expr, ...)`` (``sizes``);
#: ``raw``       anything balanced (``when``, ``match``, ``initializer``, ``uses_allocators``).
ArgShape = Literal[
    "none", "list", "mod_list", "list_step", "expr", "mod_expr", "keyword", "kind_expr", "mod_keyword",
    "exprlist", "raw",
]  # fmt: skip

DirectiveKind = Literal[
    "block", "loop", "standalone", "declarative", "informational", "meta", "subsidiary", "utility", "end"
]  # fmt: skip


@dataclasses.dataclass(frozen=True)
class ClauseInfo:
    """What one clause looks like."""

    name: str
    shape: ArgShape
    #: ``required``: parentheses required; ``optional``: may be given; ``none``: never.
    args: Literal["required", "optional", "none"]
    #: At most one occurrence per directive (the spec's "unique" property).
    unique: bool
    summary: str
    #: Valid kind keywords (``default(none)``), empty when free-form.
    kinds: frozenset[str] = frozenset()
    #: Valid modifier keywords (function-style modifiers such as ``iterator(...)`` are matched by name).
    modifiers: frozenset[str] = frozenset()
    #: Languages where the clause exists (``c`` stands for C/C++/CUDA).
    languages: frozenset[str] = frozenset({"c", "fortran"})


def make_clause(
    name: str,
    shape: ArgShape,
    summary: str,
    *,
    args: Literal["required", "optional", "none"] | None = None,
    unique: bool | None = None,
    kinds: tuple[str, ...] = (),
    modifiers: tuple[str, ...] = (),
    languages: tuple[str, ...] = ("c", "fortran"),
) -> ClauseInfo:
    """A clause row: parentheses default to required, and uniqueness to false, unless the shape takes
    no argument (such a clause says all it can say once)."""
    if args is None:
        args = "none" if shape == "none" else "required"
    if unique is None:
        unique = shape == "none"
    return ClauseInfo(
        name, shape, args, unique, summary, frozenset(kinds), frozenset(modifiers), frozenset(languages)
    )


@dataclasses.dataclass(frozen=True)
class DirectiveInfo:
    """What one directive (in one language's spelling) looks like."""

    name: str
    kind: DirectiveKind
    clauses: frozenset[str]
    #: Leaf constructs of a combined/composite directive (itself for a leaf).
    leaves: tuple[str, ...]
    #: Languages: ``c`` (C/C++/CUDA) and/or ``fortran``.
    languages: frozenset[str]
    #: Fortran ``end`` directive: required, optional (loop constructs, atomic) or none.
    end: EndKind = "none"
    #: Parenthesised directive argument: ``critical(name)``, ``threadprivate(list)``...
    argument: Literal["none", "optional", "required"] = "none"
    #: How the argument is split into items: ``list`` (commas) or ``parts`` (top-level colons).
    argument_shape: Literal["list", "parts"] = "list"
    summary: str = ""

    @property
    def combined(self) -> bool:
        """True for combined/composite directives (more than one leaf)."""
        return len(self.leaves) > 1
