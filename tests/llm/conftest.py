"""Fixtures for the model tests: one real embedded model (Gemma 3 270M GGUF) per test session."""

from __future__ import annotations

import pytest

from hpclsp.config import ModelSettings
from hpclsp.llm.service import ModelService


@pytest.fixture(scope="session")
def model_path() -> str:
    """The embedded default GGUF, assembled into the cache once."""
    from hpclsp.llm import model_files

    return str(model_files.default_model_path())


@pytest.fixture(scope="session")
def service(model_path: str):
    """A loaded ModelService on the embedded model, shared by the session."""
    svc = ModelService(ModelSettings(path=model_path, max_tokens=24, context_size=1024))
    assert svc.wait_ready(timeout=120), svc.error
    yield svc
    svc.close()
