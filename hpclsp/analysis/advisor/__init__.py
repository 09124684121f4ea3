"""Parallelization advisor (package): per-loop verdicts, clause synthesis, pragma text and the edits that insert it.

Built on the shared IR (``ir.build_ir``) and dependence tests (``ir.dependence.test``); the scalar
analyses the IR does not provide (definition before use in every iteration, liveness after the
loop, reduction patterns, side effects of calls) live here.

For every loop of a file, ``advise(source)`` returns a ``LoopAdvice``: whether its iterations are
independent under the listed clauses (``parallelizable``), whether the tool would insert a pragma
there (``suggested``: the outermost profitable parallelizable loop of a nest, never inside an
existing parallel region, never a loop with a trivially small constant trip count), the pragma,
and a reason naming the dependence that prevents parallelization. Every suggestion is vetted: the
pragma is applied to the text and the race checker (``omp-race*``) runs on the result; a suggestion
that produces a race finding is withdrawn.

Modules, in data-flow order: ``tables`` (fixed facts), ``model`` (the output), ``nodes`` (tree helpers),
``base`` (per-file state, loop shape), ``effects`` (side effects as dependences), ``scalars``
(scalar classification), ``verdict`` (independence and clauses), ``placement`` (where to suggest),
``pragma`` (directive text and edits), ``vetting`` (race-checker vetting).
"""

from __future__ import annotations

import logging

from hpclsp.analysis.advisor.model import Blocker, LoopAdvice
from hpclsp.analysis.advisor.placement import Advisor
from hpclsp.analysis.advisor.pragma import (
    all_suggestion_edits,
    apply_suggestions,
    end_pragma_text,
    pragma_text,
    suggestion_edits,
)
from hpclsp.analysis.advisor.tables import SMALL_TRIP
from hpclsp.analysis.advisor.vetting import vet
from hpclsp.analysis.findings import Pos
from hpclsp.analysis.source import SourceFile

__all__ = [
    "SMALL_TRIP",
    "Advisor",
    "Blocker",
    "LoopAdvice",
    "advise",
    "all_suggestion_edits",
    "apply_suggestions",
    "end_pragma_text",
    "loop_at",
    "pragma_text",
    "suggestion_edits",
    "vet",
]

log = logging.getLogger(__name__)


def advise(source: SourceFile, vet_races: bool = True, suggestions_only: bool = False) -> list[LoopAdvice]:
    """Advice for every loop of a file, outer loops before inner ones (cached on the source).

    With ``suggestions_only`` (for callers that read only the suggested loops), loops that can never
    be suggested are not analysed (``Advisor.run(candidates_only=True)``); the suggestions are the same.
    """
    key = "advisor" if vet_races else "advisor-unvetted"
    cached = source.cache.get(key)
    if cached is None and suggestions_only:
        key += "-suggestions"
        cached = source.cache.get(key)
    if cached is not None:
        return cached
    try:
        advice = Advisor(source).run(candidates_only=suggestions_only)
    except RecursionError:
        log.warning("%s: too deeply nested for the advisor", source.path)
        advice = []
    if vet_races:
        vet(source, advice)
    source.cache[key] = advice
    return advice


def loop_at(advice: list[LoopAdvice], pos: Pos) -> LoopAdvice | None:
    """The innermost loop whose keyword (or header line) contains pos."""
    best = None
    for a in advice:
        ks = a.keyword_span
        if ks.contains(pos):
            best = a
    return best
