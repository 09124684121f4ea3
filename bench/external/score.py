"""Score one suite: stage the cases, run the analyses, compare with the labels, build the rows."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from typing import Any

from bench.external import clauses, loopref, neutral
from bench.external.metrics import Confusion, Row
from bench.external.runner import Job, Outcome, run_jobs
from bench.external.suites import Case, Suite, revision
from hpclsp.analysis import languages


def pair_matched(finding: dict[str, Any], pair: tuple[int, int]) -> bool:
    """A finding reports a race pair: its own line is one access, a related location the other."""
    own = finding["line"]
    lines = {own, *finding["related"]}
    a, b = pair
    if a == b:
        return a in lines
    return (a == own and b in lines) or (b == own and a in lines)


def _neutral_order(cases: list[Case], root: str) -> list[int]:
    """Case numbers that do not follow the (label-bearing) file names: by a digest of the path."""
    keys = [hashlib.sha1(os.path.relpath(c.path, root).encode()).hexdigest() for c in cases]
    order = sorted(range(len(cases)), key=lambda i: keys[i])
    numbers = [0] * len(cases)
    for n, i in enumerate(order, start=1):
        numbers[i] = n
    return numbers


def run_suite(
    suite: Suite, suite_dir: str, workers: int = 2, cpu_limit: float = 20.0
) -> tuple[list[Case], dict[int, Outcome]]:
    """Stage every case of a suite in a temporary directory and analyse the copies."""
    cases = suite.collect(suite_dir)
    numbers = _neutral_order(cases, suite_dir)
    with tempfile.TemporaryDirectory(prefix="hpclsp-ext-") as tmp:
        jobs = []
        for i, case in enumerate(cases):
            staged = neutral.stage(case.path, numbers[i], tmp, suite_dir, case.blank_pragmas)
            jobs.append(Job(i, staged, case.kind, case.select))
        outcomes = run_jobs(jobs, workers=workers, cpu_limit=cpu_limit)
    return cases, outcomes


def score_suite(
    suite: Suite, suite_dir: str, cases: list[Case], outcomes: dict[int, Outcome]
) -> dict[str, Any]:
    """Rows per language/category plus "all", the slowest files and the misjudged ones."""
    rows: dict[str, Row] = {"all": Row("all")}
    misjudged: list[dict[str, Any]] = []
    timed: list[tuple[float, float, str, bool]] = []
    for i, case in enumerate(cases):
        out = outcomes.get(i) or Outcome(i, error="no result")
        rel = os.path.relpath(case.path, suite_dir)
        timed.append((out.cpu_seconds, out.seconds, rel, out.timed_out))
        targets = [rows["all"]] + [rows.setdefault(g, Row(g)) for g in case.groups]
        if case.racy is not None:
            note = _score_racy(case, out, targets, rel)
        elif case.reference is not None:
            note = _score_loops(case, out, targets, rel)
        else:
            note = _score_file(case, out, targets, rel)
        if note:
            misjudged.append(note)
        for row in targets:
            row.files += 1
            row.times.append(out.seconds)
            row.cpu_times.append(out.cpu_seconds)
            row.timeouts += out.timed_out
            row.errors += out.error is not None
    timed.sort(reverse=True)
    return {
        "suite": suite.name,
        "revision": revision(suite_dir, suite),
        "directory": suite_dir,
        "unit": suite.unit,
        "rows": {name: row for name, row in sorted(rows.items(), key=lambda kv: (kv[0] != "all", kv[0]))},
        "slowest": [
            {"file": f, "cpu_ms": round(1000 * c), "ms": round(1000 * s), "timed_out": t}
            for c, s, f, t in timed[:5]
        ],
        "misjudged": misjudged,
    }


def _score_file(case: Case, out: Outcome, rows: list[Row], rel: str) -> dict[str, Any] | None:
    """Per-file verdict and right line; returns a note when the verdict is wrong (or unscored but noisy)."""
    found = [f for f in out.findings if case.relevant(f)]
    said = bool(found)
    right: bool | None = None
    if case.expected and said:
        if case.pairs:
            right = any(pair_matched(f, p) for f in found for p in case.pairs)
        elif case.lines:
            right = any(f["line"] in case.lines for f in found)
    for row in rows:
        if case.expected is not None:
            row.verdict.add(case.expected, said)
        else:
            row.unscored += 1
            row.unscored_flagged += said
        if right is not None:
            row.right_line_of += 1
            row.right_line += right
    wrong = case.expected is not None and case.expected != said
    if not (wrong or right is False or (case.expected is None and said) or out.timed_out or out.error):
        return None
    return {
        "file": rel,
        "expected": case.expected,
        "labelled_lines": sorted({n for p in case.pairs for n in p} | set(case.lines)),
        "found": [f"{f['line']}:{f['code']}" + (f" ~{f['related']}" if f["related"] else "") for f in found],
        "timed_out": out.timed_out,
        "error": out.error,
    }


def _score_loops(case: Case, out: Outcome, rows: list[Row], rel: str) -> dict[str, Any] | None:
    """Per-loop verdicts (parallelizable, suggested) and exact clause sets against the reference."""
    assert case.reference is not None
    by_line: dict[int, list[dict[str, Any]]] = {}
    for loop in out.loops:
        by_line.setdefault(loop["line"], []).append(loop)
    wrong = []
    for row in rows:
        if row.suggested is None:
            row.suggested = Confusion()
        if row.covered is None:
            row.covered = Confusion()
    lines = _source_lines(case.path)
    matched = [(ref, _match(by_line, ref)) for ref in case.reference]
    covered = _covered(matched, out.loops)
    for ref, got in matched:
        par = bool(got and got["parallelizable"])
        sug = bool(got and got["suggested"])
        exact: bool | None = None
        if ref["parallel"] and par and got is not None:
            span = (got["line"], got["end_line"])
            inner = [
                ((g["line"], g["end_line"]), r)
                for r, g in matched
                if r["parallel"] and g is not None and span[0] < g["line"] and g["end_line"] <= span[1]
            ]
            folded = _collapsed_indices(got, out.loops, lines) | _inner_do_indices(case.path, lines, span)
            ours = clauses.normalized(_advice_clauses(got, ref["induction"]), lines, span, inner, folded)
            exact = ours == clauses.normalized(ref["clauses"], lines, span, inner, folded)
        for row in rows:
            row.verdict.add(ref["parallel"], par)
            assert row.suggested is not None
            row.suggested.add(ref["parallel"], sug)
            assert row.covered is not None
            row.covered.add(*covered[id(ref)])
            row.unmatched_loops += got is None
            if exact is not None:
                row.clauses_of += 1
                row.clauses_exact += exact
        if par != ref["parallel"] or exact is False:
            have = sorted(_advice_clauses(got, ref["induction"])) if got else None
            wrong.append(
                f"{ref['line']}: expert {'parallel' if ref['parallel'] else 'serial'} "
                f"{sorted(ref['clauses'])}, got {_got_text(got)} {have}"
            )
    if not wrong and not out.timed_out and not out.error:
        return None
    return {"file": rel, "loops": wrong, "timed_out": out.timed_out, "error": out.error}


def _score_racy(case: Case, out: Outcome, rows: list[Row], rel: str) -> dict[str, Any] | None:
    """A racy kernel's directive loops: those holding a labelled race line (all of them when the file
    labels none), how many the advisor calls parallelizable, and how many of those its own pragma
    would leave racy (the race analysis of the text with that pragma applied, ``still_races``)."""
    assert case.racy is not None
    by_line: dict[int, list[dict[str, Any]]] = {}
    for loop in out.loops:
        by_line.setdefault(loop["line"], []).append(loop)
    racing = {n for p in case.pairs for n in p}
    notes = []
    for ref in case.racy:
        got = _match(by_line, ref)
        if racing and (got is None or not any(got["line"] <= n <= got["end_line"] for n in racing)):
            continue
        par = bool(got and got["parallelizable"])
        broken = bool(got and got.get("still_races"))
        for row in rows:
            row.racy_loops += 1
            row.racy_parallel += par
            row.racy_broken += broken
        if par:
            notes.append(
                f"{ref['line']}: racy directive loop, got {_got_text(got)}"
                + (" STILL RACES" if broken else "")
            )
    if not notes and not out.timed_out and not out.error:
        return None
    return {"file": rel, "loops": notes, "timed_out": out.timed_out, "error": out.error}


def _inside(inner: dict[str, Any], outer: dict[str, Any]) -> bool:
    """Whether the advisor's loop ``inner`` is nested in its loop ``outer`` (by spans)."""
    return (
        outer is not inner
        and (outer["line"], outer["column"]) < (inner["line"], inner["column"])
        and inner["end_line"] <= outer["end_line"]
    )


def _covered(
    matched: list[tuple[dict[str, Any], dict[str, Any] | None]], loops: list[dict[str, Any]]
) -> dict[int, tuple[bool, bool]]:
    """Per reference loop (by id): whether it runs in parallel under the experts' pragmas and under the
    advice, each meaning the loop or a loop around it carries the directive. With nested parallelism
    off (OpenMP's default) an inner ``parallel for`` runs on one thread, so the outermost directive
    decides which loops run in parallel; a suggestion moved outward still covers the inner loops."""
    out = {}
    for ref, got in matched:
        if got is None:
            out[id(ref)] = (ref["parallel"], False)
            continue
        ours = got["suggested"] or any(o["suggested"] for o in loops if _inside(got, o))
        theirs = ref["parallel"] or any(
            r["parallel"] for r, g in matched if g is not None and _inside(got, g)
        )
        out[id(ref)] = (theirs, ours)
    return out


def _match(by_line: dict[int, list[dict[str, Any]]], ref: dict[str, Any]) -> dict[str, Any] | None:
    """The advisor's loop for a reference loop: same line and column, or the only loop on that line."""
    cands = by_line.get(ref["line"], [])
    return next((c for c in cands if c["column"] == ref["column"]), cands[0] if len(cands) == 1 else None)


_FOR_INDEX = re.compile(r"\bfor\s*\(\s*(?:[A-Za-z_]\w*\s+)*([A-Za-z_]\w*)\s*=")


def _collapsed_indices(got: dict[str, Any], loops: list[dict[str, Any]], lines: list[str]) -> frozenset[str]:
    """The indices of the loops a ``collapse(n)`` folds into got: the n-1 loops that follow it in
    document order (a collapsed nest is perfect), read from their ``for (v = ...`` headers."""
    n = got.get("collapse") or 1
    if n < 2:
        return frozenset()
    ordered = sorted(loops, key=lambda g: (g["line"], g["column"]))
    k = next(i for i, g in enumerate(ordered) if g is got)
    out = set()
    for g in ordered[k + 1 : k + n]:
        m = _FOR_INDEX.search(lines[g["line"] - 1][g["column"] - 1 :]) if g["line"] <= len(lines) else None
        if m:
            out.add(m.group(1))
    return frozenset(out)


def _inner_do_indices(path: str, lines: list[str], span: tuple[int, int]) -> frozenset[str]:
    """In Fortran, the indices of the ``do`` loops nested in a loop: OpenMP makes the index of a
    sequential loop inside a parallel construct private, so ``private`` on them changes nothing
    (nothing in C, where only the parallelized loops' own indices are)."""
    if languages.language_for_path(path) != "fortran":
        return frozenset()
    return frozenset(
        ind
        for n in range(span[0] + 1, span[1] + 1)
        if n <= len(lines) and (ind := loopref.fortran_do_index(lines[n - 1]))
    )


def _got_text(got: dict[str, Any] | None) -> str:
    """How a misjudged loop was judged: its pragma, or why it has none."""
    if got is None:
        return "none"
    return got["pragma"] or ("parallelizable (no pragma of its own)" if got["parallelizable"] else "serial")


def _source_lines(path: str) -> list[str]:
    """The original file's lines, the expert pragmas kept and the comments blanked."""
    with open(path, encoding="utf-8", errors="replace") as fh:
        return neutral.blank_comments(fh.read(), path).splitlines()


def _advice_clauses(loop: dict[str, Any], induction: str | None) -> set[str]:
    """The advisor's data-sharing clause tokens for a loop (the induction variable left out)."""
    out = {f"private:{v}" for v in loop["private"] if v != induction}
    out |= {f"firstprivate:{v}" for v in loop["firstprivate"] if v != induction}
    out |= {f"lastprivate:{v}" for v in loop["lastprivate"] if v != induction}
    out |= {f"reduction:{r.replace(' ', '')}" for r in loop["reduction"]}
    return out
