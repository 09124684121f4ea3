"""How often the cyclic garbage collector runs while an analysis is under way.

An analysis of a component builds its tree walk, IR and facts: a few thousand container objects
that stay alive until the analysis ends and are then freed by reference counting
(``SourceFile.break_cycles`` leaves no reference cycles behind). CPython's default young-generation
threshold (700 net allocations) makes the collector run several times inside such an analysis,
and each run scans those live objects again, finds nothing to free, and moves them to older
generations, which are then scanned too: about a tenth of a cold analysis of a big Fortran file.

While an analysis runs (``fewer_collections``: in the engine, so in ``hpclsp check`` and the
server, and in the pool's workers; the server holds it until the diagnostics are published, so that
the collection of what the analysis leaves comes after them) the young threshold is raised to
``YOUNG``. Memory stays bounded: a collection still runs
after every ``YOUNG`` net allocations (big single-unit files). The saved thresholds are restored
when the last analysis running in the process ends; what was allocated meanwhile is left to the
normal collections from then on.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

#: The young-generation threshold during an analysis (a component's analysis peaks below ~2,000
#: live objects; a whole big unit may pass it, and is then collected every ``YOUNG`` allocations).
YOUNG = 20_000

_lock = threading.Lock()
_depth = 0
_saved: tuple[int, int, int] | None = None


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Raise the young-generation threshold for the duration of the block (nestable, thread-safe)."""
    _enter()
    try:
        yield
    finally:
        _exit()


def _enter() -> None:
    global _depth, _saved
    with _lock:
        if _depth == 0:
            _saved = gc.get_threshold()
            young, *older = _saved
            if young > 0:  # 0 means automatic collection is off: leave it so
                gc.set_threshold(max(young, YOUNG), *older)
        _depth += 1


def _exit() -> None:
    global _depth, _saved
    with _lock:
        _depth -= 1
        if _depth == 0 and _saved is not None:
            gc.set_threshold(*_saved)
            _saved = None
