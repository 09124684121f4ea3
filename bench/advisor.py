"""Advisor benchmark: per-loop precision, recall, F1 and exact-clause share on the annotated corpus, time per file.

Run: ``.venv/bin/python bench/advisor.py [-v]`` (``-v`` lists every disagreement with the annotations).
Targets (issue 4): precision >= 0.95, recall >= 0.90, exact clauses >= 0.90.
"""

from __future__ import annotations

import os
import statistics
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from tests.advisor.corpus import corpus_files, score  # noqa: E402


def main(argv: list[str]) -> int:
    """Print the figures."""
    files = corpus_files()
    score(files[:2])  # warm up: grammars, rule registry
    sc = score(files)
    if "-v" in argv:
        for m in sc.mismatches:
            print(m)
    c_files = sum(f.endswith(".c") for f in files)
    print(f"corpus: {len(files)} files ({c_files} C, {len(files) - c_files} Fortran), {sc.loops} loops")
    print(f"parallelizable verdict: TP={sc.tp} FP={sc.fp} FN={sc.fn} TN={sc.tn}")
    print(f"precision {sc.precision:.3f}  recall {sc.recall:.3f}  F1 {sc.f1:.3f}")
    print(f"exact clause set: {sc.clause_exact}/{sc.clause_total} = {sc.exact_share:.3f}")
    print(f"suggested decision agrees on {sc.suggested_agree}/{sc.loops} loops")
    ms = [t * 1000 for t in sc.times]
    print(
        f"time per file (advice + race vetting): median {statistics.median(ms):.1f} ms, max {max(ms):.1f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
