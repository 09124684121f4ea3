"""The advisor's output: a verdict per loop (``LoopAdvice``) and why a loop is blocked (``Blocker``)."""

from __future__ import annotations

import dataclasses
from typing import Any

from hpclsp.analysis.findings import Span
from hpclsp.analysis.ir import Loop


@dataclasses.dataclass
class Blocker:
    """Why a loop cannot be parallelized: a message and (when known) the two conflicting accesses."""

    message: str
    first: Span | None = None
    second: Span | None = None
    first_text: str = ""
    second_text: str = ""
    first_kind: str = ""
    second_kind: str = ""


@dataclasses.dataclass
class LoopAdvice:
    """The advisor's verdict on one loop."""

    loop: Loop
    path: str
    language: str
    parallelizable: bool = False
    suggested: bool = False
    inside_parallel_region: bool = False
    small: bool = False
    simd: bool = False
    pragma: str | None = None
    end_pragma: str | None = None
    private: list[str] = dataclasses.field(default_factory=list)
    firstprivate: list[str] = dataclasses.field(default_factory=list)
    lastprivate: list[str] = dataclasses.field(default_factory=list)
    reduction: list[str] = dataclasses.field(default_factory=list)
    collapse: int | None = None
    schedule: str | None = None
    schedule_reason: str = ""
    reason: str = ""
    blockers: list[Blocker] = dataclasses.field(default_factory=list)
    #: Loops folded into this one by collapse (inner loops of a perfect nest).
    collapsed: list[Loop] = dataclasses.field(default_factory=list)
    #: The suggested loop this one sits in (for inner loops), if any.
    outer: LoopAdvice | None = None
    #: What the verdict assumes and could not prove (``p`` and ``q`` do not overlap).
    assumptions: list[str] = dataclasses.field(default_factory=list)
    #: Explanation of the clauses (one phrase per clause).
    notes: list[str] = dataclasses.field(default_factory=list)

    @property
    def span(self) -> Span:
        """The loop statement's span."""
        return self.loop.span

    @property
    def keyword_span(self) -> Span:
        """The span of the loop keyword (``for``/``do``/``while``)."""
        return self.loop.keyword_span

    @property
    def title(self) -> str:
        """The code action title."""
        if self.assumptions:
            return f"Parallelize loop (assumes {'; '.join(self.assumptions)}): {self.pragma}"
        return f"Parallelize loop: {self.pragma}"

    def clause_tokens(self) -> set[str]:
        """Normalised clause set (``private:t``, ``reduction:+:s``, ``collapse:2``, ``schedule:dynamic``, ``simd``)."""
        out = {f"private:{v}" for v in self.private} | {f"lastprivate:{v}" for v in self.lastprivate}
        out |= {f"firstprivate:{v}" for v in self.firstprivate}
        out |= {f"reduction:{r}" for r in self.reduction}
        if self.collapse:
            out.add(f"collapse:{self.collapse}")
        if self.schedule:
            out.add(f"schedule:{self.schedule}")
        if self.simd:
            out.add("simd")
        return out

    def to_json(self, path: str | None = None) -> dict[str, Any]:
        """The SPEC §3 ``suggest --format json`` object (1-based lines and columns)."""
        return {
            "path": path or self.path,
            "line": self.span.start.line + 1,
            "column": self.span.start.col + 1,
            "end_line": self.span.end.line + 1,
            "language": self.language,
            "parallelizable": self.parallelizable,
            "suggested": self.suggested,
            "inside_parallel_region": self.inside_parallel_region,
            "pragma": self.pragma,
            "private": list(self.private),
            "firstprivate": list(self.firstprivate),
            "lastprivate": list(self.lastprivate),
            "reduction": list(self.reduction),
            "collapse": self.collapse,
            "schedule": self.schedule,
            "simd": self.simd,
            "reason": self.reason,
            "assumptions": list(self.assumptions),
        }
