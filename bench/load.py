"""Load: 200 open documents, then bursts of 50 edits/s on one document while completions and hovers
are requested, optionally with an index build running. Prints requests served, errors, p99 latency
and the server's peak memory.

    python -m bench.load [--seconds 60] [--docs 200] [--rate 50] [--index-build]
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time

from bench.generate import c_file
from hpclsp.stdio_client import ROOT, Client


def rss_kb(pid: int, field: str = "VmHWM") -> int:
    """A memory figure of a process from /proc (kB)."""
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def run(
    seconds: float = 60.0, docs: int = 200, rate: int = 50, index_build: bool = False
) -> dict[str, float]:
    """Run the load and return the figures."""
    client = Client()
    client.initialize({"model": {"backend": "none"}})
    text = c_file(300)
    uris = []
    for i in range(docs):
        uri = (ROOT / "bench" / "_load" / f"doc{i}.c").as_uri()
        client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "c", "version": 1, "text": text}},
        )
        uris.append(uri)
    mem_open = rss_kb(client.proc.pid, "VmRSS")
    target = uris[0]
    latencies: list[float] = []
    errors = 0
    served = 0
    stop = time.perf_counter() + seconds
    lock = threading.Lock()

    def requester() -> None:
        nonlocal errors, served
        n = 0
        while time.perf_counter() < stop:
            n += 1
            method = "textDocument/completion" if n % 2 else "textDocument/hover"
            t0 = time.perf_counter()
            try:
                client.request(
                    method,
                    {"textDocument": {"uri": target}, "position": {"line": 5 + n % 50, "character": 8}},
                    timeout=30,
                )
                with lock:
                    latencies.append(time.perf_counter() - t0)
                    served += 1
            except Exception:
                with lock:
                    errors += 1
            time.sleep(0.02)

    builder = None
    if index_build:
        import subprocess
        import sys
        import tempfile

        out = tempfile.mkdtemp(prefix="hpclsp-load-index-")
        builder = subprocess.Popen(
            [sys.executable, "-m", "hpclsp", "index", "build", "--builtin", "-o", os.path.join(out, "idx")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    threads = [threading.Thread(target=requester) for _ in range(2)]
    for t in threads:
        t.start()
    version = 1
    edits = 0
    while time.perf_counter() < stop:
        burst_start = time.perf_counter()
        for _ in range(rate):
            version += 1
            line = 10 + version % 200
            client.notify(
                "textDocument/didChange",
                {
                    "textDocument": {"uri": target, "version": version},
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
            edits += 1
            time.sleep(max(0.0, 1.0 / rate - 0.0005))
        time.sleep(max(0.0, 1.0 - (time.perf_counter() - burst_start)))
    for t in threads:
        t.join()
    if builder is not None:
        builder.kill()
    # Close everything: memory must come back down (trees and caches evicted).
    for uri in uris:
        client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    client.request("workspace/executeCommand", {"command": "hpclsp.documentState", "arguments": [target]})
    state = client.request(
        "workspace/executeCommand", {"command": "hpclsp.documentState", "arguments": [target]}
    )
    peak = rss_kb(client.proc.pid, "VmHWM")
    after = rss_kb(client.proc.pid, "VmRSS")
    client.close()
    latencies.sort()
    p99 = latencies[int(0.99 * (len(latencies) - 1))] if latencies else float("nan")
    return {
        "seconds": seconds,
        "edits": edits,
        "served": served,
        "errors": errors,
        "p50_ms": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p99_ms": p99 * 1000,
        "rss_open_mb": mem_open / 1024,
        "peak_mb": peak / 1024,
        "rss_after_close_mb": after / 1024,
        "closed_state_is_none": state is None,
    }


def main() -> None:
    """Print the figures."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--docs", type=int, default=200)
    ap.add_argument("--rate", type=int, default=50)
    ap.add_argument("--index-build", action="store_true")
    a = ap.parse_args()
    r = run(a.seconds, a.docs, a.rate, a.index_build)
    print(
        f"load: {a.docs} docs open, {r['edits']} edits at {a.rate}/s for {r['seconds']:.0f} s; "
        f"{r['served']} hover/completion requests served, {r['errors']} errors, "
        f"p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms; server RSS with docs open {r['rss_open_mb']:.0f} MB, "
        f"peak {r['peak_mb']:.0f} MB, after closing all {r['rss_after_close_mb']:.0f} MB"
    )


if __name__ == "__main__":
    main()
