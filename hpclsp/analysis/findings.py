"""Findings: the plain objects every rule and the advisor return.

Positions are 0-based lines and 0-based columns counted in Unicode code points (Python ``str``
indices within the line). The server converts them to UTF-16 in ``hpclsp.documents``; the CLI
prints them 1-based, like compilers.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any


class Severity(enum.IntEnum):
    """Severity, numbered like LSP's DiagnosticSeverity."""

    ERROR = 1
    WARNING = 2
    INFORMATION = 3
    HINT = 4

    @property
    def label(self) -> str:
        """Lower-case name used in JSON and text output."""
        return self.name.lower()


@dataclasses.dataclass(frozen=True, order=True)
class Pos:
    """A position: 0-based line, 0-based code-point column."""

    line: int
    col: int


@dataclasses.dataclass(frozen=True, order=True)
class Span:
    """A half-open range [start, end)."""

    start: Pos
    end: Pos

    @staticmethod
    def of(line: int, col: int, end_line: int, end_col: int) -> Span:
        """Build a span from four integers."""
        return Span(Pos(line, col), Pos(end_line, end_col))

    def contains(self, pos: Pos) -> bool:
        """True when pos lies within the span (end inclusive, for cursors)."""
        return self.start <= pos <= self.end


@dataclasses.dataclass(frozen=True)
class Related:
    """Another location that explains a finding (e.g. the conflicting access)."""

    span: Span
    message: str
    path: str | None = None  # None: the same file as the finding


@dataclasses.dataclass(frozen=True)
class Edit:
    """Replace the text in span with new_text."""

    span: Span
    new_text: str


@dataclasses.dataclass(frozen=True)
class Fix:
    """A named set of edits that fixes a finding (a quickfix code action)."""

    title: str
    edits: tuple[Edit, ...]
    preferred: bool = False


@dataclasses.dataclass
class Finding:
    """One diagnostic produced by a rule."""

    code: str
    message: str
    span: Span
    severity: Severity = Severity.WARNING
    related: list[Related] = dataclasses.field(default_factory=list)
    fixes: list[Fix] = dataclasses.field(default_factory=list)
    data: dict[str, Any] | None = None

    def sort_key(self) -> tuple[int, int, str]:
        """Order findings by position, then code."""
        return (self.span.start.line, self.span.start.col, self.code)

    def to_json(self, path: str) -> dict[str, Any]:
        """The SPEC §3 JSON object (1-based lines and columns)."""
        return {
            "path": path,
            "line": self.span.start.line + 1,
            "column": self.span.start.col + 1,
            "end_line": self.span.end.line + 1,
            "end_column": self.span.end.col + 1,
            "severity": self.severity.label,
            "code": self.code,
            "message": self.message,
            "related": [
                {
                    "path": r.path or path,
                    "line": r.span.start.line + 1,
                    "column": r.span.start.col + 1,
                    "message": r.message,
                }
                for r in self.related
            ],
            "fixes": [
                {
                    "title": f.title,
                    "edits": [
                        {
                            "line": e.span.start.line + 1,
                            "column": e.span.start.col + 1,
                            "end_line": e.span.end.line + 1,
                            "end_column": e.span.end.col + 1,
                            "new_text": e.new_text,
                        }
                        for e in f.edits
                    ],
                }
                for f in self.fixes
            ],
        }


def apply_edits(text: str, edits: list[Edit] | tuple[Edit, ...]) -> str:
    """Apply non-overlapping edits (code-point positions) to text; used to re-check fixes."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for ln in lines:
        starts.append(starts[-1] + len(ln))

    def offset(p: Pos) -> int:
        if p.line >= len(lines):
            return len(text)
        body = lines[p.line].rstrip("\r\n")
        return starts[p.line] + min(p.col, len(body))

    out = text
    for e in sorted(edits, key=lambda e: (e.span.start, e.span.end), reverse=True):
        a, b = offset(e.span.start), offset(e.span.end)
        out = out[:a] + e.new_text + out[b:]
    return out
