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


def test_settings_generated_without_drift(manifest: dict[str, Any]) -> None:
    """package.json's settings are what scripts/sync_settings.py generates from hpclsp.config."""
    proc = subprocess.run(
        [sys.executable, str(VSCODE / "scripts" / "sync_settings.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    sync = _sync_module()
    assert manifest["contributes"]["configuration"]["properties"] == sync.properties()
    from hpclsp import config

    server_keys = {key for key, _typ, _default in config.describe_settings()}
    props = manifest["contributes"]["configuration"]["properties"]
    assert server_keys <= set(props), server_keys - set(props)
    # Every contributed key is a server setting or one of the extension's own.
    own = set(sync.CLIENT_SETTINGS) | set(sync.TRAILING_CLIENT_SETTINGS)
    assert set(props) == server_keys | own
    # Bounds and choices are the server's.
    assert props["hpclsp.diagnostics.budgetMs"]["minimum"] == config.MINIMA["diagnostics.budget_ms"]
    assert props["hpclsp.model.backend"]["enum"] == list(config.CHOICES["model.backend"])


def test_generator_detects_drift(tmp_path) -> None:
    """The check fails on a package.json whose settings lag behind the server's."""
    sync = _sync_module()
    stale = json.loads((VSCODE / "package.json").read_text())
    del stale["contributes"]["configuration"]["properties"]["hpclsp.diagnostics.debounceMs"]
    stale["contributes"]["configuration"]["properties"]["hpclsp.model.contextSize"]["minimum"] = 1
    assert sync.render(stale) != json.dumps(stale, indent=2, ensure_ascii=False) + "\n"
    fresh = sync.render(stale)
    props = json.loads(fresh)["contributes"]["configuration"]["properties"]
    assert "hpclsp.diagnostics.debounceMs" in props and props["hpclsp.model.contextSize"]["minimum"] == 256
    assert sync.render(json.loads(fresh)) == fresh  # idempotent


def test_restricted_mode_declared(manifest: dict[str, Any]) -> None:
    untrusted = manifest["capabilities"]["untrustedWorkspaces"]
    assert untrusted["supported"] == "limited" and "static analysis only" in untrusted["description"]
    restricted = set(untrusted["restrictedConfigurations"])
    props = manifest["contributes"]["configuration"]["properties"]
    for key in props:
        if key.startswith(("hpclsp.model.", "hpclsp.server.")) or key in (
            "hpclsp.indexes",
            "hpclsp.embedder.path",
        ):
            assert key in restricted, key
    # Rule selection stays per folder, trusted or not.
    assert "hpclsp.diagnostics.ignore" not in restricted


def test_repository_license_icon(manifest: dict[str, Any]) -> None:
    assert (
        manifest["repository"]["url"].startswith("https://")
        and manifest["repository"]["directory"] == "editors/vscode"
    )
    assert manifest["license"] == "Apache-2.0"
    assert manifest["icon"] == "images/icon.png"
    with zipfile.ZipFile(VSCODE / "hpclsp.vsix") as z:
        names = {n.lower() for n in z.namelist()}
        assert {"extension/license", "extension/license.txt"} & names, sorted(names)
        png = z.read("extension/images/icon.png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width == height and width >= 128


def _sync_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "hpclsp_vscode_sync", VSCODE / "scripts" / "sync_settings.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
    assert "# fail 0" in proc.stdout and "# pass 8" in proc.stdout, proc.stdout[-2000:]
