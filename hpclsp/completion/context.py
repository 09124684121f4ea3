"""Where the cursor is, for completion and hover: an OpenMP directive, a call's argument list, a word.

Everything here works on the document's lines (no tree), so it is cheap and robust to the
half-typed code completion always sees.

- ``directive_at``: the OpenMP directive text from the sentinel to the cursor (C ``#pragma omp``
  with ``\\`` continuations; Fortran ``!$omp``/``c$omp``/``*$omp`` with ``&`` or column-6
  continuations), split into the directive words typed so far, the clauses already written,
  and, when the cursor is inside a clause's parentheses, that clause and its text so far.
- ``call_at``: the innermost unclosed call around the cursor (name, index of the argument being
  typed, the earlier arguments' text).
- ``word_at`` / ``prefix_at``: the identifier under or before the cursor.
"""

from __future__ import annotations

import dataclasses
import re

from hpclsp.analysis.findings import Pos

_C_PRAGMA = re.compile(r"^(\s*#\s*pragma\s+omp)(?![A-Za-z0-9_])", re.IGNORECASE)
_F_FREE_SENTINEL = re.compile(r"^(\s*!\$omp)(?![A-Za-z0-9_])", re.IGNORECASE)
_F_FIXED_SENTINEL = re.compile(r"^([!cC*]\$omp)", re.IGNORECASE)
_IDENT_TAIL = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")
_WORD_CHARS = re.compile(r"[A-Za-z0-9_]")


@dataclasses.dataclass
class DirectiveContext:
    """An OpenMP directive being typed, up to the cursor."""

    #: ``c`` or ``fortran``.
    family: str
    #: The sentinel as written (``#pragma omp``, ``!$OMP``).
    sentinel: str
    #: Directive text after the sentinel up to the cursor (continuations joined by a space).
    text: str
    #: Top-level words before the partial word (clause names included, arguments removed).
    words: list[str]
    #: The identifier (or operator characters inside a clause) being typed at the cursor.
    partial: str
    #: Clause whose parentheses contain the cursor (lower case), else None.
    clause: str | None = None
    #: Text inside that clause's parentheses up to the cursor.
    clause_args: str = ""
    #: Clause names already written (lower case).
    present: list[str] = dataclasses.field(default_factory=list)
    #: Upper-case spelling in use (``!$OMP PARALLEL DO``).
    upper: bool = False


def _join_c(lines: list[str], pos: Pos) -> tuple[str, str] | None:
    """(sentinel, text after it up to the cursor) for a C ``#pragma omp`` around the cursor."""
    line = pos.line
    start = line
    while start > 0 and lines[start - 1].rstrip().endswith("\\") and start > line - 50:
        start -= 1
    for first in range(start, line + 1):
        m = _C_PRAGMA.match(lines[first])
        if m is None:
            continue
        parts = []
        for i in range(first, line + 1):
            seg = lines[i][: pos.col] if i == line else lines[i]
            if i == first:
                if i == line and pos.col < m.end(1):
                    return None
                seg = seg[m.end(1) :]
            if i != line:
                seg = seg.rstrip()
                if seg.endswith("\\"):
                    seg = seg[:-1]
            parts.append(seg)
        return m.group(1).strip(), " ".join(parts)
    return None


def _join_fortran(lines: list[str], pos: Pos, fixed_form: bool) -> tuple[str, str] | None:
    """(sentinel, text up to the cursor) for a Fortran OpenMP directive around the cursor."""
    sentinel_re = _F_FIXED_SENTINEL if fixed_form else _F_FREE_SENTINEL
    line = pos.line
    first = line
    # Walk up through continuation lines.
    while first >= 0 and first > line - 50:
        m = sentinel_re.match(lines[first])
        if m is None:
            return None
        if fixed_form:
            cont = len(lines[first]) > 5 and lines[first][5] not in (" ", "0", "\t")
        else:
            cont = first > 0 and _strip_bang_comment(lines[first - 1]).rstrip().endswith("&")
            if cont and sentinel_re.match(lines[first - 1]) is None:
                cont = False
        if not cont:
            break
        first -= 1
    if first < 0:
        return None
    parts = []
    sentinel = ""
    for i in range(first, line + 1):
        raw = lines[i]
        m = sentinel_re.match(raw)
        if m is None:
            return None
        if i == first:
            sentinel = m.group(1).strip()
        body_start = 6 if fixed_form else m.end(1)
        if i == line and pos.col < body_start:
            return None
        seg = raw[body_start : pos.col] if i == line else raw[body_start:]
        if i != line:
            seg = _strip_bang_comment(seg).rstrip()
            if seg.endswith("&"):
                seg = seg[:-1]
        seg = seg.lstrip()
        if i != first and seg.startswith("&"):
            seg = seg[1:]
        parts.append(seg)
    return sentinel, " ".join(parts)


def _strip_bang_comment(text: str) -> str:
    i = text.find("!", 1 if text.lstrip().startswith("!") else 0)
    # The sentinel itself starts with '!': only a later '!' starts a comment.
    m = _F_FREE_SENTINEL.match(text)
    if m:
        j = text.find("!", m.end(1))
        return text if j < 0 else text[:j]
    return text if i < 0 else text[:i]


def _scan_clauses(text: str) -> tuple[list[str], list[str], int, int, str | None]:
    """Scan a directive's text up to the cursor.

    Returns the complete words outside parentheses, the clauses written with parentheses, the
    parenthesis depth at the cursor, where the open clause's ``(`` is and that clause's name.
    """
    words: list[str] = []
    present: list[str] = []
    depth = 0
    open_at = -1
    clause_name: str | None = None
    i, n = 0, len(text)
    last_word: str | None = None
    while i < n:
        ch = text[i]
        if depth == 0 and (ch.isalpha() or ch == "_"):
            j = i
            while j < n and (text[j].isalnum() or text[j] == "_"):
                j += 1
            if j == n:
                break  # the partial word at the cursor
            last_word = text[i:j].lower()
            words.append(last_word)
            i = j
            continue
        if ch == "(":
            if depth == 0:
                open_at = i
                clause_name = last_word
                if last_word is not None and last_word not in present:
                    present.append(last_word)
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
            if depth == 0:
                clause_name = None
                last_word = None
        elif depth == 0 and not ch.isspace() and ch != ",":
            last_word = None
        i += 1
    return words, present, depth, open_at, clause_name


def directive_at(
    lines: list[str], pos: Pos, language: str, fixed_form: bool = False
) -> DirectiveContext | None:
    """The OpenMP directive being typed at the cursor, or None when the cursor is not in one."""
    if not (0 <= pos.line < len(lines)):
        return None
    family = "fortran" if language == "fortran" else "c"
    joined = _join_fortran(lines, pos, fixed_form) if family == "fortran" else _join_c(lines, pos)
    if joined is None:
        return None
    sentinel, text = joined
    if family == "c" and "//" in text:
        return None  # the cursor is in a trailing comment
    if family == "fortran" and "!" in text:
        return None
    words, present, depth, open_at, clause_name = _scan_clauses(text)
    upper = sentinel[-3:].isupper() or any(w.isupper() for w in re.findall(r"[A-Za-z_]{2,}", text))
    if depth > 0:
        args = text[open_at + 1 :]
        m = re.search(r"[A-Za-z0-9_.&|^+*\-]*$", args)
        partial = m.group(0) if m else ""
        return DirectiveContext(family, sentinel, text, words, partial, clause_name, args, present, upper)
    m = _IDENT_TAIL.search(text)
    partial = m.group(0) if m and (m.start() == 0 or not _WORD_CHARS.match(text[m.start() - 1])) else ""
    # Clause names written without parentheses (nowait, untied) count as present too.
    return DirectiveContext(family, sentinel, text, words, partial, None, "", present, upper)


@dataclasses.dataclass
class CallContext:
    """The innermost unclosed call around the cursor."""

    name: str
    #: 0-based index of the argument being typed.
    index: int
    #: Text of the earlier arguments (top-level comma split), stripped.
    args: list[str]
    #: Text of the current argument up to the cursor.
    current: str
    #: Position of the call name's first character.
    name_pos: Pos


_MAX_BACK_LINES = 40


def call_at(lines: list[str], pos: Pos) -> CallContext | None:
    """The call whose argument list contains the cursor (searching at most 40 lines back), or None."""
    if not (0 <= pos.line < len(lines)):
        return None
    depth = 0
    commas: list[int] = []  # offsets into the joined text
    first = max(0, pos.line - _MAX_BACK_LINES)
    segs = [lines[i] for i in range(first, pos.line)] + [lines[pos.line][: pos.col]]
    text = "\n".join(segs)
    in_string = _string_mask(text)
    for k in range(len(text) - 1, -1, -1):
        ch = text[k]
        if in_string[k]:
            continue
        if ch in "{}":
            return None
        if ch in ")]":
            depth += 1
        elif ch in "([":
            if depth == 0:
                return _call_context(text, k, commas, first) if ch == "(" else None
            depth -= 1
        elif ch == "," and depth == 0:
            commas.append(k)
        elif ch == ";" and depth == 0:
            return None
    return None


def _string_mask(text: str) -> list[bool]:
    """Which characters of ``text`` belong to a string or character literal (ended by a newline)."""
    quote = ""
    in_string = [False] * len(text)
    for idx, ch in enumerate(text):
        if quote:
            in_string[idx] = True
            if ch == quote and text[idx - 1] != "\\":
                quote = ""
            elif ch == "\n":
                quote = ""
        elif ch in ('"', "'"):
            quote = ch
            in_string[idx] = True
    return in_string


def _call_context(text: str, k: int, commas: list[int], first: int) -> CallContext | None:
    """The call whose ``(`` is at offset ``k`` of ``text`` (which starts at line ``first``)."""
    j = k
    while j > 0 and text[j - 1] in " \t":
        j -= 1
    m = _IDENT_TAIL.search(text[:j])
    if m is None:
        return None
    name = m.group(0)
    before_lines = text[: m.start()].count("\n")
    line_start = text.rfind("\n", 0, m.start()) + 1
    name_pos = Pos(first + before_lines, m.start() - line_start)
    bounds = [k + 1, *sorted(c + 1 for c in commas)]
    ends = [*sorted(commas), len(text)]
    pieces = [text[a:b].strip(" \t\n&") for a, b in zip(bounds, ends)]
    return CallContext(name, len(commas), pieces[:-1], pieces[-1], name_pos)


def prefix_at(line: str, col: int) -> tuple[str, int]:
    """The identifier characters just before ``col`` on a line and the column where they start."""
    start = col
    while start > 0 and (line[start - 1].isalnum() or line[start - 1] == "_"):
        start -= 1
    return line[start:col], start


def word_at(line: str, col: int) -> tuple[str, int, int] | None:
    """The identifier under (or just before) ``col`` and its [start, end) columns, or None."""
    if not line:
        return None
    c = min(col, len(line))
    if c < len(line) and (line[c].isalnum() or line[c] == "_"):
        pass
    elif c > 0 and (line[c - 1].isalnum() or line[c - 1] == "_"):
        c -= 1
    else:
        return None
    start = c
    while start > 0 and (line[start - 1].isalnum() or line[start - 1] == "_"):
        start -= 1
    end = c
    while end < len(line) and (line[end].isalnum() or line[end] == "_"):
        end += 1
    word = line[start:end]
    if not word or word[0].isdigit():
        return None
    return word, start, end
