"""What a rule sees: the source file and the engine options, never the engine itself.

``Options`` is the subset of the settings the analysis reads (no LSP types); ``Context`` is the one
argument of every rule's check function. Both live here so rules depend on this small module only.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from hpclsp.analysis.source import SourceFile


@dataclasses.dataclass
class Options:
    """Engine options (a subset of the settings, no LSP types)."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    #: Include low-confidence findings such as indirect-subscript races.
    low_confidence: bool = True
    #: Emit omp-parallelizable-loop hints.
    hints: bool = True
    #: Wall-clock budget for one analysis, in seconds; rules past it are skipped.
    budget: float = 2.0
    #: Extra options rules may read (e.g. CUDA error-check strictness).
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)
    #: Run unit-scoped rules per component of top-level units, with the process-wide findings cache.
    #: False: every rule sees the whole file (the reference the unit mode is tested against).
    incremental: bool = True


@dataclasses.dataclass
class Context:
    """What a rule's check function receives."""

    source: SourceFile
    options: Options
