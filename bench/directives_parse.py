"""Benchmark: OpenMP directive parsing and the omp-directive rules on 5,000-line C and Fortran files.

Prints medians (ms); never asserts times. Run: ``.venv/bin/python bench/directives_parse.py``.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from hpclsp.analysis import engine  # noqa: E402
from hpclsp.analysis.context import Options  # noqa: E402
from hpclsp.analysis.openmp.scanner import parse_text  # noqa: E402
from hpclsp.analysis.source import SourceFile  # noqa: E402

C_BLOCK = (
    "#pragma omp parallel for reduction(+: s) private(t) schedule(dynamic, 16)\n"
    "for (i = 0; i < n; i++) { t = a[i] * b[i]; s += t; } /* dot */\n"
) + "x[i] = y[i] + 1.0; // body\n" * 48
F_BLOCK = (
    "!$omp parallel do reduction(+: s) private(t) &\n"
    "!$omp& schedule(dynamic, 16)\n"
    "do i = 1, n\n"
    "   t = a(i) * b(i); s = s + t ! dot\n"
    "end do\n"
    "!$omp end parallel do\n"
) + "x(i) = y(i) + 1.0d0\n" * 44


def median_ms(fn, repeat: int = 25) -> float:
    """Median wall time of fn() in milliseconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main() -> None:
    """Print parse and rule timings."""
    for lang, block in (("c", C_BLOCK), ("fortran", F_BLOCK)):
        text = block * 100
        lines = text.count("\n")
        n = len(parse_text(text, lang))
        plain = "\n".join(ln for ln in text.splitlines() if "omp" not in ln)
        print(
            f"{lang:8s} {lines} lines, {n} directives: parse {median_ms(lambda t=text, lg=lang: parse_text(t, lg)):.2f} ms"
        )
        print(f"{lang:8s} {plain.count(chr(10)) + 1} lines, no directives: parse "
              f"{median_ms(lambda t=plain, lg=lang: parse_text(t, lg)):.2f} ms")  # fmt: skip
        opts = Options(select=("omp-directive", "omp-clause"), budget=30.0)
        path = "bench.c" if lang == "c" else "bench.f90"
        rules_ms = median_ms(
            lambda t=text, p=path, lg=lang, o=opts: engine.analyze(SourceFile(p, lg, t), o), repeat=10
        )
        print(f"{lang:8s} parse + omp-directive/omp-clause rules: {rules_ms:.2f} ms")


if __name__ == "__main__":
    main()
