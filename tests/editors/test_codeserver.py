"""The extension in a real VS Code: code-server (installed by scripts/setup.d/40-editors.sh) with
the freshly built .vsix, in Debian's headless chromium driven by Playwright.

code-server listens on 127.0.0.1 only, with `--auth none`, telemetry off, and a temporary
user-data and extensions directory. Screenshots go to tests/editors/artifacts/ (git-ignored).
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import (
    ARTIFACTS,
    FIXTURES,
    HEAT_F90,
    RACY_C,
    ROOT,
    VSCODE,
    build_vsix,
    code_server_dir,
    server_env,
)

HALO_C = FIXTURES / "halo.c"

DRIVER = pathlib.Path(__file__).resolve().parent / "codeserver_driver.mjs"
CHROMIUM = "/usr/bin/chromium"


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def code_server_cmd(*args: str) -> list[str]:
    """Run code-server's entry point with this machine's Node."""
    entry = code_server_dir() / "out" / "node" / "entry.js"
    assert entry.is_file(), f"code-server is not installed at {entry}: run scripts/setup.d/40-editors.sh"
    node = shutil.which("node")
    assert node
    return [node, str(entry), *args]


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """code-server with the extension installed, serving a folder with racy.c; the driver's result."""
    assert os.path.exists(CHROMIUM), "Debian's chromium is missing: scripts/setup.d/40-editors.sh installs it"
    vsix = build_vsix()
    tmp = tmp_path_factory.mktemp("codeserver")
    user_data, exts, ws = tmp / "user-data", tmp / "extensions", tmp / "ws"
    for d in (user_data / "User", exts, ws):
        d.mkdir(parents=True)
    shutil.copy(RACY_C, ws / "racy.c")
    shutil.copy(HALO_C, ws / "halo.c")
    shutil.copy(HEAT_F90, ws / "heat.f90")
    settings = {
        "hpclsp.server.pythonPath": sys.executable,
        "hpclsp.model.backend": "none",
        "telemetry.telemetryLevel": "off",
        "security.workspace.trust.enabled": False,
        "workbench.startupEditor": "none",
        "workbench.tips.enabled": False,
        "workbench.enableExperiments": False,
        "extensions.autoCheckUpdates": False,
        "extensions.autoUpdate": False,
        "extensions.ignoreRecommendations": True,
        "update.mode": "none",
        "editor.hover.delay": 200,
        "chat.commandCenter.enabled": False,
    }
    (user_data / "User" / "settings.json").write_text(json.dumps(settings, indent=2))
    env = server_env(XDG_CONFIG_HOME=str(tmp / "config"), XDG_DATA_HOME=str(tmp / "data"))
    common = ["--user-data-dir", str(user_data), "--extensions-dir", str(exts)]
    t0 = time.monotonic()
    inst = subprocess.run(
        code_server_cmd(*common, "--install-extension", str(vsix)),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert inst.returncode == 0, inst.stdout + inst.stderr
    assert any(p.name.startswith("hpclsp.hpclsp-") for p in exts.iterdir()), list(exts.iterdir())
    port = free_port()
    log = (tmp / "code-server.log").open("w")
    proc = subprocess.Popen(
        code_server_cmd(
            *common,
            "--bind-addr",
            f"127.0.0.1:{port}",
            "--auth",
            "none",
            "--disable-telemetry",
            "--disable-update-check",
            "--disable-workspace-trust",
            "--disable-getting-started-override",
            "--config",
            str(tmp / "config.yaml"),
            str(ws),
        ),
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert proc.poll() is None, (tmp / "code-server.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "code-server did not come up in 60 s"
            time.sleep(0.3)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        loop_line = 1 + next(
            i
            for i, line in enumerate(RACY_C.read_text().splitlines())
            if line.strip().startswith("for ")
            and i > RACY_C.read_text().splitlines().index("void scale_all(double factor) {")
        )
        halo_lines = HALO_C.read_text().splitlines()
        sig_line = next(i for i, line in enumerate(halo_lines) if "MPI_Sendrecv(" in line)
        out = tmp / "result.json"
        drv_env = dict(
            os.environ,
            HPCLSP_CS_URL=url,
            HPCLSP_CS_FOLDER=str(ws),
            HPCLSP_CS_FILE="racy.c",
            HPCLSP_CS_LOOP_LINE=str(loop_line),
            HPCLSP_CS_RESULT=str(out),
            HPCLSP_CS_ARTIFACTS=str(ARTIFACTS),
            HPCLSP_VSCODE_DIR=str(VSCODE),
            HPCLSP_CHROMIUM=CHROMIUM,
            HPCLSP_CS_SIG_FILE="halo.c",
            HPCLSP_CS_F90_FILE="heat.f90",
            HPCLSP_CS_SIG_LINE=str(sig_line + 1),
            HPCLSP_CS_SIG_COL=str(halo_lines[sig_line].index("MPI_DOUBLE, up") + 1),
        )
        drv = subprocess.run(
            [shutil.which("node") or "node", str(DRIVER)],
            env=drv_env,
            capture_output=True,
            text=True,
            timeout=240,
            cwd=ROOT,
        )
        assert out.exists(), f"driver wrote nothing (exit {drv.returncode}): {drv.stderr[-3000:]}"
        data = json.loads(out.read_text())
        data["driver_stderr"] = drv.stderr[-3000:]
        data["seconds"] = time.monotonic() - t0
        yield data
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def step(data: dict[str, Any], name: str) -> dict[str, Any]:
    """One driver step's result, failing with its error."""
    res = data["steps"].get(name)
    assert res is not None, f"step {name} did not run; errors: {data['errors']}"
    assert "error" not in res, res["error"]
    return res


def test_workbench_and_file_open(session: dict[str, Any]) -> None:
    step(session, "workbench")
    assert "racy.c" in step(session, "open_file")["tab"]


def test_warning_squiggle(session: dict[str, Any]) -> None:
    res = step(session, "warning")
    assert res["count"] >= 1
    assert res["status"], "no hpclsp status bar item"


def test_hover_shows_race_message(session: dict[str, Any]) -> None:
    text = step(session, "hover")["text"]
    assert "reduction(+:total)" in text and "omp-race-missing-reduction" in text, text
    assert (ARTIFACTS / "vscode-hover.png").is_file()


def test_parallelize_code_action(session: dict[str, Any]) -> None:
    res = step(session, "code_action")
    assert any("Parallelize loop: #pragma omp parallel for" in i for i in res["items"]), res["items"]
    # Applied: the file now has two pragmas, the original one and the inserted one.
    assert res["pragmas"] == 2, res["editor"]
    assert (ARTIFACTS / "vscode-code-action.png").is_file()


def test_output_channel_has_server_log(session: dict[str, Any]) -> None:
    text = step(session, "output_channel")["text"]
    assert "starting the server (server.pythonPath)" in text, text[-1500:]


def test_inlay_hints_data_sharing(session: dict[str, Any]) -> None:
    """VS Code shows the data-sharing hints after the OpenMP directives (screenshot saved)."""
    res = step(session, "inlay_hints")
    text = res["text"]
    # total_weight: the sum is shared (the race), the loop index private; the inserted pragma in
    # scale_all gets its own hint.
    assert "shared: total, weight" in text and "private: i" in text, text[:2000]
    assert "shared: factor, scaled, weight" in text, text[:2000]
    assert (ARTIFACTS / "vscode-inlay-hints.png").is_file()


def test_signature_help_in_mpi_call(session: dict[str, Any]) -> None:
    """Parameter hints inside MPI_Sendrecv, with the parameter being written highlighted."""
    res = step(session, "signature_help")
    assert "MPI_Sendrecv(" in res["text"], res["text"]
    assert res["active"] == "MPI_Datatype sendtype", res
    assert (ARTIFACTS / "vscode-signature-help.png").is_file()


def test_outline_lists_functions_and_regions(session: dict[str, Any]) -> None:
    items = " | ".join(step(session, "outline")["items"])
    assert "exchange" in items and "relax" in items and "omp parallel for" in items, items


def test_semantic_tokens_colour_fortran_sentinels(session: dict[str, Any]) -> None:
    """The !$omp line gets colours from the server (no Fortran grammar is installed)."""
    res = step(session, "semantic_tokens")
    classes = {text.strip(): cls for text, cls in res["sentinel"] if text.strip()}
    assert "parallel do" in classes and "!$omp" in classes, res["sentinel"]
    assert classes["parallel do"] != classes["!$omp"]
    # A plain statement line stays one colour: the tokens are only on directives.
    assert len({cls for _text, cls in res["plain"]}) == 1, res["plain"]
    assert (ARTIFACTS / "vscode-semantic-tokens.png").is_file()
