"""What makes a llama.cpp build portable, read from ``llama_print_system_info()``.

A build made with ``GGML_NATIVE=ON`` on a CPU with AVX-512 or AMX compiles those kernels in and
then crashes (or cannot start) on other machines; ggml's AMX path also crashes on the CPUs that
have it. The portable build that ``scripts/setup.sh`` makes enables AVX2-class features only.
"""

from __future__ import annotations

import platform
import re

#: Features a portable x86-64 build must not use.
FORBIDDEN = ("AVX512", "AVX512_VBMI", "AVX512_VNNI", "AVX512_BF16", "AMX_INT8", "AMX_BF16", "AMX_TILE")
#: Features the portable x86-64 build enables.
REQUIRED = ("AVX2", "FMA", "F16C")


def features(system_info: str) -> dict[str, bool]:
    """``{"AVX2": True, ...}`` from a ``NAME = 0|1`` system-info string."""
    return {m.group(1): m.group(2) == "1" for m in re.finditer(r"([A-Z0-9_]+) = ([01])", system_info)}


def problems(system_info: str, machine: str | None = None) -> list[str]:
    """Why the build is not the portable one (empty when it is)."""
    arch = (machine or platform.machine()).lower()
    feats = features(system_info)
    if arch not in ("x86_64", "amd64"):
        return []
    out = [f"{name} kernels are compiled in" for name in FORBIDDEN if feats.get(name)]
    out += [f"{name} is off" for name in REQUIRED if not feats.get(name)]
    return out
