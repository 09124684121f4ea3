"""Diagnostics latency through the real server for 5,000-line C and Fortran files.

Full analysis after didOpen, and after a one-line edit (debounce set to 0 so the figure is the
server's own work). Targets (SPEC §5): < 150 ms p50 full, < 30 ms p50 after an edit.
"""

from __future__ import annotations

import statistics
import time

from bench.generate import c_file, fortran_file
from hpclsp.stdio_client import ROOT, Client
from hpclsp.analysis import engine
from hpclsp.analysis.source import SourceFile


def measure(
    client: Client, name: str, lang: str, text: str, runs: int = 9
) -> tuple[list[float], list[float], int]:
    """(full-analysis latencies, after-edit latencies, diagnostic count)."""
    full, edit = [], []
    count = 0
    for r in range(runs):
        uri = (ROOT / "bench" / f"_{r}_{name}").as_uri()
        t0 = time.perf_counter()
        client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": lang, "version": 1, "text": text}},
        )
        t1, diags = client.wait_diagnostics(uri, 1)
        full.append(t1 - t0)
        count = len(diags)
        line = 2500 + r
        t0 = time.perf_counter()
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
        edit.append(t1 - t0)
        client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    return full, edit, count


def main() -> None:
    """Print p50/p95 latencies for both languages, in-process engine time too."""
    client = Client()
    client.initialize({"model": {"backend": "none"}, "diagnostics": {"debounceMs": 0}})
    for name, lang, text in (("big.c", "c", c_file()), ("big.f90", "fortran", fortran_file())):
        full, edit, n = measure(client, name, lang, text)
        src = SourceFile(name, lang, text)
        t0 = time.perf_counter()
        engine.analyze(src, engine.Options(budget=60))
        cold = time.perf_counter() - t0
        lines = text.count("\n")
        print(
            f"{name} ({lines} lines, {n} diagnostics): full p50 {statistics.median(full) * 1000:.1f} ms "
            f"(max {max(full) * 1000:.1f}); after one-line edit p50 {statistics.median(edit) * 1000:.1f} ms "
            f"(max {max(edit) * 1000:.1f}); engine alone {cold * 1000:.1f} ms  [targets 150 / 30 ms]"
        )
    client.close()


if __name__ == "__main__":
    main()
