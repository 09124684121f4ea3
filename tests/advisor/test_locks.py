"""OpenMP lock routines in a loop body: a set/unset pair in one block orders threads and touches no data."""

from __future__ import annotations

from hpclsp.analysis import advisor
from hpclsp.analysis.source import SourceFile

C_TEXT = """#include <omp.h>
#include <stdio.h>
int main(void) {
  omp_lock_t lck;
  int var = 0, k = 0, a[100];
  omp_init_lock(&lck);
  for (int i = 0; i < 100; i++) {
    omp_set_lock(&lck);
    var++;
    omp_unset_lock(&lck);
  }
  for (int i = 0; i < 100; i++) {
    omp_set_lock(&lck);
    a[k] = i;
    k++;
    omp_unset_lock(&lck);
  }
  for (int i = 0; i < 100; i++) {
    if (i % 2) omp_set_lock(&lck);
    var += 2;
    omp_unset_lock(&lck);
  }
  for (int i = 0; i < 100; i++) {
    omp_set_lock(&lck);
    var += 3;
  }
  omp_destroy_lock(&lck);
  printf("%d %d\\n", var, a[5]);
  return 0;
}
"""

F_TEXT = """program p
  use omp_lib
  integer(kind=omp_lock_kind) :: lck
  integer :: var, i
  var = 0
  call omp_init_lock(lck)
  do i = 1, 100
    call omp_set_lock(lck)
    var = var + 1
    call omp_unset_lock(lck)
  end do
  do i = 1, 100
    call omp_set_lock(lck)
    var = var + 1
  end do
  call omp_destroy_lock(lck)
  print *, var
end program
"""


def _verdicts(path: str, lang: str, text: str) -> dict[int, tuple[bool, str]]:
    return {
        a.span.start.line + 1: (a.parallelizable, a.reason)
        for a in advisor.advise(SourceFile(path, lang, text))
    }


def test_paired_lock_keeps_the_data_analysis():
    v = _verdicts("t.c", "c", C_TEXT)
    assert v[7][0] and "reduction" in v[7][1]
    assert not v[12][0] and "`k`" in v[12][1]  # the lock does not hide a carried scalar
    assert not v[18][0] and "lock/unlock pair" in v[18][1]  # set under an if, unset always
    assert not v[23][0] and "lock/unlock pair" in v[23][1]  # never released


def test_paired_lock_in_fortran():
    v = _verdicts("t.f90", "fortran", F_TEXT)
    assert v[7][0] and "reduction" in v[7][1]
    assert not v[12][0] and "lock/unlock pair" in v[12][1]
