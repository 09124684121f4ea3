"""The file-scope ``static`` variables of a C file and of the headers it includes with quotes.

A file-scope variable with internal linkage (``static double tmp1;``, often declared in a header
shared by the program's functions) can be read only by functions of this translation unit, so
whether its value after a loop is ever needed can be decided here (``scalars.scratch_static``).

Headers are found like a compiler finds ``#include "name"``: relative to the including file's
directory, transitively, each once; what a header declares is kept while its size and modification
time stay the same (the editor re-analyses a file on every change, its headers rarely change).
System headers (``<name>``) are not read. A header that cannot be read adds nothing.
"""

from __future__ import annotations

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


def statics_of(language: str, data: bytes) -> set[str]:
    """The variables one C-family text declares ``static`` at file scope."""
    out: set[str] = set()
    root = languages.parse(language, data).root_node
    for n in find_kinds(root, language, _DECL_KINDS):
        if n.parent is None or n.parent.type not in _FILE_SCOPE:
            continue
        if any(c.type == "storage_class_specifier" and _text(data, c) == "static" for c in n.children):
            out.update(_declared_names(data, n))
    return out


def _included(path: str, data: bytes) -> list[str]:
    base = os.path.dirname(os.path.abspath(path))
    out = []
    for m in _INCLUDE.finditer(data):
        cand = os.path.normpath(os.path.join(base, m.group(1).decode("utf-8", "replace")))
        if os.path.isfile(cand):
            out.append(cand)
    return out


@functools.lru_cache(maxsize=256)
def _header(path: str, language: str, mtime_ns: int, size: int) -> tuple[frozenset[str], tuple[str, ...]]:
    """One header's own statics and the headers it includes (cached while unchanged on disk)."""
    del mtime_ns, size  # part of the cache key only
    with open(path, "rb") as fh:
        data = fh.read(MAX_HEADER_BYTES + 1)
    own = statics_of(language, data) if len(data) <= MAX_HEADER_BYTES else set()
    return frozenset(own), tuple(_included(path, data))


def file_statics(source: SourceFile) -> frozenset[str]:
    """The file-scope statics of the file and of its quoted headers (cached on the source)."""
    cached = source.cache.get("advisor-file-statics")
    if isinstance(cached, frozenset):
        return cached
    out: set[str] = set()
    if languages.is_c_family(source.language):
        out |= statics_of(source.language, source.data)
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
            out |= own
            queue.extend(nested)
    result = frozenset(out)
    source.cache["advisor-file-statics"] = result
    return result
