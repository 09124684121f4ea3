"""Compile a dozen corpus programs before and after ``hpclsp suggest --apply``; run both with 4 threads; compare.

Among them: a C program with I/O (printf, fprintf), calls that write through pointer arguments and
pointer parameters that alias at one call, a C++ program with streams, containers and operators
on objects, and a C program whose file-scope statics live in a quoted header (copied
beside it); their serial loops must stay serial for the output to stay the same.

The parallelized program must print the same checksums as the serial one (floating-point sums
may differ in the last digits because reductions reassociate: compared with a relative tolerance).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from hpclsp import cli

from .corpus import CORPUS

PROGRAMS = [
    "prog_00.c",
    "prog_03.c",
    "prog_05.c",
    "prog_07.c",
    "prog_11.c",
    "prog_14.c",
    "prog_19.c",
    "prog_24.c",
    "prog_44_io_alias.c",
    "prog_45_cxx.cpp",
    "prog_46_header.c",
    "prog_47_work_arrays.c",
    "prog_28.f90",
    "prog_31.f90",
    "prog_35.f90",
    "prog_38.f90",
    "prog_42.f90",
]


def _compiler(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: scripts/setup.d/10-system.sh installs it (apt-get install {name})")
    return path


def _build_and_run(src: str, exe: str) -> list[str]:
    if src.endswith(".c"):
        cmd = [_compiler("gcc"), "-O1", "-fopenmp", "-Werror=unknown-pragmas", "-o", exe, src, "-lm"]
    elif src.endswith(".cpp"):
        cmd = [_compiler("g++"), "-O1", "-fopenmp", "-Werror=unknown-pragmas", "-o", exe, src]
    else:
        cmd = [_compiler("gfortran"), "-O1", "-fopenmp", "-o", exe, src]
    # Compile in the executable's directory so gfortran's .mod files stay out of the work tree.
    res = subprocess.run(
        cmd, capture_output=True, text=True, timeout=120, cwd=os.path.dirname(os.path.abspath(exe))
    )
    assert res.returncode == 0, f"compiling {src} failed:\n{res.stderr}"
    run = subprocess.run(
        [exe], capture_output=True, text=True, timeout=120, env={**os.environ, "OMP_NUM_THREADS": "4"}
    )
    assert run.returncode == 0, run.stderr
    return run.stdout.splitlines()


def _same(a: str, b: str) -> bool:
    ta, tb = a.split(), b.split()
    if len(ta) != len(tb):
        return False
    for x, y in zip(ta, tb):
        if x == y:
            continue
        try:
            fx, fy = float(x.replace("D", "E")), float(y.replace("D", "E"))
        except ValueError:
            return False
        if abs(fx - fy) > 1e-9 * max(1.0, abs(fx), abs(fy)):
            return False
    return True


@pytest.mark.parametrize("name", PROGRAMS)
def test_parallelized_program_prints_the_same(name: str, tmp_path, capsys):
    orig = os.path.join(CORPUS, name)
    par = tmp_path / name
    shutil.copyfile(orig, par)
    for header in re.findall(r'^#include "([^"]+)"', open(orig, encoding="utf-8").read(), re.MULTILINE):
        shutil.copyfile(os.path.join(CORPUS, header), tmp_path / header)
    assert cli.main(["suggest", "--apply", str(par)]) == 0
    capsys.readouterr()
    text = par.read_text(encoding="utf-8")
    n = text.count("#pragma omp parallel for") + text.lower().count("!$omp parallel do")
    assert n >= 3, f"expected several pragmas in {name}, got {n}"
    if name.endswith(".f90"):
        assert text.lower().count("!$omp end parallel do") == n
    before = _build_and_run(orig, str(tmp_path / "serial"))
    after = _build_and_run(str(par), str(tmp_path / "parallel"))
    assert len(before) == len(after) and before, (before, after)
    diffs = [(x, y) for x, y in zip(before, after) if not _same(x, y)]
    assert not diffs, f"outputs differ: {diffs[:5]}"
