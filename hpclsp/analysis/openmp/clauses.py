"""Splits a clause's argument into items, modifiers and value, by the argument shape the spec gives it.

Every consumer of clauses (data sharing, the directive rules, completion, hover) needs the same
pieces of ``reduction(inscan, +: s)`` or ``schedule(monotonic: dynamic, 4)``, so the splitting is
done once, here, driven by ``spec.CLAUSES``' shapes (unknown clauses are read as ``mod_list``).

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
A structural problem (unbalanced parentheses, an empty list item) is recorded in ``Clause.error``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from hpclsp.analysis.findings import Pos, Span
from hpclsp.analysis.openmp import spec
from hpclsp.analysis.openmp.model import Clause, Directive
from hpclsp.analysis.openmp.textbuf import TextBuf, first_colon, match_paren, skip_ws, split_top, trim


def parse_clause(d: Directive, buf: TextBuf, a: int, b: int) -> int:
    """Parse one clause whose name is text[a:b]; returns the index after it."""
    text = buf.text
    n = len(text)
    name = text[a:b].lower()
    q = skip_ws(text, b)
    c = Clause(name=name, args=None, span=buf.span(a, b), name_span=buf.span(a, b))
    d.clauses.append(c)
    if q >= n or text[q] != "(":
        return b
    close = match_paren(text, q)
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
    ta, tb = trim(text, aa, bb)
    c.args = text[ta:tb]
    c.args_span = buf.span(ta, tb) if tb > ta else buf.span(aa, aa)
    info = spec.CLAUSES.get(name)
    shape = info.shape if info is not None else "mod_list"
    fill = _FILLERS.get(shape)
    try:
        if fill is not None:
            fill(c, buf, aa, bb)
    except (IndexError, ValueError):  # defensive: keep the clause with its raw args
        c.error = c.error or "unparsable argument"
    return after


def _items(c: Clause, buf: TextBuf, a: int, b: int) -> None:
    """Comma-separated list items of text[a:b] into the clause."""
    text = buf.text
    if text[a:b].strip() == "":
        return
    for x, y in split_top(text, a, b, ","):
        x, y = trim(text, x, y)
        if x >= y:
            c.error = c.error or "empty list item"
            continue
        c.items.append(text[x:y])
        c.item_spans.append(buf.span(x, y))


def _modifier_list(c: Clause, buf: TextBuf, a: int, b: int, split_blanks: bool) -> list[tuple[str, int, int]]:
    """Modifiers written before a ``:``: (lower-cased keyword or function-style text, start, end)."""
    text = buf.text
    out: list[tuple[str, int, int]] = []
    for x, y in split_top(text, a, b, ","):
        x, y = trim(text, x, y)
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


def _set_mods(c: Clause, buf: TextBuf, mods: list[tuple[str, int, int]], principal: int | None = -1) -> None:
    c.modifiers = [m for m, _, _ in mods]
    if mods and principal is not None:
        m, x, y = mods[principal]
        c.modifier = m
        c.modifier_span = buf.span(x, y)


def _fill_list(c: Clause, buf: TextBuf, a: int, b: int) -> None:
    """``(list)`` and ``(expr, expr, ...)``: comma-separated items."""
    _items(c, buf, a, b)


def _fill_mod_list(c: Clause, buf: TextBuf, a: int, b: int) -> None:
    """``([modifiers :] list)``; ``depend(source)`` / ``doacross(source)`` are a bare modifier."""
    text = buf.text
    ta, tb = trim(text, a, b)
    colon = first_colon(text, a, b)
    if colon >= 0:
        mods = _modifier_list(c, buf, a, colon, split_blanks=c.name == "map")
        _set_mods(c, buf, mods)
        _items(c, buf, colon + 1, b)
    elif c.name in ("depend", "doacross") and text[ta:tb].lower() == "source":
        _set_mods(c, buf, [("source", ta, tb)])
    else:
        _items(c, buf, a, b)


def _unwrap_linear_items(c: Clause) -> None:
    """Old style ``linear(val(x))``: the modifier wraps the list item."""
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


def _linear_step(c: Clause, buf: TextBuf, va: int, vb: int) -> None:
    """What follows the colon of ``linear``: a step, or OpenMP 5.2 ``step(s)`` / ``val`` modifiers."""
    text = buf.text
    parts = [trim(text, x, y) for x, y in split_top(text, va, vb, ",")]
    plain = True
    for x, y in parts:
        word = text[x:y].strip().lower()
        if word in ("val", "ref", "uval"):
            c.modifiers.append(word)
            c.modifier = word
            plain = False
        elif re.fullmatch(r"step\s*\(.*\)", word, re.DOTALL):
            o = text.index("(", x)
            cl = match_paren(text, o)
            ia, ib = trim(text, o + 1, cl if 0 <= cl < y else y)
            c.value, c.value_span = text[ia:ib], buf.span(ia, ib)
            c.modifiers.append("step")
            plain = False
    if plain:
        c.value, c.value_span = text[va:vb], buf.span(va, vb)


def _fill_list_step(c: Clause, buf: TextBuf, a: int, b: int) -> None:
    """``(list [: expr])``: ``linear``, ``aligned``."""
    text = buf.text
    colon = first_colon(text, a, b)
    list_end = colon if colon >= 0 else b
    _items(c, buf, a, list_end)
    if c.name == "linear":
        _unwrap_linear_items(c)
    if colon < 0:
        return
    va, vb = trim(text, colon + 1, b)
    if va >= vb:
        c.error = c.error or "missing expression after ':'"
    elif c.name == "linear":
        _linear_step(c, buf, va, vb)
    else:
        c.value, c.value_span = text[va:vb], buf.span(va, vb)


def _fill_expr(c: Clause, buf: TextBuf, a: int, b: int) -> None:
    """``(expr)``: ``num_threads``, ``collapse``."""
    ta, tb = trim(buf.text, a, b)
    if ta < tb:
        c.value, c.value_span = buf.text[ta:tb], buf.span(ta, tb)


def _fill_mod_expr(c: Clause, buf: TextBuf, a: int, b: int) -> None:
    """``([modifier :] expr)``: ``if``, ``device``, ``grainsize``; a colon after a non-word is the expression's."""
    text = buf.text
    colon = first_colon(text, a, b)
    if colon >= 0:
        ma, mb = trim(text, a, colon)
        cand = text[ma:mb]
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_ \t]*", cand):
            word = " ".join(cand.lower().split())
            c.modifiers = [word]
            c.modifier = word
            c.modifier_span = buf.span(ma, mb)
            va, vb = trim(text, colon + 1, b)
            if va < vb:
                c.value, c.value_span = text[va:vb], buf.span(va, vb)
            return
    _fill_expr(c, buf, a, b)


def _fill_keyword(c: Clause, buf: TextBuf, a: int, b: int) -> None:
    """``(kind)``: ``default``, ``proc_bind``, ``bind``."""
    ta, tb = trim(buf.text, a, b)
    if ta < tb:
        c.modifier = buf.text[ta:tb].lower()
        c.modifier_span = buf.span(ta, tb)


def _fill_kind_expr(c: Clause, buf: TextBuf, a: int, b: int) -> None:
    """``([modifiers :] kind [, expr])``: ``schedule``, ``dist_schedule``."""
    text = buf.text
    colon = first_colon(text, a, b)
    ka = a
    if colon >= 0:
        _set_mods(c, buf, _modifier_list(c, buf, a, colon, split_blanks=False), principal=None)
        ka = colon + 1
    parts = split_top(text, ka, b, ",")
    x, y = trim(text, *parts[0])
    if x < y:
        c.modifier = text[x:y].lower()
        c.modifier_span = buf.span(x, y)
    if len(parts) > 1:
        va, vb = trim(text, parts[1][0], b)
        c.value, c.value_span = text[va:vb], buf.span(va, vb)
        if va >= vb:
            c.error = c.error or "missing chunk size after ','"


def _fill_mod_keyword(c: Clause, buf: TextBuf, a: int, b: int) -> None:
    """``([modifier :] kind)`` (``order``), or ``(kind [: category])`` for ``defaultmap``."""
    text = buf.text
    colon = first_colon(text, a, b)
    if c.name == "defaultmap":
        ka, kb = trim(text, a, colon if colon >= 0 else b)
        if ka < kb:
            c.modifier, c.modifier_span = text[ka:kb].lower(), buf.span(ka, kb)
        if colon >= 0:
            va, vb = trim(text, colon + 1, b)
            c.value, c.value_span = text[va:vb].lower(), buf.span(va, vb)
        return
    ka = a
    if colon >= 0:
        _set_mods(c, buf, _modifier_list(c, buf, a, colon, split_blanks=False), principal=None)
        ka = colon + 1
    x, y = trim(text, ka, b)
    if x < y:
        c.modifier, c.modifier_span = text[x:y].lower(), buf.span(x, y)


#: How each argument shape (``spec_types.ArgShape``) is split; ``none`` and ``raw`` keep only the text.
_FILLERS: dict[str, Callable[[Clause, TextBuf, int, int], None]] = {
    "list": _fill_list,
    "exprlist": _fill_list,
    "mod_list": _fill_mod_list,
    "list_step": _fill_list_step,
    "expr": _fill_expr,
    "mod_expr": _fill_mod_expr,
    "keyword": _fill_keyword,
    "kind_expr": _fill_kind_expr,
    "mod_keyword": _fill_mod_keyword,
}
