"""Diagnostics latency through the real server for 5,000-line C and Fortran files.

Full analysis after didOpen of a file the server has never seen (each run renames every kernel, so
the unit cache cannot help), and after a one-line edit (debounce set to 0 so the figure is the
server's own work). Targets (SPEC §5): < 150 ms p50 full, < 30 ms p50 after an edit.

Besides wall-clock latency the script prints a machine reference (the CPU time of a fixed pure-Python
workload, to compare runs on different machines), the server process's CPU time per analysis (from
``/proc/<pid>/stat``; for full analyses also with its analysis worker processes, which take part
of a cold analysis of a big file: ``--workers N`` sets ``diagnostics.workers``, 0 turns them off;
the first run spawns them, so it is analysed by the server alone), which is what to compare on a
loaded machine, the engine alone in-process
(cold and after the same edit), the peak memory of the server and its children, and the load
average at the time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from bench.generate import c_file, fortran_file
from hpclsp.analysis import engine
from hpclsp.analysis.context import Options
from hpclsp.analysis.source import SourceFile
from hpclsp.stdio_client import ROOT, Client


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (0.0 when /proc is not available)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def children(pid: int) -> list[int]:
    """Live descendants of a process (the server's analysis workers), from /proc."""
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                kids = [int(x) for x in fh.read().split()]
        except (OSError, ValueError):
            continue
        for k in kids:
            out += [k, *children(k)]
    return out


def peak_rss_mb(pid: int) -> int:
    """A process's peak resident set size in MB (VmHWM; 0 when /proc is not available)."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def tree_cpu_seconds(pid: int) -> float:
    """CPU time of the server plus its live worker processes."""
    return cpu_seconds(pid) + sum(cpu_seconds(k) for k in children(pid))


def variant(text: str, r: int) -> str:
    """The same file with every kernel renamed: new unit texts, so nothing is served from the cache."""
    return text.replace("kernel_", f"kernel_r{r}_")


def edited(text: str, line: int) -> str:
    """The text after inserting a space at the start of a line (what the edit below sends)."""
    lines = text.split("\n")
    lines[line] = " " + lines[line]
    return "\n".join(lines)


def measure(client: Client, name: str, lang: str, text: str, runs: int = 9) -> dict[str, list[float]]:
    """Latencies and server CPU times for full analyses and one-line edits; the diagnostic count."""
    res: dict[str, list[float]] = {"full": [], "edit": [], "full_cpu": [], "edit_cpu": [], "count": []}
    res["full_all_cpu"] = []
    pid = client.proc.pid
    for r in range(runs):
        uri = (ROOT / "bench" / f"_{r}_{name}").as_uri()
        body = variant(text, r)
        a0 = tree_cpu_seconds(pid)
        c0, t0 = cpu_seconds(pid), time.perf_counter()
        client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": lang, "version": 1, "text": body}},
        )
        t1, diags = client.wait_diagnostics(uri, 1)
        res["full"].append(t1 - t0)
        res["full_cpu"].append(cpu_seconds(pid) - c0)
        res["full_all_cpu"].append(tree_cpu_seconds(pid) - a0)
        res["count"].append(len(diags))
        line = 2500 + r
        c0, t0 = cpu_seconds(pid), time.perf_counter()
        client.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": 2},
                "contentChanges": [
                    {
                        "range": {
                            "start": {"line": line, "character": 0},
                            "end": {"line": line, "character": 0},
                        },
                        "text": " ",
                    }
                ],
            },
        )
        t1, _ = client.wait_diagnostics(uri, 2)
        res["edit"].append(t1 - t0)
        res["edit_cpu"].append(cpu_seconds(pid) - c0)
        client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    return res


def in_process(name: str, lang: str, text: str) -> tuple[float, float, float]:
    """CPU seconds of the engine alone: cold, after a one-line edit (warm cache), whole-file mode."""
    engine.CACHE.clear()
    src = SourceFile(name, lang, text)
    src.tree  # noqa: B018 - parse outside the timing, as the server does incrementally
    c0 = time.process_time()
    engine.analyze(src, Options(budget=600))
    cold = time.process_time() - c0
    src = SourceFile(name, lang, edited(text, 2500))
    src.tree  # noqa: B018
    c0 = time.process_time()
    engine.analyze(src, Options(budget=600))
    edit = time.process_time() - c0
    src = SourceFile(name, lang, text)
    src.tree  # noqa: B018
    c0 = time.process_time()
    engine.analyze(src, Options(budget=600, incremental=False))
    whole = time.process_time() - c0
    return cold, edit, whole


def machine_reference() -> float:
    """CPU milliseconds of a fixed pure-Python workload (median of five runs), printed beside the
    latencies so that figures taken on different machines can be compared: the analysis is pure
    Python too, and its times scale with this one."""
    times = []
    for _ in range(5):
        c0 = time.process_time()
        d: dict[str, int] = {}
        for i in range(300_000):
            k = f"v{i % 1000}"
            d[k] = d.get(k, 0) + (i * i) % 7
        sorted(d.items(), key=lambda kv: (kv[1], kv[0]))
        times.append(time.process_time() - c0)
    return statistics.median(times) * 1000


def ms(xs: list[float]) -> str:
    """p50 in milliseconds."""
    return f"{statistics.median(xs) * 1000:.1f}"


def main() -> None:
    """Print p50 latencies and CPU times for both languages."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument(
        "--workers", type=int, default=-1, help="the server's diagnostics.workers (-1: its default; 0: none)"
    )
    args = ap.parse_args()
    load0 = os.getloadavg()[0]
    reference = machine_reference()
    client = Client()
    client.initialize(
        {
            "model": {"backend": "none"},
            "diagnostics": {"debounceMs": 0, "budgetMs": 60000, "workers": args.workers},
        },
    )
    for name, lang, text in (("big.c", "c", c_file()), ("big.f90", "fortran", fortran_file())):
        res = measure(client, name, lang, text)
        lines = text.count("\n")
        print(
            f"{name} ({lines} lines, {res['count'][-1]} diagnostics) through the server: "
            f"full p50 {ms(res['full'])} ms (CPU {ms(res['full_cpu'])} ms, with workers {ms(res['full_all_cpu'])} ms); "
            f"after a one-line edit p50 {ms(res['edit'])} ms (CPU {ms(res['edit_cpu'])} ms)  "
            f"[targets 150 / 30 ms]"
        )
        cold, edit, whole = in_process(name, lang, text)
        print(
            f"{name} engine in-process CPU: cold {cold * 1000:.1f} ms, after a one-line edit {edit * 1000:.1f} ms, "
            f"whole-file mode (no units, no cache) {whole * 1000:.1f} ms"
        )
    workers = children(client.proc.pid)
    peaks = [peak_rss_mb(client.proc.pid), *(peak_rss_mb(k) for k in workers)]
    client.close()
    print(
        f"child processes of the server (analysis workers, resource tracker): {len(workers)} (diagnostics.workers {args.workers}); "
        f"peak RSS MB: server {peaks[0]}, children {peaks[1:]}"
    )
    print(
        f"load average (1 min) {load0:.2f} at start, {os.getloadavg()[0]:.2f} at end, on {os.cpu_count()} cores; "
        f"machine reference (a fixed pure-Python workload, CPU): {reference:.0f} ms"
    )


if __name__ == "__main__":
    main()
