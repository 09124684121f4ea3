"""``omp-directive-*`` / ``omp-clause-*`` rules: malformed or contradictory OpenMP directives.

These rules report only what the OpenMP 5.2 spec (and therefore every compiler) rejects, working
on the directive list from ``openmp.scanner`` and the spec tables in ``openmp.spec``; none needs
the syntax tree, so they are cheap and run on half-typed code. One module per rule; the rule
registry imports this package, which imports them.
"""

from __future__ import annotations

from hpclsp.analysis.rules.omp_directive import (
    conflict,
    duplicate,
    malformed,
    not_allowed,
    unknown,
    unmatched_end,
)

__all__ = ["conflict", "duplicate", "malformed", "not_allowed", "unknown", "unmatched_end"]
