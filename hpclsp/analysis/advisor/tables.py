"""The advisor's fixed facts: thresholds, side-effect tables of library calls, conditional node kinds, reduction operators."""

from __future__ import annotations

#: A loop whose constant trip count is at most this is not worth a parallel region.
SMALL_TRIP = 16
#: Fortran free-form line limit (directives longer than this are continued with ``&``).
F_FREE_LIMIT = 132
F_FIXED_LIMIT = 72

#: C library functions without side effects on shared state (math and pure helpers).
C_PURE = frozenset(
    """sqrt sqrtf sqrtl cbrt exp expf exp2 expm1 log logf log2 log10 log1p pow powf sin sinf cos cosf tan tanf
    asin acos atan atan2 sinh cosh tanh asinh acosh atanh fabs fabsf fabsl abs labs llabs floor floorf ceil ceilf
    round roundf lround trunc fmod fmodf fmax fmaxf fmin fminf fma hypot erf erfc tgamma lgamma copysign
    isnan isinf isfinite signbit nearbyint rint ldexp frexp min max MIN MAX
    static_cast const_cast reinterpret_cast""".split()
)
#: C calls that do I/O.
C_IO = frozenset(
    """printf fprintf sprintf snprintf puts fputs putchar fputc putc scanf fscanf sscanf fopen fclose fread fwrite
    fgets getchar getc fgetc fflush perror write read open close vprintf vfprintf getline fseek ftell rewind
    remove rename tmpfile""".split()
)
#: C calls with hidden state (random generators, allocation, time, process control).
C_HIDDEN = frozenset("""time clock exit abort strtok getenv setenv system sleep usleep""".split())
#: Random-number generators: each call advances one hidden, shared state.
C_RANDOM = frozenset("rand srand random srandom drand48 erand48 lrand48 mrand48 srand48 rand_r".split())
#: Allocation: malloc/free on shared structures (see the local-pointer exemption in cxx.py).
#: OpenMP lock routines that only order the threads: the loop keeps them, and they touch no program
#: data besides the lock (``omp_test_lock`` is left out: its result depends on the timing)
OMP_LOCK_SET = frozenset({"omp_set_lock", "omp_set_nest_lock"})
OMP_LOCK_UNSET = frozenset({"omp_unset_lock", "omp_unset_nest_lock"})

C_ALLOC = frozenset("malloc calloc realloc free aligned_alloc posix_memalign".split())
#: Standard streams of C++ (``std::cout << x`` is I/O).
CXX_STREAMS = frozenset("cout cerr clog cin wcout wcerr wclog wcin".split())
#: Member functions of the standard library that do not change the object they are called on.
CXX_CONST_MEMBERS = frozenset(
    """size length empty cbegin cend find count c_str real imag capacity max_size contains""".split()
)
#: Member functions returning a reference to an element: harmless when only read (``s += v.at(i)``).
CXX_ELEMENT_MEMBERS = frozenset("at front back data operator[]".split())
#: Built-in arithmetic types (an operator on a variable of another type may be an overloaded call).
CXX_BUILTIN_TYPES = frozenset(
    """int long short char float double bool unsigned signed size_t ptrdiff_t int8_t int16_t int32_t int64_t
    uint8_t uint16_t uint32_t uint64_t auto void""".split()
)
#: Fortran statements that do I/O.
F_IO_NODES = frozenset(
    {
        "print_statement",
        "write_statement",
        "read_statement",
        "open_statement",
        "close_statement",
        "inquire_statement",
        "backspace_statement",
        "rewind_statement",
        "flush_statement",
    }
)
#: Fortran intrinsics with side effects.
F_IMPURE_INTRINSICS = frozenset(
    {
        "random_number",
        "random_seed",
        "cpu_time",
        "system_clock",
        "date_and_time",
        "execute_command_line",
        "get_command_argument",
    }
)

C_CONDITIONAL_NODES = frozenset(
    {
        "if_statement",
        "conditional_expression",
        "switch_statement",
        "case_statement",
        "for_statement",
        "while_statement",
        "do_statement",
        "for_range_loop",
        "else_clause",
    }
)
F_CONDITIONAL_NODES = frozenset(
    {
        "if_statement",
        "elseif_clause",
        "else_clause",
        "do_loop",
        "where_statement",
        "select_case_statement",
        "case_statement",
        "block_construct",
    }
)
