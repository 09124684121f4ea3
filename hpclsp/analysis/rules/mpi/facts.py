"""The facts the MPI pattern rules share: the family, languages and routine sets.

The datatype and signature tables are in ``hpclsp.analysis.hostcode.mpi_tables``.
"""

from __future__ import annotations

from hpclsp.analysis.hostcode import mpi_tables
from hpclsp.analysis.hostcode.mpi_tables import RULE_PARAMS

FAMILY = "mpi"
LANGS = ("c", "cpp", "fortran")

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
