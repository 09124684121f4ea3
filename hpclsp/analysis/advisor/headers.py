"""What a C file and the headers it includes with quotes declare at file scope: ``static`` variables
and function-like macros.

A file-scope variable with internal linkage (``static double tmp1;``, often declared in a header
shared by the program's functions) can be read only by functions of this translation unit, so
whether its value after a loop is ever needed can be decided here (``scalars.scratch_static``).
A function-like macro defined in a header (``#define pow2(a) ((a)*(a))``) is what a call of that
name in the file expands to, so its side effects are read from its body like those of a macro
defined in the file (``effects.macro_problem``).

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
_MACRO_KINDS = frozenset({"preproc_function_def"})
#: A function-like macro: (parameter names, body text).
Macro = tuple[tuple[str, ...], str]
#: One header's statics, function-like macros and included headers.
_HeaderFacts = tuple[frozenset[str], dict[str, Macro], tuple[str, ...]]
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


def macros_of(language: str, data: bytes) -> dict[str, Macro]:
    """The function-like macros one C-family text defines (the first definition of a name wins)."""
    return macros_in(languages.parse(language, data).root_node, language, data)


def macros_in(root: Node, language: str, data: bytes) -> dict[str, Macro]:
    """The function-like macros defined in a parsed text (the first definition of a name wins)."""
    out: dict[str, Macro] = {}
    for n in find_kinds(root, language, _MACRO_KINDS):
        name, params, body = (n.child_by_field_name(f) for f in ("name", "parameters", "value"))
        if name is None or params is None:
            continue
        names = tuple(_text(data, c) for c in params.named_children if c.type == "identifier")
        out.setdefault(_text(data, name), (names, _text(data, body) if body is not None else ""))
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
def _header(path: str, language: str, mtime_ns: int, size: int) -> _HeaderFacts:
    """One header's own statics and macros and the headers it includes (cached while unchanged on disk)."""
    del mtime_ns, size  # part of the cache key only
    with open(path, "rb") as fh:
        data = fh.read(MAX_HEADER_BYTES + 1)
    if len(data) > MAX_HEADER_BYTES:
        return frozenset(), {}, tuple(_included(path, data))
    return frozenset(statics_of(language, data)), macros_of(language, data), tuple(_included(path, data))


def _headers(source: SourceFile) -> list[_HeaderFacts]:
    """The facts of every header the file reaches through quoted includes, nearest first (cached)."""
    cached = source.cache.get("advisor-header-facts")
    if isinstance(cached, list):
        return cached
    out: list[_HeaderFacts] = []
    if languages.is_c_family(source.language):
        seen = {os.path.abspath(source.path)}
        queue = _included(source.path, source.data)
        while queue and len(seen) <= MAX_HEADERS:
            path = queue.pop(0)
            if path in seen:
                continue
            seen.add(path)
            try:
                st = os.stat(path)
                facts = _header(path, source.language, st.st_mtime_ns, st.st_size)
            except OSError:
                continue
            out.append(facts)
            queue.extend(facts[2])
    source.cache["advisor-header-facts"] = out
    return out


def file_statics(source: SourceFile) -> frozenset[str]:
    """The file-scope statics of the file and of its quoted headers (cached on the source)."""
    cached = source.cache.get("advisor-file-statics")
    if isinstance(cached, frozenset):
        return cached
    out: set[str] = set()
    if languages.is_c_family(source.language):
        out |= statics_of(source.language, source.data)
        for own, _macros, _nested in _headers(source):
            out |= own
    result = frozenset(out)
    source.cache["advisor-file-statics"] = result
    return result


def header_macros(source: SourceFile) -> dict[str, Macro]:
    """The function-like macros of the file's quoted headers (the first definition reached wins)."""
    out: dict[str, Macro] = {}
    for _own, macros, _nested in _headers(source):
        for name, m in macros.items():
            out.setdefault(name, m)
    return out
