"""The per-rank MPI evaluator (hpclsp.analysis.hostcode) and the constant layer it stands on."""

from __future__ import annotations

import time

from hpclsp.analysis import engine, languages
from hpclsp.analysis.context import Options
from hpclsp.analysis.hostcode import mpi_run
from hpclsp.analysis.hostcode.mpi_eval import Program, run_rank
from hpclsp.analysis.source import SourceFile
from hpclsp.analysis.values import consts

HEADER = "#include <mpi.h>\n#include <stdlib.h>\n"


def _src(body: str) -> SourceFile:
    return SourceFile("prog.c", "c", HEADER + body)


def _findings(body: str) -> list[tuple[int, str, str]]:
    res = engine.analyze(_src(body), Options(select=("mpi-",), budget=30.0))
    assert not res.errors, res.errors
    return [(f.span.start.line + 1 - 2, f.code, f.message) for f in res.findings]


def _traces(body: str, nprocs: int = 2):
    program = Program(_src(body))
    return [run_rank(program, r, nprocs, time.perf_counter() + 5) for r in range(nprocs)]


def _all_passes(body: str, nprocs: int):
    return mpi_run.traces_for(Program(_src(body)), nprocs, time.perf_counter() + 5)


def test_consts_fold_c_expressions():
    text = b"long v = (n * 2 + 1) / 3 - (unsigned)-1 + sizeof(double) + (n > 3 ? 7 : 8) + (1 << 3);"
    tree = languages.parse("c", text)
    init = tree.root_node.named_children[0].child_by_field_name("declarator").child_by_field_name("value")
    value = consts.evaluate(init, lambda n: text[n.start_byte : n.end_byte].decode(), {"n": 4})
    assert value == 3 - 4294967295 + 8 + 7 + 8
    assert consts.evaluate(init, lambda n: text[n.start_byte : n.end_byte].decode(), {}) is consts.UNKNOWN
    assert consts.join(1, 3) == consts.Interval(1, 3)
    assert consts.binary("<", consts.Interval(0, 3), 5) == 1
    assert consts.binary("==", consts.Symbol("MPI_INT"), consts.Symbol("MPI_INT")) == 1
    assert consts.truth(consts.Interval(0, 3)) is None
    assert consts.c_int_value(-1, "unsigned int") == 4294967295
    assert consts.parse_number("0x10") == 16 and consts.parse_number("1.5e3f") == 1500.0


MAIN_START = """
int main(int argc, char **argv)
{
    int rank, size;
    double x = 1.0, sum = 0.0, all[8];
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
"""
MAIN_END = """
    MPI_Finalize();
    return 0;
}
"""


def test_rank_branches_are_decided_per_rank():
    traces = _traces(
        MAIN_START
        + """
    if (rank == 0) MPI_Barrier(MPI_COMM_WORLD);
    else MPI_Allreduce(&x, &sum, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
"""
        + MAIN_END
    )
    keys = [[e.key for e in t.events] for t in traces]
    assert "MPI_BARRIER" in keys[0] and "MPI_ALLREDUCE" not in keys[0]
    assert "MPI_ALLREDUCE" in keys[1] and "MPI_BARRIER" not in keys[1]
    assert all(t.complete for t in traces)


def test_macros_come_from_the_file_table_wherever_they_are_defined():
    # source.object_macros: a #define inside main, its body with trailing blanks, counts like any other
    traces = _traces(
        MAIN_START
        + "#define ROOT 1   \n"
        + """
    if (rank == ROOT) MPI_Barrier(MPI_COMM_WORLD);
"""
        + MAIN_END
    )
    assert [["MPI_BARRIER" in [e.key for e in t.events]] for t in traces] == [[False], [True]]


def test_textbook_collective_order_names_ranks_count_and_both_calls():
    got = _findings(
        MAIN_START
        + """
    if (rank % 2) { MPI_Allgather(&x, 1, MPI_DOUBLE, all, 1, MPI_DOUBLE, MPI_COMM_WORLD);
                    MPI_Allreduce(&x, &sum, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD); }
    else          { MPI_Allreduce(&x, &sum, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
                    MPI_Allgather(&x, 1, MPI_DOUBLE, all, 1, MPI_DOUBLE, MPI_COMM_WORLD); }
"""
        + MAIN_END
    )
    coll = [g for g in got if g[1] == "mpi-collective-mismatch"]
    assert len(coll) == 1
    assert "with 2 processes, rank 1 calls MPI_Allgather while rank 0 calls MPI_Allreduce" in coll[0][2]
    res = engine.analyze(_src(MAIN_START + "if (rank % 2) MPI_Barrier(MPI_COMM_WORLD);" + MAIN_END))
    f = next(f for f in res.findings if f.code == "mpi-collective-mismatch")
    assert "rank 0 never does" in f.message


def test_undecided_branch_with_mpi_stops_the_trace_and_stays_silent():
    body = (
        MAIN_START
        + """
    if (atoi(argv[0]) > 3) MPI_Barrier(MPI_COMM_WORLD);
    if (rank == 0) MPI_Barrier(MPI_COMM_WORLD);
"""
        + MAIN_END
    )
    traces = _traces(body)
    assert all(not t.complete and t.stopped for t in traces)
    assert _findings(body) == []


def test_unknown_function_stops_but_earlier_argument_errors_are_reported():
    got = _findings(
        MAIN_START
        + """
    MPI_Bcast(&x, -2, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    helper_from_another_file(&x);
    if (rank == 0) MPI_Barrier(MPI_COMM_WORLD);
"""
        + MAIN_END
    )
    assert [(ln, c) for ln, c, _ in got] == [(10, "mpi-invalid-argument")]


def test_leaked_communicators_in_array_elements_and_loops():
    got = _findings(
        MAIN_START
        + """
    MPI_Comm com[3];
    for (int j = 0; j < 3; j++)
        MPI_Comm_dup(MPI_COMM_WORLD, &com[j]);
    for (int j = 0; j < 2; j++)
        MPI_Comm_free(&com[j]);
"""
        + MAIN_END
    )
    assert (12, "mpi-resource-leak") in [(ln, c) for ln, c, _ in got]


def test_buffer_written_while_isend_pending():
    got = _findings(
        MAIN_START
        + """
    MPI_Request req;
    int peer = 1 - rank;
    MPI_Isend(all, 8, MPI_DOUBLE, peer, 0, MPI_COMM_WORLD, &req);
    all[3] = 2.0;
    MPI_Recv(&sum, 1, MPI_DOUBLE, peer, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Wait(&req, MPI_STATUS_IGNORE);
"""
        + MAIN_END
    )
    races = [g for g in got if g[1] == "mpi-buffer-race"]
    assert [r[0] for r in races] == [13]


def test_unbounded_loop_is_cut_by_the_budget():
    src = _src(
        MAIN_START
        + """
    while (1) { MPI_Barrier(MPI_COMM_WORLD); x = x + 1.0; }
"""
        + MAIN_END
    )
    t0 = time.perf_counter()
    assert mpi_run.findings(src) == []
    assert time.perf_counter() - t0 < 2.0


def test_color_undefined_split_is_not_a_leak():
    got = _findings(
        MAIN_START
        + """
    MPI_Comm sub;
    MPI_Comm_split(MPI_COMM_WORLD, rank == 0 ? 0 : MPI_UNDEFINED, rank, &sub);
    if (rank == 0) MPI_Comm_free(&sub);
"""
        + MAIN_END
    )
    assert got == []


def test_split_communicators_know_their_size_from_every_rank():
    traces = _all_passes(
        MAIN_START
        + """
    MPI_Comm half;
    int hsize = -1, hrank = -1;
    MPI_Comm_split(MPI_COMM_WORLD, rank % 2, -rank, &half);
    MPI_Comm_size(half, &hsize);
    MPI_Comm_rank(half, &hrank);
    MPI_Bcast(&hrank, 1, MPI_INT, hsize, half);
    MPI_Comm_free(&half);
"""
        + MAIN_END,
        4,
    )
    for t in traces:
        bcast = next(e for e in t.events if e.key == "MPI_BCAST")
        assert bcast.args["root"] == 2 and bcast.comm_id == f"split1/c{t.rank % 2}"
        assert [f.code for f in t.findings] == ["mpi-invalid-argument"]


def test_fortran_arguments_are_passed_by_reference():
    src = SourceFile(
        "prog.f90",
        "fortran",
        """program p
  use mpi
  implicit none
  integer :: rank, nprocs, ierr, peer
  integer :: buf(4)
  call MPI_Init(ierr)
  call MPI_Comm_rank(MPI_COMM_WORLD, rank, ierr)
  call MPI_Comm_size(MPI_COMM_WORLD, nprocs, ierr)
  peer = mod(rank + 1, nprocs)
  do peer = 1, 2
    buf(peer) = rank
  end do
  if (rank == 0) then
    call MPI_Send(buf, 5, MPI_INTEGER, 1, 0, MPI_COMM_WORLD, ierr)
  else if (rank == 1) then
    call MPI_Recv(buf, 4, MPI_INTEGER, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE, ierr)
  end if
  call MPI_Finalize(ierr)
end program p
""",
    )
    got = {(f.node.start_point[0] + 1, f.code) for f in mpi_run.findings(src)}
    assert got == {(14, "mpi-count-overflow"), (16, "mpi-message-mismatch")}


def test_fortran_dummy_list_comment_binds_no_argument():
    """A comment after a ``&`` in a dummy list is no dummy: ``count`` and ``dest`` get 5 and 1."""
    src = SourceFile(
        "prog.f90",
        "fortran",
        """program p
  use mpi
  implicit none
  integer :: rank, ierr
  integer :: buf(4)
  call MPI_Init(ierr)
  call MPI_Comm_rank(MPI_COMM_WORLD, rank, ierr)
  buf = rank
  if (rank == 0) then
    call send_to(buf, & ! what is sent
                 5, 1)
  else if (rank == 1) then
    call MPI_Recv(buf, 4, MPI_INTEGER, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE, ierr)
  end if
  call MPI_Finalize(ierr)
contains
  subroutine send_to(data, & ! the buffer
                     count, dest)
    integer :: data(4), count, dest, ierr2
    call MPI_Send(data, count, MPI_INTEGER, dest, 0, MPI_COMM_WORLD, ierr2)
  end subroutine send_to
end program p
""",
    )
    got = {(f.node.start_point[0] + 1, f.code) for f in mpi_run.findings(src)}
    assert got == {(13, "mpi-message-mismatch"), (20, "mpi-count-overflow")}


MACRO_START = "#define ENTER n++;\nstatic int n;\n" + MAIN_START


def test_calls_hidden_behind_a_statement_macro_are_executed():
    body = (
        MACRO_START
        + "    if (rank == 0) {\n        ENTER\n        MPI_Barrier(MPI_COMM_WORLD);\n    }\n"
        + MAIN_END
    )
    traces = _traces(body)
    assert all(t.complete for t in traces)
    assert "MPI_BARRIER" in [e.key for e in traces[0].events]
    assert [(line, code) for line, code, _ in _findings(body)] == [
        (13, "mpi-collective-mismatch")
    ]  # the hidden call


def test_hidden_calls_that_cannot_be_read_stay_silent():
    # `&size` is lost to the parser: the call may have written it, so the branch on it is undecided
    lost = MACRO_START + "    ENTER\n    MPI_Comm_size(MPI_COMM_WORLD, &size);\n"
    lost += "    if (size == 2) MPI_Barrier(MPI_COMM_WORLD);\n" + MAIN_END
    assert all(t.stopped == "condition not decided" for t in _traces(lost))
    # a macro of this file that itself calls MPI is not run: stop
    own = MACRO_START.replace("n++;", "MPI_Barrier(MPI_COMM_WORLD);")
    own += "    ENTER\n    MPI_Barrier(MPI_COMM_WORLD);\n" + MAIN_END
    assert all(t.stopped == "a statement macro with MPI calls" for t in _traces(own))
    # `MACRO MPI_Bcast(&x, ...)` parses as an ERROR then an expression: a call nobody can run, not skipped
    broken = MACRO_START + "    ENTER\n    MPI_Bcast(&x, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);\n" + MAIN_END
    assert all(not t.complete and "MPI_BCAST" not in [e.key for e in t.events] for t in _traces(broken))
    assert _findings(lost) == _findings(own) == _findings(broken) == []
