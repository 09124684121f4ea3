"""OpenMP constructs as the graph builders see them: which directive opens a region, which ends
with a barrier, which is a barrier by itself.

A worksharing construct (``for``/``do``, ``sections``, ``single``, ``workshare``) ends with an
implicit barrier unless it has ``nowait``; a ``parallel`` region always ends with one (the join);
``barrier`` is one. ``__syncthreads()`` is the CUDA block-level barrier.
"""

from __future__ import annotations

from hpclsp.analysis.openmp.model import Directive
from hpclsp.analysis.openmp.scanner import parse_directives
from hpclsp.analysis.source import SourceFile

_BARRIER_AT_END = frozenset({"for", "do", "sections", "single", "workshare"})
_CUDA_BARRIERS = frozenset({"__syncthreads", "__syncthreads_count", "__syncthreads_and", "__syncthreads_or"})


def by_line(source: SourceFile) -> dict[int, Directive]:
    """The file's OpenMP directives keyed by their first line (cached per source)."""
    got = source.cache.get("cfg.omp_lines")
    if got is None:
        got = {d.first_line: d for d in parse_directives(source) if d.known}
        source.cache["cfg.omp_lines"] = got
    return got


def barrier_lines(source: SourceFile) -> list[int]:
    """Sorted first lines of the directives that can put a barrier inside an enclosing team: ``barrier``
    and constructs that end with one without creating a team themselves (cached per source).

    The graph of a team holds no barrier of that team unless one of these lies inside it, so a
    caller can skip building the graph when none does (``nowait`` is ignored: over-approximated)."""
    got = source.cache.get("cfg.barrier_lines")
    if got is None:
        got = sorted(line for line, d in by_line(source).items() if _may_put_barrier(d))
        source.cache["cfg.barrier_lines"] = got
    return got


def _may_put_barrier(d: Directive) -> bool:
    if d.is_end:
        return False
    if d.name == "barrier":
        return True
    words = set(d.name.split())
    return bool(words & _BARRIER_AT_END) and not words & {"parallel", "teams"}


def kind(d: Directive) -> str:
    """``barrier``, ``standalone`` (no body), ``loop`` (applies to the next loop), ``block`` or ``end``."""
    if d.is_end:
        return "end"
    if d.name == "barrier":
        return "barrier"
    info = d.info
    if info is None:
        return "standalone"
    if info.kind in ("block", "loop"):
        return info.kind
    return "standalone"


def ends_with_barrier(name: str, nowait: bool) -> bool:
    """Whether a construct named ``name`` ends with an implicit barrier (``nowait`` written or not)."""
    words = set(name.split())
    if "parallel" in words:
        return True
    return bool(words & _BARRIER_AT_END) and not nowait


def is_cuda_barrier(callee: str) -> bool:
    """Whether a called name is a CUDA block-level barrier (``__syncthreads`` and its variants)."""
    return callee in _CUDA_BARRIERS
