"""Hybrid MPI+OpenMP checks: MPI calls hidden behind statement macros, levels held in variables,
collectives in overlapping tasks, MPI_Finalize from threads."""

from __future__ import annotations

from hpclsp.analysis import engine
from hpclsp.analysis.context import Options
from hpclsp.analysis.hostcode.model import model
from hpclsp.analysis.source import SourceFile

HIDDEN = """
#include <mpi.h>
#define ENTER n++;
static int n;
void f(double *buf) {
    ENTER
    MPI_Bcast(buf, 10, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    MPI_Barrier(MPI_COMM_WORLD);
}
"""


def _codes(text: str) -> list[tuple[int, str]]:
    res = engine.analyze(SourceFile("t.c", "c", text), Options(budget=30.0))
    return sorted((f.span.start.line + 1, f.code) for f in res.findings if f.code.startswith("mpi-"))


def test_hidden_call_is_recovered_with_its_arguments() -> None:
    m = model(SourceFile("t.c", "c", HIDDEN))
    calls = m.units[0].calls
    assert [c.key for c in calls] == ["MPI_BCAST", "MPI_BARRIER"]
    assert calls[0].node.type == "function_declarator"
    assert m.text(calls[0].arg("comm")) == "MPI_COMM_WORLD"
    assert m.text(calls[0].arg("buffer")) == "buf"


def test_only_mpi_named_declarators_count() -> None:
    text = "typedef int T;\nvoid f(void) {\n    T MPI_Like(int);\n    T g(int);\n}\n"
    m = model(SourceFile("t.c", "c", text))
    assert [c.key for c in m.units[0].calls] == ["MPI_LIKE"]
    assert model(SourceFile("t.f90", "fortran", "program p\nend program\n")).units[0].calls == []


def test_level_from_a_variable_assigned_twice_is_unknown() -> None:
    text = """
#include <mpi.h>
int main(int argc, char **argv) {
    int p, lvl = MPI_THREAD_SINGLE, x = 0;
    if (argc > 1) lvl = MPI_THREAD_MULTIPLE;
    MPI_Init_thread(&argc, &argv, lvl, &p);
#pragma omp parallel
    MPI_Send(&x, 1, MPI_INT, 0, 0, MPI_COMM_SELF);
    MPI_Finalize();
    return 0;
}
"""
    assert all(code != "mpi-thread-level" for _, code in _codes(text))


def test_compute_only_regions_after_mpi_init_are_silent() -> None:
    text = """
#include <mpi.h>
int main(int argc, char **argv) {
    double a[100];
    MPI_Init(&argc, &argv);
#pragma omp parallel for
    for (int i = 0; i < 100; i++) a[i] = i;
    MPI_Finalize();
    return 0;
}
"""
    assert _codes(text) == []


def test_finalize_after_the_region_is_silent() -> None:
    text = """
#include <mpi.h>
int main(int argc, char **argv) {
    int p;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &p);
#pragma omp parallel
    {
    }
    MPI_Finalize();
    return 0;
}
"""
    assert _codes(text) == []


def test_hidden_call_with_a_lost_argument_is_an_unknown_use() -> None:
    # `&dup` in a misparsed call has no node: the free is not seen, so the handle escapes (no leak claimed)
    text = """
#include <mpi.h>
#define ENTER n++;
static int n;
int main(int argc, char **argv) {
    MPI_Comm dup;
    MPI_Init(&argc, &argv);
    MPI_Comm_dup(MPI_COMM_WORLD, &dup);
    ENTER
    MPI_Barrier(dup);
    ENTER
    MPI_Comm_free(&dup);
    MPI_Finalize();
    return 0;
}
"""
    m = model(SourceFile("t.c", "c", text))
    assert [c.key for c in m.units[0].calls][-3:] == ["MPI_BARRIER", "MPI_COMM_FREE", "MPI_FINALIZE"]
    assert m.units[0].calls[-2].args == [None]
    assert _codes(text) == []
