"""Fixtures for the retrieval tests: the real default embedder (loaded once) and data paths."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def real_embedder():
    """The default sentence-transformers embedder from the installed package."""
    from retrieval.embedder import load_embedder

    return load_embedder(None)


@pytest.fixture()
def hashing_embedder():
    """The deterministic test-only embedder."""
    from retrieval.embedder import HashingEmbedder

    return HashingEmbedder(64)


@pytest.fixture()
def sources(tmp_path: Path) -> Path:
    """A writable copy of the test documents and the tiny corpus."""
    dst = tmp_path / "src"
    shutil.copytree(DATA / "docs", dst / "docs")
    shutil.copytree(DATA / "corpus", dst / "corpus")
    return dst
