"""``omp-parallelizable-loop``: a Hint on each loop the advisor would parallelize, naming the exact pragma."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from hpclsp.analysis.findings import Finding, Severity
from hpclsp.analysis.rules import rule

if TYPE_CHECKING:
    from hpclsp.analysis.context import Context


@rule(
    "omp-parallelizable-loop",
    family="omp",
    severity=Severity.HINT,
    summary="This loop can be parallelized with the pragma shown",
    what="""
Reports, as a hint, every loop whose iterations the advisor proved independent and where it would
insert a pragma: the outermost profitable loop of a nest, outside any existing parallel region,
with more than a handful of iterations. The message names the exact directive, with the
`private`, `firstprivate`, `lastprivate`, `reduction`, `collapse` and `schedule` clauses it needs;
the code action "Parallelize loop" inserts it. Loops with I/O, calls of unknown effect, C++
operators on shared objects, allocation into shared pointers, hidden state or early exits are never
reported. When the loop writes through a pointer parameter that may overlap another one, the
message states the assumption ("assuming `p` and `q` do not overlap"). Controlled by the setting
`suggestions.hints`.
""",
    why="""
Finding the loops worth parallelizing, and the clauses that keep them correct, is the tedious part of
adding OpenMP to serial code. Every suggestion is checked by the race checker after insertion, so
accepting it does not introduce a data race.
""",
    example="""
double s = 0.0;
for (int i = 0; i < n; i++)   // hint: #pragma omp parallel for reduction(+:s)
  s += a[i] * b[i];
""",
    emits=("omp-parallelizable-loop",),
    scope="unit",
    options=("hints",),
)
def check(ctx: Context) -> Iterable[Finding]:
    """One hint per suggested loop (only when hints are enabled)."""
    if not ctx.options.hints:
        return []
    from hpclsp.analysis import advisor

    out = []
    for a in advisor.advise(ctx.source, suggestions_only=True):
        if not a.suggested or not a.pragma:
            continue
        assuming = f" (assuming {'; '.join(a.assumptions)})" if a.assumptions else ""
        out.append(
            Finding(
                code="omp-parallelizable-loop",
                message=f"Loop can be parallelized{assuming}: {a.pragma}",
                span=a.keyword_span,
                severity=Severity.HINT,
                data={
                    "pragma": a.pragma,
                    "private": a.private,
                    "firstprivate": a.firstprivate,
                    "lastprivate": a.lastprivate,
                    "reduction": a.reduction,
                    "collapse": a.collapse,
                    "schedule": a.schedule,
                    "reason": a.reason,
                    "assumptions": a.assumptions,
                },
            )
        )
    return out
