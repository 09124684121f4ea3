"""MPI misuse rules (``mpi-*``), one module per concern, and the facts they share.

The pattern rules (requests, buffers, datatypes, collectives, init/finalize, deadlock, resources,
threads) work on one file at a time, inside a function and across functions of the same file, for
C/C++ and Fortran (``use mpi``, ``use mpi_f08``, ``mpif.h``); when a request or buffer escapes the
analysis they stay silent. ``ranks`` holds the rules fed by the per-rank program evaluator
(``hpclsp.analysis.hostcode``), which also adds its findings to the pattern rules it refines.
This module imports the rule modules; ``facts`` holds the routine sets they share.
"""

from __future__ import annotations

from hpclsp.analysis.rules.mpi import (
    buffers,
    collectives,
    datatypes,
    deadlock,
    finalize_thread,
    hybrid,
    init_finalize,
    private_buffer,
    ranks,
    requests,
    resources,
    thread_buffer,
    threads,
)

__all__ = [
    "buffers",
    "collectives",
    "datatypes",
    "deadlock",
    "finalize_thread",
    "hybrid",
    "init_finalize",
    "private_buffer",
    "ranks",
    "requests",
    "resources",
    "thread_buffer",
    "threads",
]
