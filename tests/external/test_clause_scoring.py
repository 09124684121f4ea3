"""How the AutoParBench scorer compares clause sets: reductions read from the expert pragma, and the
spellings that do not change the program counted as the same."""

from __future__ import annotations

import json

from bench.external import clauses, suites
from bench.external.metrics import Row
from bench.external.runner import Outcome
from bench.external.score import _score_loops

SOURCE = """\
void f(int n, double *u, double c) {
  int i, j, k;
  double s = 0.0, t = 0.0, x;
  #pragma omp parallel for reduction(+:s) reduction(+:t)
  for (i = 0; i < n; i++) {
    s = s + u[i];
    t = t + u[i] * u[i];
  }
  #pragma omp parallel for firstprivate(c, u)
  for (i = 0; i < n; i++) {
    #pragma omp parallel for private(x)
    for (j = 0; j < n; j++) {
      x = c * u[j];
      u[j] = x;
    }
    #pragma omp parallel for private(x)
    for (k = 0; k < n; k++) {
      x = u[k];
      u[k] = x + c;
    }
  }
}
"""


def _reference(tmp_path):
    src = tmp_path / "k.c"
    src.write_text(SOURCE)
    entries = {
        "1": {"loop line": "5", "loop column": "3", "pragma type": "parallel for", "induction variable": "i",
              "reduction": ["+:t"]},
        "2": {"loop line": "10", "loop column": "3", "pragma type": "parallel for", "induction variable": "i",
              "firstprivate": ["c", "u"]},
        "3": {"loop line": "12", "loop column": "5", "pragma type": "parallel for", "induction variable": "j",
              "private": ["x"]},
        "4": {"loop line": "17", "loop column": "5", "pragma type": "parallel for", "induction variable": "k",
              "private": ["x"]},
    }  # fmt: skip
    (tmp_path / "k.c.json").write_text(json.dumps(entries))
    return str(src), suites.reference_loops(str(tmp_path / "k.c.json"))


def test_every_reduction_clause_of_the_expert_pragma_counts(tmp_path):
    _, ref = _reference(tmp_path)
    assert ref[0]["clauses"] == {"reduction:+:s", "reduction:+:t"}  # the JSON kept only the last one
    assert clauses.pragma_reductions("#pragma omp for reduction( max : m, n ) reduction(+:s)") == {
        "reduction:max:m",
        "reduction:max:n",
        "reduction:+:s",
    }
    lines = ["  #pragma omp parallel for \\", "     reduction(*:p)", "", "  for (;;) {}"]
    assert clauses.pragma_above(lines, 4) == "  #pragma omp parallel for       reduction(*:p)"
    assert clauses.pragma_above(["x = 1;", "for (;;) {}"], 2) is None


def test_assigned_sees_every_way_of_changing_the_variable_itself():
    for text in ("c = 1;", "c += 2;", "++c;", "c--;", "c.re = 0;", "g(&c);", "cadd(c, a, b);"):
        assert clauses.assigned(text, "c"), text
    for text in ("u[i] = c;", "x = c * 2;", "p->c = 1;", "cc = 1;", "if (c == 1) y = 0;"):
        assert not clauses.assigned(text, "c"), text


def _loop(line, end, column, pragma, **clause_lists):
    out = {
        "line": line,
        "end_line": end,
        "column": column,
        "parallelizable": True,
        "suggested": bool(pragma),
        "pragma": pragma,
        "private": [],
        "firstprivate": [],
        "lastprivate": [],
        "reduction": [],
        "collapse": None,
    }
    out.update(clause_lists)
    return out  # fmt: skip


def _exact(tmp_path, loops):
    path, ref = _reference(tmp_path)
    case = suites.Case(path, ("x",), None, lambda f: False, kind="suggest", reference=ref)
    rows = [Row("all")]
    note = _score_loops(case, Outcome(0, loops=loops), rows, "k.c")
    return rows[0].clauses_exact, rows[0].clauses_of, note


def test_equivalent_spellings_are_exact(tmp_path):
    loops = [
        _loop(5, 8, 3, "p", reduction=["+:s", "+:t"]),
        # firstprivate(c, u) of values never assigned == shared; x is private in both inner loops
        _loop(10, 21, 3, "p", private=["j", "k", "x"]),
        _loop(12, 15, 5, None, private=["x"]),
        _loop(17, 20, 5, None, private=["x"]),
    ]
    exact, of, note = _exact(tmp_path, loops)
    assert (exact, of) == (4, 4), note


def test_different_clauses_stay_different(tmp_path):
    loops = [
        _loop(5, 8, 3, "p", reduction=["+:s"]),  # misses a reduction
        _loop(10, 21, 3, "p", private=["j", "k", "x"], lastprivate=["c"]),  # a lastprivate is not shared
        _loop(12, 15, 5, None, private=["x"]),
        _loop(17, 20, 5, None),  # x shared: a race the expert's private(x) avoids
    ]
    exact, of, note = _exact(tmp_path, loops)
    assert (exact, of) == (1, 4), note


def test_collapsed_indices_need_no_private():
    lines = ["for (i = 0; i < n; i++)", "  for (j = 0; j < n; j++)", "    a[i][j] = 0;"]
    assert clauses.normalized({"private:j"}, lines, (1, 3), [], frozenset({"j"})) == set()
    assert clauses.normalized({"private:j"}, lines, (1, 3), []) == {"private:j"}


def test_inner_privatization_drops_private_but_not_lastprivate():
    lines = SOURCE.splitlines()
    both = [
        ((12, 15), {"induction": "j", "clauses": {"private:x"}}),
        ((17, 20), {"induction": "k", "clauses": {"private:x"}}),
    ]
    tokens = {"private:x", "firstprivate:x", "lastprivate:x", "private:j", "private:k"}
    assert clauses.normalized(tokens, lines, (10, 21), both) == {"lastprivate:x"}
    one = [
        both[0],
        ((17, 20), {"induction": "k", "clauses": set()}),
    ]  # x also used where nothing privatizes it
    assert clauses.normalized({"private:x", "private:k"}, lines, (10, 21), one) == {"private:x"}


def test_clauses_on_variables_the_loop_never_mentions_change_nothing():
    lines = ["for (i = 0; i < n; i++) {", "  #pragma omp parallel for private(y, w)", "  a[i] = 0;", "}"]
    tokens = {"private:y", "firstprivate:w", "lastprivate:y"}
    assert clauses.normalized(tokens, lines, (1, 4), []) == {"lastprivate:y"}


def test_pragma_lines_inside_the_loop_are_not_code():
    lines = ["for (i = 0; i < n; i++) {", "  #pragma omp parallel for firstprivate(w, c)", "  a[i] = c;", "}"]
    assert clauses.normalized({"firstprivate:c"}, lines, (1, 4), []) == set()  # c is never assigned


def test_firstprivate_of_a_variable_assigned_first_is_private():
    lines = [
        "for (i = 0; i < n; i++) {",
        "  t = b[i];",
        "  for (k = 0; k < n; k++) a[i][k] = t;",
        "  if (b[i] > 0)",
        "    u = 1;",
        "  a[i][0] += u;",
        "  v = v + 1;",
        "}",
    ]
    tokens = {"firstprivate:t", "firstprivate:k", "firstprivate:u", "firstprivate:v"}
    got = clauses.normalized(tokens, lines, (1, 8), [])
    assert got == {"private:t", "private:k", "firstprivate:u", "firstprivate:v"}
    assert clauses.normalized({"firstprivate:k"}, lines, (1, 8), [], frozenset({"k"})) == set()
