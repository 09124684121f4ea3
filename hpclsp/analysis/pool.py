"""Worker processes for the unit-scoped rules of a big file's components.

The engine analyses each component of a file (``hpclsp.analysis.units``) in its own synthetic text,
and those analyses share nothing, so a cold analysis of a big file can spread them over the cores.
Python threads would not run them side by side, so a :class:`UnitPool` keeps worker processes
(``spawn``: the server has threads, and a forked copy of them is unsafe) that import the rules once
and answer "run these rules on this synthetic text" (``engine.run_job``) with plain finding objects.

The workers are spawned in the background on first use (``ready``), and a job list that comes
before they are up is analysed in the calling process. Jobs travel in chunks (runs of consecutive
jobs). The calling process keeps working too: it takes chunks from the end of the list while the
workers take them from the front, and it runs a queued chunk itself whenever the pool has not
started it yet (``Future.cancel`` succeeds). The chunks shrink toward the point where the two sides
are expected to meet, so that what the calling process still waits for once it has run out of
chunks of its own (a worker's current chunk and the one queued behind it) is small. A worker that
dies (or a pool that cannot start) only costs speed: its jobs are run in the calling process, and
the pool is started afresh on the next use. ``configure(0)`` (or one core) disables it.
"""

from __future__ import annotations

import concurrent.futures
import functools
import gc
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from hpclsp.analysis import gcpolicy

log = logging.getLogger(__name__)

#: Below this many characters of synthetic text left to analyse the hand-off costs more than it gives.
MIN_CHARS = 20_000

J = TypeVar("J")
R = TypeVar("R")


def _warm() -> None:
    """Worker start-up: standard streams let go, rules and grammars imported before the first job.

    A spawned worker inherits the server's stdin/stdout (the LSP channel) and stderr: it must never
    write there, and a client waiting for the server's pipes to close must not wait for it.
    """
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), name="parent-watch", daemon=True).start()
    from hpclsp.analysis import rules as rules_pkg
    from hpclsp.analysis.languages import new_parser

    rules_pkg.all_rules()
    for lang in ("c", "cpp", "cuda", "fortran"):
        try:
            new_parser(lang)
        except Exception:  # a missing grammar only matters when a file of that language comes
            log.debug("grammar %s unavailable in worker", lang)
    # What was loaded lives as long as the worker: keep it out of every later collection (as the
    # server does at start), garbage of the imports collected first.
    gc.collect()
    gc.freeze()


def _exit_with_parent(parent: int) -> None:
    """End this worker once its parent is gone (a server ended by ``os._exit`` never says goodbye).

    Until then the worker would hold multiprocessing's resource tracker open, and with it the
    server's stderr, which a client reads until it closes.
    """
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


class UnitPool:
    """Worker processes for component analyses; thread-safe, started on first use."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._executor: concurrent.futures.ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._starting: threading.Thread | None = None
        self._closed = False

    def start_in_background(self) -> None:
        """Start the workers on a thread (spawning them takes a second or two of CPU)."""
        with self._lock:
            if self._executor is not None or self.workers <= 0 or self._starting is not None or self._closed:
                return
            self._starting = threading.Thread(target=self._start_then_clear, name="hpclsp-pool", daemon=True)
            self._starting.start()

    def _start_then_clear(self) -> None:
        try:
            self.start()
        finally:
            with self._lock:
                self._starting = None

    def ready(self) -> concurrent.futures.ProcessPoolExecutor | None:
        """The executor if its workers are up; otherwise start them in the background and say None."""
        if self._executor is None:
            self.start_in_background()
        return self._executor

    def start(self) -> concurrent.futures.ProcessPoolExecutor | None:
        """The executor, started and warmed if needed (blocks); None when processes cannot start."""
        with self._lock:
            if self._executor is not None or self.workers <= 0 or self._closed:
                return self._executor
        ex = None
        try:
            ctx = multiprocessing.get_context("spawn")
            ex = concurrent.futures.ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_warm)
            for f in [ex.submit(_noop) for _ in range(self.workers)]:
                f.result(timeout=120)
        except Exception as exc:  # no processes here (sandbox, limits): analyse in one process
            log.warning("analysis workers unavailable (%s); analysing in one process", exc)
            if ex is not None:
                ex.shutdown(wait=False, cancel_futures=True)
            with self._lock:
                self.workers = 0
            return None
        with self._lock:
            if self._executor is None and not self._closed:
                self._executor, ex = ex, None
            current = self._executor
        if ex is not None:  # another caller started one meanwhile, or the pool was shut down
            ex.shutdown(wait=False)
        return current

    def shutdown(self) -> None:
        """Stop the workers for good (pending jobs are cancelled)."""
        with self._lock:
            self._closed = True
            ex, self._executor = self._executor, None
        if ex is not None:
            ex.shutdown(wait=False, cancel_futures=True)

    def run(
        self, fn: Callable[..., R], jobs: Sequence[J], *args: Any, weight: Callable[[J], int] | None = None
    ) -> list[R]:
        """``[fn(job, *args) for job in jobs]``, spread over the workers and this process.

        ``fn`` must be a module-level function (the workers import it by name). Jobs travel in
        chunks of ``weight`` shrinking toward where the workers (from the front) and this process
        (from the back) meet (``_chunks``); none below 1/32 of a process's share, so the hand-offs
        stay few: the thread that feeds the workers needs the interpreter lock, which this
        process's own work holds. Give the biggest jobs first.
        """
        ex = self.ready()
        if ex is None:
            return _run_chunk(fn, jobs, args)
        share = 1 / (self.workers + 1)
        chunks = _chunks([weight(j) if weight else 1 for j in jobs], 1 - share, share / 32)
        try:
            futures = [ex.submit(_run_chunk, fn, [jobs[i] for i in c], args) for c in chunks]
        except (BrokenProcessPool, RuntimeError):
            self._broken()
            return _run_chunk(fn, jobs, args)
        here = [functools.partial(_run_chunk, fn, [jobs[i] for i in c], args) for c in chunks]
        answers: dict[int, list[R]] = {}
        for k in range(len(chunks) - 1, -1, -1):
            if not futures[k].cancel():
                break
            answers[k] = here[k]()
        for k, fut in enumerate(futures):
            if k not in answers:
                answers[k] = self._result(fut, here[k])
        out: list[R] = [None] * len(jobs)  # type: ignore[list-item]
        for k, c in enumerate(chunks):
            for i, r in zip(c, answers[k], strict=True):
                out[i] = r
        return out

    def _result(self, fut: concurrent.futures.Future[list[R]], fallback: Callable[[], list[R]]) -> list[R]:
        try:
            return fut.result()
        except (BrokenProcessPool, concurrent.futures.CancelledError) as exc:
            log.warning("an analysis worker stopped (%s); analysing its unit here", type(exc).__name__)
            self._broken()
            return fallback()

    def _broken(self) -> None:
        with self._lock:
            ex, self._executor = self._executor, None
        if ex is not None:
            ex.shutdown(wait=False, cancel_futures=True)


def _chunks(weights: list[int], meet: float, smallest: float) -> list[list[int]]:
    """Consecutive runs of job indices that shrink toward ``meet``, a fraction of the total weight.

    A run starting at fraction ``a`` of the total weight weighs about a third of its distance to
    ``meet`` (geometrically smaller runs toward it from either side), and at least ``smallest``.
    """
    total = sum(weights) or 1
    out: list[list[int]] = []
    cur: list[int] = []
    acc = done = 0
    target = 0.0
    for i, w in enumerate(weights):
        if not cur:
            target = max(smallest, abs(done / total - meet) / 3) * total
        cur.append(i)
        acc += w
        if acc >= target:
            out.append(cur)
            done += acc
            cur, acc = [], 0
    if cur:
        out.append(cur)
    return out


def _run_chunk(fn: Callable[..., R], jobs: Sequence[J], args: tuple[Any, ...]) -> list[R]:
    """``fn(job, *args)`` for each job, in a worker or in this process (with fewer collections of
    the analyses' live objects: ``gcpolicy``)."""
    with gcpolicy.fewer_collections():
        return [fn(j, *args) for j in jobs]


def _noop() -> None:
    """A first job that waits for a worker's start-up."""


_POOL: UnitPool | None = None


def configure(workers: int | None) -> UnitPool | None:
    """Use ``workers`` processes besides this one for big cold analyses (None: cores - 1; 0: none)."""
    global _POOL
    if workers is None:
        try:
            cores = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            cores = os.cpu_count() or 1
        workers = min(cores - 1, 3)
    old, _POOL = _POOL, (UnitPool(workers) if workers > 0 else None)
    if old is not None:
        old.shutdown()
    return _POOL


def current() -> UnitPool | None:
    """The configured pool, if any (the engine asks before a cold analysis)."""
    return _POOL
