"""Shared helpers for the built-in corpus tests: the corpus directory, its manifest and cards."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hpclsp import kb

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "index"


def load_json(rel: str) -> Any:
    """A JSON file of the corpus, parsed."""
    return json.loads((CORPUS / rel).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def corpus() -> kb.KnowledgeBase:
    """The source-tree corpus, loaded fresh (not the process-wide cache)."""
    return kb.load(CORPUS)


@pytest.fixture(scope="session")
def schema() -> dict[str, Any]:
    """``index/schema.json``."""
    return load_json("schema.json")
