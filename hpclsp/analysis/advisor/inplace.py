"""Vetting in place: the suggested loops become constructs of the file's own IR for one race analysis.

The text route (``vetting._races``) inserts the pragmas, parses the new text and builds its IR again:
most of the advisor's time on a big file. When every suggested loop stands outside every OpenMP
construct of its file, the race analysis of the new text is the race analysis of the original IR
with one ``parallel for``/``parallel do`` construct added per inserted pragma:

- the new construct covers the bytes of its loop, as the binder would bind the pragma;
- the directive is the pragma text parsed by the OpenMP parser, placed on the loop's first line;
- a loop with no directive inside it and no call of a function of the file that holds directives
  has no barrier inside the new team, and the existing teams keep their barriers (none contains
  the loop).

Otherwise (a loop inside or around a construct, a directive in a called function, a pragma the
parser reads otherwise) ``races`` answers None and the caller takes the text route. The races come
in the file's own lines. The analysis runs on a view of the IR; the IR the rules read is unchanged.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from hpclsp.analysis.ir import Construct, FileIR, Loop, build_ir
from hpclsp.analysis.openmp import recall, scanner
from hpclsp.analysis.source import SourceFile

if TYPE_CHECKING:
    from hpclsp.analysis.advisor.model import LoopAdvice
    from hpclsp.analysis.races.model import Race


def races(source: SourceFile, sugg: list[LoopAdvice], placed: list[LoopAdvice]) -> list[Race] | None:
    """The races whose primary access lies in a suggested loop (``sugg``) once the pragmas of
    ``placed`` (those the text route inserts) are in force; None when only the text route can tell."""
    ir = build_ir(source)
    loops = [a.loop for a in sugg]
    if any(_touches_construct(source, ir, lp) for lp in loops):
        return None
    if any(_calls_directives(ir, a.loop, source.language == "fortran") for a in placed):
        return None
    added = [_construct(source, a) for a in placed]
    if any(c is None for c in added):
        return None
    focus = [(lp.span.start.line, lp.span.end.line) for lp in loops]
    return _analyzed(source, ir, [c for c in added if c is not None], focus)


def _line_start(source: SourceFile, byte: int) -> int:
    """The byte where the line holding ``byte`` starts."""
    data = source.data
    return data.rfind(b"\n", 0, byte) + 1


def _touches_construct(source: SourceFile, ir: FileIR, lp: Loop) -> bool:
    """Whether a construct of the file (its directive lines or its code) meets the loop's lines."""
    lo, hi = _line_start(source, lp.node.start_byte), lp.node.end_byte
    return any(c.span_byte < hi and lo < max(c.end, c.span_byte + 1) for c in ir.constructs)


def _calls_directives(ir: FileIR, lp: Loop, fortran: bool) -> bool:
    """Whether the loop may call a function of the file that holds an OpenMP directive (orphaned
    worksharing or a barrier would bind to the new team)."""
    with_dirs = {(f.name.lower() if fortran else f.name) for f in ir.functions if f.constructs}
    if not with_dirs:
        return False
    if lp.func is None:
        return True
    lo, hi = lp.node.start_byte, lp.node.end_byte
    return any(
        lo <= node.start_byte < hi and (name.lower() if fortran else name) in with_dirs
        for name, node in lp.func.calls
    )


def _construct(source: SourceFile, a: LoopAdvice) -> Construct | None:
    """The construct the binder would make of ``a``'s pragma before its loop, or None when the
    pragma does not parse to one loop construct."""
    assert a.pragma is not None
    got = scanner.parse_text(a.pragma, source.language)
    if len(got) != 1 or got[0].problems or not got[0].name.startswith("parallel"):
        return None
    lp = a.loop
    line = lp.span.start.line
    d = recall.moved(got[0], line - got[0].first_line)
    c = Construct(d, d.name, lp.node.start_byte, lp.node.end_byte, d.span, loop=lp, stmt=lp.node)
    c.span_byte = source.line_byte_starts[line]
    n = 1
    col = d.clause("collapse")
    if col is not None and col.args and col.args.strip().isdigit():
        n = max(1, int(col.args.strip()))
    cur: Loop | None = lp
    while cur is not None and len(c.loops) < n:
        c.loops.append(cur)
        cur = cur.children[0] if cur.children else None
    return c


def _analyzed(
    source: SourceFile, ir: FileIR, added: list[Construct], focus: list[tuple[int, int]]
) -> list[Race]:
    """The focused race analysis of a view of ``ir`` whose constructs include ``added``.

    Only the view's construct list holds them: the functions' lists and the loops' ``construct``
    stay as they are, since the race analysis reads those only for constructs inside a team or
    other than the team itself, and no construct lies inside an added one. The IR itself is never
    changed (another thread may be reading it)."""
    from hpclsp.analysis.races.analyzer import Analyzer

    view = dataclasses.replace(
        ir, constructs=sorted([*ir.constructs, *added], key=lambda c: (c.start, -(c.end - c.start)))
    )
    an = Analyzer(source, view)
    an.focus = focus
    return an.run()
