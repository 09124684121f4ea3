"""A short version of bench/load.py: many documents, an edit burst with requests, no errors, server alive."""

from __future__ import annotations

from bench.load import run


def test_short_load():
    r = run(seconds=8, docs=60, rate=50)
    assert r["errors"] == 0
    assert r["served"] > 20
    assert r["closed_state_is_none"]
