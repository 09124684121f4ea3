"""What the per-rank MPI evaluator records: memory objects, pointers, MPI handles, events and traces.

A ``Trace`` is the sequence of MPI calls one rank makes when the program runs with a given number of
processes, each an ``Event`` with its arguments bound by parameter name to abstract values. A trace
is ``complete`` when the evaluator followed the rank from the start of ``main`` to its end (or to
``MPI_Finalize``) without meeting anything it could not decide; checks that need the whole run
(matching, leaks) only use complete traces.
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import tree_sitter

Node = tree_sitter.Node

_ids = itertools.count(1)


@dataclasses.dataclass(eq=False)
class Obj:
    """A memory object: a variable, an array or a heap block, with its element type and size."""

    name: str
    #: Element C type (``int``, ``double``, ``MPI_Request``), or None when not known (``void`` blocks).
    ctype: str | None
    #: Size in bytes, None when not known.
    nbytes: int | None
    elem_size: int | None
    #: Element values by index (missing: the default); ``UNKNOWN`` default when not initialised.
    elems: dict[int, Any] = dataclasses.field(default_factory=dict)
    default: Any = None
    is_array: bool = False
    #: Array extents (``int a[4][2]`` -> [4, 2]); empty for scalars and heap blocks.
    dims: list[int] = dataclasses.field(default_factory=list)
    #: Fortran lower bounds per dimension (1 when absent).
    lower: list[int] = dataclasses.field(default_factory=list)
    heap: bool = False
    freed: bool = False
    #: Struct members by name (each an Obj), for ``s.f`` on locals.
    members: dict[str, Obj] = dataclasses.field(default_factory=dict)

    def get(self, i: int = 0) -> Any:
        """The value of element i."""
        return self.elems.get(i, self.default)

    def set(self, i: int, v: Any) -> None:
        """Store v in element i."""
        self.elems[i] = v


@dataclasses.dataclass(frozen=True)
class Ptr:
    """A pointer into a memory object, ``offset`` counted in bytes."""

    obj: Obj
    offset: int = 0
    #: Array dimensions already indexed (``a[i]`` of ``int a[N][M]`` points at level 1).
    level: int = 0

    @property
    def stride(self) -> int:
        """Bytes between consecutive elements at this level."""
        size = self.obj.elem_size or 1
        for d in self.obj.dims[self.level + 1 :]:
            size *= d
        return size

    @property
    def is_row(self) -> bool:
        """True when indexing this pointer gives another array (not an element)."""
        return self.level + 1 < len(self.obj.dims)

    def __repr__(self) -> str:
        return f"&{self.obj.name}+{self.offset}"


@dataclasses.dataclass(eq=False)
class Handle:
    """An MPI object created by the program (communicator, datatype, request, window, group, op)."""

    kind: str
    node: Node
    label: str
    id: int = dataclasses.field(default_factory=lambda: next(_ids))
    freed: bool = False
    #: The call may have returned a null handle instead (then no leak can be claimed).
    uncertain: bool = False
    #: Datatypes: the basic-type signature (run-length pairs), extent in bytes, committed flag.
    signature: tuple[tuple[str, int], ...] | None = None
    extent: int | None = None
    committed: bool = False
    #: Requests: the operation event, whether active, persistent; communicators: their size.
    op: Any = None
    active: bool = False
    persistent: bool = False
    comm_size: int | None = None
    #: Windows: the exposed memory and its size; the epoch state per kind.
    base: Any = None
    epoch: str | None = None
    disp_unit: int | None = None
    #: Fences called on the window so far (the index of the current fence epoch).
    fences: int = 0

    def __repr__(self) -> str:
        return f"<{self.kind} {self.label}#{self.id}>"


@dataclasses.dataclass
class Event:
    """One MPI call made by one rank, with its arguments bound by parameter name."""

    key: str
    name: str
    node: Node
    args: dict[str, Any]
    rank: int
    seq: int
    #: The call stack (call-expression nodes of local functions) when the call was made.
    stack: tuple[Node, ...] = ()
    #: Requests this call completes (waits, tests) or the request it starts.
    completes: list[Handle] = dataclasses.field(default_factory=list)
    request: Handle | None = None
    #: Persistent requests this call starts (MPI_Start, MPI_Startall).
    starts: list[Handle] = dataclasses.field(default_factory=list)
    #: Identity of the communicator shared by all ranks (None: not known or rank-specific).
    comm_id: str | None = None


@dataclasses.dataclass
class Finding:
    """A problem found on one rank's run: code, node, message, related (node, message) pairs."""

    code: str
    node: Node
    message: str
    related: list[tuple[Node, str]] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Trace:
    """The MPI calls of one rank for one process count."""

    rank: int
    nprocs: int
    events: list[Event] = dataclasses.field(default_factory=list)
    complete: bool = False
    #: Why the trace stops early (an undecided branch, an unknown function, a budget).
    stopped: str | None = None
    finalized: bool = False
    #: Findings made while evaluating (argument errors, local concurrency, lifecycle).
    findings: list[Finding] = dataclasses.field(default_factory=list)
    handles: list[Handle] = dataclasses.field(default_factory=list)
    #: Accesses to window memory inside fence epochs: (window, epoch, target rank, first byte, end byte,
    #: kind ``put``/``get``/``acc``/``load``/``store``, node, origin rank).
    rma: list[tuple[str, int, int, int, int, str, Node, int]] = dataclasses.field(default_factory=list)
    #: (color, key) of this rank at each MPI_Comm_split of the world communicator, by ordinal.
    splits: dict[int, tuple[int, int]] = dataclasses.field(default_factory=dict)
    #: Size in bytes of each window this rank exposes, by window label.
    win_sizes: dict[str, int] = dataclasses.field(default_factory=dict)
