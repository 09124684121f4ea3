"""Floors on the public suites: ``python -m bench.external`` must not fall below the recorded figures.

The bench runs once (in a subprocess, on every suite present under ``../shared/benchmarks``); each
suite is a test case, skipped only when its directory is absent. Floors are rates rounded DOWN to
two decimals, and counts, from the measurements of the tree they were submitted with; false alarms on
correct files have ceilings (not for the advisor: a loop the experts left serial may still be
parallelizable; its precision floor covers that). Raise a floor when a change improves a figure
(``python -m bench.external.floors`` proposes them); never lower one to make a change pass.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from bench.external.suites import SUITES

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BASE = os.path.normpath(os.path.join(ROOT, "..", "shared", "benchmarks"))

# fmt: off
# dataracebench-advice added 2026-12-03 (adv19c): the advisor on DataRaceBench's race-free kernels (reference:
# the loops under an OpenMP loop directive); its racy-kernel count is printed, not floored (it rests on the
# race analysis, which changes under it)
# measured 2026-12-02 ~15:00 UTC on the tree submitted with them: the figures of this submission
# autoparbench-npb exact clauses raised 2026-12-02 ~18:00 UTC (file-scope statics; clause equivalences in the scorer)
# autoparbench-npb 2026-12-03 (adv19): macros of quoted headers read (pow2: 14 loops found parallel), exact
# clauses 487 -> 505, covered_* added. Four suggested_* floors LOWERED by one step (all f1 0.50 -> 0.49,
# LU precision 0.92 -> 0.91, recall 0.30 -> 0.29, f1 0.46 -> 0.44): six LU nests the experts parallelize
# at their outer loop are now parallelizable there, so the suggestion moves out to that loop and the
# expert-parallel loops inside it count as "not suggested"; covered_* (the loop or one around it runs
# in parallel) scores that placement and rose 0.855 -> 0.871.
# mpi-corrbench hybrid ("(hybrid, no class)" and "openmp") LOWERED one step 2026-12-03 (stop 27): recall
# 0.542 -> 0.525 (32 -> 31 of 59). The one file lost, openmp/ordering/request_reuse.c, was only "found"
# through a false message ("MPI_Wait on request '&req' which is never started"): the request is started
# by an MPI_Irecv hidden behind a statement macro, which the host model now lists among the unit's calls.
FLOORS: dict[str, dict[str, dict[str, float]]] = {
    "dataracebench-dev": {
        "all": {"precision": 0.97, "recall": 0.95, "f1": 0.96, "accuracy": 0.96, "right_line_hits": 79},
        "C/C++": {"precision": 0.97, "recall": 0.95, "f1": 0.96, "accuracy": 0.97, "right_line_hits": 44},
        "Fortran": {"precision": 0.97, "recall": 0.95, "f1": 0.96, "accuracy": 0.96, "right_line_hits": 35},
    },
    "mpi-corrbench": {
        "all": {"precision": 0.98, "recall": 0.84, "f1": 0.91, "accuracy": 0.9, "right_line_hits": 204},
        "(hybrid, no class)": {"precision": 1.0, "recall": 0.52, "f1": 0.68, "accuracy": 0.52},
        "ArgError": {"precision": 1.0, "recall": 0.89, "f1": 0.94, "accuracy": 0.89, "right_line_hits": 163},
        "ArgMismatch": {"precision": 1.0, "recall": 0.91, "f1": 0.95, "accuracy": 0.91, "right_line_hits": 13},
        "MisplacedCall": {"precision": 1.0, "recall": 0.92, "f1": 0.96, "accuracy": 0.92, "right_line_hits": 7},
        "MissingCall": {"precision": 1.0, "recall": 1.0, "f1": 1.0, "accuracy": 1.0, "right_line_hits": 21},
        "coll": {"precision": 1.0, "recall": 1.0, "f1": 1.0, "accuracy": 1.0, "right_line_hits": 58},
        "conflo": {"precision": 1.0, "recall": 0.89, "f1": 0.94, "accuracy": 0.89, "right_line_hits": 50},
        "correct/coll": {"accuracy": 1.0},
        "correct/datatype": {"accuracy": 1.0},
        "correct/openmp": {"accuracy": 0.93},
        "correct/pt2pt": {"accuracy": 0.97},
        "correct/rma": {"accuracy": 1.0},
        "openmp": {"precision": 1.0, "recall": 0.52, "f1": 0.68, "accuracy": 0.52},
        "pt2pt": {"precision": 1.0, "recall": 0.97, "f1": 0.98, "accuracy": 0.97, "right_line_hits": 63},
        "rma": {"precision": 1.0, "recall": 0.82, "f1": 0.9, "accuracy": 0.82, "right_line_hits": 19},
        "usertypes": {"precision": 1.0, "recall": 0.6, "f1": 0.75, "accuracy": 0.6, "right_line_hits": 14},
    },
    "gpuverify-testsuite": {
        "all": {"precision": 1.0, "recall": 0.8, "f1": 0.88, "accuracy": 0.97, "right_line_hits": 3},
        "pass": {"accuracy": 1.0},
        "xfail-race": {"precision": 1.0, "recall": 0.8, "f1": 0.88, "accuracy": 0.8, "right_line_hits": 3},
    },
    "dracc": {
        "all": {"precision": 1.0, "recall": 0.69, "f1": 0.81, "accuracy": 0.72},
        "CUDA": {"precision": 1.0, "recall": 0.8, "f1": 0.89, "accuracy": 0.82},
        "OpenMP": {"precision": 1.0, "recall": 0.63, "f1": 0.77, "accuracy": 0.67},
    },
    "autoparbench-npb": {
        "all": {"precision": 0.81, "recall": 0.98, "f1": 0.89, "accuracy": 0.85, "clauses_exact_hits": 506, "suggested_precision": 0.92, "suggested_recall": 0.34, "suggested_f1": 0.49, "covered_precision": 0.96, "covered_recall": 0.79, "covered_f1": 0.87},
        "BT": {"precision": 0.88, "recall": 1.0, "f1": 0.93, "accuracy": 0.9, "clauses_exact_hits": 145, "suggested_precision": 0.98, "suggested_recall": 0.31, "suggested_f1": 0.47},
        "CG": {"precision": 0.73, "recall": 0.94, "f1": 0.82, "accuracy": 0.83, "clauses_exact_hits": 14, "suggested_precision": 0.8, "suggested_recall": 0.88, "suggested_f1": 0.84},
        "EP": {"precision": 1.0, "recall": 1.0, "f1": 1.0, "accuracy": 1.0, "clauses_exact_hits": 6, "suggested_precision": 1.0, "suggested_recall": 0.16, "suggested_f1": 0.28},
        "FT": {"precision": 0.75, "recall": 0.78, "f1": 0.76, "accuracy": 0.79, "clauses_exact_hits": 18, "suggested_precision": 0.7, "suggested_recall": 0.3, "suggested_f1": 0.42},
        "IS": {"precision": 0.37, "recall": 0.75, "f1": 0.5, "accuracy": 0.57, "clauses_exact_hits": 3, "suggested_precision": 0.28, "suggested_recall": 0.5, "suggested_f1": 0.36},
        "LU": {"precision": 0.74, "recall": 0.99, "f1": 0.84, "accuracy": 0.78, "clauses_exact_hits": 95, "suggested_precision": 0.91, "suggested_recall": 0.29, "suggested_f1": 0.44},
        "MG": {"precision": 0.6, "recall": 1.0, "f1": 0.75, "accuracy": 0.75, "clauses_exact_hits": 27, "suggested_precision": 1.0, "suggested_recall": 0.4, "suggested_f1": 0.57},
        "SP": {"precision": 0.87, "recall": 0.99, "f1": 0.93, "accuracy": 0.89, "clauses_exact_hits": 198, "suggested_precision": 1.0, "suggested_recall": 0.34, "suggested_f1": 0.5},
        "common": {"accuracy": 1.0},
        "sys": {"accuracy": 1.0},
    },
    "dataracebench-advice": {
        "all": {"precision": 0.56, "recall": 0.96, "f1": 0.71, "accuracy": 0.59, "clauses_exact_hits": 477, "covered_precision": 0.97, "covered_recall": 0.96, "covered_f1": 0.96},
        "C/C++": {"precision": 0.56, "recall": 0.98, "f1": 0.71, "accuracy": 0.58, "clauses_exact_hits": 447},
        "Fortran": {"precision": 0.68, "recall": 0.82, "f1": 0.74, "accuracy": 0.71, "clauses_exact_hits": 30},
    },
}
FALSE_ALARM_CEILINGS: dict[str, dict[str, int]] = {
    "dataracebench-dev": {
        "all": 2,
        "C/C++": 1,
        "Fortran": 1,
    },
    "mpi-corrbench": {
        "all": 4,  # correct/openmp/ordering/correct/two_collectives_4.c: concurrent collectives in tasks, erroneous by the standard (its own header says so)
        "(hybrid, no class)": 0,
        "ArgError": 0,
        "ArgMismatch": 0,
        "MisplacedCall": 0,
        "MissingCall": 0,
        "coll": 0,
        "conflo": 0,
        "correct/coll": 0,
        "correct/datatype": 0,
        "correct/openmp": 3,  # see "all"
        "correct/pt2pt": 1,
        "correct/rma": 0,
        "openmp": 0,
        "pt2pt": 0,
        "rma": 0,
        "usertypes": 0,
    },
    "gpuverify-testsuite": {
        "all": 0,
        "pass": 0,
        "xfail-other": 0,
        "xfail-race": 0,
    },
    "dracc": {
        "all": 0,
        "CUDA": 0,
        "OpenMP": 0,
    },
}

# fmt: on


def _present() -> list[str]:
    """The directories of the suites present (a directory read by several suites listed once)."""
    dirs = dict.fromkeys(s.dirname for s in SUITES.values())
    return [d for d in dirs if os.path.isdir(os.path.join(BASE, d))]


def figure(row: dict[str, Any], key: str) -> float | None:
    """A row's figure by floor key: a rate, ``suggested_*`` (the advisor's second verdict), or
    ``covered_*`` (the advisor's third: the loop or one around it runs in parallel),
    ``right_line_hits`` / ``clauses_exact_hits`` (defects found at a labelled line, parallel loops with
    exactly the reference clauses: counts, since those *rates* fall whenever a newly found file or loop
    is not perfect)."""
    for verdict in ("suggested", "covered"):
        if key.startswith(verdict + "_"):
            return row[verdict][key[len(verdict) + 1 :]]
    if key == "right_line_hits":
        return row["right_line_count"][0]
    if key == "clauses_exact_hits":
        return row["clauses_count"][0]
    return row[key]


@pytest.fixture(scope="module")
def reports() -> dict[str, Any]:
    """One bench run over every present suite (JSON)."""
    names = _present()
    if not names:
        return {}
    cmd = [sys.executable, "-m", "bench.external", "--json"] + [os.path.join(BASE, n) for n in names]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)["suites"]


@pytest.mark.slow
@pytest.mark.parametrize("suite", sorted(SUITES))
def test_figures_stay_above_floors(suite: str, reports: dict[str, Any]) -> None:
    if not os.path.isdir(os.path.join(BASE, SUITES[suite].dirname)):
        pytest.skip(f"{BASE}/{SUITES[suite].dirname} is absent")
    report = reports[suite]
    assert report["revision"] != "unknown", "SOURCES.txt should name the suite's revision"
    rows = report["rows"]
    drops = []
    for row, floors in FLOORS.get(suite, {}).items():
        got = rows.get(row)
        if got is None:
            drops.append(f"{row}: row missing")
            continue
        for key, floor in floors.items():
            value = figure(got, key)
            if value is None or value < floor - 1e-9:  # 2/3 of 0.75 is 0.7499999999999999 in floats
                drops.append(f"{row}: {key} {value} < floor {floor}")
    for row, ceiling in FALSE_ALARM_CEILINGS.get(suite, {}).items():
        got = rows.get(row)
        if got is not None and got["false_alarms"] > ceiling:
            drops.append(f"{row}: {got['false_alarms']} false alarms > {ceiling}")
    assert not drops, f"{suite} ({report['revision']}):\n" + "\n".join(drops)
