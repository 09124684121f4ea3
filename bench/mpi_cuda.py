"""Precision and recall of the mpi-*/cuda-* rules on the project's labelled programs.

Run: ``.venv/bin/python bench/mpi_cuda.py``. Labels are the ``expect:`` annotations of
``tests/fixtures/mpi``, ``tests/fixtures/cuda`` and the rule fixtures ``tests/fixtures/rules/{mpi,cuda}-*``;
a finding counts as a true positive when its (line, code) is labelled. Prints figures, asserts nothing.
"""

from __future__ import annotations

import collections
import os
import re
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from hpclsp.analysis import engine, languages  # noqa: E402
from hpclsp.analysis.context import Options  # noqa: E402
from hpclsp.analysis.source import SourceFile  # noqa: E402

FIX = os.path.join(ROOT, "tests", "fixtures")
EXPECT = re.compile(r"expect(-next-line)?:\s*([a-z0-9][a-z0-9, -]*[a-z0-9])")
FAMILIES = ("mpi", "cuda")


def labels(path: str) -> set[tuple[int, str]]:
    """(1-based line, code) pairs annotated in a file."""
    out = set()
    with open(path, encoding="utf-8") as fh:
        for i, line in enumerate(fh, start=1):
            for mt in EXPECT.finditer(line):
                for code in mt.group(2).split(","):
                    out.add((i + 1 if mt.group(1) else i, code.strip()))
    return out


def programs() -> list[str]:
    """Every labelled program: the two corpora and the mpi/cuda rule fixtures."""
    paths = []
    for kind in FAMILIES:
        d = os.path.join(FIX, kind)
        paths += [os.path.join(d, f) for f in sorted(os.listdir(d)) if languages.language_for_path(f)]
    rules = os.path.join(FIX, "rules")
    for rid in sorted(os.listdir(rules)):
        if rid.startswith(tuple(f + "-" for f in FAMILIES)):
            d = os.path.join(rules, rid)
            paths += [os.path.join(d, f) for f in sorted(os.listdir(d)) if languages.language_for_path(f)]
    return paths


def main() -> int:
    """Print per-family and per-rule precision/recall and the count of noisy correct programs."""
    tp: collections.Counter[str] = collections.Counter()
    fp: collections.Counter[str] = collections.Counter()
    fn: collections.Counter[str] = collections.Counter()
    noisy_correct: list[str] = []
    times = []
    for path in programs():
        want = {(ln, c) for ln, c in labels(path) if c.split("-")[0] in FAMILIES}
        t0 = time.perf_counter()
        res = engine.analyze(SourceFile.from_path(path), Options(budget=30.0))
        times.append(time.perf_counter() - t0)
        got = {(f.span.start.line + 1, f.code) for f in res.findings if f.code.split("-")[0] in FAMILIES}
        for _, c in got & want:
            tp[c] += 1
        for _, c in got - want:
            fp[c] += 1
        for _, c in want - got:
            fn[c] += 1
        if not want and got:
            noisy_correct.append(os.path.relpath(path, ROOT))
    n_correct = sum(1 for p in programs() if not any(c.split("-")[0] in FAMILIES for _, c in labels(p)))

    def pr(t: int, f: int, n: int) -> tuple[str, str]:
        p = f"{t / (t + f):.3f}" if t + f else "  n/a"
        r = f"{t / (t + n):.3f}" if t + n else "  n/a"
        return p, r

    print(
        f"{len(programs())} programs ({n_correct} correct), median analysis {sorted(times)[len(times) // 2] * 1000:.1f} ms"
    )
    print(f"{'rule':36} {'TP':>4} {'FP':>4} {'FN':>4} {'prec':>6} {'recall':>6}")
    for code in sorted(set(tp) | set(fp) | set(fn)):
        p, r = pr(tp[code], fp[code], fn[code])
        print(f"{code:36} {tp[code]:4} {fp[code]:4} {fn[code]:4} {p:>6} {r:>6}")
    print()
    for fam in FAMILIES + ("overall",):
        sel = [c for c in set(tp) | set(fp) | set(fn) if fam == "overall" or c.startswith(fam + "-")]
        t, f, n = sum(tp[c] for c in sel), sum(fp[c] for c in sel), sum(fn[c] for c in sel)
        p, r = pr(t, f, n)
        print(f"{fam:8} precision {p}  recall {r}  (TP {t}, FP {f}, FN {n})")
    print(
        f"correct programs with a warning: {len(noisy_correct)}"
        + (f" {noisy_correct}" if noisy_correct else "")
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
