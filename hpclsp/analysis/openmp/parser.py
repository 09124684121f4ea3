"""Parses the text of one directive (after its sentinel) into a ``Directive``: name, argument, clauses.

The scanner hands over each directive as joined text; this module recognises the directive name
(the longest run of words that names a known directive, the squashed Fortran forms such as
``paralleldo``, and the other language's spelling as a known mistake), the parenthesised
directive argument (``critical(name)``, ``declare reduction(op : type : combiner)``) and the
clause list, recording stray text as ``Directive.problems``. Clause arguments are left to
``clauses``; nothing here raises.

``atomic read`` is the directive ``atomic`` with clause ``read`` (OpenMP 5.2 spelling); ``cancel
for`` is ``cancel`` with clause ``for``. A directive argument goes to ``Directive.argument`` (raw
text) and ``Directive.argument_items`` / ``argument_item_spans``: comma-separated list items, or
for ``declare reduction`` / ``declare mapper`` the ``:``-separated parts (identifier, types,
combiner).
"""

from __future__ import annotations

from hpclsp.analysis.findings import Pos, Span
from hpclsp.analysis.openmp import spec
from hpclsp.analysis.openmp.clauses import parse_clause
from hpclsp.analysis.openmp.model import Directive
from hpclsp.analysis.openmp.spec_types import DirectiveInfo
from hpclsp.analysis.openmp.textbuf import IDENT, IDENT_START, TextBuf, match_paren, skip_ws, split_top, trim


def parse_directive(
    buf: TextBuf,
    sent_start: int,
    p: int,
    sentinel: str,
    lang: str,
    fixed: bool,
    sentinel_pos: Pos | None = None,
) -> Directive | None:
    """The directive whose text (after the sentinel) starts at ``p`` of ``buf``; never raises on bad text."""
    text = buf.text
    n = len(text)
    start_pos = sentinel_pos if sentinel_pos is not None else buf.pos(max(sent_start, 0))
    end_b = len(text.rstrip())
    last = buf.pos(end_b - 1) if end_b > 0 else start_pos
    if end_b > 0:
        whole = Span(start_pos, Pos(last.line, last.col + 1))
    else:
        whole = Span(start_pos, Pos(start_pos.line, start_pos.col + len(sentinel)))
    p = skip_ws(text, p)
    body_start = p
    words = _name_words(text, p)
    name, used, known, hint = _directive_name(text, words, lang)
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
    info = spec.directive_info(name, lang) if known else None
    # An unknown directive may take an argument: read it rather than report it as stray text.
    takes_arg = bool(used) and (info is None or info.argument != "none")
    p = skip_ws(text, p)
    if p < n and text[p] == "(" and takes_arg:
        p = _directive_argument(d, buf, p, info)
    _clauses(d, buf, p, takes_arg, info)
    return d


def _name_words(text: str, p: int) -> list[tuple[int, int]]:
    """(start, end) of the leading words that may belong to the name: up to the first ``(``."""
    n = len(text)
    words: list[tuple[int, int]] = []
    q = p
    max_words = spec.max_name_words() + 1
    while q < n and len(words) < max_words:
        m = IDENT.match(text, q)
        if m is None:
            break
        words.append((m.start(), m.end()))
        r = skip_ws(text, m.end())
        if r < n and text[r] == "(":
            break
        q = r
    return words


def _directive_name(text: str, words: list[tuple[int, int]], lang: str) -> tuple[str, int, bool, str | None]:
    """(name, words used, known, spelling hint): the longest run of words that names a known directive."""
    fortran = lang == "fortran"
    lower = [text[a:b].lower() for a, b in words]
    known_set = spec.directive_name_set(lang)
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
            sq = spec.squashed_names("fortran").get("".join(lower[:k]))
            if sq is not None:
                name, used, known = sq, k, True
                break
    # The other language's spelling (``parallel do`` in C) is a known mistake, not a clause list.
    other_set = spec.directive_name_set("c" if fortran else "fortran")
    for k in range(len(words), used, -1):
        cand = " ".join(lower[:k])
        if cand in other_set and cand not in known_set:
            hint = spec.other_spelling(cand, lang)
            name, used, known = cand, k, False
            break
    if used == 0:
        # Unknown: every leading word not followed by "(" (at least one word) makes up the name.
        used = len(words)
        if used > 1:
            r = skip_ws(text, words[-1][1])
            if r < len(text) and text[r] == "(":
                used -= 1
        name = " ".join(lower[:used])
        known = False
    return name, used, known, hint


def _clauses(d: Directive, buf: TextBuf, p: int, takes_arg: bool, info: DirectiveInfo | None) -> None:
    """The clause list from ``p`` on, recording stray text as problems of the directive."""
    text = buf.text
    n = len(text)
    while True:
        p = skip_ws(text, p)
        while p < n and text[p] == ",":
            p = skip_ws(text, p + 1)
        if p >= n:
            break
        ch = text[p]
        m = IDENT.match(text, p)
        if m is not None:
            p = parse_clause(d, buf, m.start(), m.end())
        elif ch == "(":
            if takes_arg and d.argument is None:
                p = _directive_argument(d, buf, p, info)
            else:
                close = match_paren(text, p)
                stop = n if close < 0 else close + 1
                d.problems.append(("unexpected parenthesised text", buf.span(p, stop)))
                p = stop
        elif ch == ")":
            d.problems.append(("unbalanced ')'", buf.span(p, p + 1)))
            p += 1
        else:
            q = p
            while q < n and text[q] not in " \t,()" and not IDENT_START.match(text[q]):
                q += 1
            q = max(q, p + 1)
            d.problems.append((f"unexpected '{text[p:q]}'", buf.span(p, q)))
            p = q


def _directive_argument(d: Directive, buf: TextBuf, p: int, info: DirectiveInfo | None) -> int:
    """Parse ``(argument)`` at p into the directive; returns the index after it."""
    text = buf.text
    close = match_paren(text, p)
    a = p + 1
    b = len(text) if close < 0 else close
    if close < 0:
        d.problems.append(("missing ')'", buf.span(p, len(text.rstrip()))))
    ta, tb = trim(text, a, b)
    d.argument = text[ta:tb]
    d.argument_span = buf.span(ta, tb)
    sep = ":" if info is not None and info.argument_shape == "parts" else ","
    for x, y in split_top(text, a, b, sep):
        x, y = trim(text, x, y)
        if x < y:
            d.argument_items.append(text[x:y])
            d.argument_item_spans.append(buf.span(x, y))
    return len(text) if close < 0 else close + 1
