"""One-line directives parsed once per text: ``parse_directive`` behind a cache, the hit moved to its line.

The same pragma recurs across a file (every kernel of a generated or templated file, every loop of a
solver) and a file is scanned again after every edit and for every synthetic file the engine and the
advisor's vetting analyse. A directive written on one line is parsed from its text, its first column
and its sentinel alone; its line only enters the positions. So its parse is cached by those, and a
hit is a copy of the cached directive with every span moved to the directive's line (callers may
change the directive they get: the cached one is never handed out).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from hpclsp.analysis.findings import Pos, Span
from hpclsp.analysis.openmp.model import Clause, Directive
from hpclsp.analysis.openmp.parser import parse_directive
from hpclsp.analysis.openmp.textbuf import TextBuf, fast_pos, fast_span

#: (text, first column, sentinel start, body start, sentinel, language, fixed form, sentinel column)
#: -> (line it was parsed on, directive or None)
_CACHE: dict[tuple[Any, ...], tuple[int, Directive | None]] = {}
_CACHE_MAX = 4096


def parse_recalled(
    buf: TextBuf,
    sent_start: int,
    p: int,
    sentinel: str,
    lang: str,
    fixed: bool,
    sentinel_pos: Pos | None = None,
) -> Directive | None:
    """``parse_directive`` (same arguments, same result), through the cache for one-line directives."""
    lines, cols = buf.lines, buf.cols
    if (
        not lines
        or lines[0] != lines[-1]
        or cols[-1] - cols[0] != len(cols) - 1
        or (sentinel_pos is not None and sentinel_pos.line != lines[0])
    ):
        return parse_directive(buf, sent_start, p, sentinel, lang, fixed, sentinel_pos)
    key = (
        buf.text,
        cols[0],
        sent_start,
        p,
        sentinel,
        lang,
        fixed,
        None if sentinel_pos is None else sentinel_pos.col,
    )
    hit = _CACHE.get(key)
    if hit is None:
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        hit = _CACHE[key] = (
            lines[0],
            parse_directive(buf, sent_start, p, sentinel, lang, fixed, sentinel_pos),
        )
    line, d = hit
    return None if d is None else moved(d, lines[0] - line)


def moved(d: Directive, delta: int) -> Directive:
    """A copy of a directive (its clauses and lists copied too) with every line moved by ``delta``."""
    out = _copied(d, delta)
    out.first_line = d.first_line + delta
    out.last_line = d.last_line + delta
    return out


_FIELDS = {cls: tuple(f.name for f in dataclasses.fields(cls)) for cls in (Directive, Clause)}


def _copied(obj: Any, delta: int) -> Any:
    new = object.__new__(type(obj))
    for name in _FIELDS[type(obj)]:
        setattr(new, name, _moved_value(getattr(obj, name), delta))
    return new


def _moved_value(v: Any, delta: int) -> Any:
    if isinstance(v, Span):
        s, e = v.start, v.end
        return fast_span(fast_pos(s.line + delta, s.col), fast_pos(e.line + delta, e.col))
    if isinstance(v, list):
        return [_moved_value(x, delta) for x in v]
    if isinstance(v, tuple):
        return tuple(_moved_value(x, delta) for x in v)
    if isinstance(v, Clause):
        return _copied(v, delta)
    if isinstance(v, Pos):
        return fast_pos(v.line + delta, v.col)
    return v
