"""Chunker for C, C++, CUDA and Fortran sources: one chunk per function or subroutine (tree-sitter).

A snippet file may start with a comment block holding ``title:`` and ``tags:`` lines; they name
the chunks and feed the keyword index. Code outside any function (a Fortran main program, a
file without functions) becomes one chunk of its own.
"""

from __future__ import annotations

import os
import re
from typing import Any

from hpclsp.analysis import languages
from retrieval.chunk import Chunk, extract_symbols

_FORTRAN_UNITS = ("subroutine", "function", "program", "module_procedure")
_C_SCOPES = (
    "translation_unit",
    "namespace_definition",
    "declaration_list",
    "linkage_specification",
    "template_declaration",
    "class_specifier",
    "struct_specifier",
    "field_declaration_list",
    "preproc_if",
    "preproc_ifdef",
    "preproc_else",
    "preproc_elif",
)


def snippet_header(text: str) -> dict[str, object]:
    """``title`` and ``tags`` from the first comment block of a source file (empty when absent)."""
    head: list[str] = []
    for line in text.splitlines()[:40]:
        s = line.strip()
        if not s:
            if head:
                break
            continue
        m = re.match(r"^(?://+|/\*+|\*+/?|!+|[cC*](?=\s)|--)\s?(.*?)(?:\*/)?$", s)
        if not m:
            break
        head.append(m.group(1))
    out: dict[str, object] = {}
    for h in head:
        m = re.match(r"^\s*(title|tags)\s*:\s*(.*)$", h, re.I)
        if m:
            key = m.group(1).lower()
            if key == "title":
                out["title"] = m.group(2).strip()
            else:
                out["tags"] = [t.strip() for t in re.split(r"[,\s]+", m.group(2)) if t.strip()]
    return out


def _c_name(node: object) -> str:
    decl = node.child_by_field_name("declarator")  # type: ignore[attr-defined]
    while decl is not None and decl.type not in (
        "identifier",
        "field_identifier",
        "qualified_identifier",
        "destructor_name",
        "operator_name",
    ):
        nxt = decl.child_by_field_name("declarator")
        if nxt is None:
            break
        decl = nxt
    if decl is None:
        return "?"
    return decl.text.decode("utf-8", "replace") if decl.text else "?"


def _fortran_name(node: object) -> str:
    for c in node.named_children:  # type: ignore[attr-defined]
        if c.type.endswith("_statement"):
            for cc in c.named_children:
                if cc.type == "name":
                    return cc.text.decode("utf-8", "replace")
            break
    return "?"


#: A function-like unit of a source file: name, start byte, end byte, start row, end row.
_Unit = tuple[str, int, int, int, int]


def chunk_source(text: str, path: str, language: str | None = None) -> list[Chunk]:
    """C/C++/CUDA/Fortran source by function/subroutine; the file as one chunk when it has none."""
    lang = (
        language
        or languages.language_for_path(path)
        or ("fortran" if path.lower().endswith((".f", ".F")) else None)
    )
    if lang is None:
        return []
    data = text.encode("utf-8", "replace")
    header = snippet_header(text)
    base = str(header.get("title") or os.path.basename(path))
    raw_tags = header.get("tags")
    tags: list[str] = [str(t) for t in raw_tags] if isinstance(raw_tags, list) else []
    units = _units(lang, data) or [("", 0, len(data), 0, max(0, text.count("\n")))]
    chunks: list[Chunk] = []
    for name, sb, eb, sr, er in units:
        body = data[sb:eb].decode("utf-8", "replace")
        if not body.strip():
            continue
        title = f"{base}: {name}" if name else base
        symbols = extract_symbols(body)
        chunks.append(
            Chunk(
                text=body[:6000],
                title=title,
                source=path,
                kind="snippet",
                language=lang,
                start_line=sr,
                end_line=er,
                section=name,
                symbols=symbols,
                meta={"tags": list(tags), "function": name} if tags or header else {"function": name},
            )
        )
    return chunks


def _units(lang: str, data: bytes) -> list[_Unit]:
    """The functions and subroutines of a source file in file order (none when it does not parse)."""
    try:
        tree = languages.parse(lang, data)
    except Exception:
        tree = None
    if tree is None:
        return []
    units = _fortran_units(tree.root_node) if lang == "fortran" else _c_units(tree.root_node)
    units.sort(key=lambda u: u[1])
    return units


def _fortran_units(root: Any) -> list[_Unit]:
    """Fortran program units and procedures; a unit's internal procedures are units of their own."""
    units: list[_Unit] = []
    stack = [root]
    while stack:
        n = stack.pop()
        if n.type in _FORTRAN_UNITS:
            end = n.end_byte
            end_row = n.end_point[0]
            for c in n.named_children:
                if c.type == "internal_procedures":
                    end, end_row = c.start_byte, c.start_point[0]
                    stack.extend(c.named_children)
            units.append((_fortran_name(n), n.start_byte, end, n.start_point[0], end_row))
        elif n.type in ("translation_unit", "module", "internal_procedures", "submodule"):
            stack.extend(n.named_children)
    return units


def _c_units(root: Any) -> list[_Unit]:
    """C/C++/CUDA function definitions, looking inside namespaces, classes and preprocessor blocks."""
    units: list[_Unit] = []
    stack = [root]
    while stack:
        n = stack.pop()
        if n.type == "function_definition":
            units.append((_c_name(n), n.start_byte, n.end_byte, n.start_point[0], n.end_point[0]))
        elif n.type in _C_SCOPES:
            stack.extend(n.named_children)
    return units
