"""Every OpenMP snippet compiles (gcc/g++/gfortran -fopenmp); every CUDA snippet parses cleanly with tree-sitter."""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from hpclsp import kb
from hpclsp.analysis import languages

from .conftest import CORPUS

OPENMP = [rel for rel in kb.discover_snippets(CORPUS) if rel.startswith("snippets/openmp/")]
CUDA = [rel for rel in kb.discover_snippets(CORPUS) if rel.startswith("snippets/cuda/")]

#: Compiler command per extension: syntax and semantic checks only, warnings are errors.
COMMANDS = {
    ".c": ["gcc", "-std=c11", "-fopenmp", "-fsyntax-only", "-Wall", "-Wextra", "-Werror"],
    ".cpp": ["g++", "-std=c++17", "-fopenmp", "-fsyntax-only", "-Wall", "-Wextra", "-Werror"],
    ".f90": [
        "gfortran",
        "-std=f2018",
        "-fopenmp",
        "-fsyntax-only",
        "-Wall",
        "-Werror",
        "-Wno-unused-dummy-argument",
    ],
}


def _compile(rel: str, workdir: str) -> tuple[int, str]:
    path = CORPUS / rel
    cmd = [*COMMANDS[path.suffix], str(path)]
    if path.suffix == ".f90":
        cmd[1:1] = ["-J", workdir]  # module files from -fsyntax-only go to a scratch directory
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=workdir, timeout=120)
    return proc.returncode, proc.stderr


@functools.cache
def _results() -> dict[str, tuple[int, str]]:
    """Compile every OpenMP snippet once, two at a time (the machine has two cores)."""
    out: dict[str, tuple[int, str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        dirs = []
        for rel in OPENMP:
            d = Path(tmp) / rel.replace("/", "_")
            d.mkdir()
            dirs.append(str(d))
        with ThreadPoolExecutor(max_workers=2) as pool:
            for rel, res in zip(OPENMP, pool.map(_compile, OPENMP, dirs)):
                out[rel] = res
    return out


def _tools_present() -> bool:
    return all(shutil.which(t) for t in ("gcc", "g++", "gfortran"))


@pytest.mark.skipif(
    not _tools_present(), reason="gcc/g++/gfortran are installed by scripts/setup.d/10-system.sh"
)
@pytest.mark.parametrize("rel", OPENMP)
def test_openmp_snippet_compiles(rel: str) -> None:
    code, stderr = _results()[rel]
    assert code == 0, f"{rel} does not compile:\n{stderr}"


def _bad_nodes(node, found: list[str]) -> None:  # type: ignore[no-untyped-def]
    if node.type == "ERROR" or node.is_missing:
        found.append(
            f"{'MISSING' if node.is_missing else 'ERROR'} at {node.start_point[0] + 1}:{node.start_point[1] + 1}"
        )
        return
    for child in node.children:
        _bad_nodes(child, found)


@pytest.mark.parametrize("rel", CUDA)
def test_cuda_snippet_parses(rel: str) -> None:
    data = (CORPUS / rel).read_bytes()
    tree = languages.parse("cuda", data)
    found: list[str] = []
    _bad_nodes(tree.root_node, found)
    assert not found, f"{rel}: {found[:5]}"
    assert b"__global__" in data or b"cuda" in data, f"{rel} does not look like CUDA"


def test_compile_check_catches_errors(tmp_path: Path) -> None:
    """The harness really rejects broken code (so passing tests mean something)."""
    bad_c = tmp_path / "bad.c"
    bad_c.write_text("#include <omp.h>\nint f(void) {\n#pragma omp parallel for reduction(+: s)\n"
                     "  for (int i = 0; i < 4; i++) {}\n  return 0;\n}\n")  # fmt: skip
    proc = subprocess.run([*COMMANDS[".c"], str(bad_c)], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode != 0
    tree = languages.parse("cuda", b"__global__ void k(float *a) { a[threadIdx.x] = ; }\n")
    found: list[str] = []
    _bad_nodes(tree.root_node, found)
    assert found
