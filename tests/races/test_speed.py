"""Work the race analysis leaves out without changing its races: the control-flow graph of a function
whose teams meet no barrier, and (for the advisor's vetting) the teams off the lines asked about."""

from __future__ import annotations

from hpclsp.analysis import engine
from hpclsp.analysis.context import Options
from hpclsp.analysis.races.analyzer import Analyzer
from hpclsp.analysis.source import SourceFile

TWO_TEAMS = """\
static int hits;
void bump(void) { hits++; }
void f(int n, double *a, double *b) {
  double s = 0.0;
#pragma omp parallel for
  for (int i = 0; i < n; i++)
    s += a[i];
  double t = 0.0;
#pragma omp parallel for
  for (int i = 0; i < n; i++)
    t = b[i];
#pragma omp parallel for
  for (int i = 0; i < n; i++)
    bump();
  a[0] = s + t;
}
"""

WITH_BARRIER = """\
void g(int n, double *a, double *b) {
#pragma omp parallel
  {
#pragma omp for nowait
    for (int i = 0; i < n; i++)
      a[i] = b[i];
#pragma omp barrier
    b[0] = a[n - 1];
  }
}
"""


def _key(r) -> tuple:
    return (r.kind, r.var, r.primary.span.start.line, r.message)


def test_no_graph_without_barriers_inside_a_team():
    src = SourceFile("t.c", "c", TWO_TEAMS)
    races = Analyzer(src).run()
    assert {r.var for r in races} >= {"s", "t"}
    assert "cfg" not in src.cache


def test_graph_built_when_a_team_holds_a_barrier():
    src = SourceFile("t.c", "c", WITH_BARRIER)
    # the barrier orders the loop's writes of a before the read after it; b[0] is written by every thread
    assert [r.var for r in Analyzer(src).run()] == ["b"]
    assert "cfg" in src.cache


def test_focus_keeps_the_races_on_its_lines():
    full = Analyzer(SourceFile("t.c", "c", TWO_TEAMS)).run()
    for lo, hi in [(8, 10), (4, 6), (11, 13), (0, 1)]:
        an = Analyzer(SourceFile("t.c", "c", TWO_TEAMS))
        an.focus = [(lo, hi)]
        got = [_key(r) for r in an.run() if lo <= r.primary.span.start.line <= hi]
        assert got == [_key(r) for r in full if lo <= r.primary.span.start.line <= hi]


def test_focus_keeps_teams_calling_functions_of_the_file():
    an = Analyzer(SourceFile("t.c", "c", TWO_TEAMS))
    an.focus = [(1, 1)]  # the callee's line: its race comes from the team that calls it
    assert [_key(r) for r in an.run()] == [
        _key(r) for r in Analyzer(SourceFile("t.c", "c", TWO_TEAMS)).run() if r.primary.span.start.line == 1
    ]


def test_engine_findings_unchanged_by_the_shortcuts():
    src = SourceFile("t.c", "c", TWO_TEAMS + WITH_BARRIER)
    codes = sorted(f.code for f in engine.analyze(src, Options(budget=1e9)).findings)
    assert "omp-race-missing-reduction" in codes
