"""Facts about the MPI API the analyses need: parameter names, datatypes, operations, handles.

Parameter names follow the C bindings of the MPI standard (Fortran adds a trailing ``ierror``);
calls bind their arguments by these names, so checks read ``args["count"]`` and not positions.
The pattern rules look into a subset of the calls (``RULE_PARAMS``); the per-rank evaluator
understands all of ``PARAMS``.
"""

from __future__ import annotations

_SEND = ("buf", "count", "datatype", "dest", "tag", "comm")
_RECV = ("buf", "count", "datatype", "source", "tag", "comm")
_REDUCE = ("sendbuf", "recvbuf", "count", "datatype", "op")
_GATHER = ("sendbuf", "sendcount", "sendtype", "recvbuf", "recvcount", "recvtype")
_TESTSOME = ("incount", "array_of_requests", "outcount", "array_of_indices", "array_of_statuses")

#: Parameter names of the calls the pattern rules look into (upper-case keys). Keyword arguments
#: (mpi_f08 style ``request=req``) are mapped through them.
RULE_PARAMS: dict[str, tuple[str, ...]] = {
    **{f"MPI_{mode}SEND": _SEND for mode in ("", "S", "B", "R")},
    "MPI_RECV": (*_RECV, "status"),
    **{f"MPI_I{mode}SEND": (*_SEND, "request") for mode in ("", "S", "B", "R")},
    "MPI_IRECV": (*_RECV, "request"),
    "MPI_SENDRECV": (
        *("sendbuf", "sendcount", "sendtype", "dest", "sendtag"),
        *("recvbuf", "recvcount", "recvtype", "source", "recvtag", "comm", "status"),
    ),
    "MPI_BCAST": ("buffer", "count", "datatype", "root", "comm"),
    "MPI_IBCAST": ("buffer", "count", "datatype", "root", "comm", "request"),
    "MPI_REDUCE": (*_REDUCE, "root", "comm"),
    "MPI_IREDUCE": (*_REDUCE, "root", "comm", "request"),
    "MPI_ALLREDUCE": (*_REDUCE, "comm"),
    "MPI_IALLREDUCE": (*_REDUCE, "comm", "request"),
    "MPI_SCAN": (*_REDUCE, "comm"),
    "MPI_EXSCAN": (*_REDUCE, "comm"),
    "MPI_GATHER": (*_GATHER, "root", "comm"),
    "MPI_SCATTER": (*_GATHER, "root", "comm"),
    "MPI_ALLGATHER": (*_GATHER, "comm"),
    "MPI_ALLTOALL": (*_GATHER, "comm"),
    "MPI_IGATHER": (*_GATHER, "root", "comm", "request"),
    "MPI_IALLGATHER": (*_GATHER, "comm", "request"),
    "MPI_IALLTOALL": (*_GATHER, "comm", "request"),
    "MPI_IBARRIER": ("comm", "request"),
    "MPI_BARRIER": ("comm",),
    "MPI_WAIT": ("request", "status"),
    "MPI_TEST": ("request", "flag", "status"),
    "MPI_REQUEST_FREE": ("request",),
    "MPI_CANCEL": ("request",),
    "MPI_START": ("request",),
    "MPI_WAITALL": ("count", "array_of_requests", "array_of_statuses"),
    "MPI_TESTALL": ("count", "array_of_requests", "flag", "array_of_statuses"),
    "MPI_WAITANY": ("count", "array_of_requests", "index", "status"),
    "MPI_TESTANY": ("count", "array_of_requests", "index", "flag", "status"),
    "MPI_WAITSOME": _TESTSOME,
    "MPI_TESTSOME": _TESTSOME,
    "MPI_STARTALL": ("count", "array_of_requests"),
    "MPI_COMM_RANK": ("comm", "rank"),
    "MPI_COMM_SIZE": ("comm", "size"),
    "MPI_COMM_SPLIT": ("comm", "color", "key", "newcomm"),
    "MPI_COMM_DUP": ("comm", "newcomm"),
    "MPI_COMM_CREATE": ("comm", "group", "newcomm"),
    "MPI_COMM_FREE": ("comm",),
    "MPI_TYPE_CONTIGUOUS": ("count", "oldtype", "newtype"),
    "MPI_TYPE_VECTOR": ("count", "blocklength", "stride", "oldtype", "newtype"),
    "MPI_TYPE_CREATE_HVECTOR": ("count", "blocklength", "stride", "oldtype", "newtype"),
    "MPI_TYPE_INDEXED": ("count", "array_of_blocklengths", "array_of_displacements", "oldtype", "newtype"),
    "MPI_TYPE_CREATE_STRUCT": (
        *("count", "array_of_blocklengths", "array_of_displacements", "array_of_types", "newtype"),
    ),
    "MPI_TYPE_CREATE_SUBARRAY": (
        *("ndims", "array_of_sizes", "array_of_subsizes", "array_of_starts", "order", "oldtype", "newtype"),
    ),
    "MPI_TYPE_CREATE_RESIZED": ("oldtype", "lb", "extent", "newtype"),
    "MPI_TYPE_COMMIT": ("datatype",),
    "MPI_TYPE_FREE": ("datatype",),
    "MPI_INIT_THREAD": ("argc", "argv", "required", "provided"),
}

_GATHERV = ("sendbuf", "sendcount", "sendtype", "recvbuf", "recvcounts", "displs", "recvtype")
_RMA = (
    *("origin_addr", "origin_count", "origin_datatype"),
    *("target_rank", "target_disp", "target_count", "target_datatype"),
)

_EXTRA: dict[str, tuple[str, ...]] = {
    "MPI_INIT": ("argc", "argv"),
    "MPI_FINALIZE": (),
    "MPI_ABORT": ("comm", "errorcode"),
    **{f"MPI_{mode}SEND_INIT": (*_SEND, "request") for mode in ("", "S", "B", "R")},
    "MPI_RECV_INIT": (*_RECV, "request"),
    "MPI_PROBE": ("source", "tag", "comm", "status"),
    "MPI_IPROBE": ("source", "tag", "comm", "flag", "status"),
    "MPI_SENDRECV_REPLACE": (
        *("buf", "count", "datatype", "dest", "sendtag", "source", "recvtag", "comm", "status"),
    ),
    "MPI_GATHERV": (*_GATHERV, "root", "comm"),
    "MPI_SCATTERV": (
        *("sendbuf", "sendcounts", "displs", "sendtype", "recvbuf", "recvcount", "recvtype", "root", "comm"),
    ),
    "MPI_ALLGATHERV": (*_GATHERV, "comm"),
    "MPI_ALLTOALLV": (
        *("sendbuf", "sendcounts", "sdispls", "sendtype", "recvbuf", "recvcounts", "rdispls", "recvtype"),
        "comm",
    ),
    "MPI_REDUCE_SCATTER": ("sendbuf", "recvbuf", "recvcounts", "datatype", "op", "comm"),
    "MPI_REDUCE_SCATTER_BLOCK": ("sendbuf", "recvbuf", "recvcount", "datatype", "op", "comm"),
    "MPI_ISCAN": (*_REDUCE, "comm", "request"),
    "MPI_ISCATTER": (*_GATHER, "root", "comm", "request"),
    "MPI_COMM_GROUP": ("comm", "group"),
    "MPI_GROUP_INCL": ("group", "n", "ranks", "newgroup"),
    "MPI_GROUP_EXCL": ("group", "n", "ranks", "newgroup"),
    "MPI_GROUP_FREE": ("group",),
    "MPI_COMM_CREATE_GROUP": ("comm", "group", "tag", "newcomm"),
    "MPI_COMM_SPLIT_TYPE": ("comm", "split_type", "key", "info", "newcomm"),
    "MPI_COMM_IDUP": ("comm", "newcomm", "request"),
    "MPI_OP_CREATE": ("user_fn", "commute", "op"),
    "MPI_OP_FREE": ("op",),
    "MPI_TYPE_CREATE_HINDEXED": (
        "count",
        "array_of_blocklengths",
        "array_of_displacements",
        "oldtype",
        "newtype",
    ),
    "MPI_TYPE_DUP": ("oldtype", "newtype"),
    "MPI_WIN_CREATE": ("base", "size", "disp_unit", "info", "comm", "win"),
    "MPI_WIN_ALLOCATE": ("size", "disp_unit", "info", "comm", "baseptr", "win"),
    "MPI_WIN_FREE": ("win",),
    "MPI_WIN_FENCE": ("assert", "win"),
    "MPI_WIN_LOCK": ("lock_type", "rank", "assert", "win"),
    "MPI_WIN_UNLOCK": ("rank", "win"),
    "MPI_WIN_LOCK_ALL": ("assert", "win"),
    "MPI_WIN_UNLOCK_ALL": ("win",),
    "MPI_WIN_FLUSH": ("rank", "win"),
    "MPI_WIN_POST": ("group", "assert", "win"),
    "MPI_WIN_START": ("group", "assert", "win"),
    "MPI_WIN_COMPLETE": ("win",),
    "MPI_WIN_WAIT": ("win",),
    "MPI_PUT": (*_RMA, "win"),
    "MPI_GET": (*_RMA, "win"),
    "MPI_ACCUMULATE": (*_RMA, "op", "win"),
}

# Request-based one-sided operations: the blocking form's parameters and a request.
for _k in ("MPI_PUT", "MPI_GET", "MPI_ACCUMULATE"):
    _EXTRA["MPI_R" + _k[4:]] = (*_EXTRA[_k], "request")

#: Parameter names of every call the evaluator understands (upper-case keys).
PARAMS: dict[str, tuple[str, ...]] = {**RULE_PARAMS, **_EXTRA}
#: One-sided communication calls (blocking-form names and request-based ones).
RMA_OPS = frozenset({"MPI_PUT", "MPI_GET", "MPI_ACCUMULATE", "MPI_RPUT", "MPI_RGET", "MPI_RACCUMULATE"})

#: Point-to-point sends and receives (blocking and nonblocking, persistent initialisations).
SENDS = frozenset(
    {"MPI_SEND", "MPI_SSEND", "MPI_BSEND", "MPI_RSEND", "MPI_ISEND", "MPI_ISSEND", "MPI_IBSEND", "MPI_IRSEND"}
)
RECVS = frozenset({"MPI_RECV", "MPI_IRECV"})
PERSISTENT = frozenset(
    {"MPI_SEND_INIT", "MPI_SSEND_INIT", "MPI_BSEND_INIT", "MPI_RSEND_INIT", "MPI_RECV_INIT"}
)
#: Operations that return a request which must later be completed.
NONBLOCKING = frozenset(k for k, v in PARAMS.items() if v and v[-1] == "request" and k not in PERSISTENT) - {
    "MPI_START",
    "MPI_CANCEL",
    "MPI_REQUEST_FREE",
}
#: The nonblocking starts among the calls the pattern rules look into.
RULE_NONBLOCKING = NONBLOCKING & RULE_PARAMS.keys()
#: Calls that complete (or release) a single request.
COMPLETE_ONE = frozenset({"MPI_WAIT", "MPI_TEST", "MPI_REQUEST_FREE"})
#: Calls that complete an array of requests.
COMPLETE_MANY = frozenset(
    {"MPI_WAITALL", "MPI_TESTALL", "MPI_WAITANY", "MPI_TESTANY", "MPI_WAITSOME", "MPI_TESTSOME"}
)
COMPLETIONS = COMPLETE_ONE | COMPLETE_MANY

#: Blocking collectives (and nonblocking ones, matched in the same order per communicator).
COLLECTIVES = frozenset(
    {
        "MPI_BARRIER",
        "MPI_BCAST",
        "MPI_REDUCE",
        "MPI_ALLREDUCE",
        "MPI_GATHER",
        "MPI_GATHERV",
        "MPI_SCATTER",
        "MPI_SCATTERV",
        "MPI_ALLGATHER",
        "MPI_ALLGATHERV",
        "MPI_ALLTOALL",
        "MPI_ALLTOALLV",
        "MPI_SCAN",
        "MPI_EXSCAN",
        "MPI_REDUCE_SCATTER",
        "MPI_REDUCE_SCATTER_BLOCK",
        "MPI_COMM_SPLIT",
        "MPI_COMM_DUP",
        "MPI_COMM_CREATE",
        "MPI_COMM_FREE",
        "MPI_WIN_CREATE",
        "MPI_WIN_ALLOCATE",
        "MPI_WIN_FREE",
        "MPI_WIN_FENCE",
        "MPI_IBARRIER",
        "MPI_IBCAST",
        "MPI_IREDUCE",
        "MPI_IALLREDUCE",
        "MPI_IGATHER",
        "MPI_IALLGATHER",
        "MPI_IALLTOALL",
        "MPI_ISCAN",
        "MPI_ISCATTER",
    }
)
#: Collectives with a root argument.
ROOTED = frozenset(k for k in COLLECTIVES if "root" in PARAMS.get(k, ()))
#: Reductions (an ``op`` argument that must be a predefined or user reduction).
REDUCTIONS = frozenset(k for k in COLLECTIVES if "op" in PARAMS.get(k, ()))

#: Predefined datatypes: name -> (size in bytes, the language types a buffer of it may have). C types
#: are spelled as declared (normalised white space); Fortran types as ``<type><kind>`` (see F_SIZES).
DATATYPES: dict[str, tuple[int, frozenset[str]]] = {
    "MPI_CHAR": (1, frozenset({"char", "signed char"})),
    "MPI_SIGNED_CHAR": (1, frozenset({"signed char", "char"})),
    "MPI_UNSIGNED_CHAR": (1, frozenset({"unsigned char"})),
    "MPI_BYTE": (1, frozenset()),
    "MPI_PACKED": (1, frozenset()),
    "MPI_SHORT": (2, frozenset({"short", "short int"})),
    "MPI_UNSIGNED_SHORT": (2, frozenset({"unsigned short"})),
    "MPI_INT": (4, frozenset({"int", "signed int", "signed"})),
    "MPI_UNSIGNED": (4, frozenset({"unsigned", "unsigned int"})),
    "MPI_LONG": (8, frozenset({"long", "long int", "signed long"})),
    "MPI_UNSIGNED_LONG": (8, frozenset({"unsigned long", "unsigned long int"})),
    "MPI_LONG_LONG": (8, frozenset({"long long", "long long int"})),
    "MPI_LONG_LONG_INT": (8, frozenset({"long long", "long long int"})),
    "MPI_UNSIGNED_LONG_LONG": (8, frozenset({"unsigned long long"})),
    "MPI_FLOAT": (4, frozenset({"float"})),
    "MPI_DOUBLE": (8, frozenset({"double"})),
    "MPI_LONG_DOUBLE": (16, frozenset({"long double"})),
    "MPI_C_BOOL": (1, frozenset({"_Bool", "bool"})),
    "MPI_CXX_BOOL": (1, frozenset({"bool"})),
    "MPI_INT8_T": (1, frozenset({"int8_t"})),
    "MPI_INT16_T": (2, frozenset({"int16_t"})),
    "MPI_INT32_T": (4, frozenset({"int32_t"})),
    "MPI_INT64_T": (8, frozenset({"int64_t"})),
    "MPI_UINT8_T": (1, frozenset({"uint8_t"})),
    "MPI_UINT16_T": (2, frozenset({"uint16_t"})),
    "MPI_UINT32_T": (4, frozenset({"uint32_t"})),
    "MPI_UINT64_T": (8, frozenset({"uint64_t"})),
    "MPI_AINT": (8, frozenset({"MPI_Aint"})),
    "MPI_INTEGER": (4, frozenset({"integer4"})),
    "MPI_INTEGER4": (4, frozenset({"integer4"})),
    "MPI_INTEGER8": (8, frozenset({"integer8"})),
    "MPI_REAL": (4, frozenset({"real4"})),
    "MPI_REAL4": (4, frozenset({"real4"})),
    "MPI_REAL8": (8, frozenset({"real8"})),
    "MPI_DOUBLE_PRECISION": (8, frozenset({"real8"})),
    "MPI_COMPLEX": (8, frozenset({"complex8"})),
    "MPI_DOUBLE_COMPLEX": (16, frozenset({"complex16"})),
    "MPI_COMPLEX16": (16, frozenset({"complex16"})),
    "MPI_LOGICAL": (4, frozenset({"logical"})),
    "MPI_CHARACTER": (1, frozenset({"character"})),
}
#: Character datatypes, used (like MPI_BYTE) to move the raw bytes of any C data.
CHAR_TYPES = frozenset({"MPI_CHAR", "MPI_SIGNED_CHAR", "MPI_UNSIGNED_CHAR"})
#: Pair types for MPI_MINLOC/MPI_MAXLOC.
PAIR_TYPES = frozenset(
    {
        "MPI_FLOAT_INT",
        "MPI_DOUBLE_INT",
        "MPI_LONG_INT",
        "MPI_2INT",
        "MPI_SHORT_INT",
        "MPI_LONG_DOUBLE_INT",
        "MPI_2REAL",
        "MPI_2DOUBLE_PRECISION",
        "MPI_2INTEGER",
    }
)
#: C typedef spellings that are the same type on LP64 platforms.
C_SYNONYMS = {
    "int32_t": "int",
    "uint32_t": "unsigned",
    "int64_t": "long",
    "uint64_t": "unsigned long",
    "int16_t": "short",
    "uint16_t": "unsigned short",
    "int8_t": "signed char",
    "uint8_t": "unsigned char",
    "size_t": "unsigned long",
}

FLOATING = frozenset(
    {"MPI_FLOAT", "MPI_DOUBLE", "MPI_LONG_DOUBLE", "MPI_REAL", "MPI_DOUBLE_PRECISION", "MPI_REAL8"}
)
#: Predefined reduction operations, and the ones that are not allowed on floating-point types.
OPS = frozenset(
    {
        "MPI_SUM",
        "MPI_PROD",
        "MPI_MAX",
        "MPI_MIN",
        "MPI_LAND",
        "MPI_LOR",
        "MPI_LXOR",
        "MPI_BAND",
        "MPI_BOR",
        "MPI_BXOR",
        "MPI_MAXLOC",
        "MPI_MINLOC",
    }
)
BITWISE_OPS = frozenset({"MPI_BAND", "MPI_BOR", "MPI_BXOR"})
LOC_OPS = frozenset({"MPI_MAXLOC", "MPI_MINLOC"})
#: Operations valid only in one-sided accumulates, never in collective reductions.
RMA_ONLY_OPS = frozenset({"MPI_REPLACE", "MPI_NO_OP"})

#: Null handles by kind of parameter.
NULL_HANDLES = {
    "comm": "MPI_COMM_NULL",
    "datatype": "MPI_DATATYPE_NULL",
    "op": "MPI_OP_NULL",
    "group": "MPI_GROUP_NULL",
    "win": "MPI_WIN_NULL",
}
#: Parameters that hold a handle of some kind.
HANDLE_PARAMS = {
    "comm": "comm",
    "datatype": "datatype",
    "sendtype": "datatype",
    "recvtype": "datatype",
    "oldtype": "datatype",
    "origin_datatype": "datatype",
    "target_datatype": "datatype",
    "op": "op",
    "win": "win",
}
#: Output parameters that must be valid pointers (never NULL).
OUT_POINTERS = frozenset(
    {"request", "flag", "newcomm", "newtype", "newgroup", "win", "rank", "size", "index", "outcount"}
)
#: Buffer parameters and the count/datatype that describe them.
BUFFERS = (
    ("buf", "count", "datatype"),
    ("buffer", "count", "datatype"),
    ("sendbuf", "count", "datatype"),
    ("recvbuf", "count", "datatype"),
    ("sendbuf", "sendcount", "sendtype"),
    ("recvbuf", "recvcount", "recvtype"),
    ("origin_addr", "origin_count", "origin_datatype"),
)
#: The buffer triples of the calls the pattern rules look into.
RULE_BUFFERS = tuple(t for t in BUFFERS if any(set(t) <= set(p) for p in RULE_PARAMS.values()))
#: Special buffer addresses that are not NULL pointers.
SPECIAL_BUFFERS = frozenset({"MPI_IN_PLACE", "MPI_BOTTOM"})
#: Wildcards and special ranks.
ANY_SOURCE, ANY_TAG, PROC_NULL = "MPI_ANY_SOURCE", "MPI_ANY_TAG", "MPI_PROC_NULL"
#: The smallest tag upper bound the standard guarantees (MPI_TAG_UB is at least this).
TAG_UB_MIN = 32767
#: Element sizes of Fortran types, by the names the datatype table uses.
F_SIZES = {
    "integer4": 4,
    "integer8": 8,
    "real4": 4,
    "real8": 8,
    "complex8": 8,
    "complex16": 16,
    "logical": 4,
    "character": 1,
}
#: The datatypes by the language of their buffers: MPI datatype -> accepted C or Fortran types.
F_DATATYPES = {k: types for k, (_, types) in DATATYPES.items() if types and types <= F_SIZES.keys()}
C_DATATYPES = {k: types for k, (_, types) in DATATYPES.items() if types and k not in F_DATATYPES}
