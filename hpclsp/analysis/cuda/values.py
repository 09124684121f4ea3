"""Abstract values of the CUDA kernel interpreter: unknowns, pointers, memory tokens, threads.

``UNK`` stands for any value the execution cannot compute (memory contents, floating-point data,
results of unknown calls). ``Ptr`` is an address: an array identity, a memory space, a byte offset
and the pointee size. ``Mem`` is the unknown content of one memory location (two threads reading
the same location that nobody writes see the same value). The arithmetic helpers follow C on
integers and give ``UNK`` whenever an operand is unknown.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from hpclsp.analysis.values import consts

#: Offset of an access whose element is chosen by data (``bins[data[i]]++``).
ANY_ELEMENT = -1


class GiveUp(Exception):
    """The kernel cannot be decided (barrier under an unknown condition, budget exhausted, ...)."""


class Infeasible(Exception):
    """This thread violates a stated assumption (``__requires``, ``__assume``): not a real execution."""


class _Unknown:
    __slots__ = ()

    def __repr__(self) -> str:
        return "UNK"


UNK: Any = _Unknown()


class Ptr:
    """A pointer: array identity, memory space, byte offset, pointee size and type, inner dimensions."""

    __slots__ = ("base", "space", "off", "esize", "dims", "size", "volatile", "elem")

    def __init__(
        self,
        base: str,
        space: str,  # "shared" | "global" | "local" | "const"
        off: int,
        esize: int,
        dims: tuple[int, ...] = (),
        size: int | None = None,  # bytes of the whole array when declared with constant extents
        volatile: bool = False,
        elem: str = "",  # pointee type name
    ) -> None:
        self.base, self.space, self.off, self.esize = base, space, off, esize
        self.dims, self.size, self.volatile, self.elem = dims, size, volatile, elem

    def _key(self) -> tuple[Any, ...]:
        return (self.base, self.off, self.esize, self.dims)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Ptr) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def moved(self, delta: int, dims: tuple[int, ...] | None = None) -> Ptr:
        """The pointer ``delta`` bytes further (optionally with fewer inner dimensions)."""
        return Ptr(
            self.base,
            self.space,
            self.off + delta,
            self.esize,
            self.dims if dims is None else dims,
            self.size,
            self.volatile,
            self.elem,
        )

    def retyped(self, esize: int, elem: str, volatile: bool = False) -> Ptr:
        """The same address seen as a pointer to another type (a cast)."""
        return Ptr(self.base, self.space, self.off, esize, (), self.size, self.volatile or volatile, elem)


@dataclasses.dataclass(frozen=True)
class Mem:
    """The unknown content of one memory location, read in one barrier interval (of one block, for
    shared memory). Equal tokens are the same value when nobody writes the location in that interval."""

    base: str
    off: int
    epoch: int = 0
    block: int = -1


@dataclasses.dataclass(frozen=True)
class Cell:
    """A scalar variable in shared or global memory (reads and writes are accesses)."""

    ptr: Ptr


@dataclasses.dataclass(frozen=True)
class Group:
    """A cooperative group: ``block``, ``grid`` or ``warp`` (tiles and coalesced groups)."""

    kind: str
    size: int = 0  # threads of a tile (0: unknown)


@dataclasses.dataclass(frozen=True)
class Agg:
    """A struct-typed parameter whose fields may be pointers to global memory."""

    path: str


@dataclasses.dataclass
class Thread:
    """The identity and barrier state of one simulated thread."""

    tid: tuple[int, int, int]
    bid: tuple[int, int, int]
    bdim: tuple[int, int, int]
    gdim: tuple[int, int, int]
    lin: int  # linear id inside the block
    block: int  # linear block id
    epochs: list[int] = dataclasses.field(default_factory=lambda: [0, 0, 0])  # grid, block, warp
    trace: list[int] = dataclasses.field(default_factory=list)  # block/grid barrier node ids
    grid_trace: list[int] = dataclasses.field(default_factory=list)
    #: Undecidable branches this thread is inside: (condition id, arm). Accesses made on such a path
    #: may or may not happen; two of them are compatible unless they took different arms of one branch.
    path: list[tuple[int, int]] = dataclasses.field(default_factory=list)
    exited_maybe: bool = False

    @property
    def warp(self) -> int:
        """Warp index inside the block."""
        return self.lin // 32


def number(text: str) -> Any:
    """A C number literal's value (``consts.parse_number``, the one reading of literals); UNK if none."""
    v = consts.parse_number(text)
    return UNK if v is consts.UNKNOWN else v


def as_int(v: Any) -> int | None:
    return v if isinstance(v, int) else None


def prod(xs: Any) -> int:
    out = 1
    for x in xs:
        out *= x
    return out


def arith(op: str, a: Any, b: Any) -> Any:
    """A C binary operator (arithmetic, shift, bitwise, comparison) on two known numbers; UNK otherwise."""
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
        return UNK
    v = consts.binary(op, int(a) if isinstance(a, bool) else a, int(b) if isinstance(b, bool) else b)
    return UNK if v is consts.UNKNOWN else v


def ptr_arith(op: str, a: Any, b: Any) -> Any:
    if isinstance(a, Ptr) and isinstance(b, int) and op in ("+", "-"):
        step = a.esize * (prod(a.dims) if a.dims else 1)
        return a.moved((b if op == "+" else -b) * step)
    if isinstance(b, Ptr) and isinstance(a, int) and op == "+":
        return ptr_arith("+", b, a)
    if isinstance(a, Ptr) and isinstance(b, Ptr) and op in ("==", "!="):
        return int((a == b) == (op == "=="))
    return UNK
