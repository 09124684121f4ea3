"""Constants and intervals, and an evaluator of C-family and Fortran expressions over an environment.

A value is a Python ``int`` or ``float`` (a known number), a ``Symbol`` (a named constant whose
number is not known but whose identity is, such as ``MPI_INT`` or ``MPI_COMM_WORLD``), an
``Interval`` of integers, or ``UNKNOWN``. ``Evaluator`` folds tree-sitter expression nodes with C
semantics (integer division truncating toward zero, comparisons giving 0/1, short-circuit ``&&``
and ``||``) or Fortran semantics; identifiers, calls, subscripts, fields and pointers go through
methods a client overrides (an interpreter binds them to its memory, a simple client to a dict).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeGuard

import tree_sitter

if TYPE_CHECKING:
    from hpclsp.analysis.source import SourceFile

Node = tree_sitter.Node


class _Unknown:
    """The top of the lattice: nothing is known about the value."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN: Any = _Unknown()


@dataclasses.dataclass(frozen=True)
class Symbol:
    """A named constant (``MPI_INT``, ``MPI_COMM_NULL``): equal to itself, different from other symbols."""

    name: str

    def __repr__(self) -> str:
        return self.name


@dataclasses.dataclass(frozen=True)
class Interval:
    """The integers lo..hi (inclusive); None for an open end."""

    lo: int | None
    hi: int | None

    def __repr__(self) -> str:
        return f"[{'-inf' if self.lo is None else self.lo}, {'inf' if self.hi is None else self.hi}]"


def is_known(v: Any) -> bool:
    """True for a number or a symbol (a single concrete value)."""
    return isinstance(v, (int, float, Symbol)) and not isinstance(v, bool)


def is_int(v: Any) -> TypeGuard[int]:
    """True for a known integer."""
    return isinstance(v, int) and not isinstance(v, bool)


def bounds(v: Any) -> tuple[int | None, int | None]:
    """Lower and upper integer bounds of a value (None: unbounded or not an integer)."""
    if is_int(v):
        return v, v
    if isinstance(v, Interval):
        return v.lo, v.hi
    return None, None


def join(a: Any, b: Any) -> Any:
    """The least value covering both (equal values stay, integers widen to an interval)."""
    if a is UNKNOWN or b is UNKNOWN:
        return UNKNOWN
    if type(a) is type(b) and a == b:
        return a
    if (is_int(a) or isinstance(a, Interval)) and (is_int(b) or isinstance(b, Interval)):
        (alo, ahi), (blo, bhi) = bounds(a), bounds(b)
        lo = None if alo is None or blo is None else min(alo, blo)
        hi = None if ahi is None or bhi is None else max(ahi, bhi)
        return Interval(lo, hi)
    return UNKNOWN


def truth(v: Any) -> bool | None:
    """The truth of a condition value: True, False, or None when not decided."""
    if is_int(v) or isinstance(v, float):
        return v != 0
    if isinstance(v, Interval):
        if (v.lo is not None and v.lo > 0) or (v.hi is not None and v.hi < 0):
            return True
        if v.lo == 0 and v.hi == 0:
            return False
    return None


_INT_RE = re.compile(r"^(0[xX][0-9a-fA-F]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)([uUlL]*)$")
_FLOAT_RE = re.compile(r"^([0-9]*\.?[0-9]*(?:[eEdD][+-]?[0-9]+)?)(?:_[a-zA-Z0-9]+|[fFlL])?$")


def parse_number(text: str) -> int | float | Any:
    """The value of a C or Fortran number literal (``0x1f``, ``10UL``, ``1.5e3f``, ``1.0d0``, ``8_int64``)."""
    t = text.strip().replace("'", "")
    if t[:1] in "+-" and len(t) > 1:
        v = parse_number(t[1:])
        return -v if t[0] == "-" and isinstance(v, (int, float)) else v
    if "_" in t and not t.lower().startswith("0x"):
        t = t.split("_", 1)[0]
    m = _INT_RE.match(t)
    if m:
        digits = m.group(1)
        if digits.lower().startswith("0x"):
            return int(digits, 16)
        if digits.lower().startswith("0b"):
            return int(digits[2:], 2)
        if len(digits) > 1 and digits.startswith("0"):
            return int(digits, 8)
        return int(digits)
    m = _FLOAT_RE.match(t)
    if m and any(ch.isdigit() for ch in m.group(1)):
        try:
            return float(m.group(1).replace("d", "e").replace("D", "e"))
        except ValueError:
            return UNKNOWN
    return UNKNOWN


#: Sizes in bytes of the C scalar types on the LP64 data model every HPC platform uses.
C_SIZES: dict[str, int] = {
    "char": 1,
    "signed char": 1,
    "unsigned char": 1,
    "bool": 1,
    "_Bool": 1,
    "short": 2,
    "unsigned short": 2,
    "int": 4,
    "unsigned": 4,
    "unsigned int": 4,
    "signed": 4,
    "float": 4,
    "long": 8,
    "unsigned long": 8,
    "long long": 8,
    "unsigned long long": 8,
    "double": 8,
    "long double": 16,
    "size_t": 8,
    "ptrdiff_t": 8,
    "int8_t": 1,
    "uint8_t": 1,
    "int16_t": 2,
    "uint16_t": 2,
    "int32_t": 4,
    "uint32_t": 4,
    "int64_t": 8,
    "uint64_t": 8,
    "MPI_Aint": 8,
    "MPI_Offset": 8,
    "MPI_Count": 8,
}


def normalize_c_type(text: str) -> str:
    """A C type spelled canonically: qualifiers dropped, ``int`` implied words collapsed, spaces single."""
    words = [w for w in re.split(r"\s+", text.replace("*", " * ").strip()) if w]
    words = [w for w in words if w not in ("const", "volatile", "static", "register", "restrict", "extern")]
    t = " ".join(words)
    t = re.sub(r"\b(short|long|unsigned|signed)\s+int\b", r"\1", t)
    t = re.sub(r"^signed\s+(short|long|long long)$", r"\1", t)
    return "int" if t == "signed" else t


def c_int_value(v: int, type_name: str) -> int:
    """An integer converted to a C integer type (wrap-around for unsigned and narrow types)."""
    t = normalize_c_type(type_name)
    size = C_SIZES.get(t)
    if size is None or t in ("float", "double", "long double"):
        return v
    bits = 8 * size
    if t.startswith("unsigned") or t.startswith("uint") or t in ("size_t", "bool", "_Bool"):
        return v % (1 << bits)
    v %= 1 << bits
    return v - (1 << bits) if v >= 1 << (bits - 1) else v


def _c_div(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def _c_mod(a: int, b: int) -> int:
    return a - _c_div(a, b) * b


def _arith(op: str, a: Any, b: Any) -> Any:
    """A binary operator on two known numbers (C or Fortran spelling); UNKNOWN when undefined."""
    both_int = is_int(a) and is_int(b)
    try:
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            if b == 0:
                return UNKNOWN
            return _c_div(a, b) if both_int else a / b
        if op == "%":
            return _c_mod(a, b) if both_int and b != 0 else UNKNOWN
        if op == "**":
            return a**b if not (both_int and b < 0) else UNKNOWN
        if both_int and op in ("<<", ">>", "&", "|", "^"):
            if op in ("<<", ">>") and not 0 <= b < 64:
                return UNKNOWN
            if op == "<<":
                return a << b
            if op == ">>":
                return a >> b
            return a & b if op == "&" else (a | b if op == "|" else a ^ b)
    except (OverflowError, ValueError, ZeroDivisionError, TypeError):
        return UNKNOWN
    return UNKNOWN


_COMPARE = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}
#: Fortran spellings of operators, mapped to the C ones.
F_OPERATORS = {
    ".eq.": "==",
    ".ne.": "!=",
    "/=": "!=",
    ".lt.": "<",
    ".le.": "<=",
    ".gt.": ">",
    ".ge.": ">=",
    ".and.": "&&",
    ".or.": "||",
    ".not.": "!",
    ".eqv.": "==",
    ".neqv.": "!=",
}


def binary(op: str, a: Any, b: Any) -> Any:
    """Fold a binary operator over abstract values (numbers, symbols, intervals)."""
    op = F_OPERATORS.get(op.lower(), op)
    if op in _COMPARE:
        if isinstance(a, Symbol) and isinstance(b, Symbol) and op in ("==", "!="):
            return int(_COMPARE[op](a.name, b.name))
        if is_known(a) and is_known(b) and not isinstance(a, Symbol) and not isinstance(b, Symbol):
            return int(_COMPARE[op](a, b))
        return _compare_interval(op, a, b)
    if op == "&&":
        ta, tb = truth(a), truth(b)
        if ta is False or tb is False:
            return 0
        return 1 if ta and tb else UNKNOWN
    if op == "||":
        ta, tb = truth(a), truth(b)
        if ta or tb:
            return 1
        return 0 if ta is False and tb is False else UNKNOWN
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return _arith(op, a, b)
    ranged = (is_int(a) or isinstance(a, Interval)) and (is_int(b) or isinstance(b, Interval))
    if op in ("+", "-") and ranged and (isinstance(a, Interval) or isinstance(b, Interval)):
        (alo, ahi), (blo, bhi) = bounds(a), bounds(b)
        if op == "-":
            blo, bhi = (None if bhi is None else -bhi), (None if blo is None else -blo)
        lo = None if alo is None or blo is None else alo + blo
        hi = None if ahi is None or bhi is None else ahi + bhi
        return Interval(lo, hi)
    return UNKNOWN


def _compare_interval(op: str, a: Any, b: Any) -> Any:
    """Decide a comparison between intervals when their ranges do not overlap."""
    (alo, ahi), (blo, bhi) = bounds(a), bounds(b)
    if op in ("<", ">=") and ahi is not None and blo is not None and ahi < blo:
        return int(op == "<")
    if op in ("<", ">=") and alo is not None and bhi is not None and alo >= bhi:
        return int(op == ">=")
    if op in (">", "<=") and alo is not None and bhi is not None and alo > bhi:
        return int(op == ">")
    if op in (">", "<=") and ahi is not None and blo is not None and ahi <= blo:
        return int(op == "<=")
    if op in ("==", "!=") and None not in (alo, ahi, blo, bhi):
        if ahi < blo or bhi < alo:  # type: ignore[operator]
            return int(op == "!=")
    return UNKNOWN


def unary(op: str, v: Any) -> Any:
    """Fold a unary operator (``-``, ``+``, ``!``, ``~``, ``.not.``)."""
    op = F_OPERATORS.get(op.lower(), op)
    if op == "!":
        t = truth(v)
        return UNKNOWN if t is None else int(not t)
    if not isinstance(v, (int, float)) or isinstance(v, bool):
        if op == "-" and isinstance(v, Interval):
            return Interval(None if v.hi is None else -v.hi, None if v.lo is None else -v.lo)
        return v if op == "+" else UNKNOWN
    if op == "-":
        return -v
    if op == "+":
        return v
    if op == "~" and isinstance(v, int):
        return ~v
    return UNKNOWN


class Evaluator:
    """Folds expression nodes to abstract values; override the hooks to give identifiers meaning."""

    def __init__(self, text: Callable[[Node], str], fortran: bool = False) -> None:
        self.text = text
        self.fortran = fortran

    # -- hooks --------------------------------------------------------------------------------
    def lookup(self, name: str, node: Node) -> Any:
        """The value of an identifier (override)."""
        return UNKNOWN

    def call(self, node: Node) -> Any:
        """The value of a call expression (override)."""
        return UNKNOWN

    def subscript(self, node: Node) -> Any:
        """The value of ``a[i]`` (override)."""
        return UNKNOWN

    def field(self, node: Node) -> Any:
        """The value of ``s.f`` / ``p->f`` / ``s%f`` (override)."""
        return UNKNOWN

    def pointer(self, node: Node, op: str) -> Any:
        """The value of ``&x`` or ``*p`` (override)."""
        return UNKNOWN

    def assign(self, node: Node) -> Any:
        """Evaluate an assignment or ``++``/``--`` inside an expression (override to perform it)."""
        return UNKNOWN

    def cast(self, type_text: str, v: Any) -> Any:
        """Convert a value to a C type named in a cast."""
        t = normalize_c_type(type_text)
        if "*" in t:
            return v
        if t in ("float", "double", "long double"):
            return float(v) if isinstance(v, (int, float)) else v
        if isinstance(v, float) and t in C_SIZES:
            v = int(v)
        return c_int_value(v, t) if is_int(v) else v

    def sizeof(self, node: Node) -> Any:
        """``sizeof(type)`` / ``sizeof expr`` in bytes for scalar types (override for variables)."""
        ty = node.child_by_field_name("type")
        if ty is not None:
            t = normalize_c_type(self.text(ty))
            if "*" in t:
                return 8
            return C_SIZES.get(t, UNKNOWN)
        return UNKNOWN

    # -- folding ------------------------------------------------------------------------------
    def eval(self, node: Node | None) -> Any:
        """The abstract value of an expression node."""
        if node is None:
            return UNKNOWN
        fn = getattr(self, "_e_" + node.type, None)
        if fn is None:
            return UNKNOWN
        return fn(node)

    def _e_number_literal(self, node: Node) -> Any:
        return parse_number(self.text(node))

    def _e_char_literal(self, node: Node) -> Any:
        body = self.text(node)[1:-1]
        if len(body) == 1:
            return ord(body)
        escapes = {"\\n": 10, "\\t": 9, "\\0": 0, "\\\\": 92, "\\'": 39}
        return escapes.get(body, UNKNOWN)

    def _e_true(self, node: Node) -> Any:
        return 1

    def _e_false(self, node: Node) -> Any:
        return 0

    def _e_boolean_literal(self, node: Node) -> Any:
        return int(".true." in self.text(node).lower())

    def _e_null(self, node: Node) -> Any:
        return 0

    def _e_identifier(self, node: Node) -> Any:
        name = self.text(node)
        return self.lookup(name.lower() if self.fortran else name, node)

    def _e_parenthesized_expression(self, node: Node) -> Any:
        kids = [c for c in node.named_children if c.type != "comment"]
        return self.eval(kids[-1]) if kids else UNKNOWN

    def _e_binary_expression(self, node: Node) -> Any:
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        opn = node.child_by_field_name("operator")
        op = self.text(opn) if opn is not None else ""
        if left is None and node.child_by_field_name("argument") is not None:  # Fortran ``.not. x``
            return unary(op, self.eval(node.child_by_field_name("argument")))
        if op in ("&&", "||") or op.lower() in (".and.", ".or."):
            a = self.eval(left)
            ta = truth(a)
            if (ta is False and op in ("&&",)) or (ta is False and op.lower() == ".and."):
                return 0
            if ta is True and (op == "||" or op.lower() == ".or."):
                return 1
            return binary(op, a, self.eval(right))
        return binary(op, self.eval(left), self.eval(right))

    _e_math_expression = _e_binary_expression
    _e_relational_expression = _e_binary_expression
    _e_logical_expression = _e_binary_expression
    _e_concatenation_expression = _e_binary_expression

    def _e_unary_expression(self, node: Node) -> Any:
        opn = node.child_by_field_name("operator")
        arg = node.child_by_field_name("argument") or (
            node.named_children[-1] if node.named_children else None
        )
        op = self.text(opn) if opn is not None else (self.text(node.children[0]) if node.children else "")
        return unary(op, self.eval(arg))

    def _e_conditional_expression(self, node: Node) -> Any:
        t = truth(self.eval(node.child_by_field_name("condition")))
        a = self.eval(node.child_by_field_name("consequence")) if t is not False else UNKNOWN
        b = self.eval(node.child_by_field_name("alternative")) if t is not True else UNKNOWN
        if t is True:
            return a
        if t is False:
            return b
        return join(a, b)

    def _e_cast_expression(self, node: Node) -> Any:
        ty = node.child_by_field_name("type")
        v = self.eval(node.child_by_field_name("value"))
        return self.cast(self.text(ty), v) if ty is not None else v

    def _e_sizeof_expression(self, node: Node) -> Any:
        return self.sizeof(node)

    def _e_call_expression(self, node: Node) -> Any:
        return self.call(node)

    def _e_subscript_expression(self, node: Node) -> Any:
        return self.subscript(node)

    def _e_field_expression(self, node: Node) -> Any:
        return self.field(node)

    _e_derived_type_member_expression = _e_field_expression

    def _e_pointer_expression(self, node: Node) -> Any:
        opn = node.child_by_field_name("operator")
        return self.pointer(node, self.text(opn) if opn is not None else "*")

    def _e_assignment_expression(self, node: Node) -> Any:
        return self.assign(node)

    _e_update_expression = _e_assignment_expression

    def _e_comma_expression(self, node: Node) -> Any:
        self.eval(node.child_by_field_name("left"))
        return self.eval(node.child_by_field_name("right"))


class MappingEvaluator(Evaluator):
    """An evaluator whose identifiers come from a mapping (names missing from it are UNKNOWN)."""

    def __init__(self, text: Callable[[Node], str], env: Mapping[str, Any], fortran: bool = False) -> None:
        super().__init__(text, fortran)
        self.env = env

    def lookup(self, name: str, node: Node) -> Any:
        """The mapped value of a name, or UNKNOWN."""
        return self.env.get(name, UNKNOWN)


def evaluate(
    node: Node | None, text: Callable[[Node], str], env: Mapping[str, Any], fortran: bool = False
) -> Any:
    """Fold one expression over an environment of known names (a convenience for simple clients)."""
    return MappingEvaluator(text, env, fortran).eval(node)


def unparenthesized(node: Node) -> Node | None:
    """The expression inside any parentheses around ``node`` (``node`` itself without them); None when
    a pair of them holds something other than one expression (comments aside)."""
    while node.type == "parenthesized_expression":
        kids = [c for c in node.named_children if c.type != "comment"]
        if len(kids) != 1:
            return None
        node = kids[0]
    return node


def conjuncts(source: SourceFile, cond: Node) -> list[Node]:
    """The operands of a condition's top-level ``&&`` / ``.and.`` chain (the condition itself when
    it is none): each holds wherever the condition does."""
    inner = unparenthesized(cond)
    if inner is None:
        return [cond]
    cond = inner
    op = (
        cond.child_by_field_name("operator")
        if cond.type in ("binary_expression", "logical_expression")
        else None
    )
    left, right = cond.child_by_field_name("left"), cond.child_by_field_name("right")
    if op is None or left is None or right is None:
        return [cond]
    if F_OPERATORS.get(source.node_text(op).strip().lower(), source.node_text(op).strip()) != "&&":
        return [cond]
    return [*conjuncts(source, left), *conjuncts(source, right)]


def equality_operands(source: SourceFile, cond: Node) -> tuple[Node, Node] | None:
    """The two sides of ``a == b`` (parentheses around the comparison removed), else None."""
    inner = unparenthesized(cond)
    if inner is None:
        return None
    cond = inner
    if cond.type not in ("binary_expression", "relational_expression"):
        return None
    op = cond.child_by_field_name("operator")
    left, right = cond.child_by_field_name("left"), cond.child_by_field_name("right")
    if (
        op is None
        or left is None
        or right is None
        or source.node_text(op).strip().lower() not in ("==", ".eq.")
    ):
        return None
    return left, right
