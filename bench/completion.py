"""Inline-completion benchmark: prints figures, asserts nothing.

- time to the first inline completion after ``initialize`` (a real server over stdio);
- p50/p95 latency per request (in process, caches cleared between requests);
- overhead of our pipeline over raw llama.cpp generation of the same prompt and token count;
- cache-hit latency;
- exact match and edit similarity on the 60 tasks, with and without retrieved context.

Usage: ``.venv/bin/python bench/completion.py [--limit N] [--skip-server]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hpclsp.config import ModelSettings  # noqa: E402
from hpclsp.llm import model_files, tasks  # noqa: E402
from hpclsp.llm.service import CompletionRequest, ModelService  # noqa: E402


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of values, nearest rank."""
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


async def first_completion_after_initialize(model_path: str) -> tuple[float, float]:
    """(initialize answered, first inline completion) in seconds from sending initialize."""
    from lsprotocol import types
    from pytest_lsp import client_capabilities, make_test_lsp_client

    client = make_test_lsp_client()

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def _register(params: types.RegistrationParams) -> None:
        return None

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    await client.start_io(sys.executable, "-m", "hpclsp", "serve", env=env)
    t0 = time.perf_counter()
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=ROOT.as_uri(),
            initialization_options={"model": {"path": model_path, "maxTokens": 24}},
        )
    )
    t_init = time.perf_counter() - t0
    task = next(t for t in tasks.load() if t.name == "cuda_free.cu")
    uri = (ROOT / "bench" / "_virtual.cu").as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="cuda", version=1, text=task.text)
        )
    )
    params = types.InlineCompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=task.line, character=task.col),
        context=types.InlineCompletionContext(trigger_kind=types.InlineCompletionTriggerKind.Invoked),
    )
    t_first = float("nan")
    for _ in range(100):
        res = await client.text_document_inline_completion_async(params)
        if res is not None and (res.items if hasattr(res, "items") else res):
            t_first = time.perf_counter() - t0
            break
        await asyncio.sleep(0.05)
    await client.shutdown_session()
    return t_init, t_first


def raw_generate(llm, prompt: str, n: int) -> float:
    """Seconds for llama.cpp to evaluate a prompt and sample n tokens greedily (cold cache)."""
    llm.reset()
    t0 = time.perf_counter()
    toks = llm.tokenize(prompt.encode("utf-8"), add_bos=True, special=True)
    count = 0
    for _tok in llm.generate(toks, top_k=1, top_p=1.0, min_p=0.0, temp=0.0, repeat_penalty=1.0):
        count += 1
        if count >= n:
            break
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=60, help="number of tasks (default: all 60)")
    ap.add_argument("--skip-server", action="store_true", help="skip the end-to-end server measurement")
    ap.add_argument("--max-tokens", type=int, default=32)
    args = ap.parse_args(argv)

    model_path = str(model_files.default_model_path())
    print(f"model: {model_path}")
    if not args.skip_server:
        t_init, t_first = asyncio.run(first_completion_after_initialize(model_path))
        print(f"initialize answered:                      {t_init * 1000:8.1f} ms")
        print(f"first inline completion after initialize: {t_first:8.2f} s")

    svc = ModelService(ModelSettings(path=model_path, max_tokens=args.max_tokens))
    t0 = time.perf_counter()
    svc.wait_ready()
    print(
        f"model load (in process):                  {time.perf_counter() - t0:8.2f} s  family={svc.backend.family.name}"
    )
    task_list = tasks.load()[: args.limit]
    backend = svc.backend
    llm = backend.llm  # type: ignore[union-attr]

    results: dict[bool, list[tuple[tasks.Task, str, float]]] = {}
    overhead: list[float] = []
    ours_t: list[float] = []
    raw_t: list[float] = []
    for use_retrieval in (False, True):
        out = []
        for t in task_list:
            svc.cache.clear()
            llm.reset()  # cold KV cache: every request pays its full prompt
            t1 = time.perf_counter()
            res = svc.complete(
                CompletionRequest(t.text, t.language, t.line, t.col, path=t.path, use_retrieval=use_retrieval)
            )
            dt = time.perf_counter() - t1
            out.append((t, res.text, dt))
            gen = res.generation
            if not use_retrieval and gen is not None and gen.tokens > 0:
                # The same prompt and token count through llama.cpp alone.
                from hpclsp.llm import prompt as prompt_mod
                from hpclsp.llm.service import split

                prefix, suffix, _, _ = split(t.text, t.line, t.col)
                budget = svc.settings.context_size - args.max_tokens - 8
                p = prompt_mod.build(
                    backend.family, prefix, suffix, [], backend.count_tokens, budget, language=t.language
                )
                raw = raw_generate(llm, p.text, gen.tokens)
                ours_t.append(dt)
                raw_t.append(raw)
                overhead.append((dt - raw) / raw)
        results[use_retrieval] = out

    lat = [dt for _, _, dt in results[False]]
    print(f"tasks: {len(task_list)}")
    print(
        f"latency per request (no cache):           p50 {pct(lat, 0.5) * 1000:7.0f} ms   p95 {pct(lat, 0.95) * 1000:7.0f} ms"
    )
    if overhead:
        total = (sum(ours_t) - sum(raw_t)) / sum(raw_t)
        print(
            f"pipeline overhead over raw llama.cpp:     median {statistics.median(overhead) * 100:6.1f} %   "
            f"total {total * 100:6.1f} %   (n={len(overhead)}, target < 10 %)"
        )
    # Cache hits: the same request again, and typing along the suggestion.
    hits = []
    for t, text, _ in results[False]:
        svc.cache.put(*split_for_cache(t), svc.model_id(), text)
        t1 = time.perf_counter()
        r = svc.lookup(CompletionRequest(t.text, t.language, t.line, t.col))
        hits.append(time.perf_counter() - t1)
        assert r is not None
    print(
        f"cache-hit latency:                        p50 {pct(hits, 0.5) * 1e6:7.0f} us   p95 {pct(hits, 0.95) * 1e6:7.0f} us"
    )
    for use_retrieval in (False, True):
        out = results[use_retrieval]
        em = sum(tasks.exact_match(g, t.expected) for t, g, _ in out) / len(out)
        es = statistics.mean(tasks.edit_similarity(g, t.expected) for t, g, _ in out)
        label = "with retrieval   " if use_retrieval else "without retrieval"
        print(f"{label}: exact match {em * 100:5.1f} %   edit similarity {es * 100:5.1f} %")
    svc.close()
    return 0


def split_for_cache(t: tasks.Task) -> tuple[str, str]:
    """(prefix, suffix) of a task, as the cache keys them."""
    from hpclsp.llm.service import split

    prefix, suffix, _, _ = split(t.text, t.line, t.col)
    return prefix, suffix


if __name__ == "__main__":
    raise SystemExit(main())
