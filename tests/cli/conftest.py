"""Fixtures of the CLI tests: the pytest-lsp `client` (shared with the e2e tests) and a file with findings."""

import pytest

from ..e2e.conftest import client  # noqa: F401
from .test_check import BAD_C


@pytest.fixture()
def bad_file(tmp_path):
    """A C file with an unknown directive and a clause conflict."""
    p = tmp_path / "bad.c"
    p.write_text(BAD_C)
    return p
