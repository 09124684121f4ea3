"""The OpenMP reduction operators, defined once for every analysis that names them.

An update written ``x = x op e`` (or ``x = max(x, e)``) is a reduction when ``op`` is one of these;
the tables map the operator as written to the OpenMP reduction identifier (``-`` reduces as ``+``).
"""

from __future__ import annotations

#: C, C++ and CUDA: operator as written in an update -> reduction identifier.
C_REDUCTION_OPS = {
    "+": "+",
    "-": "+",
    "*": "*",
    "&": "&",
    "|": "|",
    "^": "^",
    "&&": "&&",
    "||": "||",
    "max": "max",
    "min": "min",
}
#: Fortran: operator or intrinsic as written (lower-case) -> reduction identifier.
F_REDUCTION_OPS = {
    "+": "+",
    "-": "+",
    "*": "*",
    ".and.": ".and.",
    ".or.": ".or.",
    ".eqv.": ".eqv.",
    ".neqv.": ".neqv.",
    "max": "max",
    "min": "min",
    "iand": "iand",
    "ior": "ior",
    "ieor": "ieor",
}
#: Either language's operators, for analyses that see both.
REDUCTION_OPS = {**C_REDUCTION_OPS, **F_REDUCTION_OPS}
#: The operators a ``reduction`` clause accepts, by language family (``c`` or ``fortran``).
REDUCTION_OPERATORS: dict[str, frozenset[str]] = {
    "c": frozenset(C_REDUCTION_OPS),
    "fortran": frozenset(F_REDUCTION_OPS),
}
