"""Joined directive text that remembers where each character came from, and bracket-aware splitting.

A directive may span continuation lines and have comments cut out of it; the scanner joins it into
one string and the parsers work on that string, yet every item, modifier and value they find must
carry a span in the original source. ``TextBuf`` keeps a (line, column) for every character, and
the helpers here split and trim its text at top-level separators (outside brackets and quotes),
so the directive parser and the clause parser share one notion of "top level".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from hpclsp.analysis.findings import Pos, Span

_T = TypeVar("_T")


class TextBuf:
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
            return fast_pos(0, 0)
        if i >= n:
            return fast_pos(self.lines[-1], self.cols[-1] + 1)
        return fast_pos(self.lines[i], self.cols[i])

    def span(self, a: int, b: int) -> Span:
        """Span of text[a:b] in source positions."""
        lines = self.lines
        n = len(lines)
        if b <= a or b > n or a < 0:
            if b <= a:
                p = self.pos(a)
                return fast_span(p, p)
            last = self.pos(b - 1)
            return fast_span(self.pos(a), fast_pos(last.line, last.col + 1))
        return fast_span(fast_pos(lines[a], self.cols[a]), fast_pos(lines[b - 1], self.cols[b - 1] + 1))


def _bare_maker(cls: type[_T], first: str, second: str) -> Callable[[Any, Any], _T]:
    """A constructor of a two-field frozen dataclass that skips its __init__ (the parser builds thousands)."""

    def make(x: Any, y: Any, _new: Any = object.__new__, _cls: type[_T] = cls) -> _T:
        obj = _new(_cls)
        d = obj.__dict__
        d[first] = x
        d[second] = y
        return obj

    return make


fast_pos: Callable[[int, int], Pos] = _bare_maker(Pos, "line", "col")
fast_span: Callable[[Pos, Pos], Span] = _bare_maker(Span, "start", "end")


IDENT_START = re.compile(r"[A-Za-z_]")
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def skip_ws(text: str, p: int) -> int:
    n = len(text)
    while p < n and text[p] in " \t\f\v\r\n":
        p += 1
    return p


def string_end(text: str, k: int, b: int) -> int:
    """Index just past the string or character literal opening at ``text[k]`` (a quote), at most ``b``."""
    quote = text[k]
    k += 1
    while k < b:
        ch = text[k]
        if ch == "\\":
            k += 2
            continue
        if ch == quote:
            return k + 1
        k += 1
    return b


def _outside_literals(text: str, a: int, b: int) -> Iterator[tuple[int, str]]:
    """The characters of text[a:b] (with their index) that are not inside a string or character literal."""
    k = a
    while k < b:
        ch = text[k]
        if ch == '"' or ch == "'":
            k = string_end(text, k, b)
            continue
        yield k, ch
        k += 1


def match_paren(text: str, p: int) -> int:
    """Index of the ``)`` closing the ``(`` at p, or -1 when it is never closed."""
    depth = 0
    for k, ch in _outside_literals(text, p, len(text)):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return k
    return -1


def split_top(text: str, a: int, b: int, sep: str) -> list[tuple[int, int]]:
    """Split text[a:b] at top-level ``sep`` characters (outside brackets and quotes).

    For ``sep == ":"`` a ``::`` (C++ scope) is not a separator."""
    parts: list[tuple[int, int]] = []
    depth = 0
    start = a
    for k, ch in _outside_literals(text, a, b):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        elif ch == sep and depth == 0:
            if sep == ":" and ((k + 1 < b and text[k + 1] == ":") or (k > a and text[k - 1] == ":")):
                continue
            parts.append((start, k))
            start = k + 1
    parts.append((start, b))
    return parts


def first_colon(text: str, a: int, b: int) -> int:
    """Index of the first top-level single ``:`` in text[a:b], or -1."""
    parts = split_top(text, a, b, ":")
    return parts[0][1] if len(parts) > 1 else -1


def trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a] in " \t\f\v\r\n":
        a += 1
    while b > a and text[b - 1] in " \t\f\v\r\n":
        b -= 1
    return a, b
