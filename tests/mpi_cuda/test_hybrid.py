"""Hybrid MPI+OpenMP checks: MPI calls hidden behind statement macros, levels held in variables,
collectives in overlapping tasks, MPI_Finalize from threads."""

from __future__ import annotations

from hpclsp.analysis import engine
from hpclsp.analysis.context import Options
from hpclsp.analysis.hostcode.model import model
from hpclsp.analysis.hostcode.mpi_hidden import hidden_mpi_calls, unit_calls
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
    unit = m.units[0]
    hidden = hidden_mpi_calls(m, unit)
    assert [c.key for c in hidden] == ["MPI_BCAST"]
    assert m.text(hidden[0].arg("comm")) == "MPI_COMM_WORLD"
    assert m.text(hidden[0].arg("buffer")) == "buf"
    assert [c.key for c in unit_calls(m, unit)] == ["MPI_BCAST", "MPI_BARRIER"]


def test_only_mpi_named_declarators_count() -> None:
    text = "typedef int T;\nvoid f(void) {\n    T MPI_Like(int);\n    T g(int);\n}\n"
    m = model(SourceFile("t.c", "c", text))
    assert [c.key for c in hidden_mpi_calls(m, m.units[0])] == ["MPI_LIKE"]
    assert hidden_mpi_calls(model(SourceFile("t.f90", "fortran", "program p\nend program\n")), None) == []  # type: ignore[arg-type]


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
