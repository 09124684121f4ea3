"""Pragma synthesis: the directive text, and the edits that insert it (indentation, line endings, Fortran continuation)."""

from __future__ import annotations

import re

from hpclsp.analysis.advisor.model import LoopAdvice
from hpclsp.analysis.advisor.tables import F_FIXED_LIMIT, F_FREE_LIMIT
from hpclsp.analysis.findings import Edit, Pos, Span, apply_edits
from hpclsp.analysis.source import SourceFile


def pragma_text(
    language: str,
    *,
    simd: bool = False,
    private: list[str] | tuple[str, ...] = (),
    firstprivate: list[str] | tuple[str, ...] = (),
    lastprivate: list[str] | tuple[str, ...] = (),
    reduction: list[str] | tuple[str, ...] = (),
    collapse: int | None = None,
    schedule: str | None = None,
) -> str:
    """The directive text (C ``#pragma omp parallel for ...`` / Fortran ``!$omp parallel do ...``)."""
    fortran = language == "fortran"
    head = (
        ("!$omp simd" if simd else "!$omp parallel do")
        if fortran
        else ("#pragma omp simd" if simd else "#pragma omp parallel for")
    )
    parts = [head]
    if collapse and collapse > 1:
        parts.append(f"collapse({collapse})")
    if schedule:
        parts.append(f"schedule({schedule})")
    if private:
        parts.append(f"private({', '.join(private)})")
    if firstprivate:
        parts.append(f"firstprivate({', '.join(firstprivate)})")
    if lastprivate:
        parts.append(f"lastprivate({', '.join(lastprivate)})")
    by_op: dict[str, list[str]] = {}
    for r in reduction:
        op, _, var = r.rpartition(":")
        by_op.setdefault(op, []).append(var)
    for op, vars_ in by_op.items():
        parts.append(f"reduction({op}:{', '.join(vars_)})")
    return " ".join(parts)


def end_pragma_text(language: str, simd: bool = False) -> str | None:
    """The Fortran end directive (None for C)."""
    if language != "fortran":
        return None
    return "!$omp end simd" if simd else "!$omp end parallel do"


def _eol_of(source: SourceFile, line: int) -> str:
    """The line terminator used by a line (falls back to the file's first one, then \\n)."""
    text = source.text
    starts = source.cache.get("_advisor_line_starts")
    if starts is None:
        starts = [0]
        for m in re.finditer("\n", text):
            starts.append(m.end())
        source.cache["_advisor_line_starts"] = starts
    if line + 1 < len(starts):
        end = starts[line + 1] - 1
        return "\r\n" if end > 0 and text[end - 1] == "\r" else "\n"
    return "\r\n" if "\r\n" in text else "\n"


def _line_text(source: SourceFile, line: int) -> str:
    lines = source.text.split("\n")
    return lines[line].rstrip("\r") if line < len(lines) else ""


def _wrap_fortran(pragma: str, indent: str, limit: int, eol: str) -> str:
    """Continue a long Fortran directive over several lines with ``&``."""
    if len(indent) + len(pragma) <= limit:
        return indent + pragma
    words = pragma.split(" ")
    lines: list[str] = []
    cur = words[0]
    for w in words[1:]:
        if len(indent) + len(cur) + 1 + len(w) + 2 > limit:
            lines.append(cur + " &")
            cur = "!$omp& " + w
        else:
            cur += " " + w
    lines.append(cur)
    return eol.join(indent + ln for ln in lines)


def suggestion_edits(source: SourceFile, adv: LoopAdvice) -> list[Edit]:
    """The edits inserting adv's pragma before the loop (and the Fortran end directive after it)."""
    if not adv.pragma:
        return []
    lp = adv.loop
    line, col = lp.span.start.line, lp.span.start.col
    text = _line_text(source, line)
    eol = _eol_of(source, line)
    fortran = source.language == "fortran"
    prefix = text[:col]
    indent = prefix if not prefix.strip() else text[: len(text) - len(text.lstrip())]
    if fortran and source.fixed_form:
        indent = ""
    limit = F_FIXED_LIMIT if source.fixed_form else F_FREE_LIMIT
    head = _wrap_fortran(adv.pragma, indent, limit, eol) if fortran else indent + adv.pragma
    edits: list[Edit] = []
    if not prefix.strip():
        edits.append(Edit(Span(Pos(line, 0), Pos(line, 0)), head + eol))
    else:
        edits.append(Edit(Span(Pos(line, col), Pos(line, col)), eol + head + eol + indent))
    end = adv.end_pragma
    if fortran and end:
        end_line = lp.span.end.line
        if lp.span.end.col == 0 and end_line > line:
            end_line -= 1
        nlines = source.text.count("\n")
        if end_line < nlines:
            edits.append(Edit(Span(Pos(end_line + 1, 0), Pos(end_line + 1, 0)), indent + end + eol))
        else:
            last = _line_text(source, end_line)
            edits.append(Edit(Span(Pos(end_line, len(last)), Pos(end_line, len(last))), eol + indent + end))
    return edits


def inserted(advice: list[LoopAdvice]) -> list[LoopAdvice]:
    """The suggestions whose pragma is inserted when every suggestion is applied: those that assume
    nothing (not a loop whose pointers may alias)."""
    return [a for a in advice if a.suggested and a.pragma and not a.assumptions]


def all_suggestion_edits(source: SourceFile, advice: list[LoopAdvice] | None = None) -> list[Edit]:
    """Edits inserting every suggested pragma that assumes nothing (not a loop whose pointers may alias);
    insertions at one position are merged (end directives first)."""
    if advice is None:
        from hpclsp.analysis.advisor import advise

        advice = advise(source)
    merged: dict[Span, list[tuple[int, str]]] = {}
    for a in inserted(advice):
        for k, e in enumerate(suggestion_edits(source, a)):
            merged.setdefault(e.span, []).append((0 if k > 0 else 1, e.new_text))
    out = []
    for span, parts in sorted(merged.items(), key=lambda kv: (kv[0].start, kv[0].end)):
        parts.sort(key=lambda p: p[0])
        out.append(Edit(span, "".join(t for _, t in parts)))
    return out


def apply_suggestions(source: SourceFile, advice: list[LoopAdvice] | None = None) -> str:
    """The text with every suggested pragma inserted."""
    edits = all_suggestion_edits(source, advice)
    return apply_edits(source.text, edits) if edits else source.text
