"""The work budget inside the race analysis of one function: dependence tests are charged by the
size of the loop nest they range over, past the limit the function keeps its partial results and
gets one ``omp-analysis-incomplete`` note."""

from __future__ import annotations

from hpclsp.analysis import engine
from hpclsp.analysis.context import Options
from hpclsp.analysis.ir import build_ir, dependence
from hpclsp.analysis.races.analyzer import Analyzer
from hpclsp.analysis.races.budget import DEFAULT_LIMIT
from hpclsp.analysis.source import SourceFile


def _tiled(statements: int, depth: int = 6) -> str:
    """A generated kernel: a parallel loop over ``i`` around a ``depth``-deep nest whose body updates
    ``a`` ``statements`` times with subscripts of the inner indices (each pair needs a dependence
    test), plus a shared scalar ``s`` written by every iteration (a race on few accesses)."""
    idx = [f"c{k}" for k in range(depth)]
    lines = [f"void kernel(int n, double a[n][n], double b[n][n]) {{\n  int i, s, {', '.join(idx)};"]
    lines.append("#pragma omp parallel for private(" + ", ".join(idx) + ")")
    lines.append("  for (i = 0; i < n; i++) {")
    lines.append("    s = i;")
    for k, c in enumerate(idx):
        lines.append("  " * (k + 2) + f"for ({c} = 0; {c} < n; {c}++)")
    body = "  " * (depth + 2)
    inner = idx[-1]
    for k in range(statements):
        lines.append(f"{body}a[{idx[k % depth]}][{inner} + {k}] = a[i][{inner} + {k + 1}] + b[i][{inner}];")
    lines.append("  }\n}\n")
    return "\n".join(lines)


def _analyze(text: str) -> Analyzer:
    an = Analyzer(SourceFile("k.c", "c", text))
    an.run()
    return an


def test_dependence_size_counts_dimensions_times_nest_indices():
    ir = build_ir(SourceFile("k.c", "c", _tiled(2, depth=3)))
    outer = ir.loops[0]
    a = [x for x in outer.accesses if x.name == "a"]
    assert dependence.size(a[0], a[1], outer) == 2 * 4  # two dimensions, i and c0..c2
    assert dependence.size(a[0], a[1], outer, loops=[outer, outer.children[0]]) == 2 * 4


def test_large_generated_function_is_cut_at_the_budget_with_partial_results():
    an = _analyze(_tiled(120))
    f = an.ir.functions[0]
    assert list(an.budget.exhausted.values()) == [("kernel", f.span.start.line)]
    # a pair that overruns the budget stops there: never much more than the limit is spent
    assert DEFAULT_LIMIT < an.budget.spent[id(f)] <= DEFAULT_LIMIT + 2 * 7
    # the variables with few accesses came first: their races are still reported
    assert any(r.var == "s" for r in an.races)


def test_small_generated_function_is_analysed_completely():
    an = _analyze(_tiled(6))
    assert not an.budget.exhausted
    assert any(r.var == "s" for r in an.races)


def test_the_cut_is_reported_once_as_information():
    res = engine.analyze(SourceFile("k.c", "c", _tiled(120)), Options(budget=float("inf")))
    notes = [f for f in res.findings if f.code == "omp-analysis-incomplete"]
    assert len(notes) == 1 and notes[0].severity.label == "information"
    assert "kernel" in notes[0].message
