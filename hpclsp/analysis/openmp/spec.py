"""OpenMP 5.2 lookups: which directives exist in a language, which clauses each accepts, and more.

The tables in ``spec_tables`` are written once, in C spelling; this module turns them into
per-language lookups (Fortran spells loop worksharing ``do`` and has ``end`` directives) and is
the one place that answers questions about them, so the parser, the rules and completion agree.
``language`` arguments accept ``"c"``, ``"cpp"``, ``"cuda"`` (all treated as C) or ``"fortran"``.
Combined and composite directives accept the union of their leaf directives' clauses, minus the
spec's exceptions (``nowait`` is not allowed on a combined construct with a ``parallel`` leaf
unless it also has a ``target`` leaf, whose ``nowait`` it is).
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Iterator
from typing import Literal

from hpclsp.analysis.openmp.spec_tables import (
    C_PAIRED,
    CLAUSE_TABLE,
    COMBINED,
    DATA_SHARING_CLAUSES,
    FORTRAN_ONLY,
    LEAVES,
    OTHER_DIRECTIVES,
    PRIVATIZING_CLAUSES,
    REDUCTION_CLAUSES,
)
from hpclsp.analysis.openmp.spec_types import ClauseInfo, DirectiveInfo, DirectiveKind, EndKind
from hpclsp.analysis.reductions import REDUCTION_OPERATORS

#: Every clause by name.
CLAUSES: dict[str, ClauseInfo] = {c.name: c for c in CLAUSE_TABLE}


def _to_fortran(name: str) -> str:
    return " ".join("do" if w == "for" else w for w in name.split())


def _combined_clauses(leaves: tuple[str, ...]) -> set[str]:
    out: set[str] = set()
    for leaf in leaves:
        out |= LEAVES[leaf][1]
    # nowait on a combined construct with a parallel leaf belongs to no leaf, unless a target leaf takes it.
    if "parallel" in leaves and "target" not in leaves:
        out.discard("nowait")
    # copyin needs the parallel leaf's threads; ordered/linear etc. are unions per the spec.
    return out


def _loop_kind(leaves: tuple[str, ...]) -> DirectiveKind:
    return "loop" if any(LEAVES[leaf][0] == "loop" for leaf in leaves) else "block"


_Pair = tuple[DirectiveInfo | None, DirectiveInfo | None]


def _leaf_pairs() -> Iterator[_Pair]:
    """(C, Fortran) entries of the leaf constructs; Fortran-only leaves have no C entry."""
    for name, (kind, clauses, summary) in LEAVES.items():
        end: EndKind = "optional" if kind == "loop" else "required" if kind == "block" else "none"
        info_c = None
        if name not in FORTRAN_ONLY:
            info_c = DirectiveInfo(
                name, kind, frozenset(clauses), (name,), frozenset({"c"}), "none", summary=summary
            )
        fname = _to_fortran(name)
        info_f = DirectiveInfo(
            fname, kind, frozenset(clauses), (fname,), frozenset({"fortran"}), end, summary=summary
        )
        yield info_c, info_f


def _combined_pairs() -> Iterator[_Pair]:
    """(C, Fortran) entries of the combined/composite constructs, their clauses the leaves' union."""
    for leaves in COMBINED:
        name = " ".join(leaves)
        clauses = _combined_clauses(leaves)
        kind = _loop_kind(leaves)
        summary = "Combined construct: " + " + ".join(leaves) + "."
        info_c = None
        if not (set(leaves) & FORTRAN_ONLY):
            info_c = DirectiveInfo(name, kind, frozenset(clauses), leaves, frozenset({"c"}), summary=summary)
        fleaves = tuple(_to_fortran(x) for x in leaves)
        info_f = DirectiveInfo(
            " ".join(fleaves), kind, frozenset(clauses), fleaves, frozenset({"fortran"}),
            "optional" if kind == "loop" else "required", summary=summary.replace(" for", " do"),
        )  # fmt: skip
        yield info_c, info_f


def _other_pairs() -> Iterator[_Pair]:
    """(C, Fortran) entries of the directives that are not constructs with leaves."""
    for name, kind, clauses, end, arg, summary in OTHER_DIRECTIVES:
        shape: Literal["list", "parts"] = (
            "parts" if name in ("declare reduction", "declare mapper") else "list"
        )
        info_f = DirectiveInfo(
            name,
            kind,
            frozenset(clauses - {"for"}),
            (name,),
            frozenset({"fortran"}),
            end,
            arg,
            shape,
            summary,
        )
        info_c = None
        if name not in FORTRAN_ONLY:
            c_clauses = frozenset(clauses - {"do"})
            info_c = dataclasses.replace(info_f, clauses=c_clauses, languages=frozenset({"c"}), end="none")
        yield info_c, info_f


def _c_paired_pairs() -> Iterator[_Pair]:
    """C entries of the ``begin``/``end`` pragma pairs (no Fortran spelling)."""
    for name, clauses, summary in C_PAIRED:
        yield (
            DirectiveInfo(
                name, "declarative", frozenset(clauses), (name,), frozenset({"c"}), summary=summary
            ),
            None,
        )


def _fortran_end(info: DirectiveInfo) -> DirectiveInfo:
    """The ``end`` directive of a Fortran construct: its clauses are ``nowait`` and ``copyprivate`` where the
    construct takes them."""
    end_clauses = {c for c in ("nowait", "copyprivate") if c in info.clauses}
    ename = "end " + info.name
    return DirectiveInfo(
        ename, "end", frozenset(end_clauses), info.leaves, frozenset({"fortran"}), "none",
        "optional" if info.name == "critical" else "none", summary=f"End of the {info.name} construct.",
    )  # fmt: skip


@functools.cache
def _tables() -> dict[str, dict[str, DirectiveInfo]]:
    """Directive tables per language family: {"c": {...}, "fortran": {...}}."""
    c: dict[str, DirectiveInfo] = {}
    f: dict[str, DirectiveInfo] = {}
    for info_c, info_f in itertools.chain(
        _leaf_pairs(), _combined_pairs(), _other_pairs(), _c_paired_pairs()
    ):
        if info_c is not None:
            c[info_c.name] = info_c
        if info_f is not None:
            f[info_f.name] = info_f
    ends = [_fortran_end(info) for info in f.values() if info.end != "none"]
    f.update((e.name, e) for e in ends)
    return {"c": c, "fortran": f}


def _family(language: str) -> str:
    return "fortran" if language.lower().startswith("f") else "c"


# --------------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------------


def directive_names(language: str = "c") -> list[str]:
    """Every directive name in one language's spelling (``c``/``cpp``/``cuda`` or ``fortran``), sorted."""
    return list(_sorted_directive_names(_family(language)))


@functools.cache
def _sorted_directive_names(family: str) -> tuple[str, ...]:
    return tuple(sorted(_tables()[family]))


def directive_info(name: str, language: str = "c") -> DirectiveInfo | None:
    """Facts about a directive (canonical name), or None when it is not an OpenMP directive in that language."""
    return _tables()[_family(language)].get(" ".join(name.lower().split()))


def is_directive(name: str, language: str = "c") -> bool:
    """True when name is an OpenMP 5.2 directive in that language."""
    return directive_info(name, language) is not None


def clauses_for(directive: str, language: str = "c") -> list[str]:
    """The clauses a directive accepts, sorted (empty for unknown directives)."""
    info = directive_info(directive, language)
    if info is None:
        return []
    return list(_sorted_clauses(info.name, _family(language)))


@functools.cache
def _sorted_clauses(name: str, family: str) -> tuple[str, ...]:
    info = _tables()[family][name]
    return tuple(sorted(c for c in info.clauses if family in CLAUSES[c].languages))


def clause_allowed(directive: str, clause: str, language: str = "c") -> bool:
    """True when the clause may appear on the directive."""
    info = directive_info(directive, language)
    return info is not None and clause in info.clauses


def clause_info(name: str) -> ClauseInfo | None:
    """Facts about a clause, or None for an unknown clause."""
    return CLAUSES.get(name.lower())


def clause_names(language: str = "c") -> list[str]:
    """Every clause name valid in a language, sorted (the directive rules ask once per file)."""
    return list(_sorted_clause_names(_family(language)))


@functools.cache
def _sorted_clause_names(family: str) -> tuple[str, ...]:
    return tuple(sorted(c.name for c in CLAUSE_TABLE if family in c.languages))


def is_data_sharing(clause: str) -> bool:
    """True for data-sharing attribute clauses (private, shared, reduction, ...)."""
    return clause.lower() in DATA_SHARING_CLAUSES


def sharing_class(clause: str) -> str | None:
    """The data-sharing class a clause gives its list items: ``shared``, ``private``, ``firstprivate``,
    ``lastprivate``, ``linear`` or ``reduction``; None for other clauses (including ``default``)."""
    c = clause.lower()
    if c in REDUCTION_CLAUSES:
        return "reduction"
    if c == "shared" or c in PRIVATIZING_CLAUSES:
        return c
    return None


def end_kind(directive: str, language: str = "fortran") -> EndKind:
    """Whether a construct needs a Fortran ``end`` directive: required, optional or none (always none in C)."""
    if _family(language) == "c":
        return "required" if directive.startswith("begin ") else "none"
    info = directive_info(directive, "fortran")
    return info.end if info is not None else "none"


def needs_end(directive: str, fortran: bool = True) -> bool:
    """True when the directive must be closed by an ``end`` directive (Fortran ``end X``; C ``begin`` forms)."""
    return end_kind(directive, "fortran" if fortran else "c") == "required"


def leaves(directive: str, language: str = "c") -> tuple[str, ...]:
    """Leaf constructs of a (combined) directive; ``()`` for unknown ones."""
    info = directive_info(directive, language)
    return info.leaves if info is not None else ()


def other_spelling(name: str, language: str) -> str | None:
    """The spelling of a directive in the given language when ``name`` is the other language's spelling
    (``parallel do`` -> ``parallel for`` in C), else None."""
    fam = _family(language)
    words = name.split()
    cand = " ".join(("for" if w == "do" else w) for w in words) if fam == "c" else _to_fortran(name)
    if cand != name and cand in _tables()[fam]:
        return cand
    return None


def reduction_operators(language: str = "c") -> frozenset[str]:
    """Built-in reduction operators of a language (identifiers name user reductions and are valid too)."""
    return REDUCTION_OPERATORS[_family(language)]


@functools.cache
def max_name_words() -> int:
    """The largest number of words in any directive name."""
    return max(len(n.split()) for t in _tables().values() for n in t)


@functools.cache
def directive_name_set(language: str = "c") -> frozenset[str]:
    """Every directive name in one language's spelling, as a set (fast membership)."""
    return frozenset(_tables()[_family(language)])


@functools.cache
def squashed_names(language: str) -> dict[str, str]:
    """Directive names with blanks removed -> canonical name (Fortran allows ``enddo``, ``paralleldo``)."""
    return {n.replace(" ", ""): n for n in _tables()[_family(language)]}
