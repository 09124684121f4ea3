"""Tree-sitter grammars by language id (c, cpp, cuda, fortran), loaded once per process."""

from __future__ import annotations

import functools
import importlib
import os
import threading

import tree_sitter

LANGUAGES = ("c", "cpp", "cuda", "fortran")

#: File extensions walked by ``hpclsp check``/``suggest`` (SPEC §3) and their language ids.
EXTENSIONS: dict[str, str] = {
    ".c": "c",
    ".h": "c",
    ".cc": "cpp",
    ".cpp": "cpp",
    ".cxx": "cpp",
    ".hpp": "cpp",
    ".cu": "cuda",
    ".cuh": "cuda",
    ".f": "fortran",
    ".for": "fortran",
    ".f77": "fortran",
    ".f90": "fortran",
    ".F90": "fortran",
    ".f95": "fortran",
    ".F95": "fortran",
    ".f03": "fortran",
    ".f08": "fortran",
}

#: Fixed-form Fortran extensions (column-based source form).
FIXED_FORM_EXTENSIONS = frozenset({".f", ".for", ".f77", ".F", ".FOR"})

#: LSP language ids that clients send, mapped to ours.
LANGUAGE_ID_ALIASES: dict[str, str] = {
    "c": "c",
    "cpp": "cpp",
    "c++": "cpp",
    "objective-cpp": "cpp",
    "cuda": "cuda",
    "cuda-cpp": "cuda",
    "fortran": "fortran",
    "fortran90": "fortran",
    "fortran_free_form": "fortran",
    "fortran_fixed_form": "fortran",
    "fortran-modern": "fortran",
    "FortranFreeForm": "fortran",
    "FortranFixedForm": "fortran",
}

_GRAMMAR_MODULES = {
    "c": "tree_sitter_c",
    "cpp": "tree_sitter_cpp",
    "cuda": "tree_sitter_cuda",
    "fortran": "tree_sitter_fortran",
}

_lock = threading.Lock()


def language_for_path(path: str) -> str | None:
    """The language id for a file path, from its extension, or None."""
    _, ext = os.path.splitext(path)
    return EXTENSIONS.get(ext) or EXTENSIONS.get(ext.lower())


def is_fixed_form(path: str) -> bool:
    """True for fixed-form Fortran files (by extension)."""
    _, ext = os.path.splitext(path)
    return ext in FIXED_FORM_EXTENSIONS or ext.lower() in {".f", ".for", ".f77"}


def normalize_language_id(language_id: str | None, path: str = "") -> str | None:
    """Map a client language id (or, failing that, the path) to one of LANGUAGES."""
    if language_id:
        lang = LANGUAGE_ID_ALIASES.get(language_id) or LANGUAGE_ID_ALIASES.get(language_id.lower())
        if lang:
            return lang
    return language_for_path(path) if path else None


@functools.cache
def ts_language(language: str) -> tree_sitter.Language:
    """The tree-sitter Language object for a language id (loaded once)."""
    if language not in _GRAMMAR_MODULES:
        raise ValueError(f"unknown language: {language!r}")
    with _lock:
        mod = importlib.import_module(_GRAMMAR_MODULES[language])
        return tree_sitter.Language(mod.language())


def new_parser(language: str) -> tree_sitter.Parser:
    """A fresh parser for a language (parsers are not thread-safe; one per document/thread)."""
    return tree_sitter.Parser(ts_language(language))


def parse(language: str, data: bytes, old_tree: tree_sitter.Tree | None = None) -> tree_sitter.Tree:
    """Parse UTF-8 bytes, reusing an edited old tree when given."""
    parser = new_parser(language)
    return parser.parse(data, old_tree) if old_tree is not None else parser.parse(data)


def is_c_family(language: str) -> bool:
    """True for the C-preprocessor languages (c, cpp, cuda)."""
    return language in ("c", "cpp", "cuda")
