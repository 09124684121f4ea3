"""MPI misuse rules (``mpi-*``), one module per concern, and the facts they share.

The pattern rules (requests, buffers, datatypes, collectives, init/finalize, deadlock, resources,
threads) work on one file at a time, inside a function and across functions of the same file, for
C/C++ and Fortran (``use mpi``, ``use mpi_f08``, ``mpif.h``); when a request or buffer escapes the
analysis they stay silent. ``ranks`` holds the rules fed by the per-rank program evaluator
(``hpclsp.analysis.hostcode``), which also adds its findings to the pattern rules it refines.
This module holds the shared routine sets and imports the rule modules.
"""

from __future__ import annotations

from hpclsp.analysis.hostcode import mpi_tables
from hpclsp.analysis.hostcode.mpi_tables import RULE_PARAMS

FAMILY = "mpi"
LANGS = ("c", "cpp", "fortran")

# -- facts (the datatype and signature tables are in hostcode.mpi_tables) --------------------

#: The collectives the pattern rules know: the evaluator's table (``hostcode.mpi_tables``) less the
#: window and communicator-release calls and the few collectives those rules never covered.
COLLECTIVES = mpi_tables.COLLECTIVES - {
    "MPI_COMM_FREE",
    "MPI_ISCAN",
    "MPI_ISCATTER",
    "MPI_REDUCE_SCATTER_BLOCK",
    "MPI_WIN_ALLOCATE",
    "MPI_WIN_CREATE",
    "MPI_WIN_FENCE",
    "MPI_WIN_FREE",
}
#: MPI calls allowed before MPI_Init / after MPI_Finalize.
ALWAYS_ALLOWED = frozenset(
    {
        "MPI_INITIALIZED",
        "MPI_FINALIZED",
        "MPI_GET_VERSION",
        "MPI_GET_LIBRARY_VERSION",
        "MPI_INIT",
        "MPI_INIT_THREAD",
        "MPI_WTIME",
        "MPI_WTICK",
        "MPI_FINALIZE",
    }
)
#: MPI calls that need no particular thread support level.
THREAD_NEUTRAL = frozenset(
    {"MPI_WTIME", "MPI_WTICK", "MPI_INITIALIZED", "MPI_FINALIZED", "MPI_QUERY_THREAD", "MPI_IS_THREAD_MAIN"}
)
THREAD_LEVELS = {
    "MPI_THREAD_SINGLE": 0,
    "MPI_THREAD_FUNNELED": 1,
    "MPI_THREAD_SERIALIZED": 2,
    "MPI_THREAD_MULTIPLE": 3,
}
LEVEL_NAMES = {v: k for k, v in THREAD_LEVELS.items()}
CREATORS = {
    "MPI_COMM_SPLIT": ("newcomm", "MPI_Comm_free"),
    "MPI_COMM_DUP": ("newcomm", "MPI_Comm_free"),
    "MPI_COMM_CREATE": ("newcomm", "MPI_Comm_free"),
}
TYPE_CREATORS = {k for k in RULE_PARAMS if k.startswith("MPI_TYPE_") and RULE_PARAMS[k][-1] == "newtype"}
FREES = frozenset({"MPI_COMM_FREE", "MPI_TYPE_FREE", "MPI_COMM_DISCONNECT"})
FINALIZE_HINTS = ("final", "finish", "shutdown", "cleanup", "teardown")


from hpclsp.analysis.rules.mpi import (  # noqa: E402  (the rule modules read the facts above)
    buffers,
    collectives,
    datatypes,
    deadlock,
    hybrid,
    init_finalize,
    ranks,
    requests,
    resources,
    threads,
)

__all__ = [
    "buffers",
    "collectives",
    "datatypes",
    "deadlock",
    "hybrid",
    "init_finalize",
    "ranks",
    "requests",
    "resources",
    "threads",
]
