"""The unit of retrieval: a ``Chunk`` of a document or source file, and API-symbol extraction.

Every chunker produces ``Chunk`` objects; the store keeps them as JSON-able rows (no pickle).
Symbols are the API names a chunk defines (the routine a man page documents, a card's name)
or mentions (``MPI_Isend``, ``omp_get_thread_num``, ``cudaMemcpyAsync``, OpenMP clause words
inside a pragma); exact-symbol lookup and the search boost use them.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

#: Chunk kinds: prose documentation or example code.
KINDS = ("doc", "snippet")

_API_RE = re.compile(
    r"""\b(?:
        MPIX?_[A-Za-z][A-Za-z0-9_]*           # MPI routines, constants, datatypes
      | PMPI_[A-Za-z][A-Za-z0-9_]*
      | omp_[a-z][a-z0-9_]*                   # OpenMP runtime routines and types
      | OMP_[A-Z][A-Z0-9_]*                   # OpenMP environment variables
      | cuda[A-Z][A-Za-z0-9_]*                # CUDA runtime API
      | cu[A-Z][a-z][A-Za-z0-9_]*             # CUDA driver API
      | (?:cublas|cufft|curand|cusparse|nccl)[A-Z][A-Za-z0-9_]*
      | __(?:syncthreads(?:_count|_and|_or)?|syncwarp|threadfence(?:_block|_system)?|shfl(?:_up|_down|_xor)?_sync
           |ballot_sync|any_sync|all_sync|activemask|ldg|global__|device__|host__|shared__|constant__
           |managed__|restrict__|launch_bounds__|forceinline__|noinline__)
      | atomic(?:Add|Sub|Exch|Min|Max|Inc|Dec|CAS|And|Or|Xor)(?:_block|_system)?
      | (?:threadIdx|blockIdx|blockDim|gridDim|warpSize)
    )(?![A-Za-z0-9_])""",
    re.VERBOSE,
)

#: OpenMP directive and clause words recognised inside ``#pragma omp`` / ``!$omp`` lines.
OMP_WORDS = frozenset(
    """parallel for do simd sections section single master masked critical barrier atomic flush ordered
    task taskloop taskwait taskyield taskgroup target teams distribute loop declare reduction private
    firstprivate lastprivate shared default copyin copyprivate schedule collapse nowait num_threads if
    proc_bind map data enter exit update device depend linear aligned safelen simdlen uniform inbranch
    notinbranch allocate allocator in_reduction task_reduction grainsize num_tasks nogroup untied
    mergeable final priority threadprivate requires metadirective scan inclusive exclusive nontemporal
    order thread_limit num_teams dist_schedule is_device_ptr use_device_ptr use_device_addr
    has_device_addr defaultmap workshare cancel cancellation point read write capture seq_cst acquire
    release acq_rel relaxed hint static dynamic guided auto runtime monotonic nonmonotonic none
    to from tofrom alloc release delete""".split()
)

_PRAGMA_RE = re.compile(r"(?im)^[ \t]*(?:#[ \t]*pragma[ \t]+omp|[!*cC]\$omp)\b(.*)$")
_WORD_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


_UNDERSCORE_RE = re.compile(r"(?<=[A-Za-z0-9])_(?=[A-Za-z0-9])")


def extract_symbols(text: str) -> list[str]:
    """The API symbols mentioned in ``text``, in first-seen order, without duplicates."""
    seen: dict[str, None] = {}
    for m in _API_RE.finditer(text):
        seen.setdefault(m.group(0), None)
    for m in _PRAGMA_RE.finditer(text):
        for w in _WORD_RE.findall(m.group(1)):
            lw = w.lower()
            if lw in OMP_WORDS:
                seen.setdefault(lw, None)
    return list(seen)


def is_api_symbol(word: str) -> bool:
    """True when ``word`` on its own looks like an API symbol (MPI_*, omp_*, cuda*, ...)."""
    return bool(_API_RE.fullmatch(word))


def symbol_key(symbol: str) -> str:
    """The case-insensitive lookup key of a symbol (Fortran spells ``MPI_ISEND``)."""
    return symbol.lower()


@dataclasses.dataclass
class Chunk:
    """One retrievable piece of a document or source file."""

    text: str
    title: str
    source: str
    kind: str = "doc"
    language: str = "text"
    #: 0-based first and last line of the chunk in its source (inclusive).
    start_line: int = 0
    end_line: int = 0
    #: 1-based page number for PDF chunks.
    page: int | None = None
    #: Heading path inside the document (``"DESCRIPTION"``, ``"Usage > Options"``).
    section: str = ""
    #: API symbols this chunk defines (the documented routine, a card's name and aliases).
    defines: list[str] = dataclasses.field(default_factory=list)
    #: API symbols it defines or mentions (a superset of ``defines``).
    symbols: list[str] = dataclasses.field(default_factory=list)
    #: Format-specific extras (card id and family, snippet tags, ...); JSON-serialisable.
    meta: dict[str, Any] = dataclasses.field(default_factory=dict)
    #: Text to embed instead of title + body, when a chunker knows better (not stored).
    embed: str = ""

    def __post_init__(self) -> None:
        missing = [d for d in self.defines if d not in self.symbols]
        if missing:
            self.symbols[:0] = missing

    def embed_text(self, limit: int = 1500) -> str:
        """The text given to the embedder: title, heading path (for nested headings) and the body."""
        if self.embed:
            text = self.embed
        else:
            head = f"{self.section} — {self.title}" if " > " in self.section else self.title
            text = f"{head}\n{self.text}"
        # Small sentence encoders read ``MPI_Comm_split`` as noise; ``MPI Comm split`` as words.
        return _UNDERSCORE_RE.sub(" ", text[:limit])

    def keyword_text(self) -> str:
        """The text the keyword (BM25) index sees: title twice (it matters most), section, body."""
        tags = " ".join(self.meta.get("tags", [])) if isinstance(self.meta.get("tags"), list) else ""
        return f"{self.title} {self.title} {self.section} {tags} {self.text}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (without the transient ``embed`` text)."""
        d = dataclasses.asdict(self)
        d.pop("embed", None)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Chunk:
        """The inverse of ``to_dict`` (unknown keys ignored)."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})
