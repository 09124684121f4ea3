"""Conditional compilation: blank the ``#if`` branches a build does not compile.

Given the macros a compile command defines (``-D``/``-U``, ``_OPENMP`` from ``-fopenmp``), the
branches of ``#if/#ifdef/#ifndef/#elif/#else`` whose condition is *known* to be false are replaced
by empty lines, so line numbers stay the same and the analysis sees what the compiler sees.

Evaluation is three-valued: a condition that depends on a macro whose state is not known (one
defined in a header, a function-like macro, an expression we do not parse) is *unknown*, and an
unknown branch is kept, as it is without a compilation database. Macros are known when the command
line defines or undefines them, when the file itself ``#define``s or ``#undef``s them in code that
is certainly compiled, or when they belong to the compiler (``_OPENMP``, ``__cplusplus``,
``__CUDACC__``), whose state follows from the command and the language.
"""

from __future__ import annotations

import dataclasses
import re

#: A macro's state: its replacement text when defined, ``None`` when known to be undefined.
MacroTable = dict[str, "str | None"]

_DIRECTIVE = re.compile(r"^\s*#\s*(\w+)\b(.*)$")
_TOKEN = re.compile(
    r"\s*(?:(?P<num>0[xX][0-9a-fA-F]+|\d+)[uUlL]*|(?P<id>[A-Za-z_]\w*)"
    r"|(?P<op>&&|\|\||==|!=|<=|>=|<<|>>|[-+*/%<>!()~?:]))"
)


@dataclasses.dataclass
class Macros:
    """What is known about macros: a table of known states; every other name is unknown."""

    table: MacroTable = dataclasses.field(default_factory=dict)

    def state(self, name: str) -> tuple[bool, str | None]:
        """(known, replacement): replacement is None when the macro is known to be undefined."""
        if name in self.table:
            return True, self.table[name]
        return False, None


def compiler_macros(language: str, openmp: bool) -> MacroTable:
    """Macros the compiler itself decides for a language and an OpenMP flag."""
    table: MacroTable = {"_OPENMP": "201511" if openmp else None}
    if language in ("c", "cpp", "cuda"):
        table["__cplusplus"] = "201703L" if language in ("cpp", "cuda") else None
        table["__CUDACC__"] = "1" if language == "cuda" else None
    return table


# --------------------------------------------------------------------------------------------
# Expressions


class _Unknown(Exception):
    """The expression depends on something we cannot evaluate."""


class _Parser:
    """A precedence-climbing evaluator over C preprocessor tokens; None values mean unknown."""

    BINARY: dict[str, int] = {
        "||": 1, "&&": 2, "==": 6, "!=": 6, "<": 7, ">": 7, "<=": 7, ">=": 7,
        "<<": 8, ">>": 8, "+": 9, "-": 9, "*": 10, "/": 10, "%": 10,
    }  # fmt: skip

    def __init__(self, tokens: list[tuple[str, str]], macros: Macros, depth: int) -> None:
        self.toks = tokens
        self.i = 0
        self.macros = macros
        self.depth = depth

    def peek(self) -> tuple[str, str]:
        return self.toks[self.i] if self.i < len(self.toks) else ("end", "")

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        self.i += 1
        return tok

    def expr(self, min_prec: int = 0) -> int | None:
        left = self.unary()
        while True:
            kind, text = self.peek()
            if kind == "op" and text == "?" and min_prec == 0:
                self.take()
                a = self.expr()
                if self.take() != ("op", ":"):
                    raise _Unknown
                b = self.expr()
                left = None if left is None else (a if left else b)
                continue
            prec = self.BINARY.get(text) if kind == "op" else None
            if prec is None or prec <= min_prec:
                return left
            self.take()
            right = self.expr(prec)
            left = _binary(text, left, right)

    def unary(self) -> int | None:
        kind, text = self.take()
        if kind == "num":
            return (
                int(text, 0)
                if not (len(text) > 1 and text[0] == "0" and text[1] in "01234567")
                else int(text, 8)
            )
        if kind == "op" and text in "!-+~":
            v = self.unary()
            if v is None:
                return None
            return {"!": int(not v), "-": -v, "+": v, "~": ~v}[text]
        if kind == "op" and text == "(":
            v = self.expr()
            if self.take() != ("op", ")"):
                raise _Unknown
            return v
        if kind == "id" and text == "defined":
            paren = self.peek() == ("op", "(")
            if paren:
                self.take()
            k, name = self.take()
            if k != "id" or (paren and self.take() != ("op", ")")):
                raise _Unknown
            known, value = self.macros.state(name)
            return (1 if value is not None else 0) if known else None
        if kind == "id":
            if self.peek() == ("op", "("):
                raise _Unknown  # a function-like macro call
            known, value = self.macros.state(text)
            if not known:
                return None
            if value is None:
                return 0  # an undefined identifier is 0 in #if
            return evaluate(value or "1", self.macros, self.depth + 1) if self.depth < 8 else None
        raise _Unknown


def _binary(op: str, a: int | None, b: int | None) -> int | None:
    if op == "&&":
        if a == 0 or b == 0:
            return 0
        return None if a is None or b is None else 1
    if op == "||":
        if (a is not None and a != 0) or (b is not None and b != 0):
            return 1
        return None if a is None or b is None else 0
    if a is None or b is None:
        return None
    if op in ("/", "%") and b == 0:
        return None
    return {
        "==": lambda: int(a == b), "!=": lambda: int(a != b), "<": lambda: int(a < b),
        ">": lambda: int(a > b), "<=": lambda: int(a <= b), ">=": lambda: int(a >= b),
        "<<": lambda: a << min(b, 64), ">>": lambda: a >> min(b, 64), "+": lambda: a + b,
        "-": lambda: a - b, "*": lambda: a * b, "/": lambda: int(a / b), "%": lambda: a % b,
    }[op]()  # fmt: skip


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = re.sub(r"/\*.*?\*/|//.*$", " ", text).rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            if text[pos:].strip():
                raise _Unknown
            break
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


def evaluate(expression: str, macros: Macros, depth: int = 0) -> int | None:
    """The value of a ``#if`` expression, or None when it cannot be known."""
    try:
        p = _Parser(_tokens(expression), macros, depth)
        v = p.expr()
        if p.i != len(p.toks):
            return None
        return v
    except (_Unknown, RecursionError, ValueError, OverflowError):
        return None


# --------------------------------------------------------------------------------------------
# Branches


@dataclasses.dataclass
class _Group:
    parent_active: bool | None  # True compiled, False not compiled, None maybe
    taken: bool | None  # has an earlier branch of this group been taken
    active: bool | None  # is the current branch compiled


def _and(a: bool | None, b: bool | None) -> bool | None:
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


def _branch(group: _Group, cond: int | None) -> None:
    c: bool | None = None if cond is None else bool(cond)
    if group.taken is True:
        mine: bool | None = False
    elif group.taken is False:
        mine = c
    else:
        mine = False if c is False else None
    group.active = _and(group.parent_active, mine)
    if group.taken is not True:
        if c is True:
            group.taken = True
        elif c is None or group.taken is None:
            group.taken = None


def inactive_lines(text: str, macros: Macros) -> list[int]:
    """0-based numbers of the lines certainly not compiled (directive lines themselves are kept)."""
    macros = Macros(dict(macros.table))
    stack: list[_Group] = []
    current: bool | None = True
    out: list[int] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        start = i
        while line.endswith("\\") and i + 1 < len(lines):  # continued directive
            i += 1
            line = line[:-1] + " " + lines[i]
        m = _DIRECTIVE.match(line) if "#" in line else None
        if m is None:
            if current is False:
                out.extend(range(start, i + 1))
            i += 1
            continue
        name, rest = m.group(1), m.group(2).strip()
        if name in ("if", "ifdef", "ifndef"):
            g = _Group(current, False, None)
            if name == "if":
                cond = evaluate(rest, macros)
            else:
                word = rest.split()[0] if rest.split() else ""
                known, value = macros.state(word)
                cond = None if not known else int((value is not None) == (name == "ifdef"))
            _branch(g, cond)
            stack.append(g)
            if current is False:
                out.extend(range(start, i + 1))
            current = g.active
        elif name in ("elif", "else", "elifdef", "elifndef") and stack:
            g = stack[-1]
            if name == "else":
                cond = 1
            elif name == "elif":
                cond = evaluate(rest, macros) if g.taken is not True else 0
            else:
                known, value = macros.state(rest.split()[0] if rest.split() else "")
                cond = None if not known else int((value is not None) == (name == "elifdef"))
            _branch(g, cond)
            if g.parent_active is False:
                out.extend(range(start, i + 1))
            current = g.active
        elif name == "endif" and stack:
            g = stack.pop()
            current = g.parent_active
            if current is False:
                out.extend(range(start, i + 1))
        else:
            if current is False:
                out.extend(range(start, i + 1))
            else:
                _track_define(name, rest, macros, current)
        i += 1
    return out


def _track_define(name: str, rest: str, macros: Macros, current: bool | None) -> None:
    """Follow ``#define``/``#undef`` in code that is compiled (or forget the macro when it may be)."""
    if name not in ("define", "undef"):
        return
    m = re.match(r"([A-Za-z_]\w*)(\()?\s*(.*)$", rest)
    if not m:
        return
    macro = m.group(1)
    if current is None or m.group(2):
        macros.table.pop(macro, None)  # maybe defined, or function-like: unknown from here on
    elif name == "undef":
        macros.table[macro] = None
    else:
        macros.table[macro] = m.group(3).strip()


def blank_inactive(text: str, macros: Macros) -> str:
    """The text with every certainly-inactive line emptied (line count and line endings kept)."""
    if "#" not in text:
        return text
    dead = inactive_lines(text, macros)
    if not dead:
        return text
    lines = text.split("\n")
    for n in dead:
        lines[n] = "\r" if lines[n].endswith("\r") else ""
    return "\n".join(lines)
