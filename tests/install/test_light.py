"""The light install: ``pip install .`` into a fresh virtual environment gives the static
analyser, the CLI and the server, without torch, llama.cpp or FAISS; the server says which extra
a missing feature needs and keeps serving everything else."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hpclsp.stdio_client import ROOT, Client

#: The light install measured 56 MB here; the whole stack is about 2 GB.
MAX_MB = 150


def _du_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink()) / 2**20


@pytest.fixture(scope="module")
def light_venv(tmp_path_factory) -> Path:
    venv = tmp_path_factory.mktemp("light") / "venv"
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(ROOT)],
        check=True,
        timeout=900,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    )
    return venv


def test_light_install_is_small_and_has_no_heavy_stack(light_venv: Path):
    size = _du_mb(light_venv)
    assert size < MAX_MB, f"light install is {size:.0f} MB"
    probe = "import importlib.util as u; print([m for m in ('torch','llama_cpp','faiss','sentence_transformers') if u.find_spec(m)])"
    out = subprocess.run(
        [str(light_venv / "bin" / "python"), "-c", probe], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_check_runs_from_the_light_install(light_venv: Path):
    res = subprocess.run(
        [str(light_venv / "bin" / "hpclsp"), "check", str(ROOT / "examples" / "jacobi.c")],
        capture_output=True,
        text=True,
        cwd=light_venv,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    )
    assert res.returncode == 1, res.stderr
    assert "omp-race" in res.stdout


def test_serve_from_the_light_install_names_the_missing_extras(light_venv: Path, tmp_path: Path):
    client = Client(command=[str(light_venv / "bin" / "hpclsp"), "serve"], extra_env={"PYTHONPATH": ""})
    try:
        client.initialize(
            {"model": {"backend": "llama-cpp"}, "diagnostics": {"debounceMs": 0}}, root=tmp_path
        )
        src = ROOT / "examples" / "jacobi.c"
        uri = src.as_uri()
        client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "c", "version": 1, "text": src.read_text()}},
        )
        shown: list[str] = []
        deadline = time.time() + 60
        diagnostics = None
        while time.time() < deadline and (diagnostics is None or len(shown) < 2):
            try:
                _, msg = client.notifications.get(timeout=1)
            except Exception:
                continue
            if msg.get("method") == "window/showMessage":
                shown.append(msg["params"]["message"])
            elif msg.get("method") == "textDocument/publishDiagnostics" and msg["params"]["uri"] == uri:
                diagnostics = msg["params"]["diagnostics"]
        assert diagnostics and any(d["code"].startswith("omp-race") for d in diagnostics)
        assert any("'model' extra" in m and "hpclsp[model]" in m for m in shown), shown
        assert any("'retrieval' extra" in m and "hpclsp[retrieval]" in m for m in shown), shown
        status = client.request(
            "workspace/executeCommand", {"command": "hpclsp.modelStatus", "arguments": []}
        )
        assert status["state"] == "failed" and "'model' extra" in status["error"]
    finally:
        client.close()
