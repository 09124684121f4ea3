"""Walking the paths given to ``hpclsp check`` and ``hpclsp suggest``."""

from __future__ import annotations

import os
from collections.abc import Iterator

from hpclsp.analysis import languages

SKIP_DIRS = frozenset({".git", ".hg", ".svn", ".venv", "node_modules", "__pycache__", "build"})


def iter_source_files(paths: list[str], errors: list[str]) -> Iterator[str]:
    """Files to analyse: given files as they are, directories walked for SPEC §3 extensions.

    Problems (missing paths, unsupported files given explicitly) are appended to errors.
    """
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
                for name in sorted(files):
                    if languages.language_for_path(name):
                        yield os.path.join(root, name)
        elif os.path.isfile(path):
            if languages.language_for_path(path):
                yield path
            else:
                errors.append(f"{path}: not a C, C++, CUDA or Fortran file (by extension)")
        else:
            errors.append(f"{path}: no such file or directory")
