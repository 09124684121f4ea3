"""MPI misuse rules (``mpi-*``), one module per concern, and the facts they share.

The pattern rules (requests, buffers, datatypes, collectives, init/finalize, deadlock, resources,
threads) work on one file at a time, inside a function and across functions of the same file, for
C/C++ and Fortran (``use mpi``, ``use mpi_f08``, ``mpif.h``); when a request or buffer escapes the
analysis they stay silent. ``ranks`` holds the rules fed by the per-rank program evaluator
(``hpclsp.analysis.hostcode``), which also adds its findings to the pattern rules it refines.
This module holds the shared facts (datatype tables, routine sets) and imports the rule modules.
"""

from __future__ import annotations

from hpclsp.analysis import mpi_model as mm
from hpclsp.analysis.hostcode import mpi_tables

FAMILY = "mpi"
LANGS = ("c", "cpp", "fortran")

# -- facts -------------------------------------------------------------------------------------

#: The one datatype ↔ language type table: MPI datatype -> accepted (normalised) C or Fortran types.
C_DATATYPES: dict[str, frozenset[str]] = {
    "MPI_INT": frozenset({"int", "signed int", "signed"}),
    "MPI_UNSIGNED": frozenset({"unsigned", "unsigned int"}),
    "MPI_LONG": frozenset({"long", "long int", "signed long"}),
    "MPI_UNSIGNED_LONG": frozenset({"unsigned long", "unsigned long int"}),
    "MPI_LONG_LONG": frozenset({"long long", "long long int"}),
    "MPI_LONG_LONG_INT": frozenset({"long long", "long long int"}),
    "MPI_UNSIGNED_LONG_LONG": frozenset({"unsigned long long"}),
    "MPI_SHORT": frozenset({"short", "short int"}),
    "MPI_UNSIGNED_SHORT": frozenset({"unsigned short"}),
    "MPI_CHAR": frozenset({"char", "signed char"}),
    "MPI_SIGNED_CHAR": frozenset({"signed char", "char"}),
    "MPI_UNSIGNED_CHAR": frozenset({"unsigned char"}),
    "MPI_FLOAT": frozenset({"float"}),
    "MPI_DOUBLE": frozenset({"double"}),
    "MPI_LONG_DOUBLE": frozenset({"long double"}),
    "MPI_C_BOOL": frozenset({"_Bool", "bool"}),
    "MPI_CXX_BOOL": frozenset({"bool"}),
    "MPI_INT8_T": frozenset({"int8_t"}),
    "MPI_INT16_T": frozenset({"int16_t"}),
    "MPI_INT32_T": frozenset({"int32_t"}),
    "MPI_INT64_T": frozenset({"int64_t"}),
    "MPI_UINT8_T": frozenset({"uint8_t"}),
    "MPI_UINT16_T": frozenset({"uint16_t"}),
    "MPI_UINT32_T": frozenset({"uint32_t"}),
    "MPI_UINT64_T": frozenset({"uint64_t"}),
}
F_DATATYPES: dict[str, frozenset[str]] = {
    "MPI_INTEGER": frozenset({"integer4"}),
    "MPI_INTEGER4": frozenset({"integer4"}),
    "MPI_INTEGER8": frozenset({"integer8"}),
    "MPI_REAL": frozenset({"real4"}),
    "MPI_REAL4": frozenset({"real4"}),
    "MPI_REAL8": frozenset({"real8"}),
    "MPI_DOUBLE_PRECISION": frozenset({"real8"}),
    "MPI_COMPLEX": frozenset({"complex8"}),
    "MPI_DOUBLE_COMPLEX": frozenset({"complex16"}),
    "MPI_COMPLEX16": frozenset({"complex16"}),
    "MPI_LOGICAL": frozenset({"logical"}),
    "MPI_CHARACTER": frozenset({"character"}),
}
#: Character datatypes, used (like MPI_BYTE) to move the raw bytes of any C data.
BYTE_VIEW_TYPES = frozenset({"MPI_CHAR", "MPI_SIGNED_CHAR", "MPI_UNSIGNED_CHAR"})
KNOWN_C_TYPES = frozenset().union(*C_DATATYPES.values())
KNOWN_F_TYPES = frozenset().union(*F_DATATYPES.values())

#: (buffer parameter, count parameter, datatype parameter) triples of the calls in PARAMS.
BUFFER_TRIPLES = (
    ("buf", "count", "datatype"),
    ("buffer", "count", "datatype"),
    ("sendbuf", "count", "datatype"),
    ("recvbuf", "count", "datatype"),
    ("sendbuf", "sendcount", "sendtype"),
    ("recvbuf", "recvcount", "recvtype"),
)

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
TYPE_CREATORS = {k for k in mm.PARAMS if k.startswith("MPI_TYPE_") and mm.PARAMS[k][-1] == "newtype"}
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
