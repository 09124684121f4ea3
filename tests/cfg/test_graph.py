"""Control-flow graphs of small C, C++, CUDA and Fortran functions: edges, jumps, regions, barriers."""

from __future__ import annotations

from hpclsp.analysis import cfg
from hpclsp.analysis.cfg.graph import BARRIER, CFG, COND, EXIT, STMT, CNode
from hpclsp.analysis.source import SourceFile

EXT = {"c": "c", "cpp": "cpp", "cuda": "cu", "fortran": "f90"}


def graphs(lang: str, text: str) -> tuple[SourceFile, dict[str, CFG]]:
    src = SourceFile(f"t.{EXT[lang]}", lang, text)
    return src, cfg.by_name(src)


def stmt(src: SourceFile, g: CFG, text: str) -> CNode:
    """The statement or condition node whose source starts with ``text``."""
    for n in g.nodes:
        if n.ast is not None and n.kind in (STMT, COND, BARRIER) and src.node_text(n.ast).startswith(text):
            return n
    raise AssertionError(f"no node for {text!r}")


def succ_texts(src: SourceFile, g: CFG, n: CNode) -> set[str]:
    """The first real nodes after ``n`` (through joins and region markers), by text or kind."""
    out: set[str] = set()
    seen: set[int] = set()
    work = list(n.succ)
    while work:
        i = work.pop()
        if i in seen:
            continue
        seen.add(i)
        m = g.nodes[i]
        if m.kind == EXIT:
            out.add("<exit>")
        elif m.ast is not None:
            out.add(src.node_text(m.ast))
        elif m.kind == BARRIER:
            out.add(f"<barrier {m.label}>")
        else:
            work.extend(m.succ)
    return out


C_LOOPS = """
int find(int *a, int n) {
  int i;
  for (i = 0; i < n; i++) {
    if (a[i] < 0) continue;
    if (a[i] == 7) break;
    a[i] = 1;
  }
  while (n > 0) n--;
  if (n) goto done;
  exit(1);
done:
  return i;
}
"""


def test_c_loops_break_continue_goto_exit() -> None:
    src, gs = graphs("c", C_LOOPS)
    g = gs["find"]
    assert succ_texts(src, g, stmt(src, g, "continue")) == {"i++"}
    assert succ_texts(src, g, stmt(src, g, "break")) == {"(n > 0)"}
    assert succ_texts(src, g, stmt(src, g, "i < n")) == {"(a[i] < 0)", "(n > 0)"}
    assert succ_texts(src, g, stmt(src, g, "goto")) == {"return i;"}
    assert succ_texts(src, g, stmt(src, g, "exit(1)")) == {"<exit>"}
    assert succ_texts(src, g, stmt(src, g, "return")) == {"<exit>"}
    # the loop test is control dependent on itself; the body's assignment on both ifs
    deps = g.control_dependences()
    conds = {
        src.node_text(g.nodes[c].ast) for c in deps[stmt(src, g, "a[i] = 1").id] if g.nodes[c].ast is not None
    }
    assert conds == {"(a[i] == 7)"}


def test_c_switch_fallthrough_and_default() -> None:
    src, gs = graphs(
        "c",
        "void s(int r, int n) { switch (r) { case 0: n = 1; case 1: n = 2; break; default: n = 3; } n = 4; }",
    )
    g = gs["s"]
    assert succ_texts(src, g, stmt(src, g, "n = 1")) == {"n = 2;"}  # falls through
    assert succ_texts(src, g, stmt(src, g, "(r)")) == {"n = 1;", "n = 2;", "n = 3;"}  # default: no edge past
    assert succ_texts(src, g, stmt(src, g, "break")) == {"n = 4;"}


def test_c_do_while_and_calls_resolved_in_file() -> None:
    src, gs = graphs(
        "cpp", "int h(int x) { return x; }\nvoid k(int n) { do { n = h(n); } while (n > 0); g(n); }"
    )
    g = gs["k"]
    assert succ_texts(src, g, stmt(src, g, "(n > 0)")) == {"n = h(n);", "g(n);"}
    assert [name for _, name in g.calls] == ["h"]  # g is not defined in the file


C_OMP = """
void w(int *a, int n) {
  #pragma omp parallel
  {
    int tid = omp_get_thread_num();
    #pragma omp for nowait
    for (int i = 0; i < n; i++) a[i] = i;
    a[tid] += 1;
    #pragma omp for
    for (int i = 0; i < n; i++) a[i] *= 2;
    #pragma omp single
    a[0] = 0;
    #pragma omp barrier
    a[1] = 1;
  }
}
"""


def test_c_openmp_regions_and_barriers() -> None:
    src, gs = graphs("c", C_OMP)
    g = gs["w"]
    names = [(r.name, r.nowait, r.parent) for r in g.regions]
    assert names == [("parallel", False, None), ("for", True, 0), ("for", False, 0), ("single", False, 0)]
    labels = [b.label for b in g.barriers()]
    # for (implicit), single (implicit), explicit barrier, end of parallel (implicit); nowait adds none
    assert labels == ["implicit", "implicit", "explicit", "implicit"]
    nowait_loop = stmt(src, g, "a[i] = i")
    after = stmt(src, g, "a[tid] += 1")
    assert g.barriers_crossed(nowait_loop.id, after.id) == []
    second = stmt(src, g, "a[i] *= 2")
    crossed = g.barriers_crossed(after.id, stmt(src, g, "a[0] = 0").id)
    assert crossed is not None and [b.label for b in crossed] == ["implicit"]
    assert g.barriers_crossed(second.id, after.id) is None  # no path back
    # statements between the start of the region and its first barrier
    start = g.regions[0].begin
    between = {src.node_text(n.ast) for n in g.between_barriers(start) if n.ast is not None}
    assert "a[tid] += 1;" in between and "a[0] = 0;" not in between
    assert g.nodes[after.id].region == 0 and g.nodes[nowait_loop.id].region == 1


CUDA = """
__global__ void k(float *s) {
  s[threadIdx.x] = 1.0f;
  __syncthreads();
  if (threadIdx.x < 32) {
    s[threadIdx.x] += s[threadIdx.x + 32];
    __syncthreads();
  }
}
"""


def test_cuda_syncthreads_is_a_barrier() -> None:
    src, gs = graphs("cuda", CUDA)
    g = gs["k"]
    bars = g.barriers()
    assert [b.label for b in bars] == ["syncthreads", "syncthreads"]
    first = stmt(src, g, "s[threadIdx.x] = 1.0f")
    inner = stmt(src, g, "s[threadIdx.x] +=")
    crossed = g.barriers_crossed(first.id, inner.id)
    assert crossed is not None and [b.id for b in crossed] == [bars[0].id]
    # the second barrier is only on the path through the branch: not crossed on every path to the exit
    crossed_exit = g.barriers_crossed(first.id, g.exit)
    assert crossed_exit is not None and [b.id for b in crossed_exit] == [bars[0].id]


FORTRAN = """
program p
  integer :: i, n, tid
  outer: do i = 1, n
    if (i > 3) then
      cycle
    else if (i > 5) then
      exit outer
    else
      n = n + 1
    end if
  end do outer
  !$omp parallel private(tid)
  tid = omp_get_thread_num()
  !$omp do
  do i = 1, n
    a(i) = 0
  end do
  !$omp end do nowait
  !$omp single
  a(1) = 1
  !$omp end single
  !$omp end parallel
  if (n > 9) stop
  call sub(n)
contains
  subroutine sub(m)
    integer :: m
    if (m > 0) return
    m = 1
  end subroutine sub
end program p
"""


def test_fortran_constructs_and_regions() -> None:
    src, gs = graphs("fortran", FORTRAN)
    g = gs["p"]
    assert succ_texts(src, g, stmt(src, g, "cycle")) == {"do i = 1, n"}
    assert "!$omp parallel private(tid)" not in succ_texts(src, g, stmt(src, g, "exit outer"))
    assert succ_texts(src, g, stmt(src, g, "stop")) == {"<exit>"}
    assert [(r.name, r.nowait) for r in g.regions] == [("parallel", False), ("do", True), ("single", False)]
    assert [b.label for b in g.barriers()] == ["implicit", "implicit"]  # end single, end parallel
    assert [name for _, name in g.calls] == ["sub"]
    sub = gs["sub"]
    assert succ_texts(src, sub, stmt(src, sub, "return")) == {"<exit>"}
    assert succ_texts(src, sub, stmt(src, sub, "(m > 0)")) == {"return", "m = 1"}


def test_graphs_are_built_once_per_source() -> None:
    src = SourceFile("t.c", "c", C_LOOPS)
    assert all(a is b for a, b in zip(cfg.graphs(src), cfg.graphs(src), strict=True))
    g = cfg.graph_at(src, src.text.index("a[i] = 1"))
    assert g is not None and g.name == "find"


NESTED = """
void n(int *a, int m) {
  #pragma omp parallel
  {
    #pragma omp parallel for
    for (int i = 0; i < m; i++) a[i] = 0;
    #pragma omp single nowait
    a[0] = 1;
    #pragma omp sections
    {
      a[1] = 2;
    }
    #pragma omp barrier
  }
}
"""


def test_team_barriers_bind_to_their_team() -> None:
    src, gs = graphs("c", NESTED)
    g = gs["n"]
    outer = g.region_at_line(2)
    inner = g.region_at_line(4)
    assert outer is not None and inner is not None and inner.parent == outer.index
    # the outer team meets the end of sections and the explicit barrier; not the inner team's join,
    # not the single (nowait), not its own closing join
    bars = g.team_barriers(outer.index)
    assert [b.label for b in bars] == ["implicit", "explicit"]
    assert bars[0].closes is not None and g.regions[bars[0].closes].name == "sections"
    assert bars[1].at == src.text.index("#pragma omp barrier") + len("#pragma omp barrier\n")
    assert g.team_barriers(inner.index) == []


def test_c_directive_over_directive() -> None:
    src, gs = graphs(
        "c",
        "void d(int *a, int n) {\n  #pragma omp parallel\n  #pragma omp for\n  for (int i = 0; i < n; i++) a[i] = 0;\n  n = 1;\n}\n",
    )
    g = gs["d"]
    assert [(r.name, r.parent) for r in g.regions] == [("parallel", None), ("for", 0)]
    body = stmt(src, g, "a[i] = 0")
    assert body.region == 1 and stmt(src, g, "n = 1").region is None
    assert g.regions[0].end == g.regions[1].end == src.text.index("a[i] = 0;") + len("a[i] = 0;")
    # the loop's barrier binds to the parallel team, which then joins
    assert [b.closes for b in g.barriers()] == [1, 0]
