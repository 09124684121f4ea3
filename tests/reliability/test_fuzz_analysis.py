"""Fuzzing the directive parser and every rule with token soup (hypothesis, bounded time).

A rule that raises is caught by the engine and reported in ``Result.errors``; here that counts
as a failure, so the fuzzer finds crashing rules before users do.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hpclsp.analysis import engine
from hpclsp.analysis.context import Options
from hpclsp.analysis.openmp.scanner import parse_directives
from hpclsp.analysis.source import SourceFile

C_TOKENS = [
    "#pragma omp parallel for",
    "#pragma omp",
    " private(",
    " shared(",
    " reduction(+:",
    " reduction(max:",
    "nowait",
    " collapse(2)",
    " schedule(dynamic,",
    "#pragma omp task depend(in:",
    "#pragma omp barrier",
    "#pragma omp critical",
    "#pragma omp atomic",
    "#pragma omp single",
    "#pragma omp target map(tofrom:",
    "#pragma omp simd safelen(",
    "for (int i = 0; i < n; i++)",
    "for (j = 1; j <= m; j += 2)",
    "while (k < n)",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ";",
    "a[i]",
    "a[i+1]",
    "a[idx[i]]",
    "b[2*i]",
    "s += ",
    "s = s * ",
    "x",
    "t",
    "= ",
    "== ",
    "++",
    "--",
    "&",
    "*p",
    "int ",
    "double ",
    "static ",
    "float *",
    "return ",
    "if (i % 2) ",
    "else ",
    "\n",
    "\n",
    " ",
    "\\\n",
    "/*",
    "*/",
    "//",
    "MPI_Isend(&buf, 1, MPI_INT, dest, 0, MPI_COMM_WORLD, &req);",
    "MPI_Wait(&req, MPI_STATUS_IGNORE);",
    "MPI_Init(&argc, &argv);",
    "MPI_Finalize();",
    "MPI_Barrier(MPI_COMM_WORLD);",
    "if (rank == 0) ",
    "__global__ void k(float *a) ",
    "__shared__ float s[256];",
    "__syncthreads();",
    "threadIdx.x",
    "<<<1, 256>>>",
    "cudaMemcpy(d, h, n, cudaMemcpyHostToDevice);",
    "cudaMalloc(&d, n);",
    "omp_set_lock(&l);",
    "void f(int n, double *a) ",
]
F_TOKENS = [
    "!$omp parallel do",
    "!$omp end parallel do",
    "!$omp parallel",
    "!$omp end parallel",
    "!$omp do",
    "!$omp end do",
    "!$omp& ",
    " &",
    "private(",
    "reduction(+:",
    "reduction(max:",
    "shared(",
    ")",
    "(",
    "nowait",
    "!$omp critical",
    "!$omp end critical",
    "!$omp atomic",
    "!$omp single",
    "!$omp end single",
    "!$omp workshare",
    "!$omp end workshare",
    "!$omp task depend(out:",
    "!$omp taskwait",
    "do i = 1, n",
    "do j = 2, m, 2",
    "do concurrent (i = 1:n)",
    "end do",
    "a(i) = ",
    "a(i+1)",
    "a(idx(i))",
    "s = s + ",
    "x = ",
    "t",
    "if (x > 0) then",
    "end if",
    "call foo(a, n)",
    "integer :: i, n",
    "real(8) :: a(100), s",
    "program p",
    "end program p",
    "subroutine foo(a, n)",
    "end subroutine",
    "use mpi",
    "call MPI_Init(ierr)",
    "call MPI_Isend(a, n, MPI_REAL, 1, 0, MPI_COMM_WORLD, req, ierr)",
    "call MPI_Finalize(ierr)",
    "\n",
    "\n",
    " ",
    "! comment",
    "c$omp parallel",
    "*$omp end parallel",
    "contains",
]

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(lang: str, text: str, path: str) -> None:
    src = SourceFile(path, lang, text)
    parse_directives(src)
    res = engine.analyze(src, Options(budget=30.0))
    assert not res.errors, f"{res.errors}\n--- input ---\n{text}"
    for f in res.findings:
        assert f.span.start <= f.span.end or f.span.start.line < f.span.end.line, f
        for fix in f.fixes:
            assert fix.title


@FUZZ
@given(st.lists(st.sampled_from(C_TOKENS), max_size=60))
def test_fuzz_c(tokens):
    _check("c", " ".join(tokens), "fuzz.c")


@FUZZ
@given(st.lists(st.sampled_from(C_TOKENS), max_size=60))
def test_fuzz_cuda(tokens):
    _check("cuda", " ".join(tokens), "fuzz.cu")


@FUZZ
@given(st.lists(st.sampled_from(F_TOKENS), max_size=60))
def test_fuzz_fortran_free(tokens):
    _check("fortran", "\n".join(tokens), "fuzz.f90")


@FUZZ
@given(st.lists(st.sampled_from(F_TOKENS), max_size=40))
def test_fuzz_fortran_fixed(tokens):
    _check(
        "fortran",
        "\n".join(("      " + t) if not t.startswith(("c$", "*$", "!$")) else t for t in tokens),
        "fuzz.f",
    )


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=400))
def test_fuzz_arbitrary_text(text):
    for lang, path in (("c", "x.c"), ("fortran", "x.f90"), ("cuda", "x.cu"), ("cpp", "x.cpp")):
        _check(lang, text, path)
