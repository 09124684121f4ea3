"""The CI recipes of the README work: the pre-commit hooks and the GitHub Actions workflow."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys

import yaml

from hpclsp.analysis import languages

from ..conftest import ROOT
from .test_check import BAD_C

BIN = os.path.dirname(sys.executable)


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": ROOT, "PATH": BIN + os.pathsep + os.environ.get("PATH", "")}


def _command(entry: str) -> list[str]:
    """The hook's entry as an argv: the installed console script, or the module when it is absent."""
    argv = shlex.split(entry)
    assert argv[0] == "hpclsp"
    script = shutil.which("hpclsp", path=BIN)
    return ([script] if script else [sys.executable, "-m", "hpclsp"]) + argv[1:]


def _hooks() -> dict[str, dict]:
    with open(os.path.join(ROOT, ".pre-commit-hooks.yaml"), encoding="utf-8") as fh:
        hooks = yaml.safe_load(fh)
    assert isinstance(hooks, list)
    return {h["id"]: h for h in hooks}


def test_hook_definitions_are_complete_and_match_the_sources():
    hooks = _hooks()
    assert set(hooks) == {"hpclsp-check", "hpclsp-fix"}
    for h in hooks.values():
        assert {"id", "name", "entry", "language", "files"} <= set(h)
        assert h["language"] == "python"  # pre-commit installs this repository (the light install)
        pattern = re.compile(h["files"])
        for ext in languages.EXTENSIONS:
            assert pattern.search(f"src/x{ext}"), ext
        for name in ("README.md", "setup.py", "x.cfg", "notes.txt", "a.fpp.bak"):
            assert not pattern.search(name), name


def test_hook_entries_run_on_a_repository(tmp_path):
    repo = tmp_path / "repo"
    (repo / "src").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "src" / "bad.c").write_text(BAD_C)
    (repo / "src" / "ok.f90").write_text("program p\n  print *, 1\nend program p\n")
    (repo / "README.md").write_text("# x\n")
    subprocess.run(["git", "-C", str(repo), "add", "."], check=True)
    listed = subprocess.run(
        ["git", "-C", str(repo), "ls-files"], check=True, capture_output=True, text=True
    ).stdout.split()
    hook = _hooks()["hpclsp-check"]
    files = [f for f in listed if re.search(hook["files"], f)]  # what pre-commit would pass
    assert sorted(files) == ["src/bad.c", "src/ok.f90"]
    r = subprocess.run(
        _command(hook["entry"]) + files, cwd=repo, env=_env(), capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 1 and "src/bad.c:3:" in r.stdout, r.stderr
    r = subprocess.run(
        _command(hook["entry"]) + ["src/ok.f90"],
        cwd=repo,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stdout + r.stderr


def _workflow() -> dict:
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as fh:
        readme = fh.read()
    m = re.search(r"<!-- ci-workflow -->\n```yaml\n(.*?)```", readme, re.S)
    assert m, "the README's GitHub Actions workflow block is missing"
    data = yaml.safe_load(m.group(1))
    assert isinstance(data, dict)
    return data


def test_workflow_parses_and_its_check_step_writes_valid_sarif(tmp_path):
    wf = _workflow()
    job = next(iter(wf["jobs"].values()))
    assert job["permissions"]["security-events"] == "write"
    steps = job["steps"]
    check = next(s for s in steps if "hpclsp check" in s.get("run", ""))
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif"))
    assert upload.get("if") == "always()"  # findings fail the check step; the upload must still run
    sarif_file = upload["with"]["sarif_file"]
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "bad.c").write_text(BAD_C)
    r = subprocess.run(
        ["bash", "-c", check["run"]], cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=300
    )
    assert r.returncode == 1, r.stderr  # findings fail the job
    log = json.loads((tmp_path / sarif_file).read_text())
    assert log["version"] == "2.1.0"
    results = log["runs"][0]["results"]
    uris = {x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for x in results}
    assert uris == {"src/bad.c"}
    (tmp_path / "src" / "bad.c").write_text("int main(void) { return 0; }\n")
    r = subprocess.run(
        ["bash", "-c", check["run"]], cwd=tmp_path, env=_env(), capture_output=True, timeout=300
    )
    assert r.returncode == 0
