"""The garbage-collector policy of analyses (``hpclsp.analysis.gcpolicy``) and the cycle-free
throwaway analyses it relies on (``FileIR.break_cycles``)."""

from __future__ import annotations

import gc
import threading
import time

from hpclsp.analysis import engine, gcpolicy
from hpclsp.analysis import rules as rules_pkg
from hpclsp.analysis.context import Options

C = """#include <omp.h>
void k(int n, double *a, double *b) {
    double s = 0.0;
    #pragma omp parallel for reduction(+:s) schedule(static)
    for (int i = 1; i < n; i++) {
        for (int j = 0; j < n; j++) {
            a[i * n + j] = b[i * n + j] + a[(i - 1) * n + j];
            s += a[i * n + j];
        }
    }
    #pragma omp parallel for
    for (int i = 0; i < n; i++)
        b[i] = s * i;
}
"""

F = """subroutine k(n, a, b)
  integer :: n, i, j
  real :: a(n, n), b(n, n), s
  s = 0.0
  !$omp parallel do reduction(+:s) private(j)
  do i = 2, n
    do j = 1, n
      a(i, j) = b(i, j) + a(i - 1, j)
      s = s + a(i, j)
    end do
  end do
  !$omp end parallel do
  do i = 1, n
    b(i, 1) = s
  end do
end subroutine k
"""


def test_the_threshold_is_raised_inside_and_restored_after() -> None:
    before = gc.get_threshold()
    with gcpolicy.fewer_collections():
        assert gc.get_threshold()[0] == max(before[0], gcpolicy.YOUNG)
        assert gc.get_threshold()[1:] == before[1:]
        with gcpolicy.fewer_collections():
            assert gc.get_threshold()[0] == max(before[0], gcpolicy.YOUNG)
        assert gc.get_threshold()[0] == max(before[0], gcpolicy.YOUNG)
    assert gc.get_threshold() == before


def test_restored_after_an_exception_and_off_stays_off() -> None:
    before = gc.get_threshold()
    try:
        with gcpolicy.fewer_collections():
            raise ValueError
    except ValueError:
        pass
    assert gc.get_threshold() == before
    gc.set_threshold(0, *before[1:])
    try:
        with gcpolicy.fewer_collections():
            assert gc.get_threshold()[0] == 0
    finally:
        gc.set_threshold(*before)


def test_overlapping_analyses_on_two_threads_restore_once_both_end() -> None:
    before = gc.get_threshold()
    inside, release = threading.Event(), threading.Event()

    def other() -> None:
        with gcpolicy.fewer_collections():
            inside.set()
            release.wait(5)

    t = threading.Thread(target=other)
    with gcpolicy.fewer_collections():
        t.start()
        assert inside.wait(5)
    assert gc.get_threshold()[0] == max(before[0], gcpolicy.YOUNG)  # the other one still runs
    release.set()
    t.join(5)
    assert gc.get_threshold() == before


def _cyclic_garbage(language: str, text: str) -> int:
    ids = tuple(r.id for r in rules_pkg.all_rules() if r.scope == "unit" and language in r.languages)
    job = engine.Job("t", language, False, text, ids)
    gc.collect()
    gc.disable()
    try:
        answer = engine.run_job(job, Options(), time.monotonic() + 60)
        assert answer is not None and answer[0]
        return gc.collect()
    finally:
        gc.enable()


def test_a_component_analysis_leaves_no_cyclic_garbage() -> None:
    """Memoised facts on loops and constructs must not keep cycles after ``break_cycles``: with the
    raised threshold nothing would collect them until ``YOUNG`` allocations later."""
    assert _cyclic_garbage("c", C) == 0
    assert _cyclic_garbage("fortran", F) == 0
