"""Unit tests of the advisor: clauses, suggested decision, edits (indentation, CRLF, Fortran), vetting, CLI."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from hpclsp import cli
from hpclsp.analysis import advisor
from hpclsp.analysis.findings import Span
from hpclsp.analysis.source import SourceFile


def _advice(text: str, lang: str = "c", path: str = "t.c") -> list[advisor.LoopAdvice]:
    return advisor.advise(SourceFile(path, lang, text))


C_NEST = """\
#define N 100
double a[N][N], b[N][N], v[N];
void f(int n) {
    for (int i = 0; i < n; i++) {
        double s = 0.0;
        for (int j = 0; j < N; j++)
            s += a[i][j];
        v[i] = s;
    }
}
"""


def test_outermost_loop_is_suggested_inner_is_simd():
    outer, inner = _advice(C_NEST)
    assert outer.suggested and outer.pragma == "#pragma omp parallel for"
    assert not inner.suggested and inner.parallelizable
    assert inner.pragma == "#pragma omp simd reduction(+:s)"
    assert inner.outer is outer


def test_private_lastprivate_and_reduction():
    text = """\
double a[1000], b[1000];
double f(void) {
    double t, last = 0.0, s = 0.0;
    for (int i = 0; i < 1000; i++) {
        t = a[i] * 2.0;
        last = b[i] + t;
        s += last;
    }
    return last + s;
}
"""
    (adv,) = _advice(text)
    assert adv.suggested
    assert (adv.private, adv.lastprivate, adv.reduction) == (["t"], ["last"], ["+:s"])
    assert adv.pragma == "#pragma omp parallel for private(t) lastprivate(last) reduction(+:s)"


def test_dependence_blocks_with_both_accesses():
    text = "double a[100];\nvoid f(void) {\n  for (int i = 1; i < 100; i++)\n    a[i] = a[i - 1] + 1.0;\n}\n"
    (adv,) = _advice(text)
    assert not adv.parallelizable and not adv.suggested and adv.pragma is None
    b = adv.blockers[0]
    assert {b.first_text, b.second_text} == {"a[i]", "a[i - 1]"}
    assert "a[i - 1]" in adv.reason


def test_inside_existing_parallel_region_not_suggested():
    text = """\
double a[1000];
void f(void) {
#pragma omp parallel
  {
    for (int i = 0; i < 1000; i++)
      a[i] = 2.0 * a[i];
  }
}
"""
    (adv,) = _advice(text)
    assert adv.parallelizable and adv.inside_parallel_region and not adv.suggested


def test_calls_pure_vs_impure():
    text = """\
#include <stdio.h>
static int hits;
static double sq(double x) { return x * x; }
static double log_it(double x) { hits++; return x; }
double a[500], b[500];
void f(void) {
  for (int i = 0; i < 500; i++) a[i] = sq(b[i]) + sqrt(b[i]);
  for (int i = 0; i < 500; i++) a[i] = log_it(b[i]);
  for (int i = 0; i < 500; i++) printf("%f\\n", a[i]);
}
"""
    pure, impure, io = _advice(text)
    assert pure.suggested
    assert not impure.parallelizable and "log_it" in impure.reason and "hits" in impure.reason
    assert not io.parallelizable and "printf" in io.reason


def test_edit_keeps_indentation_and_crlf():
    text = "double a[64];\r\nvoid f(int n) {\r\n\tif (n > 0) {\r\n\t\tfor (int i = 0; i < n; i++)\r\n\t\t\ta[i] = i;\r\n\t}\r\n}\r\n"
    src = SourceFile("t.c", "c", text)
    new = advisor.apply_suggestions(src)
    assert "\r\n\t\t#pragma omp parallel for\r\n\t\tfor (int i = 0;" in new
    assert new.count("\r\n") == text.count("\r\n") + 1 and "\n" not in new.replace("\r\n", "")


def test_loop_not_at_line_start():
    text = "double a[64];\nvoid f(int n) {\n  if (n) { for (int i = 0; i < n; i++) a[i] = 1.0; }\n}\n"
    new = advisor.apply_suggestions(SourceFile("t.c", "c", text))
    assert "  if (n) { \n  #pragma omp parallel for\n  for (int i = 0;" in new


F_TEXT = """\
subroutine scale(n, x, s)
  integer, intent(in) :: n
  real(8), intent(inout) :: x(n)
  real(8), intent(out) :: s
  integer :: i
  s = 0d0
  do i = 1, n
    x(i) = 2d0 * x(i)
  end do
  do i = 1, n
    s = s + x(i)
  end do
end subroutine scale"""


def test_fortran_end_directive_and_no_trailing_newline():
    src = SourceFile("t.f90", "fortran", F_TEXT)
    new = advisor.apply_suggestions(src)
    assert new.splitlines()[6:8] == ["  !$omp parallel do", "  do i = 1, n"]
    assert "  end do\n  !$omp end parallel do\n  !$omp parallel do reduction(+:s)\n" in new
    assert new.rstrip().endswith("end subroutine scale")
    assert new.count("!$omp end parallel do") == 2


def test_fortran_fixed_form_and_long_directive_wrapped():
    text = (
        "      subroutine acc(n, x, s1, s2, s3, s4, s5, s6)\n"
        "      integer n, i\n"
        "      real*8 x(n), s1, s2, s3, s4, s5, s6\n"
        "      do 10 i = 1, n\n"
        "        s1 = s1 + x(i)\n        s2 = s2 + x(i)\n        s3 = s3 + x(i)\n"
        "        s4 = s4 + x(i)\n        s5 = s5 + x(i)\n        s6 = s6 + x(i)\n"
        "   10 continue\n"
        "      end\n"
    )
    src = SourceFile("t.f", "fortran", text)
    advice = advisor.advise(src)
    if not advice or not advice[0].suggested:
        pytest.skip("labelled do loops are not analysed by the IR")
    new = advisor.apply_suggestions(src, advice)
    for line in new.splitlines():
        assert len(line) <= 72
        if "$omp" in line:
            assert line.startswith("!$omp")


def test_vetting_withdraws_a_suggestion_the_race_checker_flags(monkeypatch):
    calls = []

    def fake_race(source, text, focus, edits=None):
        calls.append(text)
        if "#pragma omp parallel for" not in text:
            return []
        line = next(i for i, ln in enumerate(text.splitlines()) if "#pragma omp" in ln) + 1
        primary = SimpleNamespace(span=Span.of(line, 2, line, 3))
        return [SimpleNamespace(kind="write-write", message="made-up race", primary=primary)]

    monkeypatch.setattr(advisor.vetting, "_races", fake_race)
    monkeypatch.setattr(advisor.vetting.inplace, "races", lambda *args: None)  # take the text route
    (adv,) = advisor.advise(
        SourceFile("t.c", "c", "double a[99];\nvoid f(void) {\n  for (int i = 0; i < 99; i++) a[i] = i;\n}\n")
    )
    assert calls, "the race checker was not consulted"
    assert not adv.suggested and adv.pragma is None and "omp-race-write-write" in adv.reason


def test_bad_input_never_raises():
    for text in [
        "for (;;",
        "void f() { for (int i = 0; i < ; i++) }",
        "\x00\xff" * 50,
        "do i = 1,\n end do",
        "",
    ]:
        advisor.advise(SourceFile("t.c", "c", text))
        advisor.advise(SourceFile("t.f90", "fortran", text))


def test_cli_json_lists_every_loop(tmp_path, capsys):
    p = tmp_path / "k.c"
    p.write_text(C_NEST)
    assert cli.main(["suggest", "--format", "json", str(tmp_path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["line"] for d in data] == [4, 6]
    keys = {
        "path",
        "line",
        "column",
        "end_line",
        "language",
        "parallelizable",
        "suggested",
        "inside_parallel_region",
        "pragma",
        "private",
        "firstprivate",
        "lastprivate",
        "reduction",
        "collapse",
        "reason",
    }
    assert keys <= set(data[0])
    assert data[0]["suggested"] and data[0]["pragma"] == "#pragma omp parallel for" and data[0]["column"] == 5


def test_cli_diff_apply_and_errors(tmp_path, capsys):
    p = tmp_path / "k.c"
    p.write_text(C_NEST)
    assert cli.main(["suggest", "--format", "diff", str(p)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"--- a/{p}\n+++ b/{p}\n") and "+    #pragma omp parallel for\n" in out
    assert p.read_text() == C_NEST
    assert cli.main(["suggest", "--apply", str(p)]) == 0
    assert "#pragma omp parallel for" in p.read_text()
    capsys.readouterr()
    assert cli.main(["suggest", str(tmp_path / "missing.c")]) == 2
    assert cli.main(["suggest", "--format", "xml", str(p)]) == 2


def test_vetting_withdraws_with_the_real_race_checker():
    """Real sibling of the test above: an (artificially) wrong suggestion on a recurrence is
    applied, the real race checker flags it, and vetting withdraws it."""
    src = SourceFile(
        "t.c",
        "c",
        "double a[100];\nvoid f(void) {\n  for (int i = 0; i < 99; i++) a[i + 1] = a[i] + 1.0;\n}\n",
    )
    advice = advisor.advise(src, vet_races=False)
    (adv,) = advice
    assert not adv.parallelizable  # the advisor itself already refuses this loop
    adv.parallelizable = adv.suggested = True  # pretend it had been wrong
    adv.pragma = "#pragma omp parallel for"
    advisor.vet(src, advice)
    assert not adv.suggested and adv.pragma is None
    assert "omp-race" in adv.reason


_UNITS = """double a[100], b[100];
void g(void) {
  for (int i = 0; i < 99; i++) b[i] = 2.0 * i;
}

void f(void) {
  double t = 0.0;
  for (int i = 0; i < 99; i++) a[i + 1] = a[i] + 1.0;
}

void h(int n) {
  for (int i = 1; i < n; i++) b[i] = b[i - 1] * 0.5;
}
"""


def _wrongly_vetted(
    monkeypatch: pytest.MonkeyPatch | None, whole: bool = False
) -> list[tuple[bool, str | None, str]]:
    """Every loop of _UNITS suggested (two of them wrongly), vetted; with monkeypatch, on the text with
    the pragmas inserted (``whole``: as one text, else per component)."""
    if monkeypatch is not None:
        monkeypatch.setattr(advisor.vetting.inplace, "races", lambda *args: None)
    if whole and monkeypatch is not None:
        monkeypatch.setattr(advisor.vetting.units, "split", lambda source: None)
    src = SourceFile("t.c", "c", _UNITS)
    advice = advisor.advise(src, vet_races=False)
    for adv in advice:
        adv.parallelizable = adv.suggested = True
        adv.pragma = adv.pragma or "#pragma omp parallel for"
    advisor.vet(src, advice)
    return [(a.suggested, a.pragma, a.reason) for a in advice]


def test_vetting_per_component_matches_vetting_the_whole_text(monkeypatch):
    """Vetting analyses only the components holding a suggestion, each in its own synthetic file:
    the same withdrawals and reasons (lines mapped back) as one analysis of the whole text."""
    per_component = _wrongly_vetted(monkeypatch)
    whole = _wrongly_vetted(monkeypatch, whole=True)
    assert per_component == whole
    assert [s for s, _, _ in whole] == [True, False, False]


def test_vetting_in_place_matches_vetting_the_text(monkeypatch):
    """The same loops withdrawn in place, on the file's own IR, as on the text with the pragmas inserted;
    the reasons are the same (no line in them moves: no pragma precedes the lines they name)."""
    in_place = _wrongly_vetted(None)
    assert in_place == _wrongly_vetted(monkeypatch)


def test_a_comment_in_a_callee_parameter_list_keeps_arguments_in_place():
    """The callee writes through its second parameter: the blocker names the second argument,
    although a comment stands between the first two parameters."""
    text = (
        "void scale(int n /* length */, double *v, double f) {\n"
        "    for (int k = 0; k < n; k++)\n"
        "        v[k] = v[k] * f;\n"
        "}\n"
        "void run(int m, int n, double *rows[], double f) {\n"
        "    for (int i = 0; i < m; i++)\n"
        "        scale(n, rows[0], f);\n"
        "}\n"
    )
    outer = next(a for a in _advice(text) if a.loop.span.start.line == 5)
    assert not outer.suggested
    assert "`rows[0]`" in outer.reason and "`f`" not in outer.reason
