"""``hpclsp check`` in a team's workflow: configuration files, code validation, paths, exit codes, baselines."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from hpclsp import baseline
from hpclsp.analysis.findings import Finding, Span

from ..conftest import ROOT
from .test_check import BAD_C, hpclsp

RACY_C = """\
double dot(const double *x, const double *y, int n) {
    double sum = 0.0;
#pragma omp parallel for
    for (int i = 0; i < n; i++) {
        sum += x[i] * y[i];
    }
    return sum;
}

void scale(double *a, int n) {
    double t;
#pragma omp parallel for
    for (int i = 0; i < n; i++) {
        t = a[i] * 2.0;
        a[i] = t + 1.0;
    }
}
"""


def codes_of(r: subprocess.CompletedProcess[str]) -> set[str]:
    return {d["code"] for d in json.loads(r.stdout)}


def write_project(tmp_path, config_name: str, config_text: str):
    (tmp_path / config_name).write_text(config_text)
    src = tmp_path / "src" / "deep"
    src.mkdir(parents=True)
    (src / "bad.c").write_text(BAD_C)
    return src / "bad.c"


def test_hpclsp_toml_found_upward(tmp_path):
    bad = write_project(tmp_path, "hpclsp.toml", '[diagnostics]\nignore = ["omp-directive-unknown"]\n')
    assert codes_of(hpclsp("check", "--format", "json", str(bad))) == {"omp-clause-conflict"}
    # --select on the command line replaces the file's selection; --ignore adds to it.
    r = hpclsp("check", "--format", "json", "--select", "omp-directive", str(bad))
    assert codes_of(r) == set()
    assert codes_of(hpclsp("check", "--format", "json", "--no-config", str(bad))) >= {"omp-directive-unknown"}


def test_pyproject_tool_table(tmp_path):
    bad = write_project(
        tmp_path,
        "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.hpclsp.diagnostics]\nselect = ["omp-directive-*"]\n',
    )
    assert codes_of(hpclsp("check", "--format", "json", str(bad))) == {"omp-directive-unknown"}


def test_pyproject_without_table_is_skipped_for_a_higher_hpclsp_toml(tmp_path):
    bad = write_project(tmp_path, "hpclsp.toml", 'diagnostics.select = ["omp-clause-conflict"]\n')
    (tmp_path / "src" / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert codes_of(hpclsp("check", "--format", "json", str(bad))) == {"omp-clause-conflict"}


def test_bad_configuration_is_an_error(tmp_path):
    bad = write_project(tmp_path, "hpclsp.toml", '[diagnostics]\nselect = ["omp-rase"]\n')
    r = hpclsp("check", str(bad))
    assert r.returncode == 2 and "omp-rase" in r.stderr and "hpclsp.toml" in r.stderr
    (tmp_path / "hpclsp.toml").write_text("[diagnostics\n")
    r = hpclsp("check", str(bad))
    assert r.returncode == 2 and "cannot read settings" in r.stderr
    (tmp_path / "hpclsp.toml").write_text("[diagnostics]\nnosuchKey = 1\n")
    r = hpclsp("check", str(bad))
    assert r.returncode == 1 and "unknown setting" in r.stderr


def test_unknown_codes_and_globs_are_usage_errors(bad_file):
    for args in (
        ["--select", "nosuch-rule"],
        ["--ignore", "omp-race,mpi-nosuch-*"],
        ["--select", "omp-rase-*"],
    ):
        r = hpclsp("check", *args, str(bad_file))
        assert r.returncode == 2, args
        assert "matches no rule" in r.stderr and r.stdout == ""
    assert hpclsp("check", "--select", "omp-*,cuda-race-*", str(bad_file)).returncode == 1


def test_paths_without_sources(tmp_path, bad_file):
    empty = tmp_path / "docs"
    empty.mkdir()
    (empty / "notes.txt").write_text("nothing to check")
    r = hpclsp("check", str(empty))
    assert r.returncode == 0 and "no C, C++, CUDA or Fortran sources" in r.stderr
    assert hpclsp("check", "--strict", str(empty)).returncode == 2
    # A mistyped path next to a good one is still an error.
    r = hpclsp("check", str(bad_file), str(tmp_path / "bda.c"))
    assert r.returncode == 2 and "no such file" in r.stderr


def test_exit_zero(bad_file):
    r = hpclsp("check", "--exit-zero", str(bad_file))
    assert r.returncode == 0 and "[omp-directive-unknown]" in r.stdout
    assert hpclsp("check", "--exit-zero", str(bad_file) + ".missing.c").returncode == 2


def test_broken_pipe_keeps_the_exit_code(tmp_path):
    for i in range(40):
        (tmp_path / f"bad{i}.c").write_text(BAD_C)
    env = {**os.environ, "PYTHONPATH": ROOT}
    proc = subprocess.Popen(
        [sys.executable, "-m", "hpclsp", "check", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # like `| head -1`
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 1
    assert b"[omp-" in first
    assert "Traceback" not in err and "Exception ignored" not in err


def test_parallel_jobs_give_the_same_report(tmp_path):
    for i in range(6):
        (tmp_path / f"f{i}.c").write_text(RACY_C if i % 2 else BAD_C)
    one = hpclsp("check", "--format", "json", "-j", "1", str(tmp_path))
    two = hpclsp("check", "--format", "json", "-j", "2", str(tmp_path))
    assert one.returncode == two.returncode == 1
    assert json.loads(one.stdout) == json.loads(two.stdout) != []


def test_baseline_reports_only_new_findings(tmp_path):
    src = tmp_path / "race.c"
    src.write_text(RACY_C)
    r = hpclsp("check", "--write-baseline", "base.json", "race.c", cwd=str(tmp_path))
    assert r.returncode == 0 and "recorded 2 finding(s)" in r.stderr
    data = json.loads((tmp_path / "base.json").read_text())
    assert {e["path"] for e in data["findings"]} == {"race.c"}
    assert hpclsp("check", "--baseline", "base.json", "race.c", cwd=str(tmp_path)).returncode == 0
    # Unrelated edits move the findings: the baseline still matches them.
    src.write_text(
        "/* a header comment\n   spanning lines */\n\n" + RACY_C.replace("double t;", "double t, u;")
    )
    assert hpclsp("check", "--baseline", "base.json", "race.c", cwd=str(tmp_path)).returncode == 0
    # A new finding is reported, and only it.
    src.write_text(
        RACY_C + RACY_C.replace("dot(", "dot2(").replace("scale(", "scale2(").replace("sum", "acc")
    )
    r = hpclsp("check", "--format", "json", "--baseline", "base.json", "race.c", cwd=str(tmp_path))
    assert r.returncode == 1
    found = json.loads(r.stdout)
    assert [d["code"] for d in found] == ["omp-race-missing-reduction", "omp-race-missing-private"]
    assert all(d["line"] > 17 for d in found)


def test_default_baseline_file_and_bad_baselines(tmp_path):
    (tmp_path / "race.c").write_text(RACY_C)
    assert hpclsp("check", "--write-baseline", baseline.DEFAULT_PATH, ".", cwd=str(tmp_path)).returncode == 0
    assert hpclsp("check", ".", cwd=str(tmp_path)).returncode == 0  # the default file is read when present
    assert hpclsp("check", "--no-baseline", ".", cwd=str(tmp_path)).returncode == 1
    (tmp_path / "broken.json").write_text('{"findings": [{"path": 1}]}')
    r = hpclsp("check", "--baseline", "broken.json", ".", cwd=str(tmp_path))
    assert r.returncode == 2 and "malformed" in r.stderr
    assert hpclsp("check", "--baseline", "missing.json", ".", cwd=str(tmp_path)).returncode == 2


def test_fingerprints_ignore_line_numbers_and_count_duplicates():
    lines = ["int x;", "  sum += a[i];", "", "sum  +=  a[i];"]
    f1 = Finding("omp-race-missing-reduction", "m", Span.of(1, 2, 1, 5))
    f2 = Finding("omp-race-missing-reduction", "m", Span.of(3, 0, 3, 3))
    a, b = baseline.fingerprints(lines, [f1, f2])
    assert a != b  # same code and text: told apart by their order
    shifted = ["", "", *lines]
    g1 = Finding(f1.code, "m", Span.of(3, 2, 3, 5))
    assert baseline.fingerprints(shifted, [g1]) == [a]


def test_explicit_config_and_jobs_zero(tmp_path, bad_file):
    cfg = tmp_path / "ci.toml"
    cfg.write_text('[hpclsp.diagnostics]\nselect = ["omp-clause-conflict"]\n')
    r = hpclsp("check", "--format", "json", "--config", str(cfg), "-j", "0", str(bad_file))
    assert codes_of(r) == {"omp-clause-conflict"}
    r = hpclsp("check", "--config", str(tmp_path / "missing.toml"), str(bad_file))
    assert r.returncode == 2 and "missing.toml" in r.stderr
    assert hpclsp("check", "-j", "-1", str(bad_file)).returncode == 2


def test_a_file_named_twice_is_checked_once(tmp_path, bad_file):
    once = json.loads(hpclsp("check", "--format", "json", str(bad_file)).stdout)
    twice = json.loads(hpclsp("check", "--format", "json", str(bad_file), str(tmp_path)).stdout)
    assert once == twice != []
