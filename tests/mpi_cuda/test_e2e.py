"""MPI and CUDA checks through the real server: diagnostic, quickfix code action, edit applied, clean re-check."""

from __future__ import annotations

from lsprotocol import types
from pytest_lsp import LanguageClient

from ..e2e.conftest import change_doc, open_doc, wait_for_diagnostics

MPI_SOURCE = """\
#include <mpi.h>

void push(double *u, int n, int right)
{
    MPI_Request req;
    MPI_Isend(u, n, MPI_DOUBLE, right, 0, MPI_COMM_WORLD, &req);
    n = 0;
}
"""

CUDA_SOURCE = """\
#include <cstdio>
#include <cstdlib>
#define CK(x) do { cudaError_t e_ = (x); if (e_ != cudaSuccess) { printf("%s\\n", cudaGetErrorString(e_)); exit(1); } } while (0)

int main()
{
    float *d;
    cudaMalloc(&d, 64 * sizeof(float));
    CK(cudaFree(d));
    return 0;
}
"""


def _edits(action: types.CodeAction, uri: str) -> list[types.TextEdit]:
    we = action.edit
    assert we is not None
    if we.changes and uri in we.changes:
        return list(we.changes[uri])
    out: list[types.TextEdit] = []
    for dc in we.document_changes or []:
        if isinstance(dc, types.TextDocumentEdit) and dc.text_document.uri == uri:
            out.extend(e for e in dc.edits if isinstance(e, types.TextEdit))
    return out


async def _quickfix_roundtrip(client: LanguageClient, text: str, name: str, code: str) -> str:
    uri = open_doc(client, text, name)
    diags = await wait_for_diagnostics(client, uri, lambda ds: any(d.code == code for d in ds))
    diag = next(d for d in diags if d.code == code)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diag.range,
            context=types.CodeActionContext(diagnostics=[diag], only=[types.CodeActionKind.QuickFix]),
        )
    )
    fixes = [
        a
        for a in actions or []
        if isinstance(a, types.CodeAction) and a.kind == types.CodeActionKind.QuickFix
    ]
    fixes = [a for a in fixes if a.diagnostics and any(d.code == code for d in a.diagnostics)]
    assert fixes, f"no quickfix for {code}: {actions}"
    edits = sorted(
        _edits(fixes[0], uri), key=lambda e: (e.range.start.line, e.range.start.character), reverse=True
    )
    change_doc(
        client,
        uri,
        2,
        [
            (e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character, e.new_text)
            for e in edits
        ],
    )
    after = await wait_for_diagnostics(client, uri, lambda ds: not any(d.code == code for d in ds))
    assert not [d for d in after if str(d.code).startswith(code.split("-")[0] + "-")]
    return fixes[0].title


async def test_mpi_missing_wait_quickfix(client: LanguageClient):
    title = await _quickfix_roundtrip(client, MPI_SOURCE, "push_mpi.c", "mpi-request-not-completed")
    assert "MPI_Wait(&req, MPI_STATUS_IGNORE)" in title


async def test_cuda_unchecked_error_quickfix(client: LanguageClient):
    title = await _quickfix_roundtrip(client, CUDA_SOURCE, "alloc.cu", "cuda-unchecked-error")
    assert "CK" in title
