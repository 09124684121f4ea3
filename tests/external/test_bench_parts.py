"""The external bench's parts on small texts written here: blanking, staging, label parsing, limits."""

from __future__ import annotations

import os

from bench.external import neutral, runner, suites
from bench.external.metrics import Confusion
from bench.external.score import pair_matched


def _shape(text: str) -> list[int]:
    return [len(line) for line in text.split("\n")]


def test_c_comments_blanked_in_place():
    text = (
        '/* header: Data race pair: a@3:1:W\n   more */\nint x; // yes\nchar *s = "http://x /* no */";\n'
        "int y = '/'; /* a */ int z;\n// spliced \\\n still comment\nint w;\n"
    )
    out = neutral.blank_c_comments(text)
    assert _shape(out) == _shape(text)
    assert "Data race" not in out and "yes" not in out and "still comment" not in out
    assert '"http://x /* no */"' in out  # strings untouched
    assert "int y = '/';" in out and "int z;" in out and "int w;" in out


def test_fortran_comments_blanked_sentinels_kept():
    text = "! Data race pair: x@3:5:W\nprogram p ! trailing\n!$omp parallel do private(i) ! note\nprint *, 'a!b'\n"
    out = neutral.blank_fortran_comments(text, fixed_form=False)
    assert _shape(out) == _shape(text)
    assert "Data race" not in out and "trailing" not in out and "note" not in out
    assert "!$omp parallel do private(i)" in out and "'a!b'" in out
    fixed = "c comment line\nc$omp parallel\n      x = 1 ! tail\n"
    out = neutral.blank_fortran_comments(fixed, fixed_form=True)
    assert out.split("\n")[0].strip() == "" and "c$omp parallel" in out and "tail" not in out


def test_omp_pragmas_blanked_with_continuations():
    text = "#pragma omp parallel for \\\n    private(t) reduction(+:s)\nfor (;;) {}\n#pragma once\n  # pragma omp barrier\n"
    out = neutral.blank_omp_pragmas(text)
    assert _shape(out) == _shape(text)
    assert "omp" not in out and "private" not in out and "#pragma once" in out and "for (;;)" in out


def test_labelled_names_renamed_consistently():
    text = (
        "program DRB001_antidep_yes\nend program DRB001_antidep_yes\n"
        "int line_no; line_no = 2; int MPI_ERR_OTHER; int t_yes_50; int no_x;\n"
    )
    out = neutral.rename_labelled_names(text, "DRB001-antidep-yes")
    assert _shape(out) == _shape(text)
    assert "yes" not in out and "line_no" not in out and "MPI_ERR_OTHER" in out and "no_x" in out
    first = out.split("\n")[0].split()[1]
    assert out.split("\n")[1].split()[2] == first


def test_stage_keeps_relative_includes(tmp_path):
    suite = tmp_path / "suite"
    (suite / "common").mkdir(parents=True)
    (suite / "bench" / "sub").mkdir(parents=True)
    (suite / "common" / "util.h").write_text('#include "inner.h"\n/* label */ int u;\n')
    (suite / "common" / "inner.h").write_text("int inner;\n")
    (suite / "bench" / "sub" / "local.h").write_text("int local;\n")
    case = suite / "bench" / "sub" / "thing-yes.c"
    case.write_text('#include "../../common/util.h"\n#include "local.h"\n#include <stdio.h>\n// label\n')
    staged = neutral.stage(str(case), 7, str(tmp_path / "out"), str(suite))
    assert os.path.basename(staged) == "case0007.c"
    d = os.path.dirname(staged)
    util = os.path.normpath(os.path.join(d, "../../common/util.h"))
    assert os.path.isfile(util) and "label" not in open(util).read()
    assert os.path.isfile(os.path.normpath(os.path.join(d, "../../common/inner.h")))
    assert os.path.isfile(os.path.join(d, "local.h"))
    assert "label" not in open(staged).read() and "yes" not in staged


def test_label_parsers():
    text = "Data race pairs: a[i+1]@64:10:R vs. a[i]@64:5:W\n 2. x@74:5:W vs. x@75:5:W\n"
    assert suites.race_pairs(text) == ((64, 64), (74, 75))
    sets = "Write_set = {j@61:10, j@61:20}\n  Read_set = {j@62:20, j@61:14}\n"
    assert set(suites.race_pairs(sets)) == {(61, 61), (61, 62)}
    assert suites.named_lines("/* wrong count. line 17 */") == {17}
    assert suites.named_lines("lines 13 and 14; line 20 - 22") == {13, 14, 20, 21, 22}
    status, regexes = suites.expected_errors(
        "//xfail:NOT_ALL_VERIFIED\n//--blockDim=2\n//possible write-write race\n\n//x\n"
    )
    assert status == "xfail" and regexes == ["possible write-write race"]
    assert suites.xfail_class(regexes) == "race"
    assert suites.xfail_class(["This kernel is race-free."]) == "other"
    assert suites.xfail_class(["barrier may be reached by non-uniform control flow"]) == "divergence"


def test_pair_matching_and_confusion():
    f = {"line": 10, "related": [12]}
    assert pair_matched(f, (12, 10)) and pair_matched(f, (10, 10)) and not pair_matched(f, (11, 12))
    c = Confusion()
    for exp, said in ((True, True), (True, False), (False, True), (False, False)):
        c.add(exp, said)
    assert (c.precision, c.recall, c.accuracy) == (0.5, 0.5, 0.5)


def test_runner_reports_findings_and_cpu_timeouts(tmp_path):
    racy = tmp_path / "a.c"
    racy.write_text(
        "int main(void) {\n  int a[100];\n#pragma omp parallel for\n  for (int i = 0; i < 99; i++)\n"
        "    a[i] = a[i + 1];\n  return 0;\n}\n"
    )
    big = tmp_path / "b.c"
    body = "".join(f"  for (int i{k} = 0; i{k} < n; i{k}++) s += a[i{k}] * {k};\n" for k in range(3000))
    big.write_text(f"double f(int n, double *a) {{\n  double s = 0;\n{body}  return s;\n}}\n")
    jobs = [runner.Job(0, str(racy), "check", ("omp-race",)), runner.Job(1, str(big), "suggest")]
    out = runner.run_jobs(jobs, workers=2, cpu_limit=0.2)
    assert any(f["code"].startswith("omp-race") and f["line"] == 5 for f in out[0].findings)
    assert out[1].timed_out and out[1].loops == []


def test_proposed_floors_only_go_up():
    from bench.external.floors import raised

    row = {
        "precision": 0.876,
        "recall": 0.5,
        "f1": None,
        "suggested": {"recall": 0.999},
        "right_line_count": [7, 9],
    }
    floors = {"precision": 0.8, "recall": 0.6, "f1": 0.3, "suggested_recall": 0.5, "right_line_hits": 5}
    want = {"precision": 0.87, "recall": 0.6, "f1": 0.3, "suggested_recall": 0.99, "right_line_hits": 7}
    assert raised(floors, row) == want


_RACY_C = """#include <stdio.h>
int main(void) {
  int a[100], sum = 0;
  for (int i = 0; i < 100; i++) a[i] = i;
#pragma omp parallel for
  for (int i = 0; i < 99; i++) {
    a[i] = a[i + 1] + 1;
    sum += a[i];
  }
  printf("%d\\n", sum);
  return 0;
}
"""

_RACY_F90 = """program p
  integer :: i, s
  integer :: a(100)
  s = 0
!$omp parallel do
  do i = 1, 99
    a(i) = a(i + 1)
    s = s + a(i)
  end do
!$omp end parallel do
  print *, s
end program p
"""


def test_in_process_matches_the_cli(tmp_path):
    """The bench's in-process calls report what ``hpclsp check`` / ``hpclsp suggest`` print."""
    import json
    import subprocess
    import sys

    paths = []
    for name, text in (("a.c", _RACY_C), ("b.f90", _RACY_F90)):
        (tmp_path / name).write_text(text)
        paths.append(str(tmp_path / name))
    jobs = [runner.Job(i, p, "check", ("omp-race",)) for i, p in enumerate(paths)]
    jobs += [runner.Job(10 + i, p, "suggest") for i, p in enumerate(paths)]
    out = runner.run_jobs(jobs, workers=1)
    mine = {(paths[i], f["line"], f["code"]) for i in range(2) for f in out[i].findings}
    loops = {
        (paths[i], lp["line"], lp["parallelizable"], lp["pragma"])
        for i in range(2)
        for lp in out[10 + i].loops
    }
    cli = [sys.executable, "-m", "hpclsp"]
    check = subprocess.run(
        [
            *cli,
            "check",
            "--format",
            "json",
            "--select",
            "omp-race",
            "--no-config",
            "--no-compile-commands",
            *paths,
        ],
        capture_output=True,
        text=True,
    )
    want = {(f["path"], f["line"], f["code"]) for f in json.loads(check.stdout)}
    suggest = subprocess.run([*cli, "suggest", "--format", "json", *paths], capture_output=True, text=True)
    want_loops = {
        (lp["path"], lp["line"], lp["parallelizable"], lp["pragma"]) for lp in json.loads(suggest.stdout)
    }
    assert mine and mine == want
    assert loops and loops == want_loops


def test_runner_spawns_when_the_parent_has_threads(tmp_path):
    import threading

    stop = threading.Event()
    t = threading.Thread(target=stop.wait, daemon=True)
    t.start()
    try:
        (tmp_path / "a.c").write_text(_RACY_C)
        out = runner.run_jobs([runner.Job(0, str(tmp_path / "a.c"), "check", ("omp-race",))], workers=1)
    finally:
        stop.set()
    assert out[0].error is None and any(f["code"].startswith("omp-race") for f in out[0].findings)


def test_reference_from_pragmas_c():
    from bench.external import loopref

    text = (
        "int main(){\n"
        "#pragma omp parallel for private (t, j) reduction(+:s)\n"
        "for (i = 0; i < n; i++)\n"
        "  for (j = 0; j < n; j++) { t = a[i][j]; s += t; }\n"
        "#pragma omp parallel\n"
        "for (i = 0; i < n; i++) a[i][0] = 0; /* #pragma omp for */\n"
        "#pragma omp target teams distribute parallel for collapse(2) map(tofrom: a)\n"
        "for (i = 0; i < n; i++)\n"
        "  for (j = 0; j < n; j++)\n"
        "    for (k = 0; k < n; k++) a[i][j] += 1;\n"
        "#pragma omp for ordered\n"
        "for (int q = 0; q < n; q++) ;\n"
        "}\n"
    )
    refs = {r["line"]: r for r in loopref.reference_from_pragmas(text, "x.c")}
    assert sorted(refs) == [3, 4, 6, 8, 10, 12]  # line 9 is folded by collapse(2)
    assert refs[3]["parallel"] and refs[3]["clauses"] == {"private:t", "private:j", "reduction:+:s"}
    assert not refs[4]["parallel"] and not refs[6]["parallel"] and not refs[10]["parallel"]
    assert refs[8]["parallel"] and refs[12]["parallel"] and refs[12]["induction"] == "q"


def test_reference_from_pragmas_fortran():
    from bench.external import loopref

    text = (
        "program p\n"
        "!$omp parallel do private(T) &\n"
        "!$omp& reduction(max:M)\n"
        "do i = 1, n\n"
        "  do j = 1, n\n"
        "  end do\n"
        "end do\n"
        "!$omp end parallel do\n"
        "do 10 k = 1, n\n"
        "10 continue\n"
        "end program\n"
    )
    refs = {r["line"]: r for r in loopref.reference_from_pragmas(text, "x.f90")}
    assert sorted(refs) == [4, 5, 9]
    assert refs[4]["parallel"] and refs[4]["clauses"] == {"private:t", "reduction:max:m"}
    assert not refs[5]["parallel"] and not refs[9]["parallel"]
    blanked = neutral.blank_fortran_directives(text)
    assert _shape(blanked) == _shape(text) and "omp" not in blanked and "do i = 1, n" in blanked
