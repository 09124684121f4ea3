"""The advisor corpus: reading the ``expect:`` annotations and scoring the advisor against them.

Annotation grammar (one per loop, in a comment on the loop's first line; see docs/advisor.md)::

    expect: parallel [clause ...]   parallelizable and suggested; the clause list is exact
    expect: inner [simd clause ...] parallelizable, not suggested (inside / collapsed into a suggested loop);
                                    with ``simd`` the clause list of the simd pragma is exact
    expect: small                   parallelizable, not suggested: trivially small constant trip count
    expect: serial (why)            not parallelizable

Clauses: ``private(a,b)``, ``lastprivate(x)``, ``reduction(op:v,w)``, ``collapse(n)``, ``schedule(kind)``.
"""

from __future__ import annotations

import dataclasses
import os
import re
import time

from hpclsp.analysis import advisor, languages
from hpclsp.analysis.source import SourceFile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "tests", "fixtures", "advisor")

EXPECT = re.compile(r"(?://|!)\s*expect:\s*(parallel|inner|small|serial)\b(.*)$")
CLAUSE = re.compile(r"(private|lastprivate|firstprivate|reduction|collapse|schedule)\(([^()]*)\)|\bsimd\b")


@dataclasses.dataclass
class Expectation:
    """One annotated loop."""

    path: str
    line: int  # 0-based
    kind: str  # parallel | inner | small | serial
    clauses: set[str] | None  # None: not scored
    note: str

    @property
    def parallelizable(self) -> bool:
        """The expected verdict."""
        return self.kind != "serial"


def parse_clauses(text: str) -> set[str]:
    """Normalised clause tokens, as ``LoopAdvice.clause_tokens`` produces them."""
    out: set[str] = set()
    for m in CLAUSE.finditer(text):
        if m.group(0) == "simd":
            out.add("simd")
            continue
        name, args = m.group(1), m.group(2).replace(" ", "")
        if name == "reduction":
            op, _, vars_ = args.rpartition(":")
            out |= {f"reduction:{op}:{v}" for v in vars_.split(",") if v}
        elif name in ("collapse", "schedule"):
            out.add(f"{name}:{args}")
        else:
            out |= {f"{name}:{v}" for v in args.split(",") if v}
    return out


def expectations(path: str) -> list[Expectation]:
    """Every annotated loop of a corpus file."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            m = EXPECT.search(line)
            if not m:
                continue
            kind, rest = m.group(1), m.group(2).strip()
            clauses: set[str] | None
            if kind == "serial":
                clauses = None
            elif kind == "inner":
                clauses = parse_clauses(rest) if re.search(r"\bsimd\b", rest) else None
            elif kind == "small":
                clauses = None
            else:
                clauses = parse_clauses(rest)
            out.append(Expectation(path, i, kind, clauses, rest))
    return out


def corpus_files() -> list[str]:
    """The corpus programs (C and Fortran)."""
    return sorted(
        os.path.join(CORPUS, n)
        for n in os.listdir(CORPUS)
        if n.startswith("prog_") and languages.language_for_path(n)
    )


@dataclasses.dataclass
class Score:
    """Per-loop confusion counts and clause agreement."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    clause_total: int = 0
    clause_exact: int = 0
    suggested_agree: int = 0
    loops: int = 0
    unlabelled: list[str] = dataclasses.field(default_factory=list)
    mismatches: list[str] = dataclasses.field(default_factory=list)
    times: list[float] = dataclasses.field(default_factory=list)

    @property
    def precision(self) -> float:
        """Of the loops called parallelizable, the share that are."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Of the parallelizable loops, the share found."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def exact_share(self) -> float:
        """Share of correctly found parallelizable loops whose clause set is exactly right."""
        return self.clause_exact / self.clause_total if self.clause_total else 1.0


def score(files: list[str] | None = None) -> Score:
    """Run the advisor over the corpus and compare with the annotations."""
    sc = Score()
    for path in files or corpus_files():
        src = SourceFile.from_path(path)
        t0 = time.perf_counter()
        advice = advisor.advise(src)
        sc.times.append(time.perf_counter() - t0)
        exp = {e.line: e for e in expectations(path)}
        rel = os.path.relpath(path, ROOT)
        for a in advice:
            sc.loops += 1
            e = exp.get(a.span.start.line)
            if e is None:
                sc.unlabelled.append(f"{rel}:{a.span.start.line + 1}")
                continue
            got = a.parallelizable
            if e.parallelizable and got:
                sc.tp += 1
            elif e.parallelizable:
                sc.fn += 1
                sc.mismatches.append(
                    f"{rel}:{e.line + 1}: expected {e.kind} {e.note}, got serial: {a.reason}"
                )
            elif got:
                sc.fp += 1
                sc.mismatches.append(
                    f"{rel}:{e.line + 1}: expected serial {e.note}, got {a.pragma} ({a.reason})"
                )
            else:
                sc.tn += 1
            want_sugg = e.kind == "parallel"
            if want_sugg == a.suggested:
                sc.suggested_agree += 1
            elif got and e.parallelizable:
                sc.mismatches.append(
                    f"{rel}:{e.line + 1}: expected {e.kind}, got suggested={a.suggested} ({a.reason})"
                )
            if e.parallelizable and got and e.clauses is not None:
                sc.clause_total += 1
                have = a.clause_tokens()
                if e.kind == "inner" and "simd" not in have:
                    have = have  # expected simd but the advisor did not vectorize: mismatch below
                if have == e.clauses:
                    sc.clause_exact += 1
                else:
                    sc.mismatches.append(
                        f"{rel}:{e.line + 1}: clauses expected {sorted(e.clauses)}, got {sorted(have)}"
                    )
    return sc
