"""End-to-end fixtures: a real pytest-lsp client drives ``python -m hpclsp serve`` over stdio.

The ``client`` fixture is parametrised over Neovim's and VS Code's client capabilities.
"""

from __future__ import annotations

import asyncio
import os
import pathlib
import sys
import tempfile
from collections.abc import Callable, Sequence

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

ROOT = pathlib.Path(__file__).resolve().parents[2]

# Every server gets an empty private cache, so no test depends on what an earlier run built.
_CACHE = tempfile.mkdtemp(prefix="hpclsp-e2e-cache-")
SERVER_ENV = {
    **os.environ,
    "PYTHONPATH": str(ROOT),
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HPCLSP_CACHE_DIR": os.environ.get("HPCLSP_TEST_CACHE_DIR", _CACHE),
    # Retrieval (torch, the embedder, building the built-in index) has its own end-to-end tests
    # (tests/retrieval/test_lsp.py); here it would only slow every server start.
    "HPCLSP_RETRIEVAL": "off",
}

SERVER_CMD = [sys.executable, "-m", "hpclsp", "serve"]

#: Options that keep e2e tests independent of the model unless a test turns it on.
DEFAULT_INIT_OPTIONS = {"model": {"backend": "none"}}


def accept_registrations(client: LanguageClient) -> None:
    """Answer client/registerCapability like a real editor (pytest-lsp's client has no handler)."""
    client.registrations = []

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def _register(params: types.RegistrationParams) -> None:
        client.registrations.extend(params.registrations)


async def initialize(
    client: LanguageClient, editor: str, init_options: dict | None = None, root: str | None = None
) -> None:
    """Send initialize/initialized with an editor's capabilities."""
    root_uri = pathlib.Path(root or ROOT).as_uri()
    client.init_result = await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(editor),
            root_uri=root_uri,
            workspace_folders=[types.WorkspaceFolder(uri=root_uri, name="ws")],
            initialization_options=init_options if init_options is not None else DEFAULT_INIT_OPTIONS,
        )
    )


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER_CMD, server_env=SERVER_ENV),
    params=["neovim", "visual-studio-code"],
)
async def client(lsp_client: LanguageClient, request):
    """A client connected to the real server, initialized with one editor's capabilities."""
    accept_registrations(lsp_client)
    await initialize(lsp_client, request.param)
    yield
    await lsp_client.shutdown_session()


def open_doc(
    client: LanguageClient, text: str, name: str = "test.c", language_id: str | None = None, version: int = 1
) -> str:
    """Open a document (text given directly) and return its URI."""
    uri = (ROOT / "tests" / "e2e" / "_virtual" / name).as_uri()
    lang = language_id or {
        ".c": "c",
        ".h": "c",
        ".cpp": "cpp",
        ".cu": "cuda",
        ".f90": "fortran",
        ".f": "fortran",
    }.get(pathlib.Path(name).suffix, "c")
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id=lang, version=version, text=text)
        )
    )
    return uri


def change_doc(
    client: LanguageClient, uri: str, version: int, changes: Sequence[tuple[int, int, int, int, str]]
) -> None:
    """Send incremental changes ((start line, start char, end line, end char, text), UTF-16 positions)."""
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(
                        start=types.Position(line=a, character=b), end=types.Position(line=c, character=d)
                    ),
                    text=t,
                )
                for a, b, c, d, t in changes
            ],
        )
    )


async def wait_for_diagnostics(
    client: LanguageClient,
    uri: str,
    predicate: Callable[[Sequence[types.Diagnostic]], bool] = lambda d: True,
    timeout: float = 15.0,
) -> Sequence[types.Diagnostic]:
    """Wait until diagnostics for uri satisfy predicate; return them."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        diags = client.diagnostics.get(uri)
        if diags is not None and predicate(diags):
            return diags
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for diagnostics on {uri}; last: {diags}")
        await asyncio.sleep(0.05)


def codes(diags: Sequence[types.Diagnostic]) -> list[str]:
    """The codes of some diagnostics, sorted."""
    return sorted(str(d.code) for d in diags)
