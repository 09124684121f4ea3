"""Static completion through the server in C and C++: OpenMP directives/clauses/arguments, MPI."""

from __future__ import annotations

from lsprotocol import types
from pytest_lsp import LanguageClient

from .conftest import by_label, complete, labels, new_text

C_FILE = """\
#include <mpi.h>
#include <omp.h>
double total;
void step(double *field, int n, const float *weights) {
    int i, count = 0;
    float scale = 2.0f;
    %s
    for (i = 0; i < n; i++) field[i] *= scale;
}
int later_global;
"""


async def test_c_directive_names_after_pragma_omp(client: LanguageClient):
    items = await complete(client, C_FILE % "#pragma omp par|", "dir.c")
    names = labels(items)
    assert "parallel" in names and "parallel for" in names and "parallel for simd" in names
    assert "parallel do" not in names  # Fortran spelling
    assert all(n.startswith("par") for n in names)
    item = by_label(items, "parallel for")
    assert new_text(item) == "parallel for"
    assert item.text_edit.range.start.character == len("    #pragma omp ")
    assert item.kind == types.CompletionItemKind.Keyword
    assert "built-in card" in item.documentation.value


async def test_c_combined_directive_continues_typed_words(client: LanguageClient):
    items = await complete(client, C_FILE % "#pragma omp target teams dis|", "combined.c")
    item = by_label(items, "target teams distribute parallel for")
    # Only the missing words replace the partial one.
    assert new_text(item) == "distribute parallel for"
    assert labels(items)[0] == "target teams distribute"  # the shortest continuation ranks first


async def test_c_parallel_for_re_completes_reduction(client: LanguageClient):
    items = await complete(client, C_FILE % "#pragma omp parallel for re|", "reduction.c")
    assert [i.filter_text for i in items] == ["reduction"]
    item = items[0]
    assert new_text(item).startswith("reduction(")
    assert item.detail and "operator" in item.detail
    assert item.text_edit.range.start.character == len("    #pragma omp parallel for ")
    assert "reduction" in item.documentation.value


async def test_c_clauses_valid_and_not_present(client: LanguageClient):
    items = await complete(client, C_FILE % "#pragma omp parallel for private(i) |", "clauses.c")
    names = {i.filter_text for i in items}
    assert {"reduction", "schedule", "collapse", "firstprivate", "lastprivate"} <= names
    assert "private" not in names  # already present
    assert "nowait" not in names  # not allowed on a combined parallel construct
    assert "map" not in names and "depend" not in names  # not valid on parallel for
    single = {i.filter_text for i in await complete(client, C_FILE % "#pragma omp single |", "single.c")}
    assert "copyprivate" in single and "nowait" in single and "reduction" not in single
    # Kind-valued clause arguments.
    items = await complete(client, C_FILE % "#pragma omp parallel for schedule(dy|", "sched.c")
    assert labels(items) == ["dynamic"]
    items = await complete(client, C_FILE % "#pragma omp parallel default(|", "default.c")
    assert set(labels(items)) == {"none", "shared", "private", "firstprivate"}


async def test_c_reduction_operators_then_variables(client: LanguageClient):
    items = await complete(client, C_FILE % "#pragma omp parallel for reduction(|", "ops.c")
    ops = labels(items)
    assert ops[:4] == ["+", "*", "max", "min"]
    assert {"&&", "||", "^"} <= set(ops)
    assert ".and." not in ops  # Fortran operator
    assert new_text(by_label(items, "+")) == "+:"
    items = await complete(client, C_FILE % "#pragma omp parallel for reduction(+:|", "vars.c")
    names = labels(items)
    # locals declared before the cursor, then parameters, then globals; never later declarations.
    assert names[:3] == ["i", "count", "scale"]
    assert {"field", "n", "weights", "total"} <= set(names)
    assert "later_global" not in names
    assert by_label(items, "scale").kind == types.CompletionItemKind.Variable


async def test_c_private_lists_variables_in_scope(client: LanguageClient):
    items = await complete(client, C_FILE % "#pragma omp parallel for private(i, |", "private.c")
    names = labels(items)
    assert "i" not in names  # already listed
    assert {"count", "scale", "field", "total"} <= set(names)
    items = await complete(client, C_FILE % "#pragma omp target map(to: field[0:n]) map(|", "map.c")
    names = labels(items)
    assert names[:1] == ["alloc"] and {"to", "from", "tofrom"} <= set(names) and "scale" in names
    assert new_text(by_label(items, "tofrom")) == "tofrom:"


async def test_c_mpi_routine_snippet(client: LanguageClient):
    items = await complete(client, C_FILE % "MPI_Isen|", "isend.c")
    item = by_label(items, "MPI_Isend")
    assert labels(items)[0] == "MPI_Isend"
    assert item.insert_text_format == types.InsertTextFormat.Snippet
    assert new_text(item) == (
        "MPI_Isend(${1:buf}, ${2:count}, ${3:MPI_DOUBLE}, ${4:dest}, ${5:tag}, ${6:MPI_COMM_WORLD}, &${7:request})"
    )
    assert item.detail.startswith("int MPI_Isend(const void *buf")
    assert item.text_edit.range.start.character == 4 and item.text_edit.range.end.character == 12
    assert "MPI_Wait" in item.documentation.value  # related entries / pitfalls from the card


async def test_c_mpi_datatype_matches_buffer_type(client: LanguageClient):
    items = await complete(client, C_FILE % "MPI_Send(field, n, |", "dtype.c")
    assert labels(items)[0] == "MPI_DOUBLE"
    assert by_label(items, "MPI_DOUBLE").preselect
    assert "MPI_INTEGER" not in labels(items)  # Fortran datatype
    items = await complete(client, C_FILE % "MPI_Bcast(&count, 1, MPI_|", "dtype2.c")
    assert labels(items)[0] == "MPI_INT"
    items = await complete(client, C_FILE % "MPI_Reduce(&scale, &total, 1, MPI_|", "dtype3.c")
    assert labels(items)[0] == "MPI_FLOAT"


async def test_c_mpi_constants_by_argument(client: LanguageClient):
    items = await complete(client, C_FILE % "MPI_Send(field, n, MPI_DOUBLE, 0, 0, |", "comm.c")
    assert labels(items)[0] == "MPI_COMM_WORLD" and "MPI_SUM" not in labels(items)
    items = await complete(
        client, C_FILE % "MPI_Allreduce(MPI_IN_PLACE, &total, 1, MPI_DOUBLE, MPI_M|", "op.c"
    )
    assert {"MPI_MAX", "MPI_MIN", "MPI_MAXLOC", "MPI_MINLOC"} == set(labels(items))
    items = await complete(client, C_FILE % "MPI_Recv(field, n, MPI_DOUBLE, |", "src.c")
    assert labels(items)[:2] == ["MPI_ANY_SOURCE", "MPI_PROC_NULL"]
    items = await complete(client, C_FILE % "int r = MPI_ANY_T|", "const.c")
    assert "MPI_ANY_TAG" in labels(items)
    # OpenMP runtime routines.
    items = await complete(client, C_FILE % "int t = omp_get_thr|", "runtime.c")
    assert {"omp_get_thread_num", "omp_get_thread_limit"} == set(labels(items))
    assert new_text(by_label(items, "omp_get_thread_num")) == "omp_get_thread_num()"


async def test_c_no_completion_in_comments_or_plain_code(client: LanguageClient):
    assert await complete(client, C_FILE % "// MPI_Isen|", "comment.c") == []
    assert await complete(client, C_FILE % "sca|", "plain.c") == []  # ordinary identifiers are not ours
    assert await complete(client, C_FILE % "threadIdx|", "host.c") == []  # no CUDA built-ins in C


CPP_FILE = """\
#include <mpi.h>
#include <vector>
namespace solver {
std::vector<double> residual(int n) {
    std::vector<double> r(n);
    long long steps = 0;
    auto &ref = r;
    %s
    return r;
}
}
"""


async def test_cpp_clauses_and_variables(client: LanguageClient):
    items = await complete(client, CPP_FILE % "#pragma omp parallel for firstprivate(|", "vars.cpp")
    assert {"r", "steps", "ref", "n"} <= set(labels(items))
    items = await complete(client, CPP_FILE % "#pragma omp taskl|", "dir.cpp")
    assert {"taskloop", "taskloop simd"} <= set(labels(items))


async def test_cpp_mpi_datatype_from_vector_element_type(client: LanguageClient):
    items = await complete(client, CPP_FILE % "MPI_Allreduce(MPI_IN_PLACE, r.data(), n, |", "vec.cpp")
    assert labels(items)[0] == "MPI_DOUBLE"
    items = await complete(client, CPP_FILE % "MPI_Bcast(&steps, 1, |", "ll.cpp")
    assert labels(items)[0] == "MPI_LONG_LONG"
