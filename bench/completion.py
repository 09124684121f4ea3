"""Inline-completion benchmark: prints figures, asserts nothing.

For each embedded model (Qwen2.5-Coder 1.5B, the default, and 0.5B, the fast option), through the
same pipeline the server uses (the model worker process):

- exact match and edit similarity on the 60 tasks, without retrieval and with the retrieval that
  completions use (the signature of the call being typed);
- latency per request, p50/p95, cold (KV cache reset) and with the prompt prefix reused (the next
  keystroke of the same document);
- overhead of the pipeline over raw llama.cpp generating the same prompt and token count;
- resident memory of the worker;

and, through a real server over stdio with the built-in index loaded: ``initialize`` answered,
the first inline completion, and the resident memory of server and worker together once the index has answered a question.

Usage: ``.venv/bin/python -m bench.completion [--limit N] [--models 1.5b,0.5b] [--skip-server]``
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
from hpclsp.llm.service import CompletionRequest, ModelService, split  # noqa: E402


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of values, nearest rank."""
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """Resident memory of a process in MB (``VmHWM`` for the peak)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


async def server_session(model_key: str) -> dict[str, float]:
    """initialize, first completion and RSS of server + worker, over stdio with the index loaded."""
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
            initialization_options={"model": {"embedded": model_key, "maxTokens": 24}},
        )
    )
    out = {"initialize": time.perf_counter() - t0}
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
    out["first"] = float("nan")
    for _ in range(1200):
        res = await client.text_document_inline_completion_async(params)
        if res is not None and (res.items if hasattr(res, "items") else res):
            out["first"] = time.perf_counter() - t0
            break
        await asyncio.sleep(0.1)
    # Retrieval loads in the background: wait until the built-in index answers a question.
    for _ in range(600):
        answer = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="hpclsp.askDocs", arguments=["start a nonblocking send"])
        )
        if (answer or {}).get("passages"):
            break
        await asyncio.sleep(0.5)
    status = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="hpclsp.modelStatus", arguments=[])
    )
    worker_pid = ((status or {}).get("worker") or {}).get("pid")
    server_pid = client._server.pid  # type: ignore[attr-defined]
    out["server_rss"] = rss_mb(server_pid)
    out["worker_rss"] = rss_mb(int(worker_pid)) if worker_pid else float("nan")
    await client.shutdown_session()
    return out


def raw_generate(llm, prompt: str, n: int) -> float:
    """Seconds for llama.cpp alone to evaluate a prompt and sample n tokens greedily (cold)."""
    llm.reset()
    t0 = time.perf_counter()
    toks = llm.tokenize(prompt.encode("utf-8"), add_bos=True, special=True)
    count = 0
    for _tok in llm.generate(toks, top_k=1, top_p=1.0, min_p=0.0, temp=0.0, repeat_penalty=1.0):
        count += 1
        if count >= n:
            break
    return time.perf_counter() - t0


def _keystroke(t: tasks.Task) -> CompletionRequest:
    """The same document one typed character later (the expected text's first character)."""
    lines = t.text.split("\n")
    ch = (t.expected or " ")[0]
    cur = lines[t.line]
    lines[t.line] = cur[: t.col] + ch + cur[t.col :]
    return CompletionRequest(
        "\n".join(lines), t.language, t.line, t.col + 1, path=t.path, use_retrieval=False
    )


def measure(key: str, task_list: list[tasks.Task], max_tokens: int, raw: bool) -> None:
    """Quality, latency, overhead and memory of one embedded model; prints them."""
    path = str(model_files.embedded_model_path(key))
    svc = ModelService(ModelSettings(path=path, max_tokens=max_tokens))
    t0 = time.perf_counter()
    assert svc.wait_ready(), svc.error
    backend = svc.backend
    print(f"\n== {model_files.embedded(key).title} ({path})")
    print(f"load in the worker: {time.perf_counter() - t0:.2f} s   family={backend.family.name}")
    results: dict[str, list[tuple[tasks.Task, str, float]]] = {}
    warm: list[float] = []
    for mode in ("none", "signature"):
        out = []
        for t in task_list:
            svc.cache.clear()
            backend.reset()  # type: ignore[union-attr]
            t1 = time.perf_counter()
            req = CompletionRequest(
                t.text, t.language, t.line, t.col, path=t.path, use_retrieval=mode != "none"
            )
            res = svc.complete(req)
            out.append((t, res.text, time.perf_counter() - t1))
            if mode == "none":
                svc.cache.clear()
                t1 = time.perf_counter()
                svc.complete(_keystroke(t))
                warm.append(time.perf_counter() - t1)
        results[mode] = out
    cold = [dt for _, _, dt in results["none"]]
    print(f"tasks: {len(task_list)}, {max_tokens} tokens at most, 2-core machine")
    print(f"latency cold (KV reset):        p50 {pct(cold, 0.5):6.2f} s   p95 {pct(cold, 0.95):6.2f} s")
    print(f"latency with the prefix reused: p50 {pct(warm, 0.5):6.2f} s   p95 {pct(warm, 0.95):6.2f} s")
    sig = [dt for _, _, dt in results["signature"]]
    print(f"latency cold with retrieval:    p50 {pct(sig, 0.5):6.2f} s   p95 {pct(sig, 0.95):6.2f} s")
    for mode, label in (
        ("none", "without retrieval"),
        ("signature", "with retrieval (signature of the call)"),
    ):
        out = results[mode]
        em = sum(tasks.exact_match(g, t.expected) for t, g, _ in out) / len(out)
        es = statistics.mean(tasks.edit_similarity(g, t.expected) for t, g, _ in out)
        print(f"{label:40s} exact match {em * 100:5.1f} %   edit similarity {es * 100:5.1f} %")
    pid = backend.state.pid  # type: ignore[union-attr]
    print(f"worker resident memory: {rss_mb(pid):.0f} MB (peak {rss_mb(pid, 'VmHWM'):.0f} MB)")
    if raw:
        overhead(svc, task_list[:20], max_tokens, path)
    svc.close()


def overhead(svc: ModelService, task_list: list[tasks.Task], max_tokens: int, path: str) -> None:
    """Our pipeline (worker, IPC, post-processing) against llama.cpp alone, same prompt and tokens."""
    from llama_cpp import Llama

    from hpclsp.llm import prompt as prompt_mod
    from hpclsp.llm.backends import default_threads

    backend = svc.backend

    # The worker's configuration: the same threads for generation and for the prompt batch (the
    # library's default batch threads are all cores, which would not compare like with like).
    threads = svc.settings.threads or default_threads()
    llm = Llama(
        model_path=path,
        n_ctx=svc.settings.context_size,
        n_threads=threads,
        n_threads_batch=threads,
        n_batch=512,
        use_mmap=False,
        verbose=False,
    )
    ratios = []
    for t in task_list:
        svc.cache.clear()
        backend.reset()  # type: ignore[union-attr]
        t1 = time.perf_counter()
        res = svc.complete(
            CompletionRequest(t.text, t.language, t.line, t.col, path=t.path, use_retrieval=False)
        )
        ours = time.perf_counter() - t1
        if res.generation is None or res.generation.tokens == 0:
            continue
        prefix, suffix, _, _ = split(t.text, t.line, t.col)
        budget = svc.settings.context_size - max_tokens - 8
        p = prompt_mod.build(
            backend.family, prefix, suffix, [], backend.count_tokens, budget, language=t.language
        )
        ratios.append((ours - raw_generate(llm, p.text, res.generation.tokens)) / max(1e-9, ours))
    llm.close()
    if ratios:
        print(
            f"pipeline overhead over raw llama.cpp: median {statistics.median(ratios) * 100:5.1f} % (n={len(ratios)})"
        )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--limit", type=int, default=60, help="number of tasks (default: all 60)")
    ap.add_argument("--models", default="1.5b,0.5b", help="embedded models to measure")
    ap.add_argument("--skip-server", action="store_true", help="skip the end-to-end server measurement")
    ap.add_argument("--skip-raw", action="store_true", help="skip the overhead over raw llama.cpp")
    ap.add_argument("--server-only", action="store_true", help="only the end-to-end server measurement")
    ap.add_argument("--max-tokens", type=int, default=32)
    args = ap.parse_args(argv)
    task_list = tasks.load()[: args.limit]
    keys = [k.strip() for k in args.models.split(",") if k.strip()]
    for key in [] if args.server_only else keys:
        measure(key, task_list, args.max_tokens, raw=not args.skip_raw and key == keys[0])
    if not args.skip_server:
        for key in keys:
            s = asyncio.run(server_session(key))
            print(
                f"\nserver, {key}: initialize {s['initialize'] * 1000:.0f} ms; first completion {s['first']:.1f} s; "
                f"RSS server {s['server_rss']:.0f} MB + worker {s['worker_rss']:.0f} MB = "
                f"{s['server_rss'] + s['worker_rss']:.0f} MB (target ≤ 2,048 MB)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
