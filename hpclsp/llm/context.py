"""Retrieved context for a completion: cards and snippets relevant to the code around the cursor.

What is relevant: the enclosing OpenMP directive, MPI and CUDA calls near the cursor, and the
function being written. Exact symbol lookups go to the built-in cards (``hpclsp.kb``); a free-text
query goes to the retrieval service when one is running (``ls.retrieval``). Both are
optional: a missing corpus or an unbuilt index gives no context, never an error. Snippets whose
lines are already in the prompt window are dropped.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

from hpclsp.llm.fim import Snippet

log = logging.getLogger(__name__)

_MPI = re.compile(r"\b(MPI_[A-Z][A-Za-z_]*)\b", re.IGNORECASE)
_CUDA = re.compile(r"\b(cuda[A-Z]\w*|__syncthreads|atomic[A-Z]\w*|__shfl\w*|cub::\w+)\b")
_OMP = re.compile(r"^\s*(?:#\s*pragma\s+omp|[!cC*]\$omp)\s+(.*)$", re.IGNORECASE)
_OMP_WORDS = (
    "parallel for",
    "parallel do",
    "parallel",
    "for",
    "do",
    "simd",
    "task",
    "taskloop",
    "target teams distribute parallel for",
    "target",
    "teams",
    "critical",
    "atomic",
    "barrier",
    "single",
    "sections",
    "reduction",
)

Searcher = Callable[[str, int], Iterable[Any]]

#: The call being typed: a name, an open parenthesis, and no closing one after it.
_OPEN_CALL = re.compile(r"\b([A-Za-z_]\w*)\s*\((?:[^()]|\([^()]*\))*$")
#: Tokens a completion's grounding may cost (a signature line, not a card).
SIGNATURE_BUDGET_CHARS = 240


def symbols_near(lines: list[str], line: int, radius: int = 30) -> tuple[list[str], list[str]]:
    """(API symbols used near the cursor, OpenMP directive names enclosing or near it), nearest first."""
    syms: list[str] = []
    directives: list[str] = []
    lo, hi = max(0, line - radius), min(len(lines), line + 6)
    order = sorted(range(lo, hi), key=lambda i: abs(i - line))
    for i in order:
        text = lines[i]
        m = _OMP.match(text)
        if m and i <= line:
            words = m.group(1).lower().split("(")[0].split()
            for w in _OMP_WORDS:
                if " ".join(words[: len(w.split())]) == w:
                    directives.append(w)
                    break
            for clause in ("reduction", "private", "shared", "collapse", "schedule", "atomic"):
                if clause + "(" in m.group(1).lower().replace(" (", "("):
                    directives.append(clause)
        for rx in (_MPI, _CUDA):
            for s in rx.findall(text):
                syms.append(s if not s.lower().startswith("mpi_") else "MPI_" + s[4:])
    return list(dict.fromkeys(syms)), list(dict.fromkeys(directives))


def _card_snippet(card: Any, language: str) -> Snippet:
    sig = card.signature(language) or ""
    body = [sig] if sig else []
    body.append(card.summary)
    for p in list(card.pitfalls)[:1]:
        body.append(f"Pitfall: {p}")
    return Snippet(
        title=f"{card.name} ({card.family} {card.kind})", text="\n".join(body), source=f"card:{card.id}"
    )


def signature_context(line_prefix: str, language: str) -> list[Snippet]:
    """The signature of the MPI, OpenMP or CUDA routine whose call is being typed, or nothing.

    This is all the retrieval inline completion uses: measured on the completion tasks, whole
    cards and free-text passages made completions worse and slower (bench/completion.py prints
    both), while the signature of the call under the cursor gives the argument order.
    """
    m = _OPEN_CALL.search(line_prefix)
    if m is None:
        return []
    try:
        from hpclsp import kb

        card = kb.card(m.group(1))
    except Exception as exc:  # the corpus may be absent or half-written
        log.debug("cards unavailable for completion context: %s", exc)
        return []
    if card is None:
        return []
    sig = card.signature(language) or ""
    if not sig or len(sig) > SIGNATURE_BUDGET_CHARS:
        return []
    return [Snippet(title=f"{card.name} signature", text=sig, source=f"card:{card.id}")]


def _as_snippet(hit: Any) -> Snippet | None:
    """Accept the retrieval service's hit objects or dicts (text/title/source fields)."""
    get = (lambda k: hit.get(k)) if isinstance(hit, dict) else (lambda k: getattr(hit, k, None))
    text = get("text") or get("content") or get("body")
    if not text:
        return None
    title = get("title") or get("name") or get("id") or "reference"
    source = get("source") or get("path") or get("id") or ""
    return Snippet(title=str(title), text=str(text), source=str(source))


def _novel(snippet: Snippet, window: str) -> bool:
    lines = [ln.strip() for ln in snippet.text.splitlines() if len(ln.strip()) > 8]
    if not lines:
        return bool(snippet.text.strip()) and snippet.text.strip() not in window
    seen = sum(1 for ln in lines if ln in window)
    return seen / len(lines) < 0.5


def gather(
    lines: list[str],
    line: int,
    language: str,
    window: str,
    *,
    searcher: Searcher | None = None,
    k: int = 3,
    use_cards: bool = True,
) -> list[Snippet]:
    """Up to k snippets for the cursor, novel with respect to the prompt window."""
    syms, directives = symbols_near(lines, line)
    out: list[Snippet] = []
    seen: set[str] = set()

    # With a retrieval service, leave it at least one slot (cards only cover exact symbols).
    card_slots = max(1, k - 1) if searcher is not None else k

    def add(s: Snippet | None, limit: int = k) -> None:
        if s is None or s.source in seen or len(out) >= limit:
            return
        if _novel(s, window):
            seen.add(s.source)
            out.append(s)

    if use_cards:
        try:
            from hpclsp import kb

            for name in syms:
                c = kb.card(name)
                if c is not None:
                    add(_card_snippet(c, language), card_slots)
            for d in directives:
                fam_name = d.replace(" do", " for") if language == "fortran" else d
                c = kb.card(fam_name, family="openmp") or kb.card(d, family="openmp")
                if c is not None:
                    add(_card_snippet(c, language), card_slots)
        except Exception as exc:  # the corpus may be absent or half-written
            log.debug("cards unavailable for completion context: %s", exc)
    if searcher is not None and len(out) < k:
        here = " ".join(lines[max(0, line - 3) : line + 1]).strip()
        query = " ".join([*directives, *syms, here])[:400]
        if query.strip():
            try:
                for hit in searcher(query, k):
                    add(_as_snippet(hit))
            except Exception as exc:  # index not built yet, embedder missing...
                log.debug("retrieval unavailable for completion context: %s", exc)
    return out
