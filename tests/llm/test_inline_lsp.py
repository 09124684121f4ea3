"""End to end: ``textDocument/inlineCompletion`` from the real server with the embedded model,
advertised in the capabilities, with ``$/progress`` while the model loads, ``$/cancelRequest``
honoured, and a clear message when the model file is missing."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.e2e.conftest import SERVER_CMD, accept_registrations, initialize, open_doc
from tests.e2e.conftest import SERVER_ENV as _BASE_ENV

# Retrieval (torch, the embedder) is not needed here and would compete for the 2 cores.
SERVER_ENV = {**_BASE_ENV, "HPCLSP_RETRIEVAL": "off"}

C_TEXT = """#include <cuda_runtime.h>

void release(float *d_a, float *d_b) {
    cudaFree(d_a);
{indent}
}
""".replace("{indent}", "    ")
F_TEXT = """subroutine saxpy(n, a, x, y)
  integer, intent(in) :: n
  real, intent(in) :: a, x(n)
  real, intent(inout) :: y(n)
  integer :: i
  do i = 1, n
    y(i) ={space}
  end do
end subroutine saxpy
""".replace("{space}", " ")


def _model_path() -> str:
    from hpclsp.llm import model_files

    return str(model_files.default_model_path())


async def _status(client: LanguageClient) -> dict:
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="hpclsp.modelStatus", arguments=[])
    )


async def _wait_ready(client: LanguageClient, timeout: float = 60.0) -> dict:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        st = await _status(client)
        if st.get("state") in ("ready", "failed", "disabled"):
            return st
        assert asyncio.get_running_loop().time() < deadline, st
        await asyncio.sleep(0.1)


def _inline(uri: str, line: int, character: int) -> types.InlineCompletionParams:
    return types.InlineCompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=line, character=character),
        context=types.InlineCompletionContext(trigger_kind=types.InlineCompletionTriggerKind.Invoked),
    )


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER_CMD, server_env=SERVER_ENV),
    params=["neovim", "visual-studio-code"],
)
async def model_client(lsp_client: LanguageClient, request):
    """A server using the embedded model (inline completion on)."""
    accept_registrations(lsp_client)
    await initialize(lsp_client, request.param, {"model": {"path": _model_path(), "maxTokens": 24}})
    yield
    await lsp_client.shutdown_session()


async def test_inline_completion_with_the_embedded_model(model_client: LanguageClient):
    caps = model_client.init_result.capabilities  # type: ignore[attr-defined]
    assert caps is not None and caps.inline_completion_provider is not None
    st = await _wait_ready(model_client)
    assert st["state"] == "ready", st
    # Work-done progress was reported while the model loaded (both editors support it).
    ends = [
        v
        for vals in model_client.progress_reports.values()
        for v in vals
        if isinstance(v, types.WorkDoneProgressEnd)
    ]
    assert any("model ready" in (e.message or "") for e in ends)

    uri = open_doc(model_client, C_TEXT, name="inline.cu")
    res = await model_client.text_document_inline_completion_async(_inline(uri, 4, 4))
    assert res is not None
    items = res.items if isinstance(res, types.InlineCompletionList) else res
    assert items and items[0].insert_text == "cudaFree(d_b);"

    furi = open_doc(model_client, F_TEXT, name="inline.f90")
    fres = await model_client.text_document_inline_completion_async(_inline(furi, 6, 11))
    fitems = fres.items if isinstance(fres, types.InlineCompletionList) else fres
    assert fitems and fitems[0].insert_text.strip()
    assert "\n" not in fitems[0].insert_text


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER_CMD, server_env=SERVER_ENV))
async def long_client(lsp_client: LanguageClient):
    """A server that would generate up to 400 tokens per request."""
    accept_registrations(lsp_client)
    await initialize(lsp_client, "visual-studio-code", {"model": {"path": _model_path(), "maxTokens": 400}})
    yield
    await lsp_client.shutdown_session()


async def test_cancel_request_stops_the_model(long_client: LanguageClient):
    await _wait_ready(long_client)
    # The small model rambles on here for hundreds of tokens: plenty to interrupt.
    text = "#include <mpi.h>\n\nint main(int argc, char **argv) {\n    MPI_Init(&argc, &argv);\n{indent}\n}\n"
    uri = open_doc(long_client, text.replace("{indent}", "    "), name="cancel.c")
    msg_id = str(uuid.uuid4())
    fut = asyncio.ensure_future(
        long_client.protocol.send_request_async(
            types.TEXT_DOCUMENT_INLINE_COMPLETION, _inline(uri, 4, 4), msg_id=msg_id
        )
    )
    at_cancel = 0
    deadline = asyncio.get_running_loop().time() + 60
    while asyncio.get_running_loop().time() < deadline:  # wait until the model is generating
        at_cancel = (await _status(long_client)).get("currentTokens", 0)
        if at_cancel >= 2:
            break
        await asyncio.sleep(0.02)
    assert at_cancel >= 2 and not fut.done()
    long_client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=msg_id))
    with pytest.raises(Exception, match="(?i)cancel"):
        await asyncio.wait_for(fut, timeout=30)
    st = await _status(long_client)
    for _ in range(100):
        if st["lastFinish"] is not None:
            break
        await asyncio.sleep(0.05)
        st = await _status(long_client)
    assert st["lastFinish"] == "cancelled", st
    # Stopped a few tokens after the cancel arrived (status polling and the pipe add a little).
    assert st["lastTokens"] - at_cancel <= 8, (st, at_cancel)
    assert st["cancelled"] >= 1
    # The server still answers.
    res = await long_client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=0, character=1)
        )
    )
    assert res is None or res.contents is not None


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER_CMD, server_env=SERVER_ENV))
async def broken_client(lsp_client: LanguageClient, tmp_path_factory):
    """A server configured with a file that is not a model."""
    bad = tmp_path_factory.mktemp("m") / "weights.bin"
    bad.write_text("not a model at all")
    accept_registrations(lsp_client)
    await initialize(lsp_client, "neovim", {"model": {"path": str(bad)}})
    yield
    await lsp_client.shutdown_session()


async def test_bad_model_file_gives_one_clear_message(broken_client: LanguageClient):
    st = await _wait_ready(broken_client)
    assert st["state"] == "failed"
    for _ in range(50):
        if broken_client.messages:
            break
        await asyncio.sleep(0.05)
    texts = [m.message for m in broken_client.messages]
    assert sum("not a GGUF model file" in t for t in texts) == 1, texts
    uri = open_doc(broken_client, "int x = ", name="bad.c")
    assert await broken_client.text_document_inline_completion_async(_inline(uri, 0, 8)) is None
