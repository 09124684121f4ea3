"""Precision cases for the omp-directive/omp-clause rules: what the spec allows stays silent."""

from __future__ import annotations

import pytest

from hpclsp.analysis import engine
from hpclsp.analysis.context import Options
from hpclsp.analysis.source import SourceFile

OPTS = Options(select=("omp-directive", "omp-clause"), budget=30.0)


def codes(text: str, language: str = "c", fixed: bool = False) -> list[tuple[int, str]]:
    """(1-based line, code) of every omp-directive/omp-clause finding."""
    path = {"c": "t.c", "fortran": "t.f" if fixed else "t.f90"}[language]
    src = SourceFile(path, language, text, fixed_form=fixed)
    return [(f.span.start.line + 1, f.code) for f in engine.analyze(src, OPTS).findings]


@pytest.mark.parametrize(
    "pragma",
    [
        "#pragma omp parallel for firstprivate(x) lastprivate(x)",
        "#pragma omp parallel for shared(x) lastprivate(x)",
        "#pragma omp parallel for private(t) shared(x) reduction(+: s)",
        "#pragma omp target parallel for if(target: a) if(parallel: b) map(to: v[0:n]) nowait",
        "#pragma omp target defaultmap(tofrom: scalar) defaultmap(to: aggregate)",
        "#pragma omp for schedule(monotonic: static, 4) nowait",
        "#pragma omp parallel for reduction(myop: s) reduction(task, *: p)",
        "#pragma omp simd linear(i: 1) aligned(a: 64) safelen(8) simdlen(8)",
        "#pragma omp task depend(iterator(it = 0:n), in: a[it]) depend(out: b) priority(0)",
        "#pragma omp ordered depend(sink: i - 1) depend(sink: i + 1)",
        "#pragma omp ordered doacross(source:)",
        "#pragma omp atomic compare capture",
        "#pragma omp critical(name) hint(omp_sync_hint_uncontended)",
        "#pragma omp metadirective when(device = {arch(nvptx)}: teams loop) default(parallel for)",
        "#pragma omp requires unified_shared_memory atomic_default_mem_order(seq_cst)",
        "#pragma omp declare reduction(merge : int : omp_out += omp_in) initializer(omp_priv = 0)",
        "#pragma omp cancel for if(cancel: err != 0)",
        "#pragma omp taskloop simd grainsize(strict: 64) collapse(2)",
        "#pragma omp masked taskloop filter(0) num_tasks(8)",
        "#pragma omp loop bind(thread) order(reproducible: concurrent)",
        "#pragma omp scope private(tmp) reduction(+: s) nowait",
        "#pragma omp target update to(present: a[0:n]) from(b)",
        "#pragma omp target data map(alloc: a[0:n]) use_device_addr(a)",
        "#pragma omp distribute dist_schedule(static, 128)",
        "#pragma omp parallel num_threads(n) if(n > 1 ? 1 : 0) proc_bind(primary)",
        "#pragma omp flush acq_rel",
        "#pragma omp tile sizes(8, 8)",
        "#pragma omp unroll partial(4)",
        "#pragma omp ompx_vendor_thing foo",
    ],
)
def test_valid_c_pragmas_are_silent(pragma: str):
    assert codes(pragma + "\n") == []


def test_c_pragmas_never_need_ends():
    text = "#pragma omp parallel\n{\n#pragma omp single\n{ }\n}\n#pragma omp critical\nx++;\n"
    assert codes(text) == []


def test_valid_fortran_is_silent():
    text = """subroutine s(n, a, b)
  integer :: n, i
  real :: a(n), b(n), t
  !$omp parallel private(t)
  !$omp do
  do i = 1, n
     a(i) = b(i)
  end do
  !$omp do simd
  do i = 1, n
     a(i) = a(i) + 1
  end do
  !$omp end do simd nowait
  !$omp barrier
  !$omp single
  t = 1
  !$omp end single copyprivate(t)
  !$omp sections
  !$omp section
  t = 2
  !$omp end sections nowait
  !$omp atomic
  b(1) = b(1) + 1
  !$omp atomic capture
  t = b(1)
  b(1) = b(1) + 1
  !$omp end atomic
  !$omp ordered
  t = 3
  !$omp end ordered
  !$omp masked filter(0)
  t = 4
  !$omp end masked
  !$omp end parallel
  !$omp parallel do reduction(.neqv.: l) reduction(iand: m)
  do i = 1, n
  end do
  !$omp target teams distribute parallel do map(tofrom: a(1:n))
  do i = 1, n
  end do
  !$omp end target teams distribute parallel do
  !$omp workshare
  a = b
  !$omp end workshare
end subroutine
"""
    assert codes(text, "fortran") == []


def test_fortran_standalone_ordered_needs_no_end():
    text = "!$omp do ordered(1)\ndo i = 2, n\n!$omp ordered depend(sink: i - 1)\n!$omp ordered depend(source)\nend do\n"
    assert codes(text, "fortran") == []


def test_fortran_missing_end_at_eof_and_critical_names():
    text = "!$omp parallel\n!$omp critical (a)\nx = 1\n!$omp end critical (A)\n"
    assert codes(text, "fortran") == [(1, "omp-directive-unmatched-end")]


def test_fixed_form_rules():
    text = (
        "      SUBROUTINE S(N)\n"
        "C$OMP PARALLEL DO NOWAIT\n"
        "      DO 10 I = 1, N\n"
        "   10 CONTINUE\n"
        "C$OMP END PARALLEL DO\n"
        "C$OMP SINGLE\n"
        "      END\n"
    )
    assert codes(text, "fortran", fixed=True) == [
        (2, "omp-clause-not-allowed"),
        (6, "omp-directive-unmatched-end"),
    ]


@pytest.mark.parametrize(
    "pragma,code",
    [
        ("#pragma omp parallel for reduction(x)", "omp-clause-malformed"),
        ("#pragma omp parallel for reduction(.and.: x)", "omp-clause-malformed"),
        ("#pragma omp parallel for schedule(runtime, 4)", "omp-clause-malformed"),
        ("#pragma omp parallel for schedule(monotonic, nonmonotonic: dynamic)", "omp-clause-malformed"),
        ("#pragma omp parallel for schedule(static, 0)", "omp-clause-malformed"),
        ("#pragma omp parallel default(everything)", "omp-clause-malformed"),
        ("#pragma omp target map(tofrom, to: a)", "omp-clause-malformed"),
        ("#pragma omp task depend(a)", "omp-clause-malformed"),
        ("#pragma omp parallel num_threads", "omp-clause-malformed"),
        ("#pragma omp for nowait(1)", "omp-clause-malformed"),
        ("#pragma omp simd safelen(0)", "omp-clause-malformed"),
        ("#pragma omp threadprivate", "omp-clause-malformed"),
        ("#pragma omp parallel for lastprivate(sometimes: x)", "omp-clause-malformed"),
        ("#pragma omp parallel for if(simd: c)", "omp-clause-malformed"),
        ("#pragma omp parallel private(x) private(x)", "omp-clause-conflict"),
        ("#pragma omp parallel shared(x) reduction(+: x)", "omp-clause-conflict"),
        ("#pragma omp for linear(i) lastprivate(j) private(i)", "omp-clause-conflict"),
        ("#pragma omp target map(to: a) firstprivate(a)", "omp-clause-conflict"),
        ("#pragma omp for ordered ordered", "omp-clause-duplicate"),
        ("#pragma omp target defaultmap(to) defaultmap(from: scalar)", "omp-clause-duplicate"),
        ("#pragma omp for nowait nowait", "omp-clause-duplicate"),
        ("#pragma omp parallel copyprivate(x)", "omp-clause-not-allowed"),
        ("#pragma omp single lastprivate(x)", "omp-clause-not-allowed"),
        ("#pragma omp taskwait untied", "omp-clause-not-allowed"),
        ("#pragma omp end parallel", "omp-directive-unknown"),
        ("#pragma omp sectoins", "omp-directive-unknown"),
    ],
)
def test_bad_c_pragmas(pragma: str, code: str):
    assert codes(pragma + "\n") == [(1, code)]


def test_half_typed_code_reports_without_crashing():
    for text in ("#pragma omp parallel for reduc", "#pragma omp parallel for reduction(+:", "#pragma omp ("):
        assert all(c.startswith(("omp-clause", "omp-directive")) for _, c in codes(text))
    for text in ("!$omp do private(", "!$omp end", "!$omp parallel &"):
        codes(text, "fortran")
