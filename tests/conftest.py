"""Shared test helpers."""

from __future__ import annotations

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "tests", "fixtures")

# Tests run against the source tree.
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

# The suite must never reach the network (models and embedders come from installed packages).
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
