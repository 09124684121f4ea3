"""Retrieval over MPI/OpenMP/CUDA docs and snippets: chunkers, embedder, FAISS store, fused search.

No LSP code lives here; the server's ``hpclsp/handlers/retrieval.py`` and the ``hpclsp index``
command use this package. Heavy imports (torch, sentence-transformers, faiss) happen lazily.

Entry points:

- ``retrieval.builder.build_index(sources, out, embedder)`` builds or refreshes an index;
- ``retrieval.store.load_index(dir)`` loads and verifies one;
- ``retrieval.search.Searcher`` / ``LayeredSearcher`` search one or several;
- ``retrieval.embedder.load_embedder(path=None)`` gives the default or a local embedder;
- ``retrieval.doctor.doctor_checks()`` reports the embedder and indexes for ``hpclsp doctor``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["doctor_checks"]


def doctor_checks() -> list[Any]:
    """Checks of the embedder and the built-in index (see ``retrieval.doctor``)."""
    from retrieval.doctor import doctor_checks as _checks

    return _checks()
