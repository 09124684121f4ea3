"""Makes the end-to-end ``client`` fixture (the lead's, in tests/e2e) available to this directory."""

from ..e2e.conftest import client  # noqa: F401
