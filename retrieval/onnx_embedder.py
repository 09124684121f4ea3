"""The fast embedding path: the same sentence-transformers model run by ONNX Runtime, int8.

The model directory's transformer is exported to ONNX once, locally (``torch.onnx``, no
download), its weights quantized to int8 per channel (``onnxruntime.quantization``), and the
result cached in the user cache directory under a key of the model's files. Later loads need
neither torch nor transformers: the tokenizer comes from the model's ``tokenizer.json``
(``tokenizers``), pooling and normalisation from its sentence-transformers config.

Measured on man-page chunks (single thread, CPU time): torch fp32 34 chunks/s, ONNX fp32 54,
ONNX int8 per-channel 111, with cosine >= 0.987 to the torch vectors (mean 0.994). Per-tensor
int8 was as fast but drifted to cosine 0.915, so per-channel it is.

Then, on the AMD EPYC (2 shared cores): exporting with eager attention (no ``IsNaN``/``Where``
mask nodes), batches of 4 instead of 32 and one single-threaded run per core took the build
from about 45 to 60-70 chunks per CPU-second on the built-in corpus (57 to 75-90 on man pages),
vectors unchanged in quality. ORT's transformer optimizer (fused Attention, SkipLayerNorm with
bias, BiasGelu) was no faster here and is not used.

``HPCLSP_EMBED_PRECISION=fp32`` keeps the exported weights in float32 (same vectors as torch).
Anything missing (onnxruntime, onnx, tokenizers, an unsupported pooling) raises
``EmbedderError`` and ``load_embedder`` falls back to plain sentence-transformers.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

#: Bump when the export or quantization recipe changes (old cache entries are then ignored).
RECIPE = "onnx-int8pc-eager-v2"
#: Word pieces embedded per document (both backends); a chunk's opening carries its topic, and
#: cost grows with length. Picked on the tuning sets only (the older 52, ``tuning.json`` on
#: sections and on whole pages, ``builtin.json``: 177 of 192 answered at 128, 178 at 96 and 72,
#: 177 at 80 and 64) as the shortest cut that loses no question there; the held-out set was then
#: measured, not consulted. 72 builds the built-in corpus about 1.9x faster than 128.
MAX_TOKENS = 72
#: Texts per run. Small batches keep each layer's activations in the core's cache: 4 texts
#: embedded about 1.3x faster per CPU-second than 32 (2 and 4 alike, 8 between).
BATCH = 4


def quiet_third_party() -> None:
    """Silence transformers/huggingface_hub/tqdm progress bars and chatter (before they import)."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TQDM_DISABLE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    for name in ("transformers", "sentence_transformers", "huggingface_hub", "torch.onnx"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        import transformers.utils.logging as tlog
    except ImportError:
        return
    tlog.set_verbosity_error()
    tlog.disable_progress_bar()


def cpu_threads() -> int:
    """Threads for batch embedding: ``HPCLSP_EMBED_THREADS`` or the cores this process may use."""
    env = os.environ.get("HPCLSP_EMBED_THREADS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _pooling(model_dir: Path) -> tuple[str, bool]:
    """``(mode, normalize)`` from the sentence-transformers module config (mean or cls)."""
    modules_file = model_dir / "modules.json"
    if not modules_file.is_file():
        return "mean", True
    modules = json.loads(modules_file.read_text(encoding="utf-8"))
    types = [str(m.get("type", "")) for m in modules]
    mode = "mean"
    for m in modules:
        if str(m.get("type", "")).endswith("Pooling"):
            cfg_file = model_dir / str(m.get("path", "")) / "config.json"
            cfg = json.loads(cfg_file.read_text(encoding="utf-8")) if cfg_file.is_file() else {}
            if cfg.get("pooling_mode_cls_token"):
                mode = "cls"
            elif not cfg.get("pooling_mode_mean_tokens", True) or any(
                cfg.get(k) for k in ("pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens")
            ):
                raise ValueError(f"pooling {cfg} is not supported by the ONNX path")
    if any(not t.endswith(("Transformer", "Pooling", "Normalize")) for t in types):
        raise ValueError(f"modules {types} are not supported by the ONNX path")
    return mode, any(t.endswith("Normalize") for t in types)


def _cache_key(model_dir: Path) -> str:
    """A key of the model's files (names, sizes and config contents) and the recipe."""
    h = hashlib.sha256(RECIPE.encode())
    for p in sorted(model_dir.iterdir()):
        if p.is_file():
            h.update(f"{p.name}:{p.stat().st_size}".encode())
            if p.suffix == ".json" and p.stat().st_size < 1_000_000:
                h.update(p.read_bytes())
    return h.hexdigest()[:16]


def _load_eager(auto_model: Any, model_dir: Path) -> Any:
    """The transformer with plain (eager) attention, when the model offers it.

    The scaled-dot-product export masks padding with ``IsNaN``/``Where`` nodes that cost about
    a tenth of the int8 graph's time; eager attention adds the mask instead.
    """
    try:
        return auto_model.from_pretrained(
            str(model_dir), local_files_only=True, attn_implementation="eager"
        ).eval()
    except (TypeError, ValueError):
        return auto_model.from_pretrained(str(model_dir), local_files_only=True).eval()


def export_onnx(model_dir: Path, out: Path, quantize: bool = True) -> None:
    """Export the model's transformer to ONNX (quantized to int8 per channel unless told not), into ``out``."""
    quiet_third_party()
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    class _Encoder(torch.nn.Module):
        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    model = _load_eager(AutoModel, model_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp_fp32 = out.with_name(f".{out.name}.fp32-{os.getpid()}")
    tmp_int8 = out.with_name(f".{out.name}.int8-{os.getpid()}")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    dummy = tuple(torch.ones(2, 8, dtype=torch.long) for _ in names)
    # The exporter and the quantizer warn through warnings and the root logger (advice about
    # pre-processing, traced control flow) about things that do not apply to this model.
    logging.disable(logging.WARNING)
    try:
        with warnings.catch_warnings(), torch.inference_mode():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                _Encoder(model),
                dummy,
                str(tmp_fp32),
                input_names=names,
                output_names=["last_hidden_state"],
                dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "last_hidden_state"]},
                opset_version=17,
                dynamo=False,
            )
            if quantize:
                quantize_dynamic(str(tmp_fp32), str(tmp_int8), per_channel=True, weight_type=QuantType.QInt8)
        os.replace(tmp_int8 if quantize else tmp_fp32, out)
    finally:
        logging.disable(logging.NOTSET)
        for p in (tmp_fp32, tmp_int8):
            p.unlink(missing_ok=True)


class OnnxEmbedder:
    """A sentence-transformers model directory run by ONNX Runtime (int8), CPU, normalised vectors."""

    backend = "onnx-int8"

    def __init__(self, path: Path, name: str, cache_root: Path) -> None:
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ImportError(f"the ONNX path needs onnxruntime and tokenizers ({exc})") from exc
        self.path = path
        self.name = name
        self.max_tokens: int | None = MAX_TOKENS
        self.pooling, self.normalize = _pooling(path)
        precision = os.environ.get("HPCLSP_EMBED_PRECISION", "int8").lower()
        quantize = precision != "fp32"
        self.backend = "onnx-int8" if quantize else "onnx-fp32"
        leaf = "model.int8.onnx" if quantize else "model.fp32.onnx"
        onnx_file = cache_root / f"{path.resolve().name}-{_cache_key(path)}" / leaf
        if not onnx_file.is_file():
            log.info("exporting %s to ONNX (%s) at %s (once)", path, self.backend, onnx_file)
            export_onnx(path, onnx_file, quantize=quantize)
        self.onnx_file = onnx_file
        tok_file = path / "tokenizer.json"
        if not tok_file.is_file():
            raise ValueError(f"{path} has no tokenizer.json")
        self._tok = Tokenizer.from_file(str(tok_file))
        self._tok.enable_truncation(MAX_TOKENS)
        self._tok.enable_padding()

        # One single-threaded session serves queries and batches; ``encode`` runs batches side by
        # side on it, one per core (its ``run`` may be called from several threads). No operator
        # hands work between threads: on matrices of a few hundred rows the hand-offs cost about
        # what they gave, and a short query answers sooner without waking a pool.
        so = ort.SessionOptions()
        so.intra_op_num_threads = 1
        so.inter_op_num_threads = 1
        so.log_severity_level = 3
        self._session = ort.InferenceSession(str(onnx_file), so, providers=["CPUExecutionProvider"])
        self._workers = cpu_threads()
        self._inputs = {i.name for i in self._session.get_inputs()}
        self.dim = int(self._run(["dimension probe"]).shape[1])
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def _run(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of one batch (tokenized, padded to its longest text, pooled, normalised)."""
        enc = self._tok.encode_batch(list(texts))
        ids = np.asarray([e.ids for e in enc], dtype=np.int64)
        mask = np.asarray([e.attention_mask for e in enc], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.asarray([e.type_ids for e in enc], dtype=np.int64)
        hidden = self._session.run(None, feeds)[0]
        if self.pooling == "cls":
            vecs = hidden[:, 0, :]
        else:
            m = mask[..., None].astype(np.float32)
            vecs = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
        vecs = vecs.astype(np.float32)
        if self.normalize:
            vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
        return vecs

    def encode(
        self, texts: Sequence[str], batch_size: int = BATCH, progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Embed documents in batches of similar length (little padding), on every core."""
        out = np.zeros((len(texts), getattr(self, "dim", 0) or 1), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        step = max(1, min(batch_size, BATCH))
        batches = [order[start : start + step] for start in range(0, len(order), step)]

        def run(idx: list[int]) -> np.ndarray:
            return self._run([texts[i] for i in idx])

        with self._lock:
            if self._workers > 1 and len(batches) > 1:
                with ThreadPoolExecutor(self._workers, thread_name_prefix="embed") as pool:
                    results: Iterable[np.ndarray] = pool.map(run, batches)
                    self._collect(out, batches, results, progress)
            else:
                self._collect(out, batches, map(run, batches), progress)
        return out

    @staticmethod
    def _collect(
        out: np.ndarray,
        batches: list[list[int]],
        results: Iterable[np.ndarray],
        progress: Callable[[int], None] | None,
    ) -> None:
        """Place each batch's vectors at its texts' rows, reporting progress as batches finish."""
        for idx, vecs in zip(batches, results, strict=True):
            out[idx] = vecs
            if progress:
                progress(len(idx))

    def encode_query(self, text: str) -> np.ndarray:
        """Embed one query (a small LRU cache makes repeated hovers free)."""
        hit = self._cache.get(text)
        if hit is not None:
            self._cache.move_to_end(text)
            return hit
        with self._lock:
            vec = self._run([text])[0]
        self._cache[text] = vec
        if len(self._cache) > 256:
            self._cache.popitem(last=False)
        return vec
