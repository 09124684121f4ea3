"""Hover through the server: cards for directives, clauses, MPI/CUDA symbols; nothing on plain identifiers."""

from __future__ import annotations

from pytest_lsp import LanguageClient

from .conftest import hover

C = """\
#include <mpi.h>
#include <omp.h>
int main(int argc, char **argv) {
    int i, sum = 0;
    MPI_Init(&argc, &argv);
    #pragma omp parallel for reduction(+:sum) schedule(static)
    for (i = 0; i < 100; i++) sum += i;
    MPI_Allreduce(MPI_IN_PLACE, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    double t = omp_get_wtime();
    MPI_Finalize();
    return 0;
}
"""


def at(text: str, needle: str, offset: int = 0) -> str:
    """The text with the cursor placed inside the first occurrence of needle."""
    k = text.index(needle) + offset
    return text[:k] + "|" + text[k:]


async def test_hover_directive_and_clause_cards(client: LanguageClient):
    md = await hover(client, at(C, "parallel for", 3), "dir.c")
    assert md is not None and md.startswith("**parallel for**") and "built-in card" in md
    md = await hover(client, at(C, "reduction(", 2), "clause.c")
    assert md is not None and md.startswith("**reduction**") and "openmp clause" in md
    md = await hover(client, at(C, "schedule(", 1), "clause2.c")
    assert md is not None and md.startswith("**schedule**")


async def test_hover_mpi_symbols(client: LanguageClient):
    md = await hover(client, at(C, "MPI_Allreduce", 4), "mpi.c")
    assert md is not None and md.startswith("**MPI_Allreduce**")
    assert "int MPI_Allreduce(" in md and "Source: built-in card `mpi/routine/MPI_Allreduce`" in md
    md = await hover(client, at(C, "MPI_COMM_WORLD", 2), "const.c")
    assert md is not None and "mpi constant" in md
    md = await hover(client, at(C, "omp_get_wtime", 2), "omp.c")
    assert md is not None and md.startswith("**omp_get_wtime**")


async def test_hover_fortran_directive_and_routine(client: LanguageClient):
    text = "program p\n  use mpi\n  integer :: ierr\n  !$OMP PARALLEL DO\n  do k = 1, 2\n  end do\n" \
        "  call mpi_barrier(MPI_COMM_WORLD, ierr)\nend program p\n"  # fmt: skip
    md = await hover(client, at(text, "PARALLEL DO", 9), "dir.f90")
    assert md is not None and md.startswith("**parallel do**") and "```fortran" in md
    md = await hover(client, at(text, "mpi_barrier", 3), "barrier.f90")
    assert md is not None and md.startswith("**MPI_Barrier**")


async def test_hover_cuda_api_and_builtins(client: LanguageClient):
    text = "__global__ void k(float *a) {\n    a[threadIdx.x] = 0.0f;\n    __syncthreads();\n}\n" \
        "int main(void) {\n    float *d;\n    cudaMalloc(&d, 4);\n    k<<<1, 32>>>(d);\n    return 0;\n}\n"  # fmt: skip
    md = await hover(client, at(text, "cudaMalloc", 3), "api.cu")
    assert md is not None and md.startswith("**cudaMalloc**") and "built-in card" in md
    md = await hover(client, at(text, "threadIdx", 1), "builtin.cu")
    assert md is not None and "cuda builtin" in md
    md = await hover(client, at(text, "<<<", 1), "launch.cu")
    assert md is not None and "cuda launch" in md


async def test_no_hover_on_plain_identifiers(client: LanguageClient):
    for needle, offset in (("main", 1), ("i, sum", 0), ("sum = 0", 1), ("argc,", 1), ("return", 2)):
        md = await hover(client, at(C, needle, offset), f"plain_{needle[:3].strip(', =')}.c")
        assert md is None, (needle, md)
    # A C file's "threadIdx" (not CUDA) and a word inside a clause's list get no card either.
    md = await hover(client, "int threadIdx = 0;\n".replace("threadIdx", "thread|Idx"), "notcuda.c")
    assert md is None
