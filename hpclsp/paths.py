"""Where hpclsp finds its shipped corpus and keeps its caches (built indexes, assembled model)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

_PKG = Path(__file__).resolve().parent


def corpus_dir() -> Path:
    """The built-in corpus (``index/`` in the source tree, ``hpclsp/_corpus`` in a wheel)."""
    env = os.environ.get("HPCLSP_CORPUS_DIR")
    if env:
        return Path(env)
    src = _PKG.parent / "index"
    if (src / "manifest.json").exists():
        return src
    return _PKG / "_corpus"


def cache_dir() -> Path:
    """The user cache directory (``HPCLSP_CACHE_DIR`` overrides); created on demand."""
    env = os.environ.get("HPCLSP_CACHE_DIR")
    path = Path(env) if env else Path(platformdirs.user_cache_dir("hpclsp"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def builtin_index_dir() -> Path:
    """Where the built-in index is built and loaded from."""
    return cache_dir() / "indexes" / "builtin"


def models_dir() -> Path:
    """Where the default GGUF model is assembled."""
    return cache_dir() / "models"
