"""``omp-directive-unknown``: a directive name that is not OpenMP 5.2 in this language.

A misspelt directive is silently ignored by compilers, so this rule names the closest known
directive (or the other language's spelling) and offers the replacement; it needs only the
directive list, not the syntax tree.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from hpclsp.analysis.context import Context
from hpclsp.analysis.findings import Edit, Finding, Fix, Severity, Span
from hpclsp.analysis.openmp import spec
from hpclsp.analysis.openmp.model import Directive
from hpclsp.analysis.rules.omp_directive._common import (
    closest,
    directive_rule,
    directives,
    family_of,
    prefixed,
)
from hpclsp.analysis.source import SourceFile


def _word_spans(src: SourceFile, d: Directive) -> list[Span] | None:
    """Spans of the words of an unknown directive name (None when it is split over lines)."""
    sp = d.name_span
    if sp.start.line != sp.end.line or sp.start.line >= len(src.lines):
        return None
    line = src.lines[sp.start.line]
    out = []
    for m in re.finditer(r"[A-Za-z_][A-Za-z0-9_]*", line[sp.start.col : sp.end.col]):
        out.append(Span.of(sp.start.line, sp.start.col + m.start(), sp.start.line, sp.start.col + m.end()))
    return out


@directive_rule(
    "omp-directive-unknown",
    summary="Unknown OpenMP directive name.",
    what="""
Flags an `#pragma omp` / `!$omp` line whose directive name is not an OpenMP 5.2 directive in
this language, suggesting the closest known name (a quick fix replaces a near miss such as
`paralel` or the other language's spelling, `parallel do` in C).
""",
    why="""
Compilers ignore (or only warn about) an OpenMP pragma they do not recognise, so a typo in the
directive name silently turns a parallel loop into a sequential one.
""",
    example="""
#pragma omp paralel for      // unknown: did you mean 'parallel for'?
#pragma omp parallel for     // ok
""",
)
def check_unknown(ctx: Context) -> Iterator[Finding]:
    """Report directives whose name is not a known OpenMP directive."""
    src = ctx.source
    fam = family_of(src.language)
    names = spec.directive_names(fam)
    for d in directives(ctx):
        if d.known:
            continue
        if not d.name:
            yield Finding(
                "omp-directive-unknown",
                f"missing OpenMP directive name after '{d.sentinel}'",
                d.span,
                Severity.ERROR,
            )
            continue
        if d.name.startswith("ompx") or d.name.startswith("ompx_"):
            continue  # vendor extensions
        if d.spelling_hint:
            other = "Fortran" if fam == "c" else "C/C++"
            yield Finding(
                "omp-directive-unknown",
                f"'{d.name}' is the {other} spelling; write '{d.spelling_hint}'",
                d.name_span,
                Severity.ERROR,
                fixes=[Fix(f"Replace with '{d.spelling_hint}'", (Edit(d.name_span, d.spelling_hint),), True)],
            )
            continue
        words = d.name.split()
        spans = _word_spans(src, d)
        best: tuple[str, float, int] | None = None
        for k in range(len(words), 0, -1):
            cand = " ".join(words[:k])
            pool = [n for n in names if len(n.split()) in (k - 1, k, k + 1)]
            m = closest(cand, pool, cutoff=0.6)
            if m is not None and (best is None or m[1] > best[1]):
                best = (m[0], m[1], k)
        fixes = []
        if best is not None and best[1] >= 0.8:
            msg = f"unknown OpenMP directive '{d.name}'; did you mean '{best[0]}'?"
            if spans is not None and len(spans) >= best[2]:
                rng = Span(spans[0].start, spans[best[2] - 1].end)
                fixes.append(Fix(f"Replace with '{best[0]}'", (Edit(rng, best[0]),), True))
        else:
            pre = prefixed(words[0], names)
            if pre:
                msg = f"unknown OpenMP directive '{d.name}'; did you mean '{pre[0]}'?"
            elif best is not None:
                msg = f"unknown OpenMP directive '{d.name}'; did you mean '{best[0]}'?"
            else:
                msg = f"unknown OpenMP directive '{d.name}'"
        yield Finding("omp-directive-unknown", msg, d.name_span, Severity.ERROR, fixes=fixes)
