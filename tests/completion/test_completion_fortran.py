"""Static completion through the server in Fortran, free and fixed form."""

from __future__ import annotations

from lsprotocol import types
from pytest_lsp import LanguageClient

from .conftest import by_label, complete, labels, new_text

FREE = """\
module kinds
  implicit none
  integer, parameter :: dp = kind(1.0d0)
  real(dp) :: module_tolerance
contains
  subroutine relax(u, n)
    use mpi
    integer, intent(in) :: n
    real(dp), intent(inout) :: u(n)
    integer :: i, ierr, counts(4)
    real(kind=dp) :: resid
    double precision total
    %s
  end subroutine relax
  subroutine other(v)
    real :: v, hidden_elsewhere
  end subroutine other
end module kinds
"""


async def test_fortran_directives_use_do_spelling(client: LanguageClient):
    items = await complete(client, FREE % "!$omp parallel d|", "dir.f90")
    names = labels(items)
    assert names[0] == "parallel do" and "parallel do simd" in names
    assert "parallel for" not in names
    assert new_text(by_label(items, "parallel do")) == "do"
    items = await complete(client, FREE % "!$omp end parallel d|", "end.f90")
    assert "end parallel do" in labels(items)
    items = await complete(client, FREE % "!$omp work|", "ws.f90")
    assert "workshare" in labels(items)  # Fortran-only directive


async def test_fortran_upper_case_directive_and_clause(client: LanguageClient):
    items = await complete(client, FREE % "!$OMP PARALLEL DO RED|", "upper.f90")
    assert [i.filter_text for i in items] == ["REDUCTION"]
    assert new_text(items[0]).startswith("REDUCTION(")


async def test_fortran_reduction_operators_and_variables(client: LanguageClient):
    items = await complete(client, FREE % "!$omp parallel do reduction(|", "ops.f90")
    ops = set(labels(items))
    assert {"+", "max", ".and.", ".or.", "iand", "ieor"} <= ops
    assert "&&" not in ops
    items = await complete(client, FREE % "!$omp parallel do reduction(+:|", "vars.f90")
    names = set(labels(items))
    assert {"u", "n", "i", "ierr", "resid", "total", "module_tolerance"} <= names
    assert "hidden_elsewhere" not in names and "v" not in names  # another subroutine's variables


async def test_fortran_continuation_private(client: LanguageClient):
    items = await complete(client, FREE % "!$omp parallel do &\n    !$omp& private(i, |", "cont.f90")
    names = set(labels(items))
    assert "resid" in names and "i" not in names


async def test_fortran_mpi_routine_snippet_and_datatypes(client: LanguageClient):
    items = await complete(client, FREE % "call mpi_isen|", "isend.f90")
    item = by_label(items, "MPI_Isend")
    assert new_text(item).startswith("MPI_Isend(${1:buf}")  # "call" already typed
    assert new_text(item).endswith("${8:ierr})")
    assert item.insert_text_format == types.InsertTextFormat.Snippet
    items = await complete(client, FREE % "call MPI_Send(counts, 4, |", "int.f90")
    assert labels(items)[0] == "MPI_INTEGER"
    assert "MPI_INT" not in labels(items)  # C datatype
    items = await complete(client, FREE % "call MPI_Allreduce(MPI_IN_PLACE, u, n, |", "real.f90")
    assert labels(items)[0] == "MPI_DOUBLE_PRECISION"  # real(dp) with dp = kind(1.0d0)
    items = await complete(client, FREE % "call MPI_Bcast(total, 1, MPI_|", "dp.f90")
    assert labels(items)[0] == "MPI_DOUBLE_PRECISION"


FIXED = """\
      program heat
      include 'mpif.h'
      integer n, ierr
      real*8 grid(100)
%s
      end
"""


async def test_fixed_form_directive_clauses_and_variables(client: LanguageClient):
    items = await complete(client, FIXED % "c$omp parallel do sche|", "sched.f")
    assert [i.filter_text for i in items] == ["schedule"]
    items = await complete(client, FIXED % "c$omp parallel do private(|", "priv.f")
    assert {"n", "ierr", "grid"} <= set(labels(items))
    items = await complete(client, FIXED % "      call MPI_Send(grid, n, |", "send.f")
    assert labels(items)[0] in ("MPI_DOUBLE_PRECISION", "MPI_REAL8")
    assert {"MPI_DOUBLE_PRECISION", "MPI_REAL8"} <= {i.label for i in items if i.sort_text.startswith("0")}
