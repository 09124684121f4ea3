"""A site index shipped as an archive: listed in `indexes`, unpacked safely once, then searched."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from hpclsp.handlers.retrieval import _unpacked
from retrieval.builder import build_index
from retrieval.search import Searcher
from retrieval.store import RetrievalError, load_index

DATA = Path(__file__).resolve().parent / "data"


def test_archive_index_unpacks_and_searches(real_embedder, tmp_path, monkeypatch):
    monkeypatch.setenv("HPCLSP_CACHE_DIR", str(tmp_path / "cache"))
    site = tmp_path / "site"
    build_index([str(DATA / "docs")], site, real_embedder, name="site")
    archive = tmp_path / "site-index.tar.gz"
    with tarfile.open(archive, "w:gz") as tf:
        tf.add(site, arcname="site")
    unpacked = _unpacked(archive)
    assert unpacked != archive and (unpacked / "manifest.json").is_file()
    assert _unpacked(archive) == unpacked  # unpacked once, reused
    hits = Searcher(load_index(unpacked), real_embedder, "site").search("when are scratch files purged", k=3)
    assert hits and hits[0].chunk.title == "Scratch storage"


def test_unsafe_archive_index_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("HPCLSP_CACHE_DIR", str(tmp_path / "cache"))
    archive = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "w:gz") as tf:
        info = tarfile.TarInfo("../../escape.txt")
        info.size = 3
        tf.addfile(info, io.BytesIO(b"bad"))
    with pytest.raises(RetrievalError, match="cannot unpack"):
        _unpacked(archive)
    assert not (tmp_path / "escape.txt").exists()
