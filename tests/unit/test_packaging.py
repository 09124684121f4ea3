"""The wheel ships both packages, the console script and the built-in corpus (SPEC §1)."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from ..conftest import ROOT


def test_wheel_contents(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            ROOT,
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("hpclsp-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "hpclsp/server.py" in names and "retrieval/__init__.py" in names
    assert "hpclsp/_corpus/manifest.json" in names
    assert any(n.startswith("hpclsp/_corpus/cards/") for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "hpclsp = hpclsp.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
