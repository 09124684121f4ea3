"""Race-detection benchmark on the labelled race corpora.

Two corpora are scored separately: the template-generated corpus ``tests/fixtures/races/{c,fortran}``
(the checker was developed against its shapes) and the held-out, hand-written corpus
``tests/fixtures/races_handwritten/{c,fortran}`` (each program written individually, labelled from
the OpenMP semantics before the tool was run on it: the honest figures).

Prints, for each corpus, per language and overall: per-file precision / recall / F1 / accuracy, per line-pair
precision / recall / F1, the share of detected racy files whose reported lines match an
annotated pair ("right pair"), and the median / p95 / max analysis time per file.

Label format (first line of each file, see docs/races.md): ``race-free``, or
``race: <kind>; race-pairs: L1-L2[, L3-L4...]`` with 1-based line numbers.

Run: ``.venv/bin/python bench/races.py [--verbose] [--corpus generated|handwritten|both]``.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from hpclsp.analysis import engine  # noqa: E402
from hpclsp.analysis.context import Options  # noqa: E402
from hpclsp.analysis.findings import Finding  # noqa: E402
from hpclsp.analysis.source import SourceFile  # noqa: E402

CORPUS = os.path.join(ROOT, "tests", "fixtures", "races")
HANDWRITTEN = os.path.join(ROOT, "tests", "fixtures", "races_handwritten")
CORPORA = {"generated": CORPUS, "handwritten": HANDWRITTEN}
LABEL = re.compile(r"race:\s*([\w-]+);\s*race-pairs:\s*([\d\s,-]+)")


def read_label(path: str) -> tuple[bool, str | None, list[tuple[int, int]]]:
    """(racy, kind, pairs of 1-based lines) from a corpus file's first line."""
    with open(path, encoding="utf-8") as fh:
        first = fh.readline()
    m = LABEL.search(first)
    if not m:
        if "race-free" not in first:
            raise ValueError(f"{path}: no label on the first line")
        return False, None, []
    pairs = []
    for part in m.group(2).split(","):
        part = part.strip()
        if part:
            a, b = part.split("-")
            pairs.append((int(a), int(b)))
    return True, m.group(1), pairs


def corpus_files(lang: str | None = None, root: str = CORPUS) -> list[str]:
    """Every file of a corpus (default: the generated one), optionally of one language directory."""
    out = []
    for d in sorted(os.listdir(root)) if os.path.isdir(root) else []:
        if lang and d != lang:
            continue
        sub = os.path.join(root, d)
        if os.path.isdir(sub):
            out.extend(os.path.join(sub, f) for f in sorted(os.listdir(sub)))
    return out


def race_findings(path: str) -> tuple[list[Finding], float]:
    """The omp-race findings for a file and the analysis time in seconds."""
    src = SourceFile.from_path(path)
    t0 = time.perf_counter()
    res = engine.analyze(src, Options(select=("omp-race",), budget=30.0))
    dt = time.perf_counter() - t0
    return [f for f in res.findings if f.code.startswith("omp-race")], dt


def matches(f: Finding, pair: tuple[int, int]) -> bool:
    """Whether a finding points at an annotated pair: its access on one line, a related access on the other."""
    lines = {f.span.start.line + 1}
    related = {r.span.start.line + 1 for r in f.related} | lines
    a, b = pair
    if a == b:
        return a in lines
    return (a in lines and b in related) or (b in lines and a in related)


def score(files: list[str]) -> dict[str, float]:
    """Per-file and per-pair metrics over files."""
    tp = fp = fn = tn = 0
    ptp = pfp = pfn = 0
    right = detected = 0
    times = []
    details = []
    for p in files:
        racy, _kind, pairs = read_label(p)
        fs, dt = race_findings(p)
        times.append(dt)
        said = bool(fs)
        if racy and said:
            tp += 1
            detected += 1
            if any(matches(f, pr) for f in fs for pr in pairs):
                right += 1
        elif racy:
            fn += 1
        elif said:
            fp += 1
        else:
            tn += 1
        hit = {pr for pr in pairs if any(matches(f, pr) for f in fs)}
        ptp += len(hit)
        pfn += len(pairs) - len(hit)
        pfp += sum(1 for f in fs if not any(matches(f, pr) for pr in pairs))
        if (racy != said) or (racy and not hit):
            details.append(
                (
                    p,
                    racy,
                    pairs,
                    [(f.span.start.line + 1, f.code, [r.span.start.line + 1 for r in f.related]) for f in fs],
                )
            )
    n = max(1, len(files))
    prec = tp / (tp + fp) if tp + fp else 1.0
    rec = tp / (tp + fn) if tp + fn else 1.0
    pprec = ptp / (ptp + pfp) if ptp + pfp else 1.0
    prec_ = ptp / (ptp + pfn) if ptp + pfn else 1.0
    return {
        "files": len(files),
        "precision": prec,
        "recall": rec,
        "f1": 2 * prec * rec / (prec + rec) if prec + rec else 0.0,
        "accuracy": (tp + tn) / n,
        "pair_precision": pprec,
        "pair_recall": prec_,
        "pair_f1": 2 * pprec * prec_ / (pprec + prec_) if pprec + prec_ else 0.0,
        "right_pair": right / detected if detected else 1.0,
        "time_median_ms": 1000 * statistics.median(times) if times else 0.0,
        "time_p95_ms": 1000 * sorted(times)[int(0.95 * (len(times) - 1))] if times else 0.0,
        "time_max_ms": 1000 * max(times) if times else 0.0,
        "details": details,  # type: ignore[dict-item]
    }


def main() -> int:
    """Print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--verbose", action="store_true", help="list misclassified files")
    ap.add_argument("--corpus", choices=("generated", "handwritten", "both"), default="both")
    args = ap.parse_args()
    # warm up grammars and rule registry so the first file's time is not the import time
    race_findings(corpus_files()[0]) if corpus_files() else None
    names = ("generated", "handwritten") if args.corpus == "both" else (args.corpus,)
    for cname in names:
        print(f"== {cname} corpus ({os.path.relpath(CORPORA[cname], ROOT)})")
        _print_corpus(CORPORA[cname], args.verbose)
    return 0


def _print_corpus(root: str, verbose: bool) -> None:
    """Print the figures of one corpus, per language and overall."""
    for lang in ("c", "fortran", None):
        files = corpus_files(lang, root)
        if not files:
            continue
        s = score(files)
        print(
            f"{lang or 'all':8s} files={s['files']:4d}  per-file P={s['precision']:.3f} R={s['recall']:.3f} "
            f"F1={s['f1']:.3f} acc={s['accuracy']:.3f} | per-pair P={s['pair_precision']:.3f} "
            f"R={s['pair_recall']:.3f} F1={s['pair_f1']:.3f} | right pair={s['right_pair']:.3f} | "
            f"time/file median={s['time_median_ms']:.1f} ms p95={s['time_p95_ms']:.1f} ms max={s['time_max_ms']:.1f} ms"
        )
        if verbose and lang is not None:
            for p, racy, pairs, got in s["details"]:  # type: ignore[union-attr]
                print(f"   {os.path.relpath(p, root)} racy={racy} pairs={pairs} got={got}")


if __name__ == "__main__":
    sys.exit(main())
