"""Finds the OpenMP directives in a file: C/C++ ``#pragma omp`` lines and Fortran sentinels.

Directives are written across continuation lines (backslash in C, ``&`` and ``!$omp&`` / column-6
sentinels in Fortran), around comments, and inside files that also hold block comments and
strings that merely look like pragmas; this module deals with all of that line by line, joins each
directive into a ``TextBuf`` and hands it to ``parser`` (a one-line directive through ``recall``'s
cache). ``parse_directives(source)`` is the entry point every analysis uses (cached in
``source.cache["directives"]``); ``parse_text`` parses a string for tests and completion. The
scanner never raises: on failure a file has no directives.
"""

from __future__ import annotations

import re

from hpclsp.analysis.findings import Pos
from hpclsp.analysis.openmp.model import Directive
from hpclsp.analysis.openmp.parser import parse_directive
from hpclsp.analysis.openmp.recall import recalled
from hpclsp.analysis.openmp.textbuf import TextBuf, string_end
from hpclsp.analysis.source import SourceFile


def parse_directives(source: SourceFile) -> list[Directive]:
    """All OpenMP directives in a file, in order (cached on the source)."""
    cached = source.cache.get("directives")
    if cached is None:
        cached = _parse(source)
        source.cache["directives"] = cached
    return cached


def parse_text(text: str, language: str = "c", fixed_form: bool = False) -> list[Directive]:
    """Parse directives out of a string (no caching); for tests, completion and ad-hoc checks."""
    lines = text.splitlines() or [""]
    try:
        if language == "fortran":
            return _parse_fortran(lines, fixed_form)
        return _parse_c(lines)
    except RecursionError:  # pragma: no cover - nothing here recurses, but never raise
        return []


def _parse(source: SourceFile) -> list[Directive]:
    try:
        if source.language == "fortran":
            return _parse_fortran(source.lines, bool(source.fixed_form))
        return _parse_c(source.lines)
    except Exception:  # the parser must never take the analysis down; an empty list is a safe answer
        import logging

        logging.getLogger(__name__).exception("%s: directive parser failed", source.path)
        return []


# --------------------------------------------------------------------------------------------
# C / C++ / CUDA
# --------------------------------------------------------------------------------------------

_C_PRAGMA = re.compile(r"[ \t\f\v]*#[ \t\f\v]*pragma[ \t\f\v]+omp(?![A-Za-z0-9_])")
_MAX_JOIN = 400  # lines a single directive may span (keeps pathological input linear)


_C_TOKEN = re.compile(r"""//|/\*|"(?:\\.|[^"\\])*"?|'(?:\\.|[^'\\])*'?""")


def _c_comment_state(line: str, in_comment: bool) -> bool:
    """Whether a block comment is open at the end of line, given the state at its start."""
    if '"' not in line and "'" not in line and "//" not in line:
        # Fast path: the state is decided by the last comment opener (comments do not nest).
        j = line.rfind("/*")
        if j < 0:
            return in_comment and "*/" not in line
        if in_comment:
            k = line.find("*/")
            if k < 0 or k > j:  # still open at j, or closed before j's comment opens (checked below)
                if k < 0:
                    return True
        return line.find("*/", j + 2) < 0
    pos = 0
    if in_comment:
        j = line.find("*/")
        if j < 0:
            return True
        pos = j + 2
    search = _C_TOKEN.search
    while True:
        m = search(line, pos)
        if m is None:
            return False
        tok = m.group()
        if tok == "//":
            return False
        if tok == "/*":
            j = line.find("*/", m.end())
            if j < 0:
                return True
            pos = j + 2
        else:
            pos = m.end()


def _strip_c_comments(text: str) -> str:
    """Replace comments by spaces (same length, so positions survive); strings are kept."""
    if "/" not in text:
        return text
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == '"' or ch == "'":
            i = string_end(text, i, n)
            continue
        if ch == "/" and i + 1 < n and text[i + 1] == "/":
            for k in range(i, n):
                out[k] = " "
            break
        elif ch == "/" and i + 1 < n and text[i + 1] == "*":
            j = text.find("*/", i + 2)
            end = n if j < 0 else j + 2
            for k in range(i, end):
                out[k] = " "
            i = end
            continue
        i += 1
    return "".join(out)


_C_CANDIDATE = re.compile(r"^[ \t\f\v]*#[ \t\f\v]*pragma(?![A-Za-z0-9_])", re.M)


def _in_block_comment(text: str, off: int) -> bool:
    """Whether offset ``off`` (a line start) lies inside a ``/* ... */`` comment opened on an earlier line."""
    j = text.rfind("/*", 0, off)
    for _ in range(64):  # bounded: pathological files with thousands of "/*" inside strings
        if j < 0:
            return False
        if text.find("*/", j + 2, off) >= 0:
            return False
        # Is this opener real, or inside a string / ``//`` comment on its own line?
        ls = text.rfind("\n", 0, j) + 1
        if _c_comment_state(text[ls : j + 2], False):
            return True
        j = text.rfind("/*", 0, j)
    return False


def _parse_c(lines: list[str]) -> list[Directive]:
    out: list[Directive] = []
    text = "\n".join(lines)
    if "pragma" not in text:
        return out
    has_comments = "/*" in text
    line_no = 0
    counted = 0
    i_next = 0
    for cm in _C_CANDIDATE.finditer(text):
        off = cm.start()
        line_no += text.count("\n", counted, off)
        counted = off
        if line_no < i_next:
            continue
        if has_comments and _in_block_comment(text, off):
            continue
        i = line_no
        cur = lines[i]
        if "/*" not in cur and not cur.rstrip().endswith("\\"):  # one line: its text decides it all
            i_next = i + 1
            d = recalled(("c", cur), i, _c_directive, lines, i)
        else:
            d, j = _c_directive(lines, i)
            i_next = j + 1
        if d is not None:
            out.append(d)
    return out


def _c_directive(lines: list[str], i: int) -> tuple[Directive | None, int]:
    """The directive of the preprocessor line i (None when it is no ``#pragma omp``) and its last line:
    backslash continuations and block comments that run on are joined."""
    n = len(lines)
    buf = TextBuf()
    j = i
    has_block = False
    while True:
        cur = lines[j]
        has_block = has_block or "/*" in cur
        body = cur.rstrip()
        cont = body.endswith("\\")
        if cont:
            buf.add(body[:-1], j, 0)
        else:
            buf.add(cur, j, 0)
        if j + 1 >= n or j - i >= _MAX_JOIN:
            break
        if cont:
            j += 1
            continue
        if has_block and _c_comment_state("".join(buf.chars), False):
            buf.add_gap(j, len(cur))
            j += 1
            continue
        break
    buf.freeze()
    clean = _strip_c_comments(buf.text)
    if clean.endswith("/*"):  # unterminated comment at end of file
        clean = clean[:-2] + "  "
    m = _C_PRAGMA.match(clean)
    if m is None:
        return None, j
    buf.text = clean
    sent_start = clean.index("#")
    return parse_directive(buf, sent_start, m.end(), "#pragma omp", "c", False), j


# --------------------------------------------------------------------------------------------
# Fortran
# --------------------------------------------------------------------------------------------


def _f_comment_cut(line: str, start: int) -> int:
    """Index where a ``!`` comment starts in line (outside quotes), or len(line)."""
    if "!" not in line[start:]:
        return len(line)
    quote = ""
    for k in range(start, len(line)):
        ch = line[k]
        if quote:
            if ch == quote:
                quote = ""
        elif ch == '"' or ch == "'":
            quote = ch
        elif ch == "!":
            return k
    return len(line)


def _is_ident_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _free_sentinel(line: str) -> int:
    """Column just after a free-form ``!$omp`` sentinel on this line, or -1."""
    s = line.lstrip()
    if len(s) < 5 or s[0] != "!" or s[1] != "$" or s[2:5].lower() != "omp":
        return -1
    col = len(line) - len(s) + 5
    if col < len(line) and _is_ident_char(line[col]):
        return -1
    return col


def _parse_fortran(lines: list[str], fixed: bool) -> list[Directive]:
    """The directives of a Fortran file; only the sentinels and continuations differ between the forms."""
    out: list[Directive] = []
    n = len(lines)
    i = 0
    while i < n:
        line = lines[i]
        opening = _fixed_opening(line) if fixed else _free_opening(line)
        if opening is None:
            i += 1
            continue
        start, sent_col = opening
        if not fixed and not _free_segment(line, start)[1]:  # one line: its text decides it all
            j = i
            d = recalled(("fortran", line), i, _f_directive, lines, i, opening, fixed)
        else:
            d, j = _f_directive(lines, i, opening, fixed)
        if d is not None:
            out.append(d)
        i = j + 1
    return out


def _f_directive(
    lines: list[str], i: int, opening: tuple[int, int], fixed: bool
) -> tuple[Directive | None, int]:
    """The directive opening on line i (text start and sentinel columns) and its last line."""
    start, sent_col = opening
    buf, j = _join(lines, i, start, fixed)
    buf.freeze()
    # The sentinel itself is not in the buffer: positions start after it.
    sentinel = lines[i][sent_col : sent_col + 5]
    return parse_directive(buf, -1, 0, sentinel, "fortran", fixed, sentinel_pos=Pos(i, sent_col)), j


def _free_opening(line: str) -> tuple[int, int] | None:
    """(text start column, sentinel column) of a free-form directive's first line; None otherwise."""
    if "$" not in line:
        return None
    col = _free_sentinel(line)
    return None if col < 0 else (col, col - 5)


def _free_segment(line: str, start: int) -> tuple[str, bool]:
    """The directive text of a free-form line from ``start``, and whether it ends with a continuation ``&``."""
    seg = line[start : _f_comment_cut(line, start)].rstrip()
    return (seg[:-1], True) if seg.endswith("&") else (seg, False)


def _free_continuation(line: str) -> int | None:
    """Where the text of a free-form continuation line starts (after ``!$omp`` and an optional ``&``)."""
    k = _free_sentinel(line)
    if k < 0:
        return None
    while k < len(line) and line[k] in " \t":
        k += 1
    return k + 1 if k < len(line) and line[k] == "&" else k


def _fixed_sentinel(line: str) -> tuple[int, bool, int] | None:
    """For a fixed-form sentinel line: (text start column, is_continuation, sentinel column); None otherwise."""
    if len(line) >= 5 and line[0] in "!cC*" and line[1] == "$" and line[2:5].lower() == "omp":
        c6 = line[5] if len(line) > 5 else " "
        if c6 in " \t0":
            return 6, False, 0
        if _is_ident_char(c6) and c6 not in "0123456789":
            return None  # "c$ompx" or similar: not an OpenMP sentinel
        return 6, True, 0
    # Be lenient with an indented "!$omp" in fixed-form files (many are written that way).
    col = _free_sentinel(line)
    if col >= 0 and line[: col - 5].strip() == "":
        return col, False, col - 5
    return None


def _fixed_opening(line: str) -> tuple[int, int] | None:
    """(text start column, sentinel column) of a fixed-form directive's first line; None otherwise."""
    if "$" not in line[:80]:
        return None
    sen = _fixed_sentinel(line)
    return None if sen is None or sen[1] else (sen[0], sen[2])


def _fixed_segment(line: str, start: int) -> tuple[str, bool]:
    """The directive text of a fixed-form line from column ``start``; the next line decides continuation."""
    cut = _f_comment_cut(line, min(start, len(line)))
    return (line[start:cut].rstrip() if start < len(line) else ""), True


def _fixed_continuation(line: str) -> int | None:
    """Where the text of a fixed-form continuation line starts (column 6), None when it is none."""
    sen = _fixed_sentinel(line)
    return None if sen is None or not sen[1] else sen[0]


def _join(lines: list[str], i: int, start: int, fixed: bool) -> tuple[TextBuf, int]:
    """The text of the directive starting on line i (column ``start``), and the index of its last line."""
    n = len(lines)
    buf = TextBuf()
    j = i
    while True:
        seg, cont = _fixed_segment(lines[j], start) if fixed else _free_segment(lines[j], start)
        buf.add(seg, j, start)
        if not cont or j + 1 >= n or j - i >= _MAX_JOIN:
            break
        nxt = _fixed_continuation(lines[j + 1]) if fixed else _free_continuation(lines[j + 1])
        if nxt is None:
            break
        buf.add_gap(j, start + len(seg))
        j += 1
        start = nxt
    return buf, j
