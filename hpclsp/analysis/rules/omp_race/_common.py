"""What the ``omp-race`` rules share: the one race analysis per file, and races turned into findings.

Every rule of the family reports one kind of race out of the same analysis, so the analysis runs
once per file (cached in ``source.cache["omp_race"]``, with the functions that ran out of budget in
``source.cache["omp_race_incomplete"]``) and the conversion of a race into a finding, with its
conflicting accesses as related information and its fixes, is written once here.
"""

from __future__ import annotations

from collections.abc import Iterable

from hpclsp.analysis.context import Context
from hpclsp.analysis.findings import Finding, Related, Severity
from hpclsp.analysis.races.analyzer import Analyzer
from hpclsp.analysis.races.model import Race
from hpclsp.analysis.source import SourceFile


def analyze(source: SourceFile) -> list[Race]:
    """All races in a file (cached)."""
    cached = source.cache.get("omp_race")
    if cached is None:
        an = Analyzer(source)
        cached = an.run()
        source.cache["omp_race"] = cached
        source.cache["omp_race_incomplete"] = sorted(an.budget.exhausted.values(), key=lambda t: t[1])
    return cached


def unfinished(source: SourceFile) -> list[tuple[str, int]]:
    """(function name, 0-based line) of the functions whose race analysis ran out of budget."""
    analyze(source)
    return list(source.cache.get("omp_race_incomplete", []))


def race_findings(ctx: Context, kind: str) -> Iterable[Finding]:
    """The findings of one kind of race (``omp-race-<kind>``) in the file of ``ctx``."""
    code = f"omp-race-{kind}"
    if kind == "indirect" and not ctx.options.low_confidence:
        return []
    out = []
    fortran = ctx.source.language == "fortran"
    for r in analyze(ctx.source):
        if r.kind != kind:
            continue
        accesses = [
            {"line": a.span.start.line, "character": a.span.start.col, "kind": a.kind}
            for a in [r.primary, *r.others]
        ]
        related = [
            Related(a.span, f"conflicting {'write' if a.is_write else 'read'} of `{a.text or a.name}`")
            for a in r.others
        ]
        var = r.var
        out.append(
            Finding(
                code,
                r.message,
                r.primary.span,
                Severity.WARNING,
                related,
                list(r.fixes),
                {
                    "variable": var.lower() if fortran else var,
                    "accesses": accesses,
                    "confidence": r.confidence,
                },
            )
        )
    return out
