"""One-line directives parsed once per text: the scanner's parse behind a cache, a hit moved to its line.

The same pragma recurs across a file (every kernel of a generated or templated file, every loop of a
solver) and a file is scanned again after every edit and for every synthetic file the engine and the
advisor's vetting analyse. A directive written on one line (no continuation, no block comment running
on) is parsed from that line's text alone; its line number only enters the positions. So its parse
is cached by the text, and a hit is a copy of the cached directive with every span moved to the
directive's line (callers may change the directive they get: the cached one is never handed out).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hpclsp.analysis.findings import Pos, Span
from hpclsp.analysis.openmp.model import Clause, Directive
from hpclsp.analysis.openmp.textbuf import fast_pos, fast_span

#: (language, line text) -> (line it was parsed on, its directive or None)
_CACHE: dict[tuple[str, str], tuple[int, Directive | None]] = {}
_CACHE_MAX = 4096


def recalled(
    key: tuple[str, str], line: int, parse: Callable[..., tuple[Directive | None, int]], *args: Any
) -> Directive | None:
    """The directive of a one-line directive whose text (with the language) is ``key``, on 0-based line
    ``line``: the directive of ``parse(*args)`` (a directive and its last line) on a miss, else the
    cached one moved to ``line``."""
    hit = _CACHE.get(key)
    if hit is None:
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        hit = _CACHE[key] = (line, parse(*args)[0])
    at, d = hit
    return None if d is None else moved(d, line - at)


def moved(d: Directive, delta: int) -> Directive:
    """A copy of a directive (its clauses and lists copied too) with every line moved by ``delta``."""
    out = _copied(d, delta)
    out.first_line = d.first_line + delta
    out.last_line = d.last_line + delta
    return out


def _copied(obj: Any, delta: int) -> Any:
    new = object.__new__(type(obj))
    fields = new.__dict__
    for name, v in obj.__dict__.items():
        t = type(v)
        if t is Span:
            v = _moved_span(v, delta)
        elif t is list:
            v = [_moved_value(x, delta) for x in v] if v else []
        elif t is not str and t is not int and t is not bool and v is not None:
            v = _moved_value(v, delta)
        fields[name] = v
    return new


def _moved_span(v: Span, delta: int) -> Span:
    s, e = v.start, v.end
    return fast_span(fast_pos(s.line + delta, s.col), fast_pos(e.line + delta, e.col))


def _moved_value(v: Any, delta: int) -> Any:
    t = type(v)
    if t is str or v is None:
        return v
    if t is Span:
        return _moved_span(v, delta)
    if t is list:
        return [_moved_value(x, delta) for x in v]
    if t is tuple:
        return tuple(_moved_value(x, delta) for x in v)
    if t is Clause:
        return _copied(v, delta)
    if t is Pos:
        return fast_pos(v.line + delta, v.col)
    return v
