"""Vetting by the race analysis: a suggestion whose parallelized text the race analysis flags is withdrawn.

The advisor asks ``hpclsp.analysis.races`` directly (not the engine and its rules): the races of the
text with every suggestion applied, each with the line of its primary access.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from hpclsp.analysis.advisor.model import Blocker, LoopAdvice
from hpclsp.analysis.advisor.pragma import all_suggestion_edits, suggestion_edits
from hpclsp.analysis.findings import Edit, apply_edits
from hpclsp.analysis.source import SourceFile

if TYPE_CHECKING:
    from hpclsp.analysis.races.model import Race

log = logging.getLogger(__name__)


def _races(source: SourceFile, text: str, focus: list[tuple[int, int]]) -> list[Race]:
    """The races the race analysis finds in ``text`` (the source with suggestions applied) whose
    primary access may lie on the 0-based line ranges ``focus`` (the parallelized loops)."""
    from hpclsp.analysis.races.analyzer import Analyzer

    src = SourceFile(source.path, source.language, text, fixed_form=source.fixed_form)
    an = Analyzer(src)
    an.focus = focus
    return an.run()


def _shift(edits: list[Edit], line: int, col: int) -> int:
    """Lines inserted before original position (line, col) by a set of insertions."""
    return sum(e.new_text.count("\n") for e in edits if (e.span.start.line, e.span.start.col) <= (line, col))


def vet(source: SourceFile, advice: list[LoopAdvice]) -> None:
    """Withdraw suggestions whose parallelized version the race checker flags.

    One race analysis of the text with every suggestion applied: suggested loops are never nested,
    and race findings only arise inside parallel constructs, so a finding inside a suggested loop's
    region (its pragma line through its end directive) is caused by that suggestion.
    """
    sugg = [a for a in advice if a.suggested]
    if not sugg:
        return
    try:
        all_edits = all_suggestion_edits(source, advice)
        ranges = [_region_lines(source, a, all_edits) for a in sugg]
        combined = _races(source, apply_edits(source.text, all_edits), ranges)
    except Exception:
        log.exception("race vetting failed for %s", source.path)
        return
    if not combined:
        return
    for a, (lo, hi) in zip(sugg, ranges):
        bad = [r for r in combined if lo <= r.primary.span.start.line <= hi]
        if bad:
            why = f"the race checker flags the parallelized loop: omp-race-{bad[0].kind}: {bad[0].message}"
            _withdraw(a, advice, why)


def _region_lines(source: SourceFile, a: LoopAdvice, all_edits: list[Edit]) -> tuple[int, int]:
    """The 0-based lines of a suggestion's region (its pragma through its end directive) in the text
    with every suggestion applied."""
    start, end = a.span.start, a.span.end
    own = suggestion_edits(source, a)
    lo = (
        start.line + _shift(all_edits, start.line, start.col) - own[0].new_text.count("\n")
        if own
        else start.line
    )
    hi = (
        end.line + _shift(all_edits, end.line, end.col) + (own[1].new_text.count("\n") if len(own) > 1 else 0)
    )
    return lo, hi


def _withdraw(a: LoopAdvice, advice: list[LoopAdvice], why: str) -> None:
    a.suggested = False
    a.parallelizable = False
    a.pragma = None
    a.end_pragma = None
    a.collapse = None
    a.schedule = None
    a.reason = why
    a.blockers.insert(0, Blocker(why, a.keyword_span))
    for o in advice:
        if o.outer is a:
            o.outer = None
            o.simd = False
            o.pragma = None
            o.reason = "parallelizable; the enclosing loop's suggestion was withdrawn"
