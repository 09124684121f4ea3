"""OpenMP directive/clause parser for C/C++ ``#pragma omp`` and Fortran sentinels.

Data model (stable; the race checker and advisor build on it):

- ``Directive``: one logical directive (continuations joined), with its name (canonical,
  lower case, words separated by one space: ``"parallel for"``, ``"end parallel do"``), its
  clauses, the span of the whole directive text, and for C/C++ the statement it applies to
  is found by the IR, not here.
- ``Clause``: name (lower case), raw argument text (None when the clause has no parentheses),
  parsed ``items`` (variable names / list items), ``modifier`` (e.g. the reduction operator
  ``"+"`` or schedule kind ``"dynamic"``), and spans.

The parser implementation fills these; ``parse_directives(source)`` caches its result in
``source.cache["directives"]``.

How clause arguments are split (shapes come from ``omp_spec.CLAUSES``):

================================  ===========  ==================  ===============  ===========
clause as written                 ``items``    ``modifier``        ``modifiers``    ``value``
================================  ===========  ==================  ===============  ===========
``private(a, b[0:n])``            a, b[0:n]    None                []               None
``reduction(inscan, +: s)``       s            ``+``               inscan, +        None
``map(always, to: a[0:n])``       a[0:n]       ``to``              always, to       None
``depend(in: x)``                 x            ``in``              in               None
``lastprivate(conditional: x)``   x            ``conditional``     conditional      None
``linear(i, j: 2)``               i, j         None                []               ``2``
``linear(val(x): 1)``             x            ``val``             val              ``1``
``aligned(p: 64)``                p            None                []               ``64``
``schedule(monotonic: dynamic, 4)``            ``dynamic``         monotonic        ``4``
``default(none)``                              ``none``            []               None
``defaultmap(tofrom: scalar)``                 ``tofrom``          []               ``scalar``
``order(reproducible: concurrent)``            ``concurrent``      reproducible     None
``if(parallel: n > 100)``                      ``parallel``        parallel         ``n > 100``
``num_threads(4)`` / ``collapse(2)``           None                []               ``4``
``sizes(4, 8)``                   4, 8         None                []               None
================================  ===========  ==================  ===============  ===========

Keywords (kinds, modifiers, operators) are lower-cased; items and values are kept as written.
``atomic read`` is the directive ``atomic`` with clause ``read`` (OpenMP 5.2 spelling);
``cancel for`` is ``cancel`` with clause ``for``.

Directive arguments (``critical(name)``, ``threadprivate(a, b)``, ``flush(x)``, ``allocate(x)``,
``declare target(f)``, ``declare reduction(op : type : combiner)``) go to ``Directive.argument``
(raw text) and ``Directive.argument_items`` / ``argument_item_spans``: comma-separated list items,
or for ``declare reduction`` / ``declare mapper`` the ``:``-separated parts (identifier, types,
combiner). Problems the parser sees (unbalanced parentheses, stray text, an empty list item) are
recorded in ``Clause.error`` and ``Directive.problems``; the parser itself never raises.
"""

from __future__ import annotations

import dataclasses
import re

from hpclsp.analysis import omp_spec
from hpclsp.analysis.findings import Pos, Span
from hpclsp.analysis.source import SourceFile


@dataclasses.dataclass
class Clause:
    """One clause of a directive."""

    name: str
    #: The text between the parentheses, or None for a clause without arguments.
    args: str | None
    span: Span
    #: Span of the argument text (inside the parentheses), when there is one.
    args_span: Span | None = None
    #: List items (variables, array sections as written), for clauses that take a list.
    items: list[str] = dataclasses.field(default_factory=list)
    #: Spans of each list item, parallel to ``items``.
    item_spans: list[Span] = dataclasses.field(default_factory=list)
    #: Operator / kind / modifier before the colon: reduction op, schedule kind, map type, depend type...
    modifier: str | None = None
    #: Span of the clause name.
    name_span: Span | None = None
    #: Every modifier before the ``:`` (lower case keywords; function-style ones such as
    #: ``iterator(i=0:n)`` or ``mapper(id)`` as written). See the module docstring's table.
    modifiers: list[str] = dataclasses.field(default_factory=list)
    #: Span of ``modifier`` when it was written.
    modifier_span: Span | None = None
    #: Expression argument: chunk size, linear step, alignment, condition, thread count...
    value: str | None = None
    value_span: Span | None = None
    #: A structural problem seen while parsing (``"missing ')'"``, ``"empty list item"``), or None.
    error: str | None = None

    @property
    def text_span(self) -> Span:
        """Alias of ``span`` (the clause from its name to its closing parenthesis)."""
        return self.span


@dataclasses.dataclass
class Directive:
    """One logical OpenMP directive (continuation lines joined)."""

    name: str
    clauses: list[Clause]
    #: Span of the whole directive, from the sentinel/`#pragma` to the end of the last continuation line.
    span: Span
    #: Span of the directive name words.
    name_span: Span
    #: The sentinel as written: "#pragma omp", "!$omp", "c$omp", "*$omp".
    sentinel: str
    #: 0-based lines the directive occupies (first..last, inclusive).
    first_line: int
    last_line: int
    #: True when the directive name is a known OpenMP directive.
    known: bool = True
    #: For ``critical(name)``, ``end critical(name)``: the name; for ``declare reduction`` etc.: its argument.
    argument: str | None = None
    #: Span of ``argument`` (inside its parentheses).
    argument_span: Span | None = None
    #: The argument split into list items (commas), or parts (``:``) for declare reduction/mapper.
    argument_items: list[str] = dataclasses.field(default_factory=list)
    argument_item_spans: list[Span] = dataclasses.field(default_factory=list)
    #: Language family the directive was parsed as: ``"c"`` or ``"fortran"``.
    language: str = "c"
    #: Fixed-form Fortran source.
    fixed_form: bool = False
    #: The directive text after the sentinel, comments removed and continuations joined by one space.
    text: str = ""
    #: Structural problems outside clauses: (message, span) — stray text, unbalanced parentheses.
    problems: list[tuple[str, Span]] = dataclasses.field(default_factory=list)
    #: For an unknown name written in the other language's spelling (``parallel do`` in C), the
    #: right spelling; for other unknown names None.
    spelling_hint: str | None = None

    def clause(self, name: str) -> Clause | None:
        """The first clause with this name."""
        for c in self.clauses:
            if c.name == name:
                return c
        return None

    def clauses_named(self, name: str) -> list[Clause]:
        """Every clause with this name."""
        return [c for c in self.clauses if c.name == name]

    @property
    def words(self) -> list[str]:
        """The directive name split into words."""
        return self.name.split()

    @property
    def is_end(self) -> bool:
        """True for Fortran ``end ...`` directives."""
        return self.name.startswith("end ")

    @property
    def info(self) -> omp_spec.DirectiveInfo | None:
        """The spec facts for this directive (None when unknown)."""
        return omp_spec.directive_info(self.name, self.language) if self.known else None

    @property
    def leaves(self) -> tuple[str, ...]:
        """Leaf constructs (``("parallel", "for")`` for ``parallel for``); ``()`` when unknown."""
        info = self.info
        return info.leaves if info is not None else ()

    @property
    def atomic_kind(self) -> str | None:
        """For ``atomic``: ``read``, ``write``, ``update``, ``capture``, ``compare`` (or ``compare capture``);
        ``update`` when none is written. None for other directives."""
        if self.name not in ("atomic", "end atomic"):
            return None
        kinds = [c.name for c in self.clauses if c.name in ("read", "write", "update", "capture", "compare")]
        if not kinds:
            return "update"
        return " ".join(sorted(set(kinds), key=["compare", "read", "write", "update", "capture"].index))


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
# Logical-line buffer: joined text with a (line, column) for every character
# --------------------------------------------------------------------------------------------


class _Buf:
    """Joined directive text; ``lines[i]``/``cols[i]`` give the source position of character i."""

    __slots__ = ("chars", "lines", "cols", "text")

    def __init__(self) -> None:
        self.chars: list[str] = []
        self.lines: list[int] = []
        self.cols: list[int] = []
        self.text = ""

    def add(self, s: str, line: int, col0: int) -> None:
        self.chars.extend(s)
        self.lines.extend([line] * len(s))
        self.cols.extend(range(col0, col0 + len(s)))

    def add_gap(self, line: int, col: int) -> None:
        """A single space standing for a line break between continuation lines."""
        self.chars.append(" ")
        self.lines.append(line)
        self.cols.append(col)

    def freeze(self) -> None:
        self.text = "".join(self.chars)

    def pos(self, i: int) -> Pos:
        n = len(self.lines)
        if n == 0:
            return _mkpos(0, 0)
        if i >= n:
            return _mkpos(self.lines[-1], self.cols[-1] + 1)
        return _mkpos(self.lines[i], self.cols[i])

    def span(self, a: int, b: int) -> Span:
        """Span of text[a:b] in source positions."""
        lines = self.lines
        n = len(lines)
        if b <= a or b > n or a < 0:
            if b <= a:
                p = self.pos(a)
                return _mkspan(p, p)
            last = self.pos(b - 1)
            return _mkspan(self.pos(a), _mkpos(last.line, last.col + 1))
        return _mkspan(_mkpos(lines[a], self.cols[a]), _mkpos(lines[b - 1], self.cols[b - 1] + 1))


def _mkpos(line: int, col: int, _new=object.__new__, _cls=Pos) -> Pos:
    """A Pos without the frozen-dataclass __init__ overhead (the parser builds thousands)."""
    p = _new(_cls)
    d = p.__dict__
    d["line"] = line
    d["col"] = col
    return p


def _mkspan(a: Pos, b: Pos, _new=object.__new__, _cls=Span) -> Span:
    s = _new(_cls)
    d = s.__dict__
    d["start"] = a
    d["end"] = b
    return s


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
    quote = ""
    while i < n:
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if ch == quote:
                quote = ""
        elif ch == '"' or ch == "'":
            quote = ch
        elif ch == "/" and i + 1 < n and text[i + 1] == "/":
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
    n = len(lines)
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
        # A preprocessor line: join backslash continuations and block comments that run on.
        buf = _Buf()
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
        i_next = j + 1
        clean = _strip_c_comments(buf.text)
        if clean.endswith("/*"):  # unterminated comment at end of file
            clean = clean[:-2] + "  "
        m = _C_PRAGMA.match(clean)
        if m is None:
            continue
        buf.text = clean
        sent_start = clean.index("#")
        d = _parse_directive(buf, sent_start, m.end(), "#pragma omp", "c", False)
        if d is not None:
            out.append(d)
    return out


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
    return _parse_fixed(lines) if fixed else _parse_free(lines)


def _parse_free(lines: list[str]) -> list[Directive]:
    out: list[Directive] = []
    n = len(lines)
    i = 0
    while i < n:
        line = lines[i]
        if "$" not in line:
            i += 1
            continue
        col = _free_sentinel(line)
        if col < 0:
            i += 1
            continue
        sent_col = col - 5
        buf = _Buf()
        j = i
        start = col
        while True:
            cur = lines[j]
            cut = _f_comment_cut(cur, start)
            seg = cur[start:cut].rstrip()
            cont = seg.endswith("&")
            if cont:
                seg = seg[:-1]
            buf.add(seg, j, start)
            if not cont or j + 1 >= n or j - i >= _MAX_JOIN:
                break
            nxt = _free_sentinel(lines[j + 1])
            if nxt < 0:
                break
            k = nxt
            nl = lines[j + 1]
            while k < len(nl) and nl[k] in " \t":
                k += 1
            if k < len(nl) and nl[k] == "&":
                k += 1
            buf.add_gap(j, start + len(seg))
            j += 1
            start = k
        buf.freeze()
        # The sentinel itself is not in the buffer: positions start after it.
        sentinel = line[sent_col:col]
        d = _parse_directive(buf, -1, 0, sentinel, "fortran", False, sentinel_pos=Pos(i, sent_col))
        if d is not None:
            out.append(d)
        i = j + 1
    return out


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


def _parse_fixed(lines: list[str]) -> list[Directive]:
    out: list[Directive] = []
    n = len(lines)
    i = 0
    while i < n:
        line = lines[i]
        if "$" not in line[:80]:
            i += 1
            continue
        sen = _fixed_sentinel(line)
        if sen is None or sen[1]:
            i += 1
            continue
        start = sen[0]
        sent_col = sen[2]
        buf = _Buf()
        j = i
        while True:
            cur = lines[j]
            cut = _f_comment_cut(cur, min(start, len(cur)))
            seg = cur[start:cut].rstrip() if start < len(cur) else ""
            buf.add(seg, j, start)
            if j + 1 >= n or j - i >= _MAX_JOIN:
                break
            nxt = _fixed_sentinel(lines[j + 1])
            if nxt is None or not nxt[1]:
                break
            buf.add_gap(j, start + len(seg))
            j += 1
            start = nxt[0]
        buf.freeze()
        sentinel = line[sent_col : sent_col + 5]
        d = _parse_directive(buf, -1, 0, sentinel, "fortran", True, sentinel_pos=Pos(i, sent_col))
        if d is not None:
            out.append(d)
        i = j + 1
    return out


# --------------------------------------------------------------------------------------------
# Directive text: name, argument, clauses
# --------------------------------------------------------------------------------------------

_IDENT_START = re.compile(r"[A-Za-z_]")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _skip_ws(text: str, p: int) -> int:
    n = len(text)
    while p < n and text[p] in " \t\f\v\r\n":
        p += 1
    return p


def _match_paren(text: str, p: int) -> int:
    """Index of the ``)`` closing the ``(`` at p, or -1 when it is never closed."""
    depth = 0
    quote = ""
    n = len(text)
    k = p
    while k < n:
        ch = text[k]
        if quote:
            if ch == "\\":
                k += 2
                continue
            if ch == quote:
                quote = ""
        elif ch == '"' or ch == "'":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return k
        k += 1
    return -1


def _split_top(text: str, a: int, b: int, sep: str) -> list[tuple[int, int]]:
    """Split text[a:b] at top-level ``sep`` characters (outside brackets and quotes).

    For ``sep == ":"`` a ``::`` (C++ scope) is not a separator."""
    parts: list[tuple[int, int]] = []
    depth = 0
    quote = ""
    start = a
    k = a
    while k < b:
        ch = text[k]
        if quote:
            if ch == "\\":
                k += 2
                continue
            if ch == quote:
                quote = ""
        elif ch == '"' or ch == "'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        elif ch == sep and depth == 0:
            if sep == ":" and ((k + 1 < b and text[k + 1] == ":") or (k > a and text[k - 1] == ":")):
                k += 1
                continue
            parts.append((start, k))
            start = k + 1
        k += 1
    parts.append((start, b))
    return parts


def _first_colon(text: str, a: int, b: int) -> int:
    """Index of the first top-level single ``:`` in text[a:b], or -1."""
    parts = _split_top(text, a, b, ":")
    return parts[0][1] if len(parts) > 1 else -1


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a] in " \t\f\v\r\n":
        a += 1
    while b > a and text[b - 1] in " \t\f\v\r\n":
        b -= 1
    return a, b


def _parse_directive(
    buf: _Buf,
    sent_start: int,
    p: int,
    sentinel: str,
    lang: str,
    fixed: bool,
    sentinel_pos: Pos | None = None,
) -> Directive | None:
    text = buf.text
    n = len(text)
    fortran = lang == "fortran"
    start_pos = sentinel_pos if sentinel_pos is not None else buf.pos(max(sent_start, 0))
    end_b = len(text.rstrip())
    last = buf.pos(end_b - 1) if end_b > 0 else start_pos
    if end_b > 0:
        whole = Span(start_pos, Pos(last.line, last.col + 1))
    else:
        whole = Span(start_pos, Pos(start_pos.line, start_pos.col + len(sentinel)))
    p = _skip_ws(text, p)
    body_start = p

    # --- directive name: the longest run of words that names a known directive --------------
    words: list[tuple[int, int]] = []
    q = p
    max_words = omp_spec.max_name_words() + 1
    while q < n and len(words) < max_words:
        m = _IDENT.match(text, q)
        if m is None:
            break
        words.append((m.start(), m.end()))
        r = _skip_ws(text, m.end())
        if r < n and text[r] == "(":
            break
        q = r
    lower = [text[a:b].lower() for a, b in words]
    known_set = omp_spec.directive_name_set(lang)
    name = ""
    used = 0
    known = False
    hint: str | None = None
    for k in range(len(words), 0, -1):
        cand = " ".join(lower[:k])
        if cand in known_set:
            name, used, known = cand, k, True
            break
        if fortran:
            sq = omp_spec.squashed_names("fortran").get("".join(lower[:k]))
            if sq is not None:
                name, used, known = sq, k, True
                break
    # The other language's spelling (``parallel do`` in C) is a known mistake, not a clause list.
    other = "c" if fortran else "fortran"
    other_set = omp_spec.directive_name_set(other)
    for k in range(len(words), used, -1):
        cand = " ".join(lower[:k])
        if cand in other_set and cand not in known_set:
            hint = omp_spec.other_spelling(cand, lang)
            name, used, known = cand, k, False
            break
    if used == 0:
        # Unknown: every leading word not followed by "(" (at least one word) makes up the name.
        used = len(words)
        if used > 1:
            r = _skip_ws(text, words[-1][1])
            if r < n and text[r] == "(":
                used -= 1
        name = " ".join(lower[:used])
        known = False
    if used:
        name_span = buf.span(words[0][0], words[used - 1][1])
        p = words[used - 1][1]
    else:
        name_span = buf.span(body_start, body_start) if body_start < n else Span(whole.end, whole.end)
    d = Directive(
        name=name,
        clauses=[],
        span=whole,
        name_span=name_span,
        sentinel=sentinel,
        first_line=whole.start.line,
        last_line=max(whole.end.line, buf.lines[-1] if buf.lines else whole.start.line),
        known=known,
        language=lang,
        fixed_form=fixed,
        text=" ".join(text[body_start:].split()),
        spelling_hint=hint,
    )
    info = omp_spec.directive_info(name, lang) if known else None
    takes_arg = info is None or info.argument != "none"

    # --- directive argument ------------------------------------------------------------------
    p = _skip_ws(text, p)
    if p < n and text[p] == "(" and takes_arg and used:
        p = _directive_argument(d, buf, p, info)

    # --- clauses -----------------------------------------------------------------------------
    while True:
        p = _skip_ws(text, p)
        while p < n and text[p] == ",":
            p = _skip_ws(text, p + 1)
        if p >= n:
            break
        ch = text[p]
        m = _IDENT.match(text, p)
        if m is not None:
            p = _clause(d, buf, m.start(), m.end(), lang)
        elif ch == "(":
            if takes_arg and d.argument is None and used:
                p = _directive_argument(d, buf, p, info)
            else:
                close = _match_paren(text, p)
                stop = n if close < 0 else close + 1
                d.problems.append(("unexpected parenthesised text", buf.span(p, stop)))
                p = stop
        elif ch == ")":
            d.problems.append(("unbalanced ')'", buf.span(p, p + 1)))
            p += 1
        else:
            q = p
            while q < n and text[q] not in " \t,()" and not _IDENT_START.match(text[q]):
                q += 1
            q = max(q, p + 1)
            d.problems.append((f"unexpected '{text[p:q]}'", buf.span(p, q)))
            p = q
    return d


def _directive_argument(d: Directive, buf: _Buf, p: int, info: omp_spec.DirectiveInfo | None) -> int:
    """Parse ``(argument)`` at p into the directive; returns the index after it."""
    text = buf.text
    close = _match_paren(text, p)
    a = p + 1
    b = len(text) if close < 0 else close
    if close < 0:
        d.problems.append(("missing ')'", buf.span(p, len(text.rstrip()))))
    ta, tb = _trim(text, a, b)
    d.argument = text[ta:tb]
    d.argument_span = buf.span(ta, tb)
    sep = ":" if info is not None and info.argument_shape == "parts" else ","
    for x, y in _split_top(text, a, b, sep):
        x, y = _trim(text, x, y)
        if x < y:
            d.argument_items.append(text[x:y])
            d.argument_item_spans.append(buf.span(x, y))
    return len(text) if close < 0 else close + 1


def _clause(d: Directive, buf: _Buf, a: int, b: int, lang: str) -> int:
    """Parse one clause whose name is text[a:b]; returns the index after it."""
    text = buf.text
    n = len(text)
    name = text[a:b].lower()
    q = _skip_ws(text, b)
    c = Clause(name=name, args=None, span=buf.span(a, b), name_span=buf.span(a, b))
    d.clauses.append(c)
    if q >= n or text[q] != "(":
        return b
    close = _match_paren(text, q)
    if close < 0:
        c.error = "missing ')'"
        end = len(text.rstrip())
        aa, bb = q + 1, end
        after = n
    else:
        aa, bb = q + 1, close
        end = close + 1
        after = close + 1
    c.span = buf.span(a, end)
    ta, tb = _trim(text, aa, bb)
    c.args = text[ta:tb]
    c.args_span = buf.span(ta, tb) if tb > ta else buf.span(aa, aa)
    info = omp_spec.CLAUSES.get(name)
    shape = info.shape if info is not None else "mod_list"
    try:
        _fill_args(c, buf, aa, bb, shape, lang)
    except (IndexError, ValueError):  # defensive: keep the clause with its raw args
        c.error = c.error or "unparsable argument"
    return after


def _items(c: Clause, buf: _Buf, a: int, b: int) -> None:
    """Comma-separated list items of text[a:b] into the clause."""
    text = buf.text
    if text[a:b].strip() == "":
        return
    for x, y in _split_top(text, a, b, ","):
        x, y = _trim(text, x, y)
        if x >= y:
            c.error = c.error or "empty list item"
            continue
        c.items.append(text[x:y])
        c.item_spans.append(buf.span(x, y))


def _modifier_list(c: Clause, buf: _Buf, a: int, b: int, split_blanks: bool) -> list[tuple[str, int, int]]:
    """Modifiers written before a ``:``: (lower-cased keyword or function-style text, start, end)."""
    text = buf.text
    out: list[tuple[str, int, int]] = []
    for x, y in _split_top(text, a, b, ","):
        x, y = _trim(text, x, y)
        if x >= y:
            c.error = c.error or "empty modifier"
            continue
        chunk = text[x:y]
        if split_blanks and "(" not in chunk and " " in chunk:
            k = x
            for w in chunk.split():
                s = text.index(w, k)
                out.append((w.lower(), s, s + len(w)))
                k = s + len(w)
            continue
        word = (
            chunk.lower()
            if "(" not in chunk
            else chunk.split("(", 1)[0].strip().lower() + chunk[chunk.index("(") :]
        )
        out.append((word, x, y))
    return out


def _set_mods(c: Clause, buf: _Buf, mods: list[tuple[str, int, int]], principal: int | None = -1) -> None:
    c.modifiers = [m for m, _, _ in mods]
    if mods and principal is not None:
        m, x, y = mods[principal]
        c.modifier = m
        c.modifier_span = buf.span(x, y)


def _fill_args(c: Clause, buf: _Buf, a: int, b: int, shape: str, lang: str) -> None:
    text = buf.text
    ta, tb = _trim(text, a, b)
    if shape == "none" or shape == "raw":
        return
    if shape == "list":
        _items(c, buf, a, b)
    elif shape == "exprlist":
        _items(c, buf, a, b)
    elif shape == "mod_list":
        colon = _first_colon(text, a, b)
        if colon >= 0:
            mods = _modifier_list(c, buf, a, colon, split_blanks=c.name == "map")
            _set_mods(c, buf, mods)
            _items(c, buf, colon + 1, b)
        elif c.name in ("depend", "doacross") and text[ta:tb].lower() == "source":
            _set_mods(c, buf, [("source", ta, tb)])
        else:
            _items(c, buf, a, b)
    elif shape == "list_step":
        colon = _first_colon(text, a, b)
        list_end = colon if colon >= 0 else b
        _items(c, buf, a, list_end)
        if c.name == "linear":
            # Old style linear(val(x)): the modifier wraps the list item.
            for k, item in enumerate(c.items):
                m = re.fullmatch(r"\s*(val|ref|uval)\s*\((.*)\)\s*", item, re.IGNORECASE | re.DOTALL)
                if m:
                    inner = m.group(2).strip()
                    c.modifiers.append(m.group(1).lower())
                    c.modifier = m.group(1).lower()
                    sp = c.item_spans[k]
                    off = item.index(inner, m.start(2)) if inner else 0
                    c.items[k] = inner
                    c.item_spans[k] = Span(
                        Pos(sp.start.line, sp.start.col + off), Pos(sp.start.line, sp.start.col + off + len(inner))
                    ) if sp.start.line == sp.end.line else sp  # fmt: skip
        if colon >= 0:
            va, vb = _trim(text, colon + 1, b)
            if va >= vb:
                c.error = c.error or "missing expression after ':'"
                return
            if c.name == "linear":
                # OpenMP 5.2 linear(list: step(s), val) — modifiers after the colon.
                parts = [_trim(text, x, y) for x, y in _split_top(text, va, vb, ",")]
                plain = True
                for x, y in parts:
                    word = text[x:y].strip().lower()
                    if word in ("val", "ref", "uval"):
                        c.modifiers.append(word)
                        c.modifier = word
                        plain = False
                    elif re.fullmatch(r"step\s*\(.*\)", word, re.DOTALL):
                        o = text.index("(", x)
                        cl = _match_paren(text, o)
                        ia, ib = _trim(text, o + 1, cl if 0 <= cl < y else y)
                        c.value, c.value_span = text[ia:ib], buf.span(ia, ib)
                        c.modifiers.append("step")
                        plain = False
                if plain:
                    c.value, c.value_span = text[va:vb], buf.span(va, vb)
            else:
                c.value, c.value_span = text[va:vb], buf.span(va, vb)
    elif shape == "expr":
        if ta < tb:
            c.value, c.value_span = text[ta:tb], buf.span(ta, tb)
    elif shape == "mod_expr":
        colon = _first_colon(text, a, b)
        if colon >= 0:
            ma, mb = _trim(text, a, colon)
            cand = text[ma:mb]
            if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_ \t]*", cand):
                word = " ".join(cand.lower().split())
                c.modifiers = [word]
                c.modifier = word
                c.modifier_span = buf.span(ma, mb)
                va, vb = _trim(text, colon + 1, b)
                if va < vb:
                    c.value, c.value_span = text[va:vb], buf.span(va, vb)
                return
        if ta < tb:
            c.value, c.value_span = text[ta:tb], buf.span(ta, tb)
    elif shape == "keyword":
        if ta < tb:
            c.modifier = text[ta:tb].lower()
            c.modifier_span = buf.span(ta, tb)
    elif shape == "kind_expr":
        colon = _first_colon(text, a, b)
        ka = a
        if colon >= 0:
            _set_mods(c, buf, _modifier_list(c, buf, a, colon, split_blanks=False), principal=None)
            ka = colon + 1
        parts = _split_top(text, ka, b, ",")
        x, y = _trim(text, *parts[0])
        if x < y:
            c.modifier = text[x:y].lower()
            c.modifier_span = buf.span(x, y)
        if len(parts) > 1:
            va, vb = _trim(text, parts[1][0], b)
            c.value, c.value_span = text[va:vb], buf.span(va, vb)
            if va >= vb:
                c.error = c.error or "missing chunk size after ','"
    elif shape == "mod_keyword":
        colon = _first_colon(text, a, b)
        if c.name == "defaultmap":
            ka, kb = _trim(text, a, colon if colon >= 0 else b)
            if ka < kb:
                c.modifier, c.modifier_span = text[ka:kb].lower(), buf.span(ka, kb)
            if colon >= 0:
                va, vb = _trim(text, colon + 1, b)
                c.value, c.value_span = text[va:vb].lower(), buf.span(va, vb)
        else:
            ka = a
            if colon >= 0:
                _set_mods(c, buf, _modifier_list(c, buf, a, colon, split_blanks=False), principal=None)
                ka = colon + 1
            x, y = _trim(text, ka, b)
            if x < y:
                c.modifier, c.modifier_span = text[x:y].lower(), buf.span(x, y)
