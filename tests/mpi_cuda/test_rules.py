"""Unit checks of the MPI/CUDA rules beyond the fixtures: quickfixes re-check cleanly, options, bad input."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hpclsp.analysis import engine, languages
from hpclsp.analysis.context import Options
from hpclsp.analysis.findings import apply_edits
from hpclsp.analysis.source import SourceFile

from ..conftest import FIXTURES

FAMILIES = ("mpi-", "cuda-")


def _bad_files() -> list[str]:
    out = []
    for kind in ("mpi", "cuda"):
        d = os.path.join(FIXTURES, kind)
        out += [os.path.join(d, f) for f in sorted(os.listdir(d)) if languages.language_for_path(f)]
    rules = os.path.join(FIXTURES, "rules")
    for rid in sorted(os.listdir(rules)):
        if rid.startswith(FAMILIES):
            d = os.path.join(rules, rid)
            out += [os.path.join(d, f) for f in sorted(os.listdir(d)) if f.startswith("bad")]
    return out


def _analyze(text: str, path: str, **extra) -> list:
    src = SourceFile(path, languages.language_for_path(path) or "c", text)
    res = engine.analyze(src, Options(budget=30.0, extra=extra))
    assert not res.errors, res.errors
    return [f for f in res.findings if f.code.startswith(FAMILIES)]


def _fixable() -> list[tuple[str, int]]:
    cases = []
    for path in _bad_files():
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        for i, f in enumerate(_analyze(text, path)):
            if f.fixes:
                cases.append((path, i))
    return cases


FIXABLE = _fixable()


def test_quickfixes_exist_for_the_promised_rules():
    codes = set()
    for path, i in FIXABLE:
        with open(path, encoding="utf-8") as fh:
            codes.add(_analyze(fh.read(), path)[i].code)
    assert {
        "mpi-request-not-completed",
        "cuda-unchecked-error",
        "mpi-missing-finalize",
        "mpi-resource-leak",
    } <= codes


@pytest.mark.parametrize(
    "path,index", FIXABLE, ids=lambda v: os.path.basename(v) if isinstance(v, str) else str(v)
)
def test_fix_rechecks_cleanly(path: str, index: int):
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    before = _analyze(text, path)
    finding = before[index]
    fixed = apply_edits(text, finding.fixes[0].edits)
    after = _analyze(fixed, path)
    same = [f for f in after if f.code == finding.code]
    assert len(same) == len([f for f in before if f.code == finding.code]) - 1, fixed
    assert {f.code for f in after} <= {f.code for f in before}, fixed


def test_missing_wait_fix_text():
    text = (
        "#include <mpi.h>\nvoid f(double *b, int n) {\n    MPI_Request r;\n"
        "    MPI_Isend(b, n, MPI_DOUBLE, 1, 0, MPI_COMM_WORLD, &r);\n    n = 0;\n}\n"
    )
    (f,) = _analyze(text, "w.c")
    assert f.code == "mpi-request-not-completed"
    assert apply_edits(text, f.fixes[0].edits).splitlines()[5] == "    MPI_Wait(&r, MPI_STATUS_IGNORE);"


def test_unchecked_error_option_turns_the_check_off():
    path = os.path.join(FIXTURES, "cuda", "saxpy_unchecked.cu")
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    assert any(f.code == "cuda-unchecked-error" for f in _analyze(text, path))
    assert not any(f.code == "cuda-unchecked-error" for f in _analyze(text, path, cuda_check_errors=False))


def test_unknown_callee_silences_request_check():
    text = (
        "#include <mpi.h>\nvoid later(MPI_Request *r);\nvoid f(double *b, int n) {\n    MPI_Request r;\n"
        "    MPI_Isend(b, n, MPI_DOUBLE, 1, 0, MPI_COMM_WORLD, &r);\n    later(&r);\n}\n"
    )
    assert _analyze(text, "e.c") == []


def test_half_typed_code_does_not_crash():
    text = "#include <mpi.h>\nint main(int argc, char **argv) {\n  MPI_Init(&argc, &argv\n  MPI_Isend(buf, , MPI_INT, &r\n"
    _analyze(text, "h.c")
    _analyze("__global__ void k(float *a) { __shared__ float s[; if (threadIdx.x) __syncthreads(", "h.cu")
    _analyze("program p\n use mpi\n call MPI_Isend(a, , req\n if (rank == 0) then\n", "h.f90")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(alphabet="MPI_Isend(&req);{}[]()if rank==0 __syncthreads threadIdx.x s[tid]=\n\t;,", max_size=300)
)
def test_random_text_never_raises(text: str):
    for name in ("r.c", "r.cu", "r.f90"):
        _analyze(text, name)


@pytest.mark.parametrize(
    ("text", "path", "expected"),
    [
        ("#include <mpi.h>\nint main(void) { return 0; }\n", "a.c", True),
        ("int main(void) { MPI_Init(0, 0); return 0; }\n", "a.c", True),
        ("program p\n  use mpi_f08\nend program p\n", "a.f90", True),
        ("      PROGRAM P\n      INCLUDE 'mpif.h'\n      END\n", "a.f", True),
        # "mpi" inside another word (a build-time stamp, a field name) is no mention of MPI
        ('#define COMPILETIME "today"\nint main(void) { return 0; }\n', "a.c", False),
        ("struct s { int ampi_count; };\n", "a.c", False),
    ],
)
def test_uses_mpi_needs_a_word_starting_with_mpi(text: str, path: str, expected: bool) -> None:
    from hpclsp.analysis.hostcode.model import uses_mpi

    src = SourceFile(path, languages.language_for_path(path) or "c", text)
    assert uses_mpi(src) is expected
