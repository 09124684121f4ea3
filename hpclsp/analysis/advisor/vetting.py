"""Vetting by the race analysis: a suggestion whose parallelized text the race analysis flags is withdrawn.

The advisor asks ``hpclsp.analysis.races`` directly (not the engine and its rules): the races of the
text with every suggestion applied, each with the line of its primary access. ``inplace`` answers
that on the file's own IR when the suggested loops stand apart from its directives; the text route
here (insert the pragmas, parse, build the IR again) answers the rest.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from typing import TYPE_CHECKING

from hpclsp.analysis import languages, units
from hpclsp.analysis.advisor import inplace
from hpclsp.analysis.advisor.model import Blocker, LoopAdvice
from hpclsp.analysis.advisor.pragma import all_suggestion_edits, inserted, suggestion_edits
from hpclsp.analysis.findings import Edit, apply_edits
from hpclsp.analysis.source import SourceFile, encode

if TYPE_CHECKING:
    import tree_sitter

    from hpclsp.analysis.races.model import Race

log = logging.getLogger(__name__)


def _races(
    source: SourceFile, text: str, focus: list[tuple[int, int]], edits: list[Edit] | None = None
) -> list[Race]:
    """The races the race analysis finds in ``text`` (the source with the suggestions ``edits``
    applied) whose primary access may lie on the 0-based line ranges ``focus`` (the parallelized loops).

    When the text splits into several components (``hpclsp.analysis.units``) and every range lies in
    a unit, only the components holding a range are analysed, each in its synthetic file (the race
    analysis finds the same races inside a unit either way); lines and messages are mapped back.
    """
    tree = _reparsed(source, edits, text) if edits else None
    src = SourceFile(source.path, source.language, text, tree, source.fixed_form)
    nodes = units.unit_nodes(src)
    if nodes is None or len(nodes) < 2:  # no second unit, no second component: nothing to split
        return _analyze(src, focus)
    try:
        split = units.split(src)
    except RecursionError:
        split = None
    if split is None or len(split.components) < 2 or not all(_in_one_unit(split, r) for r in focus):
        return _analyze(src, focus)
    wanted = {split.owner[lo] for lo, _ in focus}
    out: list[Race] = []
    for comp in split.components:
        if wanted.isdisjoint(comp):
            continue
        syn = split.synthetic(comp)
        back = {line: k for k, line in enumerate(syn.line_map) if split.owner[line] in syn.units}
        local = [(back[lo], back[hi]) for lo, hi in focus if lo in back]
        sub = SourceFile(src.path, src.language, syn.text, fixed_form=src.fixed_form)
        out.extend(_mapped(r, syn.line_map) for r in _analyze(sub, local))
    return out


def _reparsed(source: SourceFile, edits: list[Edit], text: str) -> tree_sitter.Tree | None:
    """The tree of ``text``, the source with the insertions ``edits`` applied, parsed incrementally from the
    source's own tree (tree-sitter reuses what the inserted lines leave alone); None (parse afresh)
    unless the text is ASCII with only ``\\n`` line breaks (``apply_edits`` and tree-sitter then count
    the same lines and bytes), the tree has no error, and every edit is an ASCII insertion."""
    if not edits or not source.is_ascii or _OTHER_BREAKS.search(source.text):
        return None
    if any(e.span.start != e.span.end or not e.new_text.isascii() for e in edits):
        return None
    if source.tree.root_node.has_error:
        return None
    starts, size = source.line_byte_starts, len(source.data)
    tree = source.tree.copy()
    for e in sorted(edits, key=lambda e: e.span.start, reverse=True):  # later edits first: offsets hold
        line = e.span.start.line
        if line >= len(starts):
            return None
        line_end = starts[line + 1] - 1 if line + 1 < len(starts) else size
        col = min(e.span.start.col, line_end - starts[line])  # as ``apply_edits`` clamps it
        at, new = starts[line] + col, e.new_text
        breaks = new.count("\n")
        end = (line + breaks, len(new) - new.rfind("\n") - 1) if breaks else (line, col + len(new))
        tree.edit(at, at, at + len(new), (line, col), (line, col), end)
    return languages.parse(source.language, encode(text), tree)


#: line breaks other than ``\n`` that ``str.splitlines`` (so ``apply_edits``) counts
_OTHER_BREAKS = re.compile("[\r\x0b\x0c\x1c\x1d\x1e]")


def _analyze(src: SourceFile, focus: list[tuple[int, int]]) -> list[Race]:
    from hpclsp.analysis.races.analyzer import Analyzer

    an = Analyzer(src)
    an.focus = focus
    try:
        return an.run()
    finally:
        src.break_cycles()  # a throwaway analysis: freed at once rather than by the garbage collector


def _in_one_unit(split: units.Split, lines: tuple[int, int]) -> bool:
    lo, hi = lines
    owner = split.owner
    return 0 <= lo <= hi < len(owner) and owner[lo] >= 0 and owner[lo] == owner[hi]


def _mapped(r: Race, line_map: list[int]) -> Race:
    """A race of a synthetic file with its primary span and the lines its message names in the file
    (what ``vet`` reads; the other accesses keep their synthetic lines)."""
    lines = units.LineMap(line_map)
    primary = dataclasses.replace(r.primary, span=lines.span(r.primary.span))
    return dataclasses.replace(r, primary=primary, message=lines.text(r.message))


def _shift(edits: list[Edit], line: int, col: int) -> int:
    """Lines inserted before original position (line, col) by a set of insertions."""
    return sum(e.new_text.count("\n") for e in edits if (e.span.start.line, e.span.start.col) <= (line, col))


def vet(source: SourceFile, advice: list[LoopAdvice]) -> None:
    """Withdraw suggestions whose parallelized version the race checker flags.

    One race analysis of the text with every suggestion applied: suggested loops are never nested,
    and race findings only arise inside parallel constructs, so a finding inside a suggested loop's
    region (its pragma line through its end directive) is caused by that suggestion. The analysis
    runs in place on the file's own IR (``inplace``) when it can, else on the new text.
    """
    sugg = [a for a in advice if a.suggested]
    if not sugg:
        return
    try:
        combined = inplace.races(source, sugg, inserted(advice))
        if combined is not None:
            ranges = [(a.loop.span.start.line, a.loop.span.end.line) for a in sugg]
        else:
            all_edits = all_suggestion_edits(source, advice)
            ranges = [_region_lines(source, a, all_edits) for a in sugg]
            combined = _races(source, apply_edits(source.text, all_edits), ranges, all_edits)
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
