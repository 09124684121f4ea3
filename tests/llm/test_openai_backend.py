"""The ``openai`` backend against a real OpenAI-compatible server (``llama_cpp.server`` on
loopback, serving the embedded model), and the fall back to the local model when it stops."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from hpclsp.config import ModelSettings
from hpclsp.llm import backends
from hpclsp.llm.service import CompletionRequest, ModelService

CU = """#include <cuda_runtime.h>

void release(float *d_a, float *d_b) {
    cudaFree(d_a);
    """


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(model_path: str):
    """``python -m llama_cpp.server`` on a free loopback port; stopped by the test or at the end."""
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            model_path,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "1024",
            "--n_threads",
            "1",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(url + "/models", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("llama_cpp.server did not start")
        time.sleep(0.3)
    yield proc, url
    if proc.poll() is None:
        proc.terminate()
        proc.wait(timeout=20)


def _req(text: str, **kw) -> CompletionRequest:
    lines = text.split("\n")
    return CompletionRequest(text + "\n}\n", "cuda", len(lines) - 1, len(lines[-1]), **kw)


def test_openai_backend_streams_a_completion(server):
    _, url = server
    b = backends.OpenAIBackend(url, "qwen2.5-coder-0.5b-instruct")
    assert b.ping()
    assert b.family.name == "qwen2.5-coder"  # the family comes from the served model's name
    gen = b.generate(CU, max_tokens=16, cut=lambda t: t.find("\n") if "\n" in t else None)
    assert gen.tokens > 0 and gen.text.strip()


def test_openai_backend_stops_when_cancelled(server):
    _, url = server
    import threading

    cancel = threading.Event()

    def on_token(n: int) -> None:
        if n == 2:
            cancel.set()

    gen = backends.OpenAIBackend(url).generate(
        "int main(void) {\n", max_tokens=200, cancel=cancel, on_token=on_token
    )
    assert gen.finish == "cancelled" and gen.tokens <= 3


def test_service_uses_the_server_then_falls_back_once_when_it_stops(server, model_path):
    proc, url = server
    messages: list[str] = []
    svc = ModelService(
        ModelSettings(
            backend="openai",
            url=url,
            name="qwen2.5-coder-0.5b-instruct",
            path=model_path,
            max_tokens=16,
            context_size=1024,
        ),
        notify=messages.append,
    )
    assert svc.wait_ready(timeout=30)
    remote = svc.complete(_req(CU, use_retrieval=False))
    assert remote.source == "model" and remote.text == "cudaFree(d_b);"
    assert svc.status()["model"].startswith("openai:")
    assert messages == []

    proc.terminate()
    proc.wait(timeout=20)
    first = svc.complete(_req(CU.replace("d_b", "d_c"), use_retrieval=False))
    second = svc.complete(_req("__global__ void k(float *x) {\n    x[threadIdx.x] = ", use_retrieval=False))
    assert first.source == "model" and second.source == "model"
    assert first.text and second.generation is not None
    assert len(messages) == 1 and "unreachable" in messages[0] and "local model" in messages[0]
    assert svc.status()["fallbacks"] == 1  # the second request went straight to the local model
    assert not svc.status()["model"].startswith("openai:")
    svc.close()


def test_unreachable_server_without_fallback_gives_no_completion():
    svc = ModelService(
        ModelSettings(backend="openai", url=f"http://127.0.0.1:{_free_port()}/v1", fallback_to_local=False)
    )
    assert svc.wait_ready(timeout=10)
    res = svc.complete(_req(CU, use_retrieval=False))
    assert res.source == "error" and res.text == ""
    svc.close()
