"""The pytest-lsp `client` fixture, shared with the e2e tests."""

from ..e2e.conftest import client  # noqa: F401
