"""The VS Code extension: built and packaged to a .vsix, its manifest, and its client logic run
(as compiled) against the real server by a node test. The real editor is test_codeserver.py.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from typing import Any

import pytest

from .conftest import RACY_C, VSCODE, build_vsix, server_env


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    """The package.json inside the freshly built .vsix."""
    vsix = build_vsix()
    with zipfile.ZipFile(vsix) as z:
        names = set(z.namelist())
        assert "extension/out/extension.js" in names, sorted(names)
        assert "extension/readme.md" in {n.lower() for n in names}
        assert not any("node_modules" in n or n.endswith(".ts") for n in names), sorted(names)
        return json.loads(z.read("extension/package.json"))


def test_vsix_manifest(manifest: dict[str, Any]) -> None:
    assert manifest["name"] == "hpclsp" and manifest["main"] == "./out/extension.js"
    assert manifest["engines"]["vscode"].startswith("^1.")
    events = set(manifest["activationEvents"])
    for lang in ("c", "cpp", "cuda-cpp", "fortran"):
        assert f"onLanguage:{lang}" in events


def test_settings_scopes(manifest: dict[str, Any]) -> None:
    props = manifest["contributes"]["configuration"]["properties"]
    # Machine-level: paths on this machine, never taken from a workspace someone else wrote.
    for key in (
        "hpclsp.model.path",
        "hpclsp.server.pythonPath",
        "hpclsp.server.path",
        "hpclsp.embedder.path",
    ):
        assert props[key]["scope"] == "machine", key
    # Rule selection may differ per folder.
    for key in ("hpclsp.diagnostics.select", "hpclsp.diagnostics.ignore", "hpclsp.suggestions.hints"):
        assert props[key]["scope"] == "resource", key
    assert props["hpclsp.model.backend"]["enum"] == ["llama-cpp", "openai", "none"]
    # Every SPEC §4 setting is contributed.
    for key in (
        "model.backend",
        "model.path",
        "model.url",
        "model.name",
        "model.contextSize",
        "model.threads",
        "model.maxTokens",
        "indexes",
        "embedder.path",
        "diagnostics.select",
        "diagnostics.ignore",
        "suggestions.hints",
        "completion.inline.enabled",
        "completion.inline.debounceMs",
    ):
        assert f"hpclsp.{key}" in props, key


def test_settings_match_server_defaults(manifest: dict[str, Any]) -> None:
    """The defaults VS Code shows are the server's own defaults."""
    from hpclsp import config

    props = manifest["contributes"]["configuration"]["properties"]
    d = config.Settings()
    expected = {
        "hpclsp.model.backend": d.model.backend,
        "hpclsp.model.contextSize": d.model.context_size,
        "hpclsp.model.maxTokens": d.model.max_tokens,
        "hpclsp.diagnostics.lowConfidence": d.diagnostics.low_confidence,
        "hpclsp.diagnostics.budgetMs": d.diagnostics.budget_ms,
        "hpclsp.suggestions.hints": d.suggestions.hints,
        "hpclsp.completion.inline.enabled": d.completion.inline.enabled,
        "hpclsp.completion.inline.debounceMs": d.completion.inline.debounce_ms,
        "hpclsp.completion.verify": d.completion.verify,
    }
    assert {k: props[k]["default"] for k in expected} == expected


def test_commands_contributed(manifest: dict[str, Any]) -> None:
    ids = {c["command"] for c in manifest["contributes"]["commands"]}
    assert {
        "hpclsp.editor.explain",
        "hpclsp.editor.askDocs",
        "hpclsp.editor.suggestParallelization",
        "hpclsp.editor.rebuildIndex",
    } <= ids
    # The server's own command ids are registered by vscode-languageclient; the extension's must not clash.
    assert not ids & {
        "hpclsp.explain",
        "hpclsp.askDocs",
        "hpclsp.suggestParallelization",
        "hpclsp.rebuildIndex",
    }


def test_client_logic_against_real_server(manifest: dict[str, Any]) -> None:
    """`node --test` on editors/vscode/test: the compiled settings/launch logic, then a real server."""
    node = shutil.which("node")
    assert node
    env = server_env(HPCLSP_TEST_PYTHON=sys.executable, HPCLSP_TEST_RACY_C=str(RACY_C))
    proc = subprocess.run(
        [node, "--test", "test/"], cwd=VSCODE, env=env, capture_output=True, text=True, timeout=180
    )
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    assert "# fail 0" in proc.stdout and "# pass 5" in proc.stdout, proc.stdout[-2000:]
