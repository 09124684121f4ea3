"""The server side: the built-in index is built in the background on first start (with
``$/progress``), the ``indexes`` setting adds a site index, ``hpclsp.askDocs`` answers with
passages and sources, ``hpclsp.rebuildIndex`` rebuilds. A real client over stdio, per editor.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "retrieval" / "data"
_TMP = Path(tempfile.mkdtemp(prefix="hpclsp-retrieval-lsp-"))
SITE = _TMP / "site-index"

ENV = {
    **os.environ,
    "PYTHONPATH": str(ROOT),
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HPCLSP_CACHE_DIR": str(_TMP / "cache"),  # empty: the built-in index must be built on start
    "HPCLSP_CORPUS_DIR": str(DATA / "corpus"),
}


@pytest.fixture(scope="module", autouse=True)
def site_index(real_embedder):
    """A site index of the test documents, given to the server through the `indexes` setting."""
    from retrieval.builder import build_index

    if not (SITE / "manifest.json").exists():
        build_index([str(DATA / "docs")], SITE, real_embedder, name="site")
    return SITE


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "hpclsp", "serve"], server_env=ENV),
    params=["neovim", "visual-studio-code"],
)
async def client(lsp_client: LanguageClient, request):
    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def _register(params: types.RegistrationParams) -> None:
        return None

    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(request.param),
            root_uri=ROOT.as_uri(),
            initialization_options={"model": {"backend": "none"}, "indexes": [str(SITE)]},
        )
    )
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio(loop_scope="function")
async def test_ask_docs_uses_builtin_and_site_layers(client: LanguageClient) -> None:
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="hpclsp.askDocs", arguments=["MPI_Isend"])
    )
    assert result["passages"], result
    top = result["passages"][0]
    assert top["title"] == "MPI_Isend" and top["layer"] == "builtin" and top["source"].endswith("mpi.json")
    site = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command="hpclsp.askDocs", arguments=[{"question": "when are scratch files purged", "k": 3}]
        )
    )
    assert site["passages"][0]["title"] == "Scratch storage" and site["passages"][0]["layer"] == "site"
    assert site["passages"][0]["source"].endswith("cluster.md") and site["answer"] is None
    # the background build reported progress
    values = [v for vals in client.progress_reports.values() for v in vals]
    kinds = [getattr(v, "kind", None) for v in values]
    assert "begin" in kinds and "end" in kinds, values
    empty = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="hpclsp.askDocs", arguments=[])
    )
    assert empty["passages"] == []


@pytest.mark.asyncio(loop_scope="function")
async def test_rebuild_index_command(client: LanguageClient) -> None:
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="hpclsp.rebuildIndex", arguments=[])
    )
    assert result["ok"] is True and result["layers"] == ["builtin", "site"], result
    assert (_TMP / "cache" / "indexes" / "builtin" / "manifest.json").is_file()


def _frame(payload: dict) -> bytes:
    body = json.dumps(payload).encode()
    return f"Content-Length: {len(body)}\r\n\r\n".encode() + body


def test_exit_does_not_wait_for_a_background_build(tmp_path: Path) -> None:
    """`exit` during the first-start build of the real corpus ends the process promptly."""
    env = {**ENV, "HPCLSP_CACHE_DIR": str(tmp_path / "cache"), "HPCLSP_CORPUS_DIR": str(ROOT / "index")}
    if not (ROOT / "index" / "manifest.json").is_file():
        pytest.skip("the built-in corpus is not in this checkout")
    proc = subprocess.Popen(
        [sys.executable, "-m", "hpclsp", "serve", "--log-level", "info"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        cwd=str(ROOT),
    )
    assert proc.stdin is not None and proc.stderr is not None
    init = {
        "processId": None,
        "rootUri": None,
        "capabilities": {},
        "initializationOptions": {"model": {"backend": "none"}},
    }
    proc.stdin.write(_frame({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": init}))
    proc.stdin.write(_frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
    proc.stdin.flush()
    deadline = time.monotonic() + 120
    log = b""
    while time.monotonic() < deadline and b"documentation index: embedding" not in log:
        line = proc.stderr.readline()
        if not line:
            break
        log += line
    assert b"documentation index: embedding" in log, log.decode(errors="replace")[-2000:]
    proc.stdin.write(_frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": None}))
    proc.stdin.write(_frame({"jsonrpc": "2.0", "method": "exit", "params": None}))
    proc.stdin.flush()
    t0 = time.monotonic()
    try:
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert time.monotonic() - t0 < 30 and proc.returncode == 0
    assert not (
        tmp_path / "cache" / "indexes" / "builtin"
    ).exists()  # the interrupted build left nothing half-written
