"""``omp-analysis-incomplete``: a note on each function the race analysis could not finish.

Silence from the race rules is read as "no race"; where the analysis stopped at its work budget
that reading is wrong, so this rule says so once per function. It is a note about the analysis,
not a kind of race, which is why it is a rule of its own.
"""

from __future__ import annotations

from collections.abc import Iterable

from hpclsp.analysis.context import Context
from hpclsp.analysis.findings import Finding, Pos, Severity, Span
from hpclsp.analysis.rules import rule
from hpclsp.analysis.rules.omp_race._common import unfinished


@rule(
    "omp-analysis-incomplete",
    family="omp-race",
    severity=Severity.INFORMATION,
    summary="A function too large for the race analysis to examine every pair of accesses.",
    what="Reports, once per function, that the data-race analysis stopped at its work budget: the races listed "
    "for that function are the ones found before the budget ran out.",
    why="Generated code (tiled loop nests with thousands of accesses) must not stall the editor; the note says "
    "the silence there is not a proof that the function is race-free.",
    example="/* a 2,000-line generated kernel with seven-deep tiled loop nests in one function */",
    languages=("c", "cpp", "cuda", "fortran"),
    scope="unit",
    options=(),
)
def check_incomplete(ctx: Context) -> Iterable[Finding]:
    """One Information note per function whose race analysis hit the work budget."""
    out = []
    for name, line in unfinished(ctx.source):
        text = ctx.source.lines[line] if 0 <= line < len(ctx.source.lines) else ""
        col = max(0, text.find(name)) if name else 0
        out.append(
            Finding(
                "omp-analysis-incomplete",
                f"`{name}` is too large to analyse fully for data races: only part of its accesses were compared",
                Span(Pos(line, col), Pos(line, col + len(name))),
                Severity.INFORMATION,
            )
        )
    return out
