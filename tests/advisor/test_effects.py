"""Side effects as dependences: every kind keeps a loop serial with the reason naming it; look-alikes stay parallel.

Fixtures in ``tests/fixtures/advisor/effects``: in ``bad_*`` files each loop annotated
``reason: <regular expression>`` must be judged not parallelizable, with a reason the expression
matches; in ``good_*`` files each loop annotated ``ok`` must be judged parallelizable.
"""

from __future__ import annotations

import os
import re

import pytest

from hpclsp.analysis import advisor
from hpclsp.analysis.source import SourceFile

from .corpus import CORPUS

EFFECTS = os.path.join(CORPUS, "effects")
ANNOTATION = re.compile(r"(?://|/\*|!)\s*(?:reason:\s*(?P<rx>.*?)\s*(?:\*/)?\s*$|(?P<ok>ok)\b)")
FILES = sorted(os.listdir(EFFECTS))


def _annotations(path: str) -> list[tuple[int, str | None]]:
    """(0-based line, reason regex or None for ``ok``) for every annotated loop line."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            m = ANNOTATION.search(line)
            if m:
                out.append((i, None if m.group("ok") else m.group("rx")))
    return out


def test_fixtures_cover_every_side_effect_kind():
    text = " ".join(open(os.path.join(EFFECTS, f), encoding="utf-8").read() for f in FILES)
    for kind in (
        "printf: I/O",
        "std::cout: I/O",
        "write statement: I/O",
        "print statement: I/O",
        "read statement: I/O",
        "whose side effects are unknown",
        "which writes counter",
        "operator \\+= on",
        "member function",
        "malloc:",
        "new:",
        "free `",
        "delete `",
        "random-number generator",
        "break leaves",
        "return leaves",
        "goto may leave",
        "exit leaves",
        "stop leaves",
        "throw leaves",
        "point into the same array",
    ):
        assert kind in text, f"no fixture for {kind}"
    assert any(f.startswith("bad_") for f in FILES) and any(f.startswith("good_") for f in FILES)


@pytest.mark.parametrize("name", FILES)
def test_side_effect_verdicts_and_reasons(name: str):
    path = os.path.join(EFFECTS, name)
    advice = {a.span.start.line: a for a in advisor.advise(SourceFile.from_path(path))}
    notes = _annotations(path)
    assert notes, f"{name} has no annotated loop"
    wrong = []
    for line, rx in notes:
        a = advice.get(line)
        if a is None:
            wrong.append(f"{line + 1}: no loop here")
        elif rx is None and not a.parallelizable:
            wrong.append(f"{line + 1}: expected parallelizable, got serial: {a.reason}")
        elif rx is not None and (a.parallelizable or not re.search(rx, a.reason)):
            wrong.append(
                f"{line + 1}: expected serial ({rx}), got parallelizable={a.parallelizable}: {a.reason}"
            )
    assert not wrong, "\n".join(wrong)


def test_may_alias_is_stated_and_not_applied():
    text = """void ext(double *p, double *q, int n) {
  for (int i = 0; i < n; i++) p[i] = q[i] * 3.0;
}
"""
    src = SourceFile("t.c", "c", text)
    (a,) = advisor.advise(src)
    assert a.parallelizable and a.assumptions == ["`p` and `q` do not overlap"]
    assert "assuming `p` and `q` do not overlap" in a.reason
    assert a.title.startswith("Parallelize loop (assumes `p` and `q` do not overlap)")
    assert a.to_json()["assumptions"] == ["`p` and `q` do not overlap"]
    assert advisor.apply_suggestions(src) == text  # apply-all inserts only what assumes nothing


def test_distinct_arrays_at_every_call_prove_no_alias():
    text = """static double x[100], y[100];
static void copy(double *p, const double *q, int n) {
  for (int i = 0; i < n; i++) p[i] = q[i];
}
void run(void) { copy(x, y, 100); copy(y, x, 100); }
"""
    (a,) = advisor.advise(SourceFile("t.c", "c", text))
    assert a.parallelizable and a.suggested and not a.assumptions


def test_call_writing_through_its_argument_maps_to_the_argument():
    text = """static double g[64][8];
static void fill(double row[8], double v) { for (int m = 0; m < 8; m++) row[m] = v; }
void run(void) {
  for (int i = 0; i < 64; i++) fill(g[i], 1.0);
  for (int i = 1; i < 64; i++) fill(g[i / 2], 1.0);
}
"""
    advice = advisor.advise(SourceFile("t.c", "c", text))
    by_line = {a.span.start.line: a for a in advice}
    assert by_line[3].parallelizable, by_line[3].reason
    assert not by_line[4].parallelizable


def test_callee_reading_a_global_the_loop_writes_is_a_dependence():
    text = """static double a[100], b[100];
static double peek(int k) { return a[k + 1]; }
void run(void) {
  for (int i = 0; i < 99; i++) a[i] = peek(i);
  for (int i = 0; i < 99; i++) b[i] = peek(i);
}
"""
    advice = advisor.advise(SourceFile("t.c", "c", text))
    by_line = {a.span.start.line: a for a in advice}
    assert not by_line[3].parallelizable and "reads `a`" in by_line[3].reason
    assert by_line[4].parallelizable


def test_increment_used_as_a_value_is_not_a_reduction():
    text = """double tmp[1000], u[10][10];
void run(void) {
  int t = 0;
  for (int j = 0; j < 10; j++)
    for (int i = 0; i < 10; i++) u[j][i] = tmp[t++];
}
"""
    advice = advisor.advise(SourceFile("t.c", "c", text))
    assert not any(a.parallelizable for a in advice)


def test_all_or_none_write_gets_firstprivate_and_lastprivate():
    text = """double a[100][100];
double last;
void run(int n, int m) {
  int i, j;
  for (i = 0; i < n; i++)
    for (j = 0; j < m; j++) {
      last = a[i][j];
      a[i][j] = last * 2.0;
    }
}
"""
    advice = advisor.advise(SourceFile("t.c", "c", text))
    outer = advice[0]
    assert outer.parallelizable, outer.reason
    assert outer.firstprivate == ["last"] and "last" in outer.lastprivate
    assert "firstprivate(last)" in (outer.pragma or "")


def test_private_scalar_affine_in_the_index_is_substituted_into_subscripts():
    text = """double lhs[20][100];
void run(void) {
  int m, n, k;
  for (m = 3; m < 5; m++) {
    n = (m - 3 + 1) * 5;
    for (k = 0; k < 100; k++)
      lhs[n + 3][k] = lhs[n + 2][k] * lhs[n + 3][k];
  }
}
"""
    outer = advisor.advise(SourceFile("t.c", "c", text))[0]
    assert outer.parallelizable, outer.reason
    assert set(outer.private) == {"n", "k"}


def test_private_scalar_not_affine_in_the_index_keeps_subscripts_unknown():
    text = """double a[200];
int idx[100];
void run(void) {
  int i, k;
  for (i = 0; i < 100; i++) {
    k = idx[i];
    a[i + k] = 1.0;
  }
}
"""
    (a,) = advisor.advise(SourceFile("t.c", "c", text))
    assert not a.parallelizable


def test_work_array_filled_then_read_in_the_same_iteration_is_private():
    text = """#define M 64
double r[M][M], u[M][M];
void smooth(int n) {
  int i, j;
  double w[M];
  for (i = 1; i < n - 1; i++) {
    for (j = 0; j < n; j++)
      w[j] = r[i - 1][j] + r[i + 1][j];
    for (j = 1; j < n - 1; j++)
      u[i][j] = w[j - 1] + w[j + 1];
  }
}
"""
    outer = advisor.advise(SourceFile("t.c", "c", text))[0]
    assert outer.parallelizable, outer.reason
    assert "w" in outer.private and "j" in outer.private


def test_work_array_read_beyond_what_the_iteration_wrote_is_not_private():
    text = """#define M 64
double r[M][M], u[M][M];
void smooth(int n) {
  int i, j;
  double w[M];
  for (i = 1; i < n - 1; i++) {
    for (j = 1; j < n; j++)
      w[j] = r[i - 1][j] + r[i + 1][j];
    for (j = 1; j < n - 1; j++)
      u[i][j] = w[j - 1] + w[j + 1];
  }
}
"""
    outer = advisor.advise(SourceFile("t.c", "c", text))[0]
    assert not outer.parallelizable


def _verdicts(text: str) -> dict[int, advisor.LoopAdvice]:
    return {a.span.start.line: a for a in advisor.advise(SourceFile("t.c", "c", text))}


def test_pointer_variables_that_become_the_same_memory_are_a_dependence():
    merged = """#include <stdlib.h>
double *u1, *u2;
void run(int n) {
  u1 = malloc(n * sizeof(double));
  u2 = malloc(n * sizeof(double));
  for (int t = 0; t < 4; t++) {
    for (int i = 1; i < n - 1; i++)
      u2[i] = u1[i - 1] + u1[i + 1];
    u1 = u2;
  }
}
"""
    inner = _verdicts(merged)[6]
    assert not inner.parallelizable and "may point to the same memory" in inner.reason


def test_pointer_variables_swapped_between_sweeps_stay_distinct():
    swapped = """#include <stdlib.h>
double *u1, *u2;
void run(int n) {
  u1 = malloc(n * sizeof(double));
  u2 = malloc(n * sizeof(double));
  for (int t = 0; t < 4; t++) {
    for (int i = 1; i < n - 1; i++)
      u2[i] = u1[i - 1] + u1[i + 1];
    double *tmp = u1;
    u1 = u2;
    u2 = tmp;
  }
}
"""
    inner = _verdicts(swapped)[6]
    assert inner.parallelizable and not inner.assumptions, inner.reason


def test_pointer_variables_of_unknown_origin_are_an_assumption():
    unknown = """double *get(int k);
void run(int n) {
  double *p = get(0), *q = get(1);
  for (int i = 0; i < n; i++)
    p[i] = q[i] + 1.0;
}
"""
    loop = _verdicts(unknown)[3]
    assert loop.parallelizable and loop.assumptions == ["`p` and `q` do not overlap"]


def test_negative_subscript_in_an_inner_dimension_reaches_the_previous_row():
    text = """double b[100][100];
void run(void) {
  int i, j;
  for (i = 1; i < 100; i++)
    for (j = 0; j < 100; j++)
      b[i][j] = b[i][j - 1];
  for (i = 1; i < 100; i++)
    for (j = 1; j < 100; j++)
      b[i][j] = b[i][j - 1];
}
"""
    v = _verdicts(text)
    assert not v[3].parallelizable and "below the lower bound" in v[3].reason
    assert v[6].parallelizable, v[6].reason


def test_fortran_subscript_below_one_reaches_the_previous_column():
    text = """subroutine s(b, n, m)
  integer :: n, m, i, j
  real :: b(n, m), c(0:n, m)
  do j = 2, m
    do i = 1, n
      b(i, j) = b(i - 1, j)
    end do
  end do
  do j = 2, m
    do i = 1, n
      c(i, j) = c(i - 1, j)
    end do
  end do
end subroutine s
"""
    v = {a.span.start.line: a for a in advisor.advise(SourceFile("t.f90", "fortran", text))}
    assert not v[3].parallelizable and "previous column" in v[3].reason
    assert v[8].parallelizable, v[8].reason  # c is declared from 0


def test_work_array_read_in_its_filler_after_the_write_is_private():
    text = """#define M 64
double z[M][M], u[M][M];
void interp(int n) {
  int i, j;
  double z1[M], z3[M];
  for (i = 0; i < n - 1; i++) {
    for (j = 0; j < n; j++) {
      z1[j] = z[i + 1][j] + z[i][j];
      z3[j] = z[i][j] + z1[j];
    }
    for (j = 0; j < n - 1; j++)
      u[i][j] = z1[j] + z1[j + 1] + z3[j];
  }
}
"""
    outer = advisor.advise(SourceFile("t.c", "c", text))[0]
    assert outer.parallelizable, outer.reason
    assert {"z1", "z3"} <= set(outer.private)


def test_out_parameter_written_only_sometimes_keeps_the_old_value_alive():
    text = """double a[100], b[100];
static void get(double *t, double v) { if (v > 0) *t = v; }
static void put(double *t, double v) { *t = v * 2; }
void f(void) {
  double x = 0;
  for (int i = 0; i < 100; i++) { get(&x, a[i]); b[i] = x; }
  for (int i = 0; i < 100; i++) { put(&x, a[i]); b[i] = x; }
}
"""
    v = _verdicts(text)
    assert not v[5].parallelizable and "carries a value" in v[5].reason
    assert v[6].parallelizable and v[6].private == ["x"], v[6].reason


def test_kernel_launch_in_a_host_loop_is_a_side_effect():
    text = """__global__ void k(float *a) { a[threadIdx.x] = 1.0f; }
void host(float *d, int n) {
  for (int i = 0; i < n; i++) k<<<1, 32>>>(d + 32 * i);
}
"""
    (a,) = advisor.advise(SourceFile("t.cu", "cuda", text))
    assert not a.parallelizable and "launches the CUDA kernel k" in a.reason


def test_nest_of_tiny_trip_counts_is_not_suggested_and_inner_loops_of_a_parallel_region_are_not_either():
    text = """double a[5][5], b[1000];
void f(void) {
  for (int m = 0; m < 5; m++)
    for (int n = 0; n < 5; n++)
      a[m][n] = m + n;
  #pragma omp parallel
  {
    #pragma omp for
    for (int i = 0; i < 1000; i++) b[i] = i;
  }
}
"""
    v = _verdicts(text)
    assert v[2].parallelizable and not v[2].suggested and "only 5 iterations" in v[2].reason
    assert v[3].parallelizable and not v[3].suggested
    assert v[8].parallelizable and not v[8].suggested and v[8].inside_parallel_region


def test_tiled_nest_with_c89_indices_is_parallelizable():
    text = """double A[1024][100];
void f(void) {
  int c1, c3, c4;
  for (c1 = 0; c1 <= 63; c1++)
    for (c3 = 16 * c1; c3 <= 16 * c1 + 15; c3++)
      for (c4 = 0; c4 < 100; c4++)
        A[c3][c4] = 0.5 * c4;
}
"""
    outer = _verdicts(text)[3]
    assert outer.parallelizable, outer.reason
    assert set(outer.private) == {"c3", "c4"}
