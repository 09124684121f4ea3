"""Fixtures for the model tests: one real embedded model per test session (the fast one,
Qwen2.5-Coder 0.5B; the end-to-end server tests use the default 1.5B)."""

from __future__ import annotations

import pytest

from hpclsp.config import ModelSettings
from hpclsp.llm.service import ModelService


@pytest.fixture(scope="session")
def model_path() -> str:
    """The fast embedded GGUF, assembled into the cache once."""
    from hpclsp.llm import model_files

    return str(model_files.fast_model_path())


@pytest.fixture(scope="session")
def service(model_path: str):
    """A loaded ModelService on the embedded model, shared by the session."""
    svc = ModelService(ModelSettings(path=model_path, max_tokens=24, context_size=1024))
    assert svc.wait_ready(timeout=120), svc.error
    yield svc
    svc.close()
