"""Dependence and affine answers of the values layer on small MPI, OpenMP and CUDA programs."""

from __future__ import annotations

from hpclsp.analysis.source import SourceFile
from hpclsp.analysis.values import dependence as D
from hpclsp.analysis.values.affine import TID, Affine

EXT = {"c": "c", "cpp": "cpp", "cuda": "cu", "fortran": "f90"}


def expr(src: SourceFile, marker: str, text: str) -> D.Node:
    """The expression ``text`` on the (first) line containing ``marker``."""
    line = next(i for i, ln in enumerate(src.lines) if marker in ln)
    col = src.lines[line].index(text)
    byte = sum(len(ln) + 1 for ln in src.lines[:line]) + col
    node = src.tree.root_node.descendant_for_byte_range(byte, byte + len(text))
    assert node is not None
    while src.node_text(node) != text:
        assert node.parent is not None, text
        node = node.parent
    return node


def source(lang: str, text: str) -> SourceFile:
    return SourceFile(f"t.{EXT[lang]}", lang, text)


MPI_C = """
void f(int n, int *buf) {
  int rank, size, x = 0, peer, j, k;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  peer = (rank + 1) % size;
  if (peer > n) j = 1;            /* A */
  if (j > 0) n = 2;               /* B */
  if (rank == 0) x = 5;
  if (x) MPI_Barrier(MPI_COMM_WORLD);       /* C */
  if (size > 2) MPI_Barrier(MPI_COMM_WORLD); /* D */
  k = 3;
  if (rank == 1) return;
  if (k == 3) MPI_Barrier(MPI_COMM_WORLD);   /* E */
  buf[0] = rank;
  if (buf[1]) n = 0;              /* F */
  rank = 0;
  if (rank) n = 1;                /* G */
}
"""


def test_rank_dependence_data_control_and_kill() -> None:
    src = source("c", MPI_C)
    assert D.is_rank_dependent(src, expr(src, "/* A */", "(peer > n)"))
    assert D.is_rank_dependent(src, expr(src, "/* B */", "(j > 0)"))  # j assigned under a rank branch
    assert D.is_rank_dependent(src, expr(src, "/* C */", "(x)"))
    d_cond = expr(src, "/* D */", "(size > 2)")
    assert not D.is_rank_dependent(src, d_cond)
    assert D.SIZE_DEP in D.dependences(src, d_cond)
    # after ``if (rank == 1) return;`` the ranks that get here all saw k = 3
    assert not D.is_rank_dependent(src, expr(src, "/* E */", "(k == 3)"))
    assert D.constant(src, expr(src, "/* E */", "k")) == 3
    assert D.is_rank_dependent(src, expr(src, "/* F */", "(buf[1])"))  # weak update of the array
    assert not D.is_rank_dependent(src, expr(src, "/* G */", "(rank)"))  # rank overwritten


MPI_F = """
program p
  use mpi
  integer :: rank, ierr, i, n, s
  call MPI_Comm_rank(MPI_COMM_WORLD, rank, ierr)
  s = 0
  do i = 1, rank
    s = s + i
  end do
  if (s > 3) then   ! A
    n = 1
  end if
  if (n == 2) then  ! B
    n = 3
  end if
end program p
"""


def test_fortran_rank_dependence_through_loop_bounds() -> None:
    src = source("fortran", MPI_F)
    assert D.is_rank_dependent(src, expr(src, "! A", "(s > 3)"))
    assert D.is_rank_dependent(src, expr(src, "! B", "(n == 2)"))


OMP = """
void g(int *a) {
  int c = 2;
  #pragma omp parallel
  {
    int tid = omp_get_thread_num();
    int off = tid + c + 1;
    int nt = omp_get_num_threads();
    a[off] = 0;                /* A */
    if (tid == 0) a[0] = nt;   /* B */
    if (nt > 1) a[1] = 0;      /* C */
    for (int i = 0; i < 4; i++) a[i + 1] = 0;   /* D */
  }
}
"""


def test_thread_dependence_and_affine_forms() -> None:
    src = source("c", OMP)
    off = expr(src, "/* A */", "off")
    assert D.is_thread_dependent(src, off)
    assert D.affine_in(src, off, {TID}) == Affine(((TID, 1),), 3)
    assert D.is_thread_id(src, expr(src, "/* B */", "tid"))
    assert not D.is_thread_id(src, off)
    assert D.equality_operands(src, expr(src, "/* B */", "(tid == 0)")) is not None
    c_cond = expr(src, "/* C */", "(nt > 1)")
    assert not D.is_thread_dependent(src, c_cond)
    assert D.TEAM_DEP in D.dependences(src, c_cond)
    sub = expr(src, "/* D */", "i + 1")
    assert D.affine_in(src, sub, {"i"}) == Affine((("i", 1),), 1)
    assert D.affine_in(src, sub, {"j"}) is None


def test_fortran_thread_id() -> None:
    src = source(
        "fortran",
        "subroutine s(a)\n  integer :: a(4), t\n  t = omp_get_thread_num()\n  if (t .eq. 0) a(1) = 1 ! A\nend subroutine s\n",
    )
    assert D.is_thread_id(src, expr(src, "! A", "t"))


CUDA = """
__global__ void k(float *s, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  int lane = threadIdx.x % 32;
  int w = blockDim.x / 32;
  if (i < n) s[i] = 0;        /* A */
  if (w > 1) s[0] = 0;        /* B */
  if (lane == 0) s[1] = 0;    /* C */
}
"""


def test_cuda_builtins() -> None:
    src = source("cuda", CUDA)
    a = expr(src, "/* A */", "(i < n)")
    assert D.is_thread_dependent(src, a)
    assert {"threadIdx", "blockIdx", "blockDim"} <= D.dependences(src, a)
    assert not D.is_thread_dependent(src, expr(src, "/* B */", "(w > 1)"))
    assert D.is_thread_dependent(src, expr(src, "/* C */", "(lane == 0)"))


LOOPS = """
int walk(char *p, int n) {
  int i, j = 0;
  while (*p == ' ') p++;
  while (*p != 0 && *p == 'x') { p++; n++; }
  for (i = 0; i < n; i++) {
    j = i;
    i++;
    g(j);          /* A */
  }
  return i;
}
"""


def test_loops_converge_and_atoms_are_not_confused() -> None:
    src = source("c", LOOPS)
    fv = D.function_values(src, src.text.index("int walk"))
    assert fv is not None
    j = expr(src, "/* A */", "j")
    assert fv.value(j).affine is not None and fv.complete  # solved within the work budget
    # j holds the old i: it is not the current i any more
    assert D.affine_in(src, j, {"i"}) is None


def test_thread_id_tests_and_conjuncts() -> None:
    src = source(
        "c",
        """
int tid(void) { return omp_get_thread_num(); }
void f(int n) {
  int me = omp_get_thread_num(), other = n;
  if (me == 0) n++;                       /* A */
  if (2 == tid()) n++;                    /* B */
  if (other == 0) n++;                    /* C */
  if (n > 1 && (me == 0 && n < 9)) n++;   /* D */
  if (n > 1 || me == 0) n++;              /* E */
}
""",
    )
    tested = D.thread_id_tests(src, expr(src, "/* A */", "me == 0"))
    assert [(src.node_text(t), c) for t, c in tested] == [("me", 0)]
    assert [c for _, c in D.thread_id_tests(src, expr(src, "/* B */", "2 == tid()"))] == [2]
    assert D.thread_id_tests(src, expr(src, "/* C */", "other == 0")) == []
    parts = D.conjuncts(src, expr(src, "/* D */", "n > 1 && (me == 0 && n < 9)"))
    assert [src.node_text(p) for p in parts] == ["n > 1", "me == 0", "n < 9"]
    anded = D.thread_id_tests(src, expr(src, "/* D */", "n > 1 && (me == 0 && n < 9)"))
    assert [(src.node_text(t), c) for t, c in anded] == [("me", 0)]
    assert D.thread_id_tests(src, expr(src, "/* E */", "n > 1 || me == 0")) == []
    assert len(D.conjuncts(src, expr(src, "/* E */", "n > 1 || me == 0"))) == 1
