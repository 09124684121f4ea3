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
