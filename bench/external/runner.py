"""Run ``hpclsp check`` / ``hpclsp suggest`` in-process on many files, in worker processes with limits.

Each worker is forked from the (warm) parent and analyses one file at a time through the same calls
as the CLI: ``project.analyze`` (the engine plus suppression comments; no compile_commands.json,
no hpclsp.toml) for ``check`` and ``advisor.advise`` for ``suggest``. A file gets a
CPU-time limit (a watchdog thread interrupts the worker, so machine load cannot turn a slow file into
a timeout) and a wall-clock backstop after which the parent kills the worker and starts another.
A timed-out file is reported with no findings and ``timed_out=True``.

The engine's own wall-clock budget is disabled here: under load it would skip rules and make the
figures depend on what else runs on the machine; the CPU limit takes its place.
"""

from __future__ import annotations

import _thread
import dataclasses
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterable
from multiprocessing.connection import Connection, wait
from typing import Any


@dataclasses.dataclass(frozen=True)
class Job:
    """One file to analyse: ``kind`` is ``check`` (with the engine's ``select`` prefixes), ``suggest``, or
    ``suggest-vet`` (``suggest`` plus, per parallelizable loop, whether its pragma alone still races)."""

    key: int
    path: str
    kind: str
    select: tuple[str, ...] = ()


@dataclasses.dataclass
class Outcome:
    """What the analysis said about one file, in plain data (1-based lines)."""

    key: int
    findings: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    loops: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    timed_out: bool = False
    error: str | None = None


class _CpuLimit(BaseException):
    """Raised in a worker when a file has used up its CPU time (a BaseException: rules catch Exception)."""


class _Watchdog(threading.Thread):
    """Interrupts the worker's main thread when the current job has used more than ``limit`` CPU seconds.

    A thread polling the process CPU clock rather than ``ITIMER_PROF``: on this kind of machine an
    armed profiling timer made the process CPU clock coarse (whole ticks), spoiling the per-file times.
    """

    def __init__(self, limit: float) -> None:
        super().__init__(daemon=True)
        self.limit = limit
        self.started: float | None = None  # CPU clock when the running job began; None: idle

    def arm(self) -> None:
        """A job starts now."""
        self.started = time.process_time()

    def disarm(self) -> None:
        """The job is over (an interrupt arriving later is ignored)."""
        self.started = None

    def on_signal(self, signum: int, frame: Any) -> None:
        """SIGUSR1 handler in the main thread: abort the job if it is still running.

        The job stays armed until the worker disarms it: an interrupt that lands where Python
        ignores exceptions (a ``__del__``, a callback) is followed by another one a step later."""
        if self.started is not None:
            raise _CpuLimit()

    def run(self) -> None:
        step = min(0.1, self.limit / 4)
        while True:
            time.sleep(step)
            start = self.started
            if start is not None and time.process_time() - start > self.limit:
                _thread.interrupt_main(signal.SIGUSR1)


def warm_up() -> None:
    """Load grammars, the rule registry and the advisor once, before workers are forked."""
    from hpclsp.analysis import advisor, engine
    from hpclsp.analysis.context import Options
    from hpclsp.analysis.source import SourceFile

    samples = {
        "warm.c": "int main(void){int a[8];\n#pragma omp parallel for\nfor(int i=0;i<8;i++) a[i]=i;\nreturn 0;}\n",
        "warm.cu": "__global__ void k(int *a){ a[threadIdx.x] = 1; }\n",
        "warm.f90": "program p\ninteger :: i, a(8)\n!$omp parallel do\ndo i = 1, 8\n a(i) = i\nend do\nend program\n",
    }
    for name, text in samples.items():
        lang = "c" if name.endswith(".c") else "cuda" if name.endswith(".cu") else "fortran"
        src = SourceFile(name, lang, text)
        engine.analyze(src, Options(budget=float("inf")))
        if lang != "cuda":
            advisor.advise(SourceFile(name, lang, text))


def check_options(select: tuple[str, ...]) -> Any:
    """The engine options of ``hpclsp check --select SELECT --no-compile-commands`` with default settings
    (no hpclsp.toml), except the wall-clock budget (see the module docstring)."""
    from hpclsp import config
    from hpclsp.analysis.context import Options

    s = config.Settings()
    d = s.diagnostics
    return Options(
        select=select,
        ignore=tuple(d.ignore),
        hints=s.suggestions.hints,
        low_confidence=d.low_confidence,
        budget=float("inf"),
        extra={"cuda_check_errors": d.cuda_check_errors},
    )


def analyse(job: Job) -> Outcome:
    """Analyse one file in this process, as ``hpclsp check --select ...`` or ``hpclsp suggest`` would."""
    from hpclsp import project
    from hpclsp.analysis import advisor
    from hpclsp.analysis.source import SourceFile

    out = Outcome(job.key)
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        src = SourceFile.from_path(job.path)
        if job.kind == "suggest":
            out.loops = [a.to_json(job.path) for a in advisor.advise(src)]
        elif job.kind == "suggest-vet":
            advice = advisor.advise(src)
            out.loops = [dict(a.to_json(job.path), still_races=still_races(src, a)) for a in advice]
        else:
            res = project.analyze(src, check_options(job.select), use_database=False).result
            out.findings = [_finding(f) for f in res.findings]
            if res.errors:
                out.error = "; ".join(res.errors)
    except (OSError, ValueError) as exc:
        out.error = f"{type(exc).__name__}: {exc}"
    finally:
        out.seconds = time.perf_counter() - t0
        out.cpu_seconds = time.process_time() - c0
    return out


def still_races(src: Any, adv: Any) -> bool:
    """Whether the race analysis flags a parallelizable loop once its own pragma (its suggestion, or a
    ``parallel for`` with its clauses for a loop not suggested) is applied alone (False: not parallelizable)."""
    import dataclasses

    from hpclsp.analysis import advisor

    if not adv.parallelizable:
        return False
    pragma = adv.pragma or advisor.pragma_text(
        src.language,
        private=adv.private,
        firstprivate=adv.firstprivate,
        lastprivate=adv.lastprivate,
        reduction=adv.reduction,
        collapse=adv.collapse,
    )
    alone = dataclasses.replace(
        adv,
        suggested=True,
        assumptions=[],
        pragma=pragma,
        end_pragma=adv.end_pragma if adv.pragma else advisor.end_pragma_text(src.language),
        blockers=list(adv.blockers),
    )
    advisor.vet(src, [alone])
    return not alone.suggested


def _finding(f: Any) -> dict[str, Any]:
    """The parts of a Finding the scorers read (1-based lines)."""
    return {
        "code": f.code,
        "line": f.span.start.line + 1,
        "column": f.span.start.col + 1,
        "severity": f.severity.label,
        "related": [r.span.start.line + 1 for r in f.related if r.path is None],
    }


def _worker(conn: Connection, cpu_limit: float) -> None:
    """Serve jobs from the pipe until told to stop; exit after a CPU-limit hit (state may be torn)."""
    # a failing rule is counted in the row's "errors" (and listed by -v), not logged with a traceback
    logging.disable(logging.ERROR)
    warm_up()  # a no-op in cost when forked from a warm parent; loads everything when spawned
    dog = _Watchdog(cpu_limit)
    signal.signal(signal.SIGUSR1, dog.on_signal)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    dog.start()
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            dog.arm()
            out = analyse(job)
            dog.disarm()
        except _CpuLimit:
            dog.disarm()
            out = Outcome(job.key, timed_out=True)
            out.seconds = time.perf_counter() - t0
            out.cpu_seconds = time.process_time() - c0
            conn.send(out)
            return
        except Exception as exc:  # report, keep serving
            dog.disarm()
            out = Outcome(job.key, error=f"{type(exc).__name__}: {exc}")
        conn.send(out)


class _Slot:
    """A worker process, its pipe and the job it is running."""

    def __init__(self, ctx: Any, cpu_limit: float) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child, cpu_limit), daemon=True)
        self.proc.start()
        child.close()
        self.job: Job | None = None
        self.started = 0.0

    def stop(self, kill: bool = False) -> None:
        """End the worker (politely unless kill)."""
        if kill:
            self.proc.kill()
        else:
            try:
                self.conn.send(None)
            except OSError:
                pass
        self.proc.join(timeout=5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()


def run_jobs(jobs: Iterable[Job], workers: int = 2, cpu_limit: float = 20.0) -> dict[int, Outcome]:
    """Run every job on ``workers`` forked processes; returns outcomes by job key."""
    warm_up()
    # fork a warm, single-threaded parent; a parent with threads (e.g. a test session) spawns instead,
    # since a lock held by another thread at fork time would stay held in the child
    forkable = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
    ctx = multiprocessing.get_context("fork" if forkable else "spawn")
    # biggest files first: the long ones do not end up alone at the tail
    pending = sorted(jobs, key=lambda j: -_size(j.path))
    wall_limit = 4 * cpu_limit + 30.0
    slots = [_Slot(ctx, cpu_limit) for _ in range(max(1, min(workers, len(pending))))]
    results: dict[int, Outcome] = {}
    try:
        while pending or any(s.job for s in slots):
            for s in slots:
                if s.job is None and pending:
                    s.job, s.started = pending.pop(0), time.perf_counter()
                    s.conn.send(s.job)
            busy = [s for s in slots if s.job is not None]
            now = time.perf_counter()
            timeout = max(0.0, min(s.started + wall_limit - now for s in busy))
            ready = wait([s.conn for s in busy], timeout=timeout)
            for s in busy:
                if s.conn in ready:
                    _collect(s, results, slots, ctx, cpu_limit)
                elif time.perf_counter() - s.started > wall_limit:
                    assert s.job is not None
                    results[s.job.key] = Outcome(s.job.key, seconds=wall_limit, timed_out=True)
                    _replace(s, slots, ctx, cpu_limit, kill=True)
    finally:
        for s in slots:
            s.stop()
    return results


def _collect(s: _Slot, results: dict[int, Outcome], slots: list[_Slot], ctx: Any, cpu_limit: float) -> None:
    """Take a finished job's outcome from a slot (restarting the worker if it died or hit its limit)."""
    assert s.job is not None
    try:
        out: Outcome = s.conn.recv()
    except (EOFError, OSError):
        out = Outcome(s.job.key, error="worker died", seconds=time.perf_counter() - s.started)
        _replace(s, slots, ctx, cpu_limit, kill=True)
        results[out.key] = out
        return
    results[out.key] = out
    if out.timed_out:
        _replace(s, slots, ctx, cpu_limit, kill=False)
    else:
        s.job = None


def _replace(s: _Slot, slots: list[_Slot], ctx: Any, cpu_limit: float, kill: bool) -> None:
    """Swap a slot's worker for a fresh one."""
    s.stop(kill=kill)
    slots[slots.index(s)] = _Slot(ctx, cpu_limit)


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0
