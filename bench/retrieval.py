"""Retrieval benchmark: build rate, query latency (built-in size and 100,000 chunks), memory.

Prints figures (SPEC §5 targets: build >= 150 chunks/s with the default embedder; query < 20 ms
p50 at 100,000 chunks, query embedding included). Nothing is asserted.

    .venv/bin/python bench/retrieval.py [--synthetic N] [--queries Q]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

QUERIES = [
    "start a nonblocking receive",
    "combine values from all processes and distribute the result",
    "MPI_Isend",
    "omp_get_thread_num",
    "reduction clause for a sum",
    "copy memory to the device asynchronously",
    "cudaMemcpyAsync",
    "synchronize threads in a block",
    "private copy of a variable in each thread",
    "schedule loop iterations dynamically",
    "__syncthreads",
    "MPI_Allreduce",
    "wait for all outstanding requests",
    "launch a kernel on a stream",
    "atomic update of a shared counter",
    "collapse nested loops",
    "number of threads in the team",
    "create a communicator for a subgroup",
    "measure elapsed time on the GPU",
    "allocate unified memory",
]


def rss_mb() -> float:
    """Current resident set size in MB (Linux /proc)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))]


def time_queries(searcher, embedder, queries: list[str], rounds: int) -> tuple[list[float], list[float]]:
    """Per-query total latency and embedding latency in ms (query cache cleared: cold queries)."""
    total, embed = [], []
    for r in range(rounds):
        for q in queries:
            cache = getattr(embedder, "_cache", None)
            if cache is not None:
                cache.clear()
            text = f"{q} {r}" if r else q
            t0 = time.perf_counter()
            embedder.encode_query(text)
            t1 = time.perf_counter()
            if cache is not None:
                cache.clear()
            t2 = time.perf_counter()
            searcher.search(text, k=5)
            t3 = time.perf_counter()
            embed.append((t1 - t0) * 1000)
            total.append((t3 - t2) * 1000)
    return total, embed


def main() -> int:
    """Run the benchmark and print figures."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--synthetic", type=int, default=100_000, help="chunks in the synthetic index (0: skip)")
    ap.add_argument("--rounds", type=int, default=3, help="rounds over the query list")
    args = ap.parse_args()

    import numpy as np

    from hpclsp import paths
    from retrieval.builder import build_index
    from retrieval.chunk import Chunk
    from retrieval.chunkers.corpus import is_corpus_dir
    from retrieval.embedder import load_embedder
    from retrieval.search import Searcher
    from retrieval.store import load_index, write_index

    print(f"rss at start: {rss_mb():.0f} MB")
    t0 = time.perf_counter()
    embedder = load_embedder(None)
    embedder.encode_query("warm up")
    print(
        f"embedder load: {time.perf_counter() - t0:.1f} s ({embedder.name}, dim {embedder.dim}); rss {rss_mb():.0f} MB"
    )

    with tempfile.TemporaryDirectory(prefix="hpclsp-bench-") as tmp:
        corpus = paths.corpus_dir()
        if is_corpus_dir(corpus):
            out = Path(tmp) / "builtin"
            stats = build_index([str(corpus)], out, embedder, name="builtin")
            print(
                f"build (built-in corpus): {stats.chunks} chunks from {stats.sources} files in {stats.seconds:.1f} s; "
                f"embedding {stats.rate:.0f} chunks/s, overall {stats.chunks / max(stats.seconds, 1e-9):.0f} chunks/s "
                f"(target >= 150)"
            )
            searcher = Searcher(load_index(out), embedder)
            total, embed = time_queries(searcher, embedder, QUERIES, args.rounds)
            print(
                f"query at built-in size ({stats.chunks} chunks): p50 {statistics.median(total):.1f} ms, "
                f"p95 {pct(total, 95):.1f} ms (query embedding p50 {statistics.median(embed):.1f} ms)"
            )
            print(f"rss with embedder + built-in index: {rss_mb():.0f} MB")
        else:
            print(f"no built-in corpus at {corpus}; skipping the built-in figures")

        n = args.synthetic
        if n:
            rng = np.random.default_rng(0)
            words = [f"w{i}" for i in range(5000)] + ["mpi", "openmp", "cuda", "thread", "rank", "kernel"]
            symbols = ["MPI_Isend", "MPI_Irecv", "omp_get_thread_num", "cudaMemcpyAsync", "__syncthreads"]
            chunks = []
            pyrng = random.Random(0)
            for i in range(n):
                body = " ".join(pyrng.choice(words) for _ in range(40))
                sym = [f"SYN_{i}", pyrng.choice(symbols)]
                chunks.append(
                    Chunk(
                        text=body,
                        title=f"synthetic {i}",
                        source=f"/synthetic/{i // 50}.md",
                        defines=[sym[0]],
                        symbols=sym,
                    )
                )
            vecs = rng.standard_normal((n, embedder.dim)).astype(np.float32)
            vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
            out = Path(tmp) / "synthetic"
            t0 = time.perf_counter()
            m = write_index(out, chunks, vecs, [], embedder.name, embedder.dim, name="synthetic")
            print(f"synthetic index: {n} chunks, {m['faiss']}, written in {time.perf_counter() - t0:.1f} s")
            del chunks, vecs
            t0 = time.perf_counter()
            index = load_index(out)
            print(f"synthetic index load (checksums verified): {time.perf_counter() - t0:.2f} s")
            searcher = Searcher(index, embedder)
            total, embed = time_queries(searcher, embedder, QUERIES, args.rounds)
            print(
                f"query at {n} chunks: p50 {statistics.median(total):.1f} ms, p95 {pct(total, 95):.1f} ms "
                f"(query embedding p50 {statistics.median(embed):.1f} ms; target < 20 ms p50)"
            )
            t0 = time.perf_counter()
            for q in QUERIES:
                searcher.lookup_symbol(q.split()[0])
            print(
                f"symbol lookup at {n} chunks: {(time.perf_counter() - t0) * 1000 / len(QUERIES):.2f} ms mean"
            )
            print(f"rss with the {n}-chunk index loaded: {rss_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
