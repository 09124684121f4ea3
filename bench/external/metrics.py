"""Confusion counts, derived rates and time statistics for one row of the external bench."""

from __future__ import annotations

import dataclasses
import statistics
from typing import Any


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


@dataclasses.dataclass
class Confusion:
    """Counts of one yes/no verdict against the labels (per file, or per loop for the advisor)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, expected: bool, said: bool) -> None:
        """Count one verdict."""
        if expected and said:
            self.tp += 1
        elif expected:
            self.fn += 1
        elif said:
            self.fp += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float | None:
        """TP / (TP + FP); None when nothing was flagged."""
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        """TP / (TP + FN); None without positives."""
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float | None:
        """Harmonic mean of precision and recall; None when either is undefined."""
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def accuracy(self) -> float | None:
        """(TP + TN) / all."""
        return _ratio(self.tp + self.tn, self.tp + self.fp + self.fn + self.tn)

    def to_json(self) -> dict[str, Any]:
        """Counts and rates."""
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "tn": self.tn,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "accuracy": self.accuracy,
        }


@dataclasses.dataclass
class Row:
    """One printed line: a suite's language or category, per file (or per loop)."""

    name: str
    files: int = 0
    verdict: Confusion = dataclasses.field(default_factory=Confusion)
    #: detected defects whose reported line matches a labelled line, of those with a labelled line
    right_line: int = 0
    right_line_of: int = 0
    timeouts: int = 0
    errors: int = 0
    times: list[float] = dataclasses.field(default_factory=list)
    cpu_times: list[float] = dataclasses.field(default_factory=list)
    #: files with no label to score against (e.g. GPUVerify xfail kernels of other errors) that got a finding
    unscored: int = 0
    unscored_flagged: int = 0
    #: advisor rows only: the "suggested" verdict and exact clause sets on loops found parallel
    suggested: Confusion | None = None
    #: advisor rows only: whether a loop runs in parallel under the advice (it or an enclosing loop is
    #: suggested) against whether it does under the experts' pragmas (it or an enclosing loop has one)
    covered: Confusion | None = None
    clauses_exact: int = 0
    clauses_of: int = 0
    unmatched_loops: int = 0
    #: advisor rows of racy kernels: loops under a racing directive, those found parallelizable, and
    #: those whose suggested clauses would still race
    racy_loops: int = 0
    racy_parallel: int = 0
    racy_broken: int = 0

    @property
    def false_alarms(self) -> int:
        """Correct files (or serial loops) flagged."""
        return self.verdict.fp

    def to_json(self) -> dict[str, Any]:
        """Everything a test or a report needs, rates as floats or None."""
        out: dict[str, Any] = {"files": self.files, **self.verdict.to_json()}
        out["false_alarms"] = self.false_alarms
        out["right_line"] = _ratio(self.right_line, self.right_line_of)
        out["right_line_count"] = [self.right_line, self.right_line_of]
        out["timeouts"] = self.timeouts
        out["errors"] = self.errors
        out["time_median_ms"] = 1000 * statistics.median(self.times) if self.times else None
        out["time_worst_ms"] = 1000 * max(self.times) if self.times else None
        out["cpu_median_ms"] = 1000 * statistics.median(self.cpu_times) if self.cpu_times else None
        out["cpu_worst_ms"] = 1000 * max(self.cpu_times) if self.cpu_times else None
        out["unscored"] = self.unscored
        out["unscored_flagged"] = self.unscored_flagged
        if self.suggested is not None:
            out["suggested"] = self.suggested.to_json()
            out["covered"] = self.covered.to_json() if self.covered is not None else None
            out["clauses_exact"] = _ratio(self.clauses_exact, self.clauses_of)
            out["clauses_count"] = [self.clauses_exact, self.clauses_of]
            out["unmatched_loops"] = self.unmatched_loops
        if self.racy_loops:
            out["racy"] = {
                "loops": self.racy_loops,
                "parallelizable": self.racy_parallel,
                "still_racy": self.racy_broken,
            }
        return out


def fmt(value: float | None, width: int = 5) -> str:
    """A rate with three decimals, or n/a."""
    return f"{value:.3f}".rjust(width) if value is not None else "n/a".rjust(width)


def format_row(row: Row, unit: str = "files") -> str:
    """One text line of figures (plus lines for the advisor's second verdict and for times)."""
    v = row.verdict
    j = row.to_json()
    count = f"files={row.files:4d}"
    if unit != "files":
        count += f" {unit}={v.tp + v.fp + v.fn + v.tn:4d}"
    text = (
        f"  {row.name:22s} {count} TP={v.tp:3d} FP={v.fp:3d} FN={v.fn:3d} TN={v.tn:3d}  "
        f"P={fmt(v.precision)} R={fmt(v.recall)} F1={fmt(v.f1)} acc={fmt(v.accuracy)}  "
        f"right-line={fmt(j['right_line'])} ({row.right_line}/{row.right_line_of})  false-alarms={row.false_alarms}"
    )
    if row.unscored:
        text += f"  unscored={row.unscored} (with a finding: {row.unscored_flagged})"
    if row.suggested is not None:
        s = row.suggested
        text += (
            f"\n  {'':22s} suggested: P={fmt(s.precision)} R={fmt(s.recall)} F1={fmt(s.f1)} "
            f"acc={fmt(s.accuracy)}  exact clauses={fmt(j['clauses_exact'])} "
            f"({row.clauses_exact}/{row.clauses_of})  loops not seen={row.unmatched_loops}"
        )
    if row.covered is not None:
        c = row.covered
        text += (
            f"\n  {'':22s} covered:   P={fmt(c.precision)} R={fmt(c.recall)} F1={fmt(c.f1)} "
            f"acc={fmt(c.accuracy)}  (the loop or one around it runs in parallel)"
        )
    if row.racy_loops:
        text += (
            f"\n  {'':22s} racy directive loops={row.racy_loops}: found parallelizable={row.racy_parallel}, "
            f"with clauses that still race={row.racy_broken}"
        )
    if row.times:
        text += (
            f"\n  {'':22s} time/file median={j['time_median_ms']:.0f} ms worst={j['time_worst_ms']:.0f} ms"
            f" (CPU {j['cpu_median_ms']:.0f} / {j['cpu_worst_ms']:.0f} ms)  timeouts={row.timeouts}  errors={row.errors}"
        )
    return text
