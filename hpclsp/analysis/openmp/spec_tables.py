"""OpenMP 5.2 facts as data: keyword vocabularies, clauses, and the directives with their clauses.

This module exists so that the spec is written down once, as data and nothing else: every
OpenMP-aware part of hpclsp (the directive parser, the directive rules, completion, the race
checker) asks ``spec`` for these facts instead of hard-coding names, and ``spec`` builds its
per-language lookups from the rows below. Names are canonical: lower case, words separated by one
space, C spelling (``for``; Fortran's ``do`` is derived). Combined and composite directives are
listed as tuples of leaves; ``atomic`` is one directive whose ``read``/``write``/``update``/
``capture``/``compare`` forms are clauses (as in OpenMP 5.2), ``cancel parallel`` is ``cancel``
with the construct-type clause ``parallel``.
"""

from __future__ import annotations

from hpclsp.analysis.openmp.spec_types import ArgKind, ClauseInfo, DirectiveKind, EndKind
from hpclsp.analysis.openmp.spec_types import make_clause as _ci

# --------------------------------------------------------------------------------------------
# Keyword vocabularies
# --------------------------------------------------------------------------------------------

MEMORY_ORDERS = ("seq_cst", "acq_rel", "release", "acquire", "relaxed")
SCHEDULE_KINDS = frozenset({"static", "dynamic", "guided", "auto", "runtime"})
SCHEDULE_MODIFIERS = frozenset({"monotonic", "nonmonotonic", "simd"})
DEFAULT_KINDS = frozenset({"shared", "none", "private", "firstprivate"})
PROC_BIND_KINDS = frozenset({"primary", "master", "close", "spread"})
MAP_TYPES = frozenset({"to", "from", "tofrom", "alloc", "release", "delete"})
MAP_TYPE_MODIFIERS = frozenset({"always", "close", "present", "mapper", "iterator", "ompx_hold"})
MOTION_MODIFIERS = frozenset({"present", "mapper", "iterator"})
DEPEND_TYPES = frozenset({"in", "out", "inout", "mutexinoutset", "inoutset", "depobj", "source", "sink"})
DOACROSS_TYPES = frozenset({"source", "sink"})
DEFAULTMAP_BEHAVIORS = frozenset(
    {"alloc", "to", "from", "tofrom", "firstprivate", "none", "default", "present"}
)
DEFAULTMAP_CATEGORIES = frozenset({"scalar", "aggregate", "pointer", "allocatable", "all"})
ORDER_KINDS = frozenset({"concurrent"})
ORDER_MODIFIERS = frozenset({"reproducible", "unconstrained"})
BIND_KINDS = frozenset({"teams", "parallel", "thread"})
DEVICE_TYPES = frozenset({"host", "nohost", "any"})
LINEAR_MODIFIERS = frozenset({"val", "ref", "uval", "step"})
REDUCTION_MODIFIERS = frozenset({"inscan", "task", "default"})
#: The requirement clauses of ``requires`` that take no argument, with what each one requires.
REQUIREMENTS = {
    "reverse_offload": "reverse offloading",
    "unified_address": "unified addresses",
    "unified_shared_memory": "unified shared memory",
    "dynamic_allocators": "allocators usable in target regions",
}
#: The construct-type clauses of ``cancel`` and ``cancellation point`` (``for`` in C, ``do`` in Fortran).
CANCEL_CONSTRUCT_TYPES = frozenset({"parallel", "sections", "for", "do", "taskgroup"})
#: Directive-name modifiers accepted by ``if(modifier: ...)``.
IF_MODIFIERS = frozenset(
    {
        "parallel", "simd", "task", "taskloop", "target", "target data", "target enter data",
        "target exit data", "target update", "cancel", "teams",
    }
)  # fmt: skip

# --------------------------------------------------------------------------------------------
# Clauses
# --------------------------------------------------------------------------------------------

# One row per clause (long rows are kept on one line so the table reads as a table).
# fmt: off
CLAUSE_TABLE: list[ClauseInfo] = [
    # data-sharing and data-copying
    _ci("private", "list", "Each thread/task gets its own uninitialised copy of the listed variables."),
    _ci("firstprivate", "list", "Private copies initialised from the original variables."),
    _ci("lastprivate", "mod_list", "Private copies; the value from the sequentially last iteration/section is copied back.", modifiers=("conditional",)),
    _ci("shared", "list", "The listed variables are shared by all threads/tasks."),
    _ci("default", "keyword", "Default data-sharing attribute of referenced variables.", unique=True, kinds=tuple(DEFAULT_KINDS)),
    _ci("reduction", "mod_list", "Private copies combined with an operator at the end of the region.", modifiers=tuple(REDUCTION_MODIFIERS)),
    _ci("in_reduction", "mod_list", "The task participates in an enclosing task reduction."),
    _ci("task_reduction", "mod_list", "Declares a reduction over the tasks of a taskgroup."),
    _ci("linear", "list_step", "Private copies whose value is linear in the iteration number.", modifiers=tuple(LINEAR_MODIFIERS)),
    _ci("copyin", "list", "Copy the primary thread's threadprivate values into each thread."),
    _ci("copyprivate", "list", "Broadcast the single thread's private values to the other threads."),
    _ci("allocate", "mod_list", "Allocator used for the private copies of the listed variables.", modifiers=("allocator", "align")),
    # loop scheduling and shape
    _ci("schedule", "kind_expr", "How loop iterations are divided among threads.", unique=True, kinds=tuple(SCHEDULE_KINDS), modifiers=tuple(SCHEDULE_MODIFIERS)),
    _ci("dist_schedule", "kind_expr", "How loop iterations are divided among teams.", unique=True, kinds=("static",)),
    _ci("collapse", "expr", "Associate the next n perfectly nested loops with the construct.", unique=True),
    _ci("ordered", "expr", "The loop has ordered regions (or n doacross loops).", unique=True, args="optional"),
    _ci("nowait", "none", "Do not wait at the implicit barrier at the end of the construct."),
    _ci("order", "mod_keyword", "Iterations may execute in any order (concurrent).", unique=True, kinds=tuple(ORDER_KINDS), modifiers=tuple(ORDER_MODIFIERS)),
    _ci("bind", "keyword", "Binding region of a loop construct.", unique=True, kinds=tuple(BIND_KINDS)),
    _ci("safelen", "expr", "Maximum distance between iterations executed concurrently by SIMD.", unique=True),
    _ci("simdlen", "expr", "Preferred number of iterations executed concurrently by SIMD.", unique=True),
    _ci("aligned", "list_step", "The listed pointers/arrays are aligned to the given byte boundary."),
    _ci("nontemporal", "list", "Accesses to the listed variables have no temporal locality."),
    _ci("sizes", "exprlist", "Tile sizes of a tile construct.", unique=True),
    _ci("full", "none", "Fully unroll the loop."),
    _ci("partial", "expr", "Partially unroll the loop by a factor.", unique=True, args="optional"),
    # parallel / teams
    _ci("if", "mod_expr", "Execute the construct (or its named leaf) only when the condition holds.", modifiers=tuple(IF_MODIFIERS)),
    _ci("num_threads", "expr", "Number of threads of the parallel region.", unique=True),
    _ci("proc_bind", "keyword", "Thread affinity policy.", unique=True, kinds=tuple(PROC_BIND_KINDS)),
    _ci("num_teams", "expr", "Number of teams of the league.", unique=True),
    _ci("thread_limit", "expr", "Upper bound on the threads in each team.", unique=True),
    _ci("filter", "expr", "Thread number that executes the masked region.", unique=True),
    # tasking
    _ci("final", "expr", "Generated tasks are final when the condition holds.", unique=True),
    _ci("untied", "none", "The task may be resumed by any thread."),
    _ci("mergeable", "none", "The task may share the data environment of its generator."),
    _ci("priority", "expr", "Scheduling priority hint of the task.", unique=True),
    _ci("depend", "mod_list", "Task dependences on the listed storage locations.", kinds=tuple(DEPEND_TYPES), modifiers=("iterator",)),
    _ci("doacross", "mod_list", "Cross-iteration dependences of an ordered loop.", kinds=tuple(DOACROSS_TYPES)),
    _ci("affinity", "mod_list", "Hint that the task should run near the listed data.", modifiers=("iterator",)),
    _ci("detach", "expr", "The task completes when the event handle is fulfilled.", unique=True),
    _ci("grainsize", "mod_expr", "Number of iterations per generated task.", unique=True, modifiers=("strict",)),
    _ci("num_tasks", "mod_expr", "Number of tasks generated by the taskloop.", unique=True, modifiers=("strict",)),
    _ci("nogroup", "none", "No implicit taskgroup around the taskloop."),
    # device
    _ci("device", "mod_expr", "Device that executes the construct.", unique=True, modifiers=("ancestor", "device_num")),
    _ci("map", "mod_list", "Map variables between the host and the device data environment.", kinds=tuple(MAP_TYPES), modifiers=tuple(MAP_TYPE_MODIFIERS)),
    _ci("defaultmap", "mod_keyword", "Implicit data-mapping attribute per variable category.", kinds=tuple(DEFAULTMAP_BEHAVIORS), modifiers=tuple(DEFAULTMAP_CATEGORIES)),
    _ci("is_device_ptr", "list", "The listed pointers hold device addresses."),
    _ci("has_device_addr", "list", "The listed variables already have device addresses."),
    _ci("use_device_ptr", "list", "Use the device address of the listed pointers inside the region."),
    _ci("use_device_addr", "list", "Use the device address of the listed variables inside the region."),
    _ci("to", "mod_list", "Copy to the device (target update) / declare for the device (declare target).", modifiers=tuple(MOTION_MODIFIERS)),
    _ci("from", "mod_list", "Copy from the device (target update).", modifiers=tuple(MOTION_MODIFIERS)),
    _ci("enter", "list", "Declare the listed procedures/variables for the device."),
    _ci("link", "list", "Map the listed variables on demand (declare target)."),
    _ci("device_type", "keyword", "Which devices a declare target applies to.", unique=True, kinds=tuple(DEVICE_TYPES)),
    _ci("indirect", "expr", "Procedures may be called through function pointers on the device.", unique=True, args="optional"),
    _ci("uses_allocators", "raw", "Allocators usable in the target region."),
    _ci("allocator", "expr", "Allocator of an allocate directive.", unique=True),
    _ci("align", "expr", "Byte alignment of an allocate directive.", unique=True),
    # synchronisation, atomics, memory order
    _ci("read", "none", "Atomic read."),
    _ci("write", "none", "Atomic write."),
    _ci("update", "keyword", "Atomic update; on depobj, change the dependence type.", unique=True, args="optional", kinds=tuple(DEPEND_TYPES - {"source", "sink", "depobj"})),
    _ci("capture", "none", "Atomic update that also captures the old or new value."),
    _ci("compare", "none", "Atomic conditional update."),
    _ci("fail", "keyword", "Memory order of a failed atomic compare.", unique=True, kinds=("seq_cst", "acquire", "relaxed")),
    _ci("weak", "none", "The atomic compare may fail spuriously."),
    *[_ci(m, "none", f"{m} memory ordering.") for m in MEMORY_ORDERS],
    _ci("hint", "expr", "Synchronisation hint (omp_sync_hint_*).", unique=True),
    _ci("threads", "none", "Ordered region with respect to threads."),
    _ci("simd", "none", "Ordered region with respect to SIMD lanes."),
    # cancellation construct types
    _ci("parallel", "none", "Cancel the innermost parallel region."),
    _ci("sections", "none", "Cancel the innermost sections region."),
    _ci("for", "none", "Cancel the innermost worksharing-loop region.", languages=("c",)),
    _ci("do", "none", "Cancel the innermost worksharing-loop region.", languages=("fortran",)),
    _ci("taskgroup", "none", "Cancel the tasks of the innermost taskgroup."),
    # declare simd / declare reduction / declare variant
    _ci("uniform", "list", "The listed arguments are the same for all SIMD lanes."),
    _ci("inbranch", "none", "The SIMD version is always called from inside a conditional."),
    _ci("notinbranch", "none", "The SIMD version is never called from inside a conditional."),
    _ci("initializer", "raw", "Initialiser of the private copies of a user-defined reduction.", unique=True),
    _ci("match", "raw", "Context selector of a declare variant.", unique=True),
    _ci("adjust_args", "raw", "How arguments are adjusted when calling the variant."),
    _ci("append_args", "raw", "Interop arguments appended when calling the variant.", unique=True),
    # requires
    *[_ci(r, "none", f"Requires {what}.") for r, what in REQUIREMENTS.items()],
    _ci("atomic_default_mem_order", "keyword", "Default memory order of atomic constructs.", unique=True, kinds=MEMORY_ORDERS),
    # scan
    _ci("inclusive", "list", "Inclusive scan of the listed reduction variables.", unique=True),
    _ci("exclusive", "list", "Exclusive scan of the listed reduction variables.", unique=True),
    # depobj, interop, dispatch
    _ci("destroy", "expr", "Destroy a depend or interop object.", unique=True, args="optional"),
    _ci("init", "raw", "Initialise an interop object."),
    _ci("use", "expr", "Use an interop object."),
    _ci("interop", "list", "Interop objects passed to a dispatched call.", unique=True),
    _ci("novariants", "expr", "Do not call a variant when the condition holds.", unique=True),
    _ci("nocontext", "expr", "Do not add the dispatch context when the condition holds.", unique=True),
    # error
    _ci("at", "keyword", "When the error directive takes effect.", unique=True, kinds=("compilation", "execution")),
    _ci("severity", "keyword", "Severity of the error directive.", unique=True, kinds=("fatal", "warning")),
    _ci("message", "expr", "Message of the error directive.", unique=True),
    # assume / assumes
    _ci("absent", "raw", "Directives that do not appear in the region.", unique=True),
    _ci("contains", "raw", "Directives that are likely to appear in the region.", unique=True),
    _ci("holds", "expr", "An expression that holds throughout the region."),
    _ci("no_openmp", "none", "No OpenMP code is executed in the region."),
    _ci("no_openmp_routines", "none", "No OpenMP routines are called in the region."),
    _ci("no_parallelism", "none", "No parallelism is introduced in the region."),
    # metadirective
    _ci("when", "raw", "A context selector and the directive variant to use when it matches."),
    _ci("otherwise", "raw", "The directive variant used when no when clause matches.", unique=True, args="optional"),
]
# fmt: on

#: Clauses that set a data-sharing attribute (OpenMP 5.2 §5.4 and the reduction clauses of §5.5).
DATA_SHARING_CLAUSES = frozenset(
    {"default", "shared", "private", "firstprivate", "lastprivate", "linear", "reduction", "in_reduction",
     "task_reduction"}
)  # fmt: skip
#: Clauses whose list items get a new (private) storage per thread/task/lane.
PRIVATIZING_CLAUSES = frozenset({"private", "firstprivate", "lastprivate", "linear"})
REDUCTION_CLAUSES = frozenset({"reduction", "in_reduction", "task_reduction"})
#: Data-copying clauses (§5.7): not data-sharing, but they name variables.
DATA_COPYING_CLAUSES = frozenset({"copyin", "copyprivate"})

# --------------------------------------------------------------------------------------------
# Directives
# --------------------------------------------------------------------------------------------

_MO = set(MEMORY_ORDERS)

#: Leaf directives with their C/C++ clause sets (``for``); Fortran ``do`` is derived.
LEAVES: dict[str, tuple[DirectiveKind, set[str], str]] = {
    "parallel": (
        "block",
        {
            "if",
            "num_threads",
            "default",
            "private",
            "firstprivate",
            "shared",
            "copyin",
            "reduction",
            "proc_bind",
            "allocate",
        },
        "Start a team of threads that all execute the region.",
    ),  # fmt: skip
    "for": (
        "loop",
        {
            "private",
            "firstprivate",
            "lastprivate",
            "linear",
            "reduction",
            "schedule",
            "collapse",
            "ordered",
            "nowait",
            "allocate",
            "order",
        },
        "Divide the iterations of the following loop among the threads of the team.",
    ),  # fmt: skip
    "sections": (
        "block",
        {"private", "firstprivate", "lastprivate", "reduction", "allocate", "nowait"},
        "Each section block is executed once by one thread of the team.",
    ),
    "section": ("subsidiary", set(), "One structured block of a sections construct."),
    "single": (
        "block",
        {"private", "firstprivate", "copyprivate", "allocate", "nowait"},
        "The block is executed by one thread of the team.",
    ),
    "workshare": ("block", {"nowait"}, "Divide the work of array statements among the team (Fortran)."),
    "scope": (
        "block",
        {"private", "firstprivate", "reduction", "allocate", "nowait"},
        "A structured block executed by all threads with its own data environment.",
    ),
    "simd": (
        "loop",
        {
            "if",
            "safelen",
            "simdlen",
            "linear",
            "aligned",
            "nontemporal",
            "private",
            "lastprivate",
            "reduction",
            "collapse",
            "order",
        },
        "Execute the iterations of the loop with SIMD instructions.",
    ),  # fmt: skip
    "loop": (
        "loop",
        {"bind", "collapse", "order", "private", "lastprivate", "reduction"},
        "The iterations of the loop may execute concurrently.",
    ),
    "distribute": (
        "loop",
        {"private", "firstprivate", "lastprivate", "collapse", "dist_schedule", "allocate", "order"},
        "Divide the iterations of the loop among the teams of the league.",
    ),
    "teams": (
        "block",
        {
            "num_teams",
            "thread_limit",
            "default",
            "private",
            "firstprivate",
            "shared",
            "reduction",
            "allocate",
            "if",
        },
        "Create a league of teams whose initial threads execute the region.",
    ),
    "task": (
        "block",
        {
            "if",
            "final",
            "untied",
            "default",
            "mergeable",
            "private",
            "firstprivate",
            "shared",
            "in_reduction",
            "depend",
            "priority",
            "allocate",
            "affinity",
            "detach",
        },
        "Create an explicit task from the block.",
    ),  # fmt: skip
    "taskloop": (
        "loop",
        {
            "if",
            "shared",
            "private",
            "firstprivate",
            "lastprivate",
            "reduction",
            "in_reduction",
            "default",
            "grainsize",
            "num_tasks",
            "collapse",
            "final",
            "priority",
            "untied",
            "mergeable",
            "nogroup",
            "allocate",
        },
        "Divide the iterations of the loop into explicit tasks.",
    ),  # fmt: skip
    "target": (
        "block",
        {
            "if",
            "device",
            "thread_limit",
            "private",
            "firstprivate",
            "in_reduction",
            "map",
            "is_device_ptr",
            "has_device_addr",
            "defaultmap",
            "nowait",
            "depend",
            "allocate",
            "uses_allocators",
        },
        "Offload the region to a device.",
    ),  # fmt: skip
    "masked": (
        "block",
        {"filter"},
        "The block is executed only by the filtered thread (primary by default).",
    ),
    "master": ("block", set(), "The block is executed only by the primary thread (deprecated: use masked)."),
}

#: Combined/composite directives as tuples of leaves (C spelling).
COMBINED: list[tuple[str, ...]] = [
    ("parallel", "for"),
    ("parallel", "for", "simd"),
    ("parallel", "sections"),
    ("parallel", "workshare"),
    ("parallel", "loop"),
    ("parallel", "masked"),
    ("parallel", "master"),
    ("parallel", "masked", "taskloop"),
    ("parallel", "masked", "taskloop", "simd"),
    ("parallel", "master", "taskloop"),
    ("parallel", "master", "taskloop", "simd"),
    ("for", "simd"),
    ("taskloop", "simd"),
    ("masked", "taskloop"),
    ("masked", "taskloop", "simd"),
    ("master", "taskloop"),
    ("master", "taskloop", "simd"),
    ("distribute", "simd"),
    ("distribute", "parallel", "for"),
    ("distribute", "parallel", "for", "simd"),
    ("teams", "distribute"),
    ("teams", "distribute", "simd"),
    ("teams", "distribute", "parallel", "for"),
    ("teams", "distribute", "parallel", "for", "simd"),
    ("teams", "loop"),
    ("target", "parallel"),
    ("target", "parallel", "for"),
    ("target", "parallel", "for", "simd"),
    ("target", "parallel", "loop"),
    ("target", "simd"),
    ("target", "teams"),
    ("target", "teams", "distribute"),
    ("target", "teams", "distribute", "simd"),
    ("target", "teams", "distribute", "parallel", "for"),
    ("target", "teams", "distribute", "parallel", "for", "simd"),
    ("target", "teams", "loop"),
]

#: Directives that are not constructs with leaves: (name, kind, clauses, end, argument, summary).
OTHER_DIRECTIVES: list[tuple[str, DirectiveKind, set[str], EndKind, ArgKind, str]] = [
    (
        "critical",
        "block",
        {"hint"},
        "required",
        "optional",
        "Mutual exclusion: one thread at a time per name.",
    ),
    ("barrier", "standalone", set(), "none", "none", "Wait until every thread of the team arrives."),
    ("taskwait", "standalone", {"depend", "nowait"}, "none", "none", "Wait for the child tasks to complete."),
    (
        "taskgroup",
        "block",
        {"task_reduction", "allocate"},
        "required",
        "none",
        "Wait for all tasks created in the block and their descendants.",
    ),  # fmt: skip
    ("taskyield", "standalone", set(), "none", "none", "The current task may be suspended here."),
    (
        "flush",
        "standalone",
        {"seq_cst", "acq_rel", "release", "acquire"},
        "none",
        "optional",
        "Make this thread's view of memory consistent (a memory fence).",
    ),  # fmt: skip
    (
        "atomic",
        "block",
        {"read", "write", "update", "capture", "compare", "fail", "weak", "hint", *_MO},
        "optional",
        "none",
        "The following memory update is performed atomically.",
    ),  # fmt: skip
    (
        "ordered",
        "block",
        {"threads", "simd", "depend", "doacross"},
        "required",
        "none",
        "Execute the block in loop-iteration order, or declare a doacross dependence.",
    ),  # fmt: skip
    (
        "cancel",
        "standalone",
        {*CANCEL_CONSTRUCT_TYPES, "if"},
        "none",
        "none",
        "Request cancellation of the innermost enclosing region of the given type.",
    ),  # fmt: skip
    (
        "cancellation point",
        "standalone",
        set(CANCEL_CONSTRUCT_TYPES),
        "none",
        "none",
        "A point where cancellation requests are checked.",
    ),  # fmt: skip
    (
        "threadprivate",
        "declarative",
        set(),
        "none",
        "required",
        "Each thread keeps its own copy of the listed global variables.",
    ),  # fmt: skip
    ("declare reduction", "declarative", {"initializer"}, "none", "required", "Define a user reduction."),
    (
        "declare simd",
        "declarative",
        {"simdlen", "linear", "aligned", "uniform", "inbranch", "notinbranch"},
        "none",
        "optional",
        "Create SIMD versions of a function.",
    ),  # fmt: skip
    (
        "declare target",
        "declarative",
        {"to", "enter", "link", "device_type", "indirect"},
        "none",
        "optional",
        "Make functions and variables available on the device.",
    ),  # fmt: skip
    ("declare mapper", "declarative", {"map"}, "none", "required", "Define a user mapper for a type."),
    (
        "declare variant",
        "declarative",
        {"match", "adjust_args", "append_args"},
        "none",
        "required",
        "Declare a variant of a base function for a context.",
    ),  # fmt: skip
    (
        "requires",
        "informational",
        {*REQUIREMENTS, "atomic_default_mem_order"},
        "none",
        "none",
        "Features the implementation must support for this compilation unit.",
    ),  # fmt: skip
    (
        "allocate",
        "declarative",
        {"allocator", "align"},
        "none",
        "required",
        "Allocator used for the listed variables.",
    ),  # fmt: skip
    (
        "allocators",
        "block",
        {"allocate"},
        "optional",
        "none",
        "Allocators used by the following ALLOCATE statement.",
    ),
    (
        "scan",
        "subsidiary",
        {"inclusive", "exclusive"},
        "none",
        "none",
        "Separates the input and scan phases of an inscan reduction loop.",
    ),  # fmt: skip
    (
        "depobj",
        "standalone",
        {"depend", "destroy", "update"},
        "none",
        "required",
        "Initialise/update a depend object.",
    ),
    (
        "target data",
        "block",
        {"if", "device", "map", "use_device_ptr", "use_device_addr"},
        "required",
        "none",
        "Map variables to a device for the extent of the block.",
    ),  # fmt: skip
    (
        "target enter data",
        "standalone",
        {"if", "device", "map", "depend", "nowait"},
        "none",
        "none",
        "Map variables to a device.",
    ),  # fmt: skip
    (
        "target exit data",
        "standalone",
        {"if", "device", "map", "depend", "nowait"},
        "none",
        "none",
        "Unmap variables from a device.",
    ),  # fmt: skip
    (
        "target update",
        "standalone",
        {"if", "device", "to", "from", "depend", "nowait"},
        "none",
        "none",
        "Make host and device copies consistent.",
    ),  # fmt: skip
    ("error", "utility", {"at", "severity", "message"}, "none", "none", "Report an error or warning."),
    ("nothing", "utility", set(), "none", "none", "Does nothing (useful in metadirectives)."),
    (
        "assume",
        "informational",
        {"absent", "contains", "holds", "no_openmp", "no_openmp_routines", "no_parallelism"},
        "required",
        "none",
        "Assumptions that hold in the block.",
    ),  # fmt: skip
    (
        "assumes",
        "informational",
        {"absent", "contains", "holds", "no_openmp", "no_openmp_routines", "no_parallelism"},
        "none",
        "none",
        "Assumptions for the compilation unit.",
    ),  # fmt: skip
    (
        "metadirective",
        "meta",
        {"when", "otherwise", "default"},
        "none",
        "none",
        "Choose a directive variant depending on the context.",
    ),  # fmt: skip
    (
        "interop",
        "standalone",
        {"init", "use", "destroy", "depend", "nowait", "device"},
        "none",
        "none",
        "Create, use or destroy an interop object.",
    ),  # fmt: skip
    (
        "dispatch",
        "block",
        {
            "device",
            "depend",
            "nowait",
            "novariants",
            "nocontext",
            "is_device_ptr",
            "has_device_addr",
            "interop",
        },
        "optional",
        "none",
        "Dispatch the following call to a variant.",
    ),  # fmt: skip
    ("tile", "loop", {"sizes"}, "optional", "none", "Tile the following loop nest."),
    ("unroll", "loop", {"full", "partial"}, "optional", "none", "Unroll the following loop."),
]

#: C-only paired directives (``begin``/``end`` forms in C/C++).
C_PAIRED = [
    ("begin declare target", {"device_type", "indirect"}, "Start a region of declarations for the device."),
    ("end declare target", set(), "End a declare target region."),
    ("begin declare variant", {"match"}, "Start a region of variant function definitions."),
    ("end declare variant", set(), "End a begin declare variant region."),
    (
        "begin assumes",
        {"absent", "contains", "holds", "no_openmp", "no_openmp_routines", "no_parallelism"},
        "Start a region of assumptions.",
    ),  # fmt: skip
    ("end assumes", set(), "End a begin assumes region."),
    (
        "begin metadirective",
        {"when", "otherwise", "default"},
        "Start a metadirective that applies to a block.",
    ),
    ("end metadirective", set(), "End a begin metadirective block."),
]

#: Fortran-only leaves and directives.
FORTRAN_ONLY = frozenset({"workshare", "allocators"})
