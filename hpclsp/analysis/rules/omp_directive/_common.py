"""What the ``omp-directive`` rules share: the family name, the directive list, near-miss suggestions, fixes.

Each rule of the family lives in its own module; the helpers they all need (the parsed directives
of the file, the closest known name to a misspelt one, the span that removes a clause tidily)
are kept here so that every rule words its suggestions and fixes the same way.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable

from hpclsp.analysis.context import Context
from hpclsp.analysis.findings import Edit, Fix, Severity, Span
from hpclsp.analysis.openmp.model import Clause, Directive
from hpclsp.analysis.openmp.scanner import parse_directives
from hpclsp.analysis.rules import CheckFn, rule
from hpclsp.analysis.source import SourceFile

FAMILY = "omp-directive"


def directive_rule(
    id: str, *, summary: str, what: str, why: str, example: str
) -> Callable[[CheckFn], CheckFn]:
    """``@rule`` for a rule of this family: an error, checked per top-level unit, reading no option."""
    return rule(
        id,
        family=FAMILY,
        scope="unit",  # per top-level unit, cached by the engine
        options=(),
        severity=Severity.ERROR,
        summary=summary,
        what=what,
        why=why,
        example=example,
    )


def family_of(language: str) -> str:
    return "fortran" if language == "fortran" else "c"


def directives(ctx: Context) -> list[Directive]:
    return parse_directives(ctx.source)


def closest(word: str, candidates: Iterable[str], cutoff: float = 0.8) -> tuple[str, float] | None:
    """The closest candidate and its similarity ratio, when at least ``cutoff``."""
    best: tuple[str, float] | None = None
    for cand in candidates:
        r = difflib.SequenceMatcher(None, word, cand).ratio()
        if r >= cutoff and (best is None or r > best[1]):
            best = (cand, r)
    return best


def prefixed(word: str, candidates: Iterable[str]) -> list[str]:
    return sorted(c for c in candidates if c.startswith(word) and c != word) if word else []


def removal_span(src: SourceFile, c: Clause) -> Span:
    """The clause plus the blank (and comma) before it, so removing it leaves a tidy directive."""
    sp = c.span
    if sp.start.line != sp.end.line or sp.start.line >= len(src.lines):
        return sp
    line = src.lines[sp.start.line]
    a, b = sp.start.col, sp.end.col
    k = a
    while k > 0 and line[k - 1] in " \t":
        k -= 1
    if k > 0 and line[k - 1] == ",":
        k -= 1
        while k > 0 and line[k - 1] in " \t":
            k -= 1
    if k > 0 and line[k - 1] in "&(":  # start of a continuation line / just after a bracket
        k = a
    if k == a:
        while b < len(line) and line[b] in " \t,":
            b += 1
    return Span.of(sp.start.line, k, sp.end.line, b)


def remove_fix(src: SourceFile, c: Clause, title: str) -> Fix:
    return Fix(title, (Edit(removal_span(src, c), ""),), preferred=True)


def label(d: Directive) -> str:
    return f"'{d.name}'"
