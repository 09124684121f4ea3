"""Data races in OpenMP code (``omp-race-*``), for C/C++ and Fortran.

One analysis per file finds every pair of conflicting accesses to a shared variable that two
threads (or two tasks, or two SIMD lanes) may execute at the same time. It works per team
(``parallel`` / ``teams`` construct): it resolves data sharing (``openmp.datasharing``), splits the
region into barrier phases (explicit ``barrier``, implicit barriers at the end of worksharing
constructs without ``nowait``), and decides concurrency of each pair from the constructs they
sit in (worksharing loop iterations via ``dependence.test``, ``single``/``master``, ``sections``,
tasks with ``depend``/``taskwait``/``taskgroup``), minus mutual exclusion (``critical`` with the
same name, ``atomic``, ``omp_set_lock``/``omp_unset_lock``, ``ordered``). This package only turns
its races into findings: ``races`` holds one rule per kind, ``incomplete`` the note on functions
the analysis could not finish; the rule registry imports this package, which imports them.
"""

from __future__ import annotations

from hpclsp.analysis.rules.omp_race import incomplete, races

__all__ = ["incomplete", "races"]
