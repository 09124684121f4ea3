"""The foundation end to end: initialize, open, incremental edits (non-ASCII), settings, shutdown."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from .conftest import change_doc, codes, open_doc, wait_for_diagnostics

SOURCE = """\
#include <stdio.h>
/* día, naïve, 😀: non-ASCII before the pragma */
int main(void) {
    double s = 0.0; /* ∑ */
#pragma omp paralel for
    for (int i = 0; i < 100; i++) s += i;
    printf("%f\\n", s);
    return 0;
}
"""


async def test_initialize_advertises_capabilities(client: LanguageClient):
    result = client.init_result
    assert result.server_info is not None and result.server_info.name == "hpclsp"
    caps = result.capabilities
    sync = caps.text_document_sync
    assert sync is not None and getattr(sync, "change", sync) == types.TextDocumentSyncKind.Incremental
    assert caps.hover_provider
    assert caps.code_action_provider
    assert caps.completion_provider is not None
    assert caps.inline_completion_provider
    assert caps.execute_command_provider and "hpclsp.documentState" in caps.execute_command_provider.commands


async def test_diagnostics_follow_incremental_edits(client: LanguageClient):
    uri = open_doc(client, SOURCE, "lifecycle.c")
    diags = await wait_for_diagnostics(client, uri, lambda d: "omp-directive-unknown" in codes(d))
    d = next(d for d in diags if d.code == "omp-directive-unknown")
    assert d.source == "hpclsp"
    assert d.range.start.line == 4
    assert "parallel" in d.message  # suggests the closest directive

    # Fix the typo with an incremental edit on a line after non-ASCII text: "paralel" -> "parallel".
    change_doc(client, uri, 2, [(4, 17, 4, 17, "l")])
    await wait_for_diagnostics(client, uri, lambda d: "omp-directive-unknown" not in codes(d))

    # Type non-ASCII text, then break the directive again after it (UTF-16 columns: 😀 is 2 units).
    change_doc(client, uri, 3, [(1, 2, 1, 2, "😀😀 ")])
    change_doc(client, uri, 4, [(4, 12, 4, 20, "parralel")])
    diags = await wait_for_diagnostics(client, uri, lambda d: "omp-directive-unknown" in codes(d))
    assert next(d for d in diags if d.code == "omp-directive-unknown").range.start.line == 4


async def test_settings_change_reanalyses(client: LanguageClient):
    uri = open_doc(client, SOURCE, "settings.c")
    await wait_for_diagnostics(client, uri, lambda d: "omp-directive-unknown" in codes(d))
    client.set_configuration({"diagnostics": {"ignore": ["omp-directive"]}}, section="hpclsp")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await wait_for_diagnostics(client, uri, lambda d: "omp-directive-unknown" not in codes(d))


async def test_invalid_settings_give_a_message(client: LanguageClient):
    client.set_configuration({"model": {"backend": "gpt-99"}, "bogusKey": 1}, section="hpclsp")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    for _ in range(100):
        if any("gpt-99" in m.message for m in client.messages) and any(
            "bogusKey" in m.message for m in client.messages
        ):
            break
        await __import__("asyncio").sleep(0.05)
    text = "\n".join(m.message for m in client.messages)
    assert "gpt-99" in text and "bogusKey" in text


async def test_close_clears_diagnostics(client: LanguageClient):
    uri = open_doc(client, SOURCE, "close.c")
    await wait_for_diagnostics(client, uri, lambda d: len(d) > 0)
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    await wait_for_diagnostics(client, uri, lambda d: len(d) == 0)


@pytest.mark.parametrize("lang,name", [("fortran", "unmatched.f90")])
async def test_fortran_document(client: LanguageClient, lang: str, name: str):
    text = "program p\n  integer :: i\n!$omp end parallel\n  i = 1\nend program p\n"
    uri = open_doc(client, text, name, lang)
    diags = await wait_for_diagnostics(client, uri, lambda d: "omp-directive-unmatched-end" in codes(d))
    assert any(d.range.start.line == 2 for d in diags)
