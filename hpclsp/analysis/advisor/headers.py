"""What a C file and the headers it includes with quotes declare at file scope, for the advisor.

Two questions about a loop are answered outside the loop's own file as often as inside it:

- whether a function-like macro called in the body only computes a value (``pow2(a)`` defined in a
  shared header is as harmless as one defined in the file);
- whether a file-scope variable has internal linkage (``static double tmp1;``): then every function
  that can read it is in this translation unit, and whether its value after a loop is ever needed
  can be decided here.

Headers are found like a compiler finds ``#include "name"``: relative to the including file's
directory, transitively, each once; what a header declares is kept while its size and modification
time stay the same (the editor re-analyses a file on every change, its headers rarely change).
System headers (``<name>``) are not read. A header that cannot be read adds nothing.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
from typing import TYPE_CHECKING

from hpclsp.analysis import languages
from hpclsp.analysis.advisor.nodes import find_kinds

if TYPE_CHECKING:
    import tree_sitter

    from hpclsp.analysis.source import SourceFile

    Node = tree_sitter.Node

#: At most this many headers, each at most this many bytes, are read for one file.
MAX_HEADERS = 64
MAX_HEADER_BYTES = 1 << 20

_INCLUDE = re.compile(rb'^[ \t]*#[ \t]*include[ \t]*"([^"\n]+)"', re.MULTILINE)
_MACRO_KINDS = frozenset({"preproc_function_def"})
_DECL_KINDS = frozenset({"declaration"})
#: Nodes a file-scope declaration may sit in (conditional compilation, linkage blocks).
_FILE_SCOPE = frozenset(
    {
        "translation_unit",
        "preproc_if",
        "preproc_ifdef",
        "preproc_else",
        "preproc_elif",
        "linkage_specification",
        "declaration_list",
    }
)


@dataclasses.dataclass
class FileScope:
    """Function-like macros (name -> parameters, body) and file-scope ``static`` variables."""

    macros: dict[str, tuple[list[str], str]] = dataclasses.field(default_factory=dict)
    statics: set[str] = dataclasses.field(default_factory=set)


def _text(data: bytes, node: Node) -> str:
    return data[node.start_byte : node.end_byte].decode("utf-8", "replace")


def _declared_names(data: bytes, node: Node) -> list[str]:
    """The variable names a declaration introduces (functions declared by prototype excluded)."""
    out = []
    for i, ch in enumerate(node.children):
        if node.field_name_for_child(i) != "declarator":
            continue
        d: Node | None = ch
        while d is not None and d.type not in ("identifier", "function_declarator"):
            d = d.child_by_field_name("declarator")
        if d is not None and d.type == "identifier":
            out.append(_text(data, d))
    return out


def scan(language: str, data: bytes, into: FileScope) -> None:
    """Add the function-like macros and file-scope statics of one C-family text (the first definition of a
    macro name wins)."""
    root = languages.parse(language, data).root_node
    for n in find_kinds(root, language, _MACRO_KINDS):
        name, params, body = (n.child_by_field_name(f) for f in ("name", "parameters", "value"))
        if name is None or params is None:
            continue
        names = [_text(data, c) for c in params.named_children if c.type == "identifier"]
        into.macros.setdefault(_text(data, name), (names, _text(data, body) if body is not None else ""))
    for n in find_kinds(root, language, _DECL_KINDS):
        if n.parent is None or n.parent.type not in _FILE_SCOPE:
            continue
        specs = {_text(data, c) for c in n.children if c.type == "storage_class_specifier"}
        if "static" in specs:
            into.statics.update(_declared_names(data, n))


def _included(path: str, data: bytes) -> list[str]:
    base = os.path.dirname(os.path.abspath(path))
    out = []
    for m in _INCLUDE.finditer(data):
        cand = os.path.normpath(os.path.join(base, m.group(1).decode("utf-8", "replace")))
        if os.path.isfile(cand):
            out.append(cand)
    return out


@functools.lru_cache(maxsize=256)
def _header(path: str, language: str, mtime_ns: int, size: int) -> tuple[FileScope, tuple[str, ...]]:
    """One header's own macros and statics, and the headers it includes (cached while unchanged on disk)."""
    del mtime_ns, size  # part of the cache key only
    with open(path, "rb") as fh:
        data = fh.read(MAX_HEADER_BYTES + 1)
    own = FileScope()
    if len(data) <= MAX_HEADER_BYTES:
        scan(language, data, own)
    return own, tuple(_included(path, data))


def file_scope(source: SourceFile) -> FileScope:
    """The file's own macros and statics, then those of its quoted headers (cached on the source)."""
    cached = source.cache.get("advisor-file-scope")
    if isinstance(cached, FileScope):
        return cached
    out = FileScope()
    if languages.is_c_family(source.language):
        scan(source.language, source.data, out)
        seen = {os.path.abspath(source.path)}
        queue = _included(source.path, source.data)
        while queue and len(seen) <= MAX_HEADERS:
            path = queue.pop(0)
            if path in seen:
                continue
            seen.add(path)
            try:
                st = os.stat(path)
                own, nested = _header(path, source.language, st.st_mtime_ns, st.st_size)
            except OSError:
                continue
            for name, macro in own.macros.items():
                out.macros.setdefault(name, macro)
            out.statics |= own.statics
            queue.extend(nested)
    source.cache["advisor-file-scope"] = out
    return out
