"""Worker processes for cold analyses (``hpclsp.analysis.pool``): real spawned workers, same findings.

The workers here are real processes started with ``spawn``, as in the server. No timing is asserted:
``bench/diagnostics.py`` prints the figures.
"""

from __future__ import annotations

import os
import time

import pytest

from hpclsp.analysis import engine, pool
from tests.perf.equivalence import bundles, findings_json

PARENT = os.getpid()


def where(job: int, parent: int) -> tuple[int, int]:
    """The job and the process that ran it (after 10 ms of work)."""
    time.sleep(0.01)
    return job, os.getpid()


def die_in_worker(job: int, parent: int) -> int:
    """A job that kills the worker process running it (but runs normally in the parent)."""
    if os.getpid() != parent:
        os._exit(3)
    return job * 2


@pytest.fixture
def workers():
    """One real worker process, started and warmed; the engine uses it for every batch of jobs."""
    old = pool.MIN_CHARS
    pool.MIN_CHARS = 0
    p = pool.configure(1)
    assert p is not None and p.start() is not None
    engine.CACHE.clear()
    yield p
    pool.configure(0)
    pool.MIN_CHARS = old
    engine.CACHE.clear()


def test_jobs_run_in_both_processes_and_come_back_in_order(workers) -> None:
    jobs = list(range(40))
    got = workers.run(where, jobs, PARENT)
    assert [j for j, _ in got] == jobs
    pids = [pid for _, pid in got]
    assert pids[0] != PARENT, "the worker takes jobs from the front"
    assert pids[-1] == PARENT, "the caller takes jobs from the back"


def test_a_dying_worker_costs_only_speed(workers) -> None:
    assert workers.run(die_in_worker, list(range(12)), PARENT) == [2 * j for j in range(12)]
    # the pool starts afresh in the background and keeps answering meanwhile
    assert workers.run(where, [1, 2], PARENT)[0][0] == 1


def test_bundles_give_the_same_findings_with_workers(workers) -> None:
    """Multi-unit files analysed with the worker equal the one-process analysis."""
    cases = bundles(size=8, limit=12)
    with_workers = [findings_json(name, lang, text, incremental=True) for name, lang, text in cases]
    pool.configure(0)
    engine.CACHE.clear()
    alone = [findings_json(name, lang, text, incremental=True) for name, lang, text in cases]
    assert with_workers == alone
    assert sum(len(f) for f in alone) > 20


def test_configure_zero_disables() -> None:
    assert pool.configure(0) is None
    assert pool.current() is None


def test_chunks_cover_the_jobs_in_order_and_shrink_toward_where_the_sides_meet() -> None:
    sizes = [len(c) for c in pool._chunks([1] * 250, 0.5, 0.5 / 32)]
    assert sum(sizes) == 250
    flat = [i for c in pool._chunks([1] * 250, 0.5, 0.5 / 32) for i in c]
    assert flat == list(range(250))
    middle = sizes.index(min(sizes))
    assert sizes[0] > 4 * sizes[middle] and sizes[-2] > 4 * sizes[middle]
    assert all(a >= b for a, b in zip(sizes[:middle], sizes[1 : middle + 1]))
    assert min(sizes) >= 250 * 0.5 / 32
    assert pool._chunks([0, 0, 0], 0.5, 0.1) == [[0, 1, 2]]
    assert pool._chunks([], 0.5, 0.1) == []
