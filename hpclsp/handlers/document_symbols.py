"""textDocument/documentSymbol: program units and the OpenMP regions inside them.

C/C++/CUDA: namespaces, classes/structs, functions (CUDA kernels marked ``__global__``).
Fortran: programs, modules, submodules, subroutines and functions (internal and module
procedures nested under their host). Every OpenMP construct with a body (``parallel``, loops,
``task``, ``target``, ``critical``...) is listed under the unit that contains it, nested by
extent, so the outline shows where the parallel regions are.
"""

from __future__ import annotations

import bisect
import logging
from typing import TYPE_CHECKING

import tree_sitter
from lsprotocol import types

from hpclsp.analysis.findings import Pos, Span
from hpclsp.analysis.ir import Construct, build_ir
from hpclsp.analysis.source import SourceFile
from hpclsp.analysis.treeutil import fortran_unit_name, function_name_node
from hpclsp.documents import Document, col_to_utf16, split_lines

if TYPE_CHECKING:
    from hpclsp.server import HpcLanguageServer

log = logging.getLogger(__name__)

#: C-family nodes that hold declarations and may hold functions (walked through).
C_CONTAINERS = frozenset(
    {
        "translation_unit",
        "declaration_list",
        "field_declaration_list",
        "linkage_specification",
        "template_declaration",
        "preproc_if",
        "preproc_ifdef",
        "preproc_else",
        "preproc_elif",
        "preproc_elifdef",
    }
)
C_SCOPES = {
    "namespace_definition": types.SymbolKind.Namespace,
    "class_specifier": types.SymbolKind.Class,
    "struct_specifier": types.SymbolKind.Struct,
}
F_UNITS = {
    "program": (types.SymbolKind.Module, "program"),
    "module": (types.SymbolKind.Module, "module"),
    "submodule": (types.SymbolKind.Module, "submodule"),
    "subroutine": (types.SymbolKind.Function, "subroutine"),
    "function": (types.SymbolKind.Function, "function"),
    "module_procedure": (types.SymbolKind.Function, "module procedure"),
}
F_CONTAINERS = frozenset(
    {"translation_unit", "internal_procedures", "module_procedures", "contains_statement"}
)
#: Constructs too small to be worth an outline entry.
SKIPPED_CONSTRUCTS = frozenset({"atomic"})
MAX_DETAIL = 80


class _Builder:
    """Builds the symbol tree of one document."""

    def __init__(self, src: SourceFile) -> None:
        self.src = src
        self.lines = split_lines(src.text)
        data = src.data
        self.starts = [0]
        i = data.find(b"\n")
        while i >= 0:
            self.starts.append(i + 1)
            i = data.find(b"\n", i + 1)

    # -- positions ------------------------------------------------------------------------
    def byte_pos(self, byte: int) -> Pos:
        row = max(0, bisect.bisect_right(self.starts, byte) - 1)
        return Pos(row, self.src.byte_to_col(row, byte - self.starts[row]))

    def rng(self, span: Span) -> types.Range:
        return types.Range(start=self.position(span.start), end=self.position(span.end))

    def position(self, pos: Pos) -> types.Position:
        """A code-point position of the snapshot as an LSP (UTF-16) position."""
        text = self.lines[pos.line] if 0 <= pos.line < len(self.lines) else ""
        return types.Position(line=max(pos.line, 0), character=col_to_utf16(text, pos.col))

    def node_name(self, node: tree_sitter.Node) -> tuple[str, tree_sitter.Node]:
        """The name of a unit and the node to select (the name, else the unit itself)."""
        if self.src.language == "fortran":
            nm = fortran_unit_name(node)
            return (self.src.node_text(nm), nm) if nm is not None else ("?", node)
        if node.type in C_SCOPES:
            nm = node.child_by_field_name("name")
            return (self.src.node_text(nm), nm) if nm is not None else ("(anonymous)", node)
        decl = function_name_node(node)
        if decl is None:
            return "?", node
        return self.src.node_text(decl), decl

    def symbol(
        self, node: tree_sitter.Node, kind: types.SymbolKind, detail: str | None
    ) -> types.DocumentSymbol:
        name, sel = self.node_name(node)
        return types.DocumentSymbol(
            name=name,
            kind=kind,
            detail=detail,
            range=self.rng(self.src.node_span(node)),
            selection_range=self.rng(self.src.node_span(sel)),
            children=[],
        )

    # -- units ----------------------------------------------------------------------------
    def units(self, node: tree_sitter.Node, out: list[types.DocumentSymbol], in_class: bool = False) -> None:
        """Append the unit symbols under node (recursively) to out."""
        fortran = self.src.language == "fortran"
        for child in node.named_children:
            t = child.type
            if fortran:
                if t in F_UNITS:
                    f_kind, f_detail = F_UNITS[t]
                    sym = self.symbol(child, f_kind, f_detail)
                    self.units(child, sym.children)  # type: ignore[arg-type]
                    out.append(sym)
                elif t in F_CONTAINERS:
                    self.units(child, out)
                continue
            if t == "function_definition":
                text = self.src.node_text(child)[:200]
                detail = "__global__ kernel" if "__global__" in text else None
                kind = types.SymbolKind.Method if in_class else types.SymbolKind.Function
                out.append(self.symbol(child, kind, detail))
            elif t in C_SCOPES and (child.child_by_field_name("body") is not None):
                sym = self.symbol(child, C_SCOPES[t], None)
                body = child.child_by_field_name("body")
                assert body is not None
                self.units(body, sym.children, in_class=t != "namespace_definition")  # type: ignore[arg-type]
                out.append(sym)
            elif t in C_CONTAINERS:
                self.units(child, out, in_class)

    # -- OpenMP regions -------------------------------------------------------------------
    def region(self, c: Construct) -> types.DocumentSymbol:
        d = c.directive
        end_byte = max(c.end, c.start)
        end = self.byte_pos(end_byte)
        if c.end_directive is not None:
            end = max(end, c.end_directive.span.end)
        start = Pos(d.span.start.line, d.span.start.col)
        end = max(end, d.span.end)
        clauses = " ".join(f"{cl.name}({cl.args})" if cl.args is not None else cl.name for cl in d.clauses)
        detail = clauses if len(clauses) <= MAX_DETAIL else clauses[: MAX_DETAIL - 1] + "…"
        return types.DocumentSymbol(
            name=f"omp {c.name}",
            kind=types.SymbolKind.Event,
            detail=detail or None,
            range=self.rng(Span(start, end)),
            selection_range=self.rng(Span(d.name_span.start, d.name_span.end) if d.name_span else d.span),
            children=[],
        )


def _contains(outer: types.Range, inner: types.Range) -> bool:
    a, b = outer.start, outer.end
    c, d = inner.start, inner.end
    return (a.line, a.character) <= (c.line, c.character) and (d.line, d.character) <= (b.line, b.character)


def _insert(symbols: list[types.DocumentSymbol], sym: types.DocumentSymbol) -> None:
    """Put sym under the innermost symbol whose range contains it (or at this level)."""
    for s in symbols:
        if s is not sym and _contains(s.range, sym.range):
            _insert(s.children, sym)  # type: ignore[arg-type]
            return
    symbols.append(sym)
    symbols.sort(key=lambda s: (s.range.start.line, s.range.start.character))


def document_symbols(doc: Document) -> list[types.DocumentSymbol]:
    """The symbol tree of a document (empty for unsupported or unparsed documents)."""
    if not doc.analyzable or doc.tree is None:
        return []
    src = doc.source()  # a snapshot: safe in a worker thread while edits arrive
    b = _Builder(src)
    out: list[types.DocumentSymbol] = []
    b.units(src.tree.root_node, out)
    try:
        ir = build_ir(src)
    except Exception:
        log.exception("document symbols: the IR failed")
        return out
    regions = [
        b.region(c)
        for c in ir.constructs
        if not c.standalone and not c.directive.is_end and c.name not in SKIPPED_CONSTRUCTS
    ]
    # Larger regions first, so nested ones land under them.
    regions.sort(key=lambda s: (s.range.start.line, -s.range.end.line))
    for r in regions:
        _insert(out, r)
    return out


def flatten(
    doc: Document, symbols: list[types.DocumentSymbol], container: str | None = None
) -> list[types.SymbolInformation]:
    """The tree as SymbolInformation, for clients without hierarchical support."""
    out = []
    for s in symbols:
        out.append(
            types.SymbolInformation(
                name=s.name,
                kind=s.kind,
                location=types.Location(uri=doc.uri, range=s.range),
                container_name=container,
            )
        )
        out.extend(flatten(doc, list(s.children or []), s.name))
    return out


def _hierarchical(ls: HpcLanguageServer) -> bool:
    caps = ls.client_capabilities
    try:
        return bool(caps.text_document.document_symbol.hierarchical_document_symbol_support)  # type: ignore[union-attr]
    except AttributeError:
        return False


def register(ls: HpcLanguageServer) -> None:
    """Register textDocument/documentSymbol."""

    @ls.thread()
    @ls.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL, types.DocumentSymbolOptions(label="hpclsp"))
    def symbols(
        ls: HpcLanguageServer, params: types.DocumentSymbolParams
    ) -> list[types.DocumentSymbol] | list[types.SymbolInformation] | None:
        doc = ls.documents.get(params.text_document.uri)
        if doc is None:
            return None
        tree = document_symbols(doc)
        return tree if _hierarchical(ls) else flatten(doc, tree)
