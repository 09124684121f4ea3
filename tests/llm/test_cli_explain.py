"""``hpclsp complete FILE:LINE:COL`` and explanations (``hpclsp.explain``) / answers (``askDocs``)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import hpclsp.llm
from hpclsp.commands.complete import parse_location
from hpclsp.llm import explain
from tests.conftest import ROOT

CU = """#include <cuda_runtime.h>

void release(float *d_a, float *d_b) {
    cudaFree(d_a);
{indent}
}
""".replace("{indent}", "    ")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hpclsp", "complete", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_parse_location():
    assert parse_location("a/b.c:3:7") == ("a/b.c", 3, 7)
    assert parse_location("C:/x/y.f90:1:1") == ("C:/x/y.f90", 1, 1)
    with pytest.raises(ValueError):
        parse_location("a.c:3")
    with pytest.raises(ValueError):
        parse_location("a.c:0:1")


def test_complete_prints_one_completion(tmp_path):
    f = tmp_path / "release.cu"
    f.write_text(CU)
    out = _run(f"{f}:5:5", "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["text"] == "cudaFree(d_b);" and data["line"] == 5 and data["column"] == 5
    plain = _run(f"{f}:5:5")
    assert plain.stdout == "cudaFree(d_b);\n"


def test_complete_usage_errors(tmp_path):
    f = tmp_path / "x.c"
    f.write_text("int x;\n")
    assert _run(f"{f}:9:1").returncode == 2
    assert _run(str(tmp_path / "missing.c") + ":1:1").returncode == 2
    txt = tmp_path / "notes.txt"
    txt.write_text("hello")
    assert _run(f"{txt}:1:1").returncode == 2
    bad = tmp_path / "m.gguf"
    bad.write_text("nope")
    res = _run(f"{f}:1:7", "--model", str(bad))
    assert res.returncode == 2 and "not a GGUF" in res.stderr


def test_explain_cites_cards_without_a_model():
    code = "MPI_Allreduce(&local, &total, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);"
    ex = explain.explain(code, "c", service=None)
    assert ex.model_text == ""
    assert any(s.title.startswith("MPI_Allreduce") for s in ex.sources)
    assert "**References**" in ex.markdown and "card:" in ex.markdown


def test_explain_with_the_model(service):
    code = "#pragma omp parallel for reduction(+:s)\nfor (int i = 0; i < n; i++)\n    s += x[i];"
    ex = explain.explain(code, "c", service=service, max_tokens=40)
    assert ex.model_text.strip()
    assert ex.markdown.startswith(ex.model_text)


def test_answer_from_passages(service):
    passages = [
        {
            "title": "MPI_Barrier",
            "text": "MPI_Barrier blocks until every rank of the communicator has called it.",
        }
    ]
    prompt = hpclsp.llm.build_answer_prompt("What does MPI_Barrier do?", passages)
    assert "[1] MPI_Barrier: MPI_Barrier blocks" in prompt and prompt.endswith(
        "Answer (cite passages as [n]):"
    )
    text = hpclsp.llm.answer("What does MPI_Barrier do?", passages, service=service, max_tokens=32)
    assert text and text.strip()
    previous = hpclsp.llm.current_service()
    hpclsp.llm.set_current_service(None)
    try:
        assert hpclsp.llm.answer("q", passages) is None  # no model configured: retrieval answers alone
    finally:
        hpclsp.llm.set_current_service(previous)
