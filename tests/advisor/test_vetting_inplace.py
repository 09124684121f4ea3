"""Vetting in place (``advisor.inplace``): the race analysis of the file's own IR with the suggested
loops as constructs finds what the race analysis of the text with the pragmas inserted finds; loops
near directives take the text route; the IR is as it was afterwards."""

from __future__ import annotations

from pathlib import Path

from hpclsp.analysis import engine
from hpclsp.analysis.advisor import advise, inplace, vet, vetting
from hpclsp.analysis.advisor.model import LoopAdvice
from hpclsp.analysis.advisor.pragma import end_pragma_text, pragma_text, suggestion_edits
from hpclsp.analysis.findings import apply_edits
from hpclsp.analysis.ir import build_ir
from hpclsp.analysis.source import SourceFile

ADVISOR = Path(__file__).resolve().parents[1] / "fixtures" / "advisor"


def _pretend(src: SourceFile, k: int) -> LoopAdvice:
    """Loop ``k`` of the file suggested with a bare ``parallel for``/``parallel do``, right or wrong."""
    lang = src.language
    lp = build_ir(src).loops[k]
    return LoopAdvice(
        lp, src.path, lang, suggested=True, pragma=pragma_text(lang), end_pragma=end_pragma_text(lang)
    )


def _advised(src: SourceFile, k: int) -> LoopAdvice:
    """The unvetted advisor's k-th loop, suggested with its own pragma and clauses."""
    a = advise(src, vet_races=False)[k]
    a.suggested = True
    return a


def _in_place(path: Path, k: int, own: bool = False) -> set[tuple[str, str, int]] | None:
    src = SourceFile.from_path(str(path))
    a = _advised(src, k) if own else _pretend(src, k)
    got = inplace.races(src, [a], [a])
    if got is None:
        return None
    lo, hi = a.loop.span.start.line, a.loop.span.end.line
    return {(r.kind, r.var, r.primary.span.start.line) for r in got if lo <= r.primary.span.start.line <= hi}


def _on_the_text(path: Path, k: int, own: bool = False) -> set[tuple[str, str, int]]:
    """The races of the loop's region in the text with its pragma inserted, on the file's own lines."""
    src = SourceFile.from_path(str(path))
    a = _advised(src, k) if own else _pretend(src, k)
    edits = suggestion_edits(src, a)
    lo, hi = vetting._region_lines(src, a, edits)
    got = vetting._races(src, apply_edits(src.text, edits), [(lo, hi)], edits)
    at, n = edits[0].span.start.line, edits[0].new_text.count("\n")

    def back(line: int) -> int:  # the pragma's lines are the loop's first line in the file
        return line if line < at else at if line < at + n else line - n

    return {
        (r.kind, r.var, back(r.primary.span.start.line)) for r in got if lo <= r.primary.span.start.line <= hi
    }


def test_in_place_and_on_the_text_the_same_races_for_every_outer_loop_of_the_advisor_corpus() -> None:
    """Every outermost loop of the advisor corpus (C and Fortran) parallelized as is, right or wrong."""
    same = racy = 0
    langs = set()
    for path in sorted(ADVISOR.glob("prog_*")):
        src = SourceFile.from_path(str(path))
        for k, lp in enumerate(build_ir(src).loops):
            if lp.parent is not None:
                continue
            mine = _in_place(path, k)
            if mine is None:
                continue
            assert mine == _on_the_text(path, k), f"{path.name}:{lp.span.start.line + 1}"
            same += 1
            racy += bool(mine)
            langs.add(src.language)
    assert same > 300 and racy > 100 and {"c", "fortran"} <= langs


def test_the_advisors_own_pragmas_with_their_clauses_race_neither_in_place_nor_on_the_text() -> None:
    """Every loop the (unvetted) advisor would parallelize, with its clauses (private, reduction,
    collapse, schedule...), alone: the two routes agree, and neither finds a race."""
    same = with_clauses = 0
    for path in sorted(ADVISOR.glob("prog_*")):
        advice = advise(SourceFile.from_path(str(path)), vet_races=False)
        for k, a in enumerate(advice):
            if not a.pragma or "parallel" not in a.pragma:
                continue
            mine = _in_place(path, k, own=True)
            if mine is None:
                continue
            assert mine == _on_the_text(path, k, own=True) == set(), f"{path.name}:{a.span.start.line + 1}"
            same += 1
            with_clauses += "(" in a.pragma
    assert same > 300 and with_clauses > 150


NESTED = """void matmul(int n, const double *A, const double *B, double *C) {
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
#pragma omp parallel for
            for (int k = 0; k < n; k++)
                C[i * n + j] += A[i * n + k] * B[k * n + j];
        }
}
"""

ORPHAN = """void part(int n, double *v) {
#pragma omp for
    for (int k = 0; k < n; k++) v[k] = 0.0;
}
void outer(int n, double *v) {
    for (int i = 0; i < n; i++) part(n, v);
}
"""

PLAIN = """double a[100], b[100];
void f(int n) {
    for (int i = 0; i < n; i++) a[i + 1] = a[i] + b[i];
}
"""


def test_a_loop_around_a_directive_or_calling_one_takes_the_text_route() -> None:
    for text, k in ((NESTED, 0), (ORPHAN, 1)):
        src = SourceFile("t.c", "c", text)
        a = _pretend(src, k)
        assert inplace.races(src, [a], [a]) is None
    src = SourceFile("t.c", "c", PLAIN)
    a = _pretend(src, 0)
    got = inplace.races(src, [a], [a])
    assert got is not None and {r.var for r in got} == {"a"}


def test_a_wrong_suggestion_around_a_directive_is_withdrawn_on_the_text_route() -> None:
    src = SourceFile("t.c", "c", NESTED)
    a = _pretend(src, 0)
    vet(src, [a])
    assert not a.suggested and "omp-race" in a.reason


def _race_findings(src: SourceFile) -> list[tuple[str, int, str]]:
    return sorted(
        (f.code, f.span.start.line, f.message)
        for f in engine.analyze(src).findings
        if f.code.startswith("omp-race")
    )


def test_the_ir_is_as_it_was_after_vetting_in_place() -> None:
    """The rules that read the IR after the vetting find what they find on an IR nobody vetted."""
    text = PLAIN.replace(
        "void f(int n) {",
        "void g(int n) {\n    double s = 0.0;\n#pragma omp parallel for\n"
        "    for (int i = 0; i < n; i++) s += b[i];\n}\nvoid f(int n) {",
    )
    src = SourceFile("t.c", "c", text)
    ir = build_ir(src)
    constructs, loops = list(ir.constructs), [lp.construct for lp in ir.loops]
    a = _pretend(src, 1)
    assert inplace.races(src, [a], [a]) is not None
    assert ir.constructs == constructs and [lp.construct for lp in ir.loops] == loops
    assert all(c in ir.constructs for f in ir.functions for c in f.constructs)
    advise(src)
    vetted = _race_findings(src)
    assert vetted and vetted == _race_findings(SourceFile("t.c", "c", text))
