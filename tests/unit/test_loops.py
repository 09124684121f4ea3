"""The shared IR: loops, accesses, constructs, data sharing."""

from __future__ import annotations

from hpclsp.analysis.ir import build_ir
from hpclsp.analysis.openmp import datasharing
from hpclsp.analysis.source import SourceFile

C = """void f(int n, double *a, double *b) {
  int i, j;
  double s = 0, t;
#pragma omp parallel for private(t) reduction(+:s)
  for (i = 1; i < n; i += 2) {
    for (j = 0; j < n; j++) {
      t = a[i - 1] * 2;
      s += t;
      b[i * 2 + 1] = t;
    }
  }
}
"""

F = """subroutine g(n, a)
  integer :: n, i, j
  real :: a(n), s
  !$omp parallel do
  do i = 2, n, 3
     do j = 1, n
        s = a(i - 1)
     end do
  end do
  !$omp end parallel do
end subroutine g
"""


def test_c_loops_and_bounds():
    ir = build_ir(SourceFile("t.c", "c", C))
    outer, inner = ir.loops
    assert outer.index == "i" and str(outer.lower) == "1" and str(outer.upper) == "n - 1" and outer.step == 2
    assert inner.parent is outer and outer.children == [inner]
    assert outer.directive is not None and outer.directive.name == "parallel for"
    reads = [a for a in outer.accesses if a.name == "a"]
    assert reads and str(reads[0].subscripts[0]) == "i - 1" and reads[0].kind == "R"
    upd = [a for a in outer.accesses if a.name == "s"]
    assert {a.kind for a in upd} == {"R", "W"} and all(a.update_op == "+" for a in upd)
    w = next(a for a in outer.accesses if a.name == "b")
    assert w.kind == "W" and str(w.subscripts[0]) == "2*i + 1"


def test_c_data_sharing():
    src = SourceFile("t.c", "c", C)
    ir = build_ir(src)
    par = ir.loops[0].construct
    at = ir.loops[1].body_start
    assert datasharing.resolve(ir, "t", at, par).kind == "private"
    assert datasharing.resolve(ir, "s", at, par).kind == "reduction"
    assert datasharing.resolve(ir, "i", at, par).kind == "private"
    assert datasharing.resolve(ir, "j", at, par).shared  # C: inner index declared outside stays shared
    assert datasharing.resolve(ir, "a", at, par).shared


def test_fortran_loops_and_sharing():
    ir = build_ir(SourceFile("t.f90", "fortran", F))
    outer, inner = ir.loops
    assert outer.index == "i" and outer.step == 3 and str(outer.upper) == "n"
    par = outer.construct
    assert par is not None and par.end_directive is not None
    at = inner.body_start
    assert not datasharing.resolve(ir, "j", at, par).shared  # Fortran: sequential loop index is private
    assert datasharing.resolve(ir, "s", at, par).shared
    r = next(a for a in outer.accesses if a.name == "a")
    assert str(r.subscripts[0]) == "i - 1"


def test_bad_input_does_not_crash():
    for text in ("#pragma omp parallel for\nfor (", "}}}{{{", "\x00\xff", ""):
        build_ir(SourceFile("t.c", "c", text))
    build_ir(SourceFile("t.f90", "fortran", "!$omp parallel do\ndo i = \n"))
