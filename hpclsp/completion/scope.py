"""Variables in scope at a position, with their declared types.

C, C++ and CUDA use the tree-sitter tree: walking up from the cursor, every enclosing block
contributes the declarations that start before the cursor, a function its parameters, a ``for``
its init declaration, the translation unit its globals. Declarations swallowed by an ``ERROR``
node (half-typed code) are still found, because ERROR children are searched too.

Fortran uses a line scanner over the enclosing program units (the innermost unit's
specification part up to the cursor, plus its hosts' specification parts up to their
``contains``): tree-sitter-fortran's error recovery on a half-typed line often moves the rest
of the unit out of its ``subroutine``/``program`` node, while Fortran declarations are
line-oriented and easy to read directly.

Types are normalised for MPI datatype matching: C ``double``, ``unsigned long``, the element
type of ``std::vector<double>``; Fortran ``integer``, ``real(kind=8)``, ``double precision``
(kind parameters such as ``dp`` resolved to 4/8 when the file defines them).
"""

from __future__ import annotations

import dataclasses
import re

import tree_sitter

from hpclsp.analysis.findings import Pos
from hpclsp.analysis.treeutil import C_PARAMETERS, function_declarator, function_parameters

Node = tree_sitter.Node


@dataclasses.dataclass(frozen=True)
class Variable:
    """One variable visible at the cursor."""

    name: str
    #: Normalised declared base type (``double``, ``real(kind=8)``); ``""`` when unknown.
    type: str
    #: ``parameter``, ``local`` or ``global`` (Fortran: ``dummy``, ``local``, ``host``).
    kind: str
    #: 0-based line of the declaration.
    line: int
    #: Pointer or array (C), or an array (Fortran ``dimension``/``x(n)``).
    is_array: bool = False

    def describe(self) -> str:
        """A short detail string: ``double *`` / ``real(kind=8), dimension(:)``."""
        if not self.type:
            return self.kind
        return f"{self.type}{' []' if self.is_array else ''}"


# --------------------------------------------------------------------------------------------
# C / C++ / CUDA
# --------------------------------------------------------------------------------------------

_SCOPE_TYPES = frozenset(
    {"compound_statement", "function_definition", "for_statement", "for_range_loop", "translation_unit",
     "lambda_expression", "namespace_definition", "declaration_list", "catch_clause"}
)  # fmt: skip
_DECL_TYPES = frozenset({"declaration", "parameter_declaration", "field_declaration"})
#: Children searched for declarations without being scopes of their own.
_TRANSPARENT = frozenset(
    {"ERROR", "preproc_if", "preproc_ifdef", "preproc_else", "preproc_elif", "linkage_specification",
     "template_declaration", "labeled_statement", "expression_statement"}
)  # fmt: skip
_QUALIFIER_WORDS = frozenset(
    {"const", "volatile", "restrict", "__restrict__", "static", "extern", "register"}
)


def _text(node: Node, data: bytes) -> str:
    return data[node.start_byte : node.end_byte].decode("utf-8", errors="replace")


def _normalise_c_type(text: str) -> str:
    words = [w for w in re.split(r"\s+", text.strip()) if w and w not in _QUALIFIER_WORDS]
    t = " ".join(words)
    # Element type of common containers, so v.data() matches MPI_DOUBLE for std::vector<double>.
    m = re.match(
        r"^(?:std::)?(?:vector|array|valarray|unique_ptr|shared_ptr)\s*<\s*([^,<>]+?)\s*(?:,.*)?>$", t
    )
    if m:
        return _normalise_c_type(m.group(1))
    return t


def _looks_like_construction(fn_decl: Node) -> bool:
    """``std::vector<double> r(n);`` in a block parses as a prototype: its "parameters" are bare names or
    literals, not typed declarations."""
    params = fn_decl.child_by_field_name("parameters")
    if params is None:
        return False
    named = params.named_children
    if not named:
        return False
    for p in named:
        if p.type == "parameter_declaration":
            if p.named_child_count != 1 or p.named_children[0].type != "type_identifier":
                return False
        elif p.type not in (
            "number_literal",
            "string_literal",
            "identifier",
            "binary_expression",
            "call_expression",
        ):
            return False
    return True


def _declarator_names(node: Node, data: bytes, local: bool = False) -> list[tuple[str, bool, Node]]:
    """(name, pointer-or-array, identifier node) for each declarator under a declaration (``local``: a
    block-scope declaration, where ``T x(args);`` constructs an object)."""
    out: list[tuple[str, bool, Node]] = []

    def visit(d: Node, indirect: bool) -> None:
        t = d.type
        if t in ("identifier", "field_identifier"):
            out.append((_text(d, data), indirect, d))
        elif t == "init_declarator":
            inner = d.child_by_field_name("declarator")
            if inner is not None:
                visit(inner, indirect)
        elif t in (
            "pointer_declarator",
            "array_declarator",
            "reference_declarator",
            "abstract_pointer_declarator",
        ):
            inner = d.child_by_field_name("declarator")
            if inner is None:  # reference_declarator has no field name in some grammars
                inner = next(
                    (c for c in d.named_children if c.type.endswith("declarator") or c.type == "identifier"),
                    None,
                )
            if inner is not None:
                visit(inner, indirect or t != "reference_declarator")
        elif t == "parenthesized_declarator":
            for c in d.named_children:
                visit(c, indirect)
        elif t == "function_declarator" and local and _looks_like_construction(d):
            inner = d.child_by_field_name("declarator")
            if inner is not None and inner.type == "identifier":
                out.append((_text(inner, data), indirect, inner))
        # any other function_declarator is a prototype, not a variable

    for child in node.children_by_field_name("declarator"):
        visit(child, False)
    return out


def _declaration_vars(node: Node, data: bytes, kind: str) -> list[Variable]:
    type_node = node.child_by_field_name("type")
    type_text = _normalise_c_type(_text(type_node, data)) if type_node is not None else ""
    out = []
    for name, indirect, ident in _declarator_names(node, data, local=kind == "local"):
        out.append(Variable(name, type_text, kind, ident.start_point[0], indirect))
    return out


def _collect_decls(container: Node, data: bytes, before: int, kind: str, out: list[Variable]) -> None:
    """Declarations among the children of a scope node (through transparent wrappers) starting before ``before``."""
    for child in container.children:
        if child.start_byte >= before:
            break
        t = child.type
        if t == "declaration":
            out.extend(_declaration_vars(child, data, kind))
        elif t in _TRANSPARENT:
            _collect_decls(child, data, before, kind, out)


def c_variables(tree: tree_sitter.Tree | None, data: bytes, byte_offset: int) -> list[Variable]:
    """Variables visible at a byte offset of a C/C++/CUDA file, innermost scope first, no duplicates."""
    if tree is None:
        return []
    root = tree.root_node
    node = root.descendant_for_byte_range(byte_offset, byte_offset)
    if node is None:
        node = root
    found: list[Variable] = []
    cur: Node | None = node
    while cur is not None:
        t = cur.type
        if t in ("compound_statement", "declaration_list", "ERROR"):
            _collect_decls(cur, data, byte_offset, "local", found)
        elif t in ("for_statement", "for_range_loop"):
            found.extend(_loop_vars(cur, data, byte_offset))
        elif t == "function_definition":
            found.extend(_parameter_vars(cur, data))
        elif t == "translation_unit":
            _collect_decls(cur, data, byte_offset, "global", found)
        cur = cur.parent
    seen: set[str] = set()
    unique = []
    for v in found:
        if v.name not in seen:
            seen.add(v.name)
            unique.append(v)
    return unique


def _loop_vars(loop: Node, data: bytes, byte_offset: int) -> list[Variable]:
    """Variables a ``for`` header declares (``for (int i = ...)``, ``for (auto x : xs)``)."""
    init = loop.child_by_field_name("initializer")
    if init is not None and init.type == "declaration" and init.end_byte <= byte_offset:
        return _declaration_vars(init, data, "local")
    if loop.type != "for_range_loop" or loop.child_by_field_name("body") is None:
        return []
    decl = loop.child_by_field_name("declarator")
    ty = loop.child_by_field_name("type")
    if decl is None or decl.type != "identifier":
        return []
    type_text = _normalise_c_type(_text(ty, data)) if ty else ""
    return [Variable(_text(decl, data), type_text, "local", decl.start_point[0])]


def _parameter_vars(fn: Node, data: bytes) -> list[Variable]:
    """The parameters of a function definition."""
    out: list[Variable] = []
    for p in function_parameters(fn):
        if p.type in C_PARAMETERS:
            out.extend(_declaration_vars(p, data, "parameter"))
    return out


def c_function_names(tree: tree_sitter.Tree | None, data: bytes) -> dict[str, Node]:
    """Top-level function definitions of a C/C++/CUDA file by name (templates included)."""
    out: dict[str, Node] = {}
    if tree is None:
        return out

    def visit(container: Node) -> None:
        for child in container.children:
            t = child.type
            if t == "function_definition":
                decl = function_declarator(child)
                if decl is not None:
                    name = decl.child_by_field_name("declarator")
                    if name is not None:
                        out.setdefault(_text(name, data).split("::")[-1], child)
            elif t in (
                "template_declaration",
                "namespace_definition",
                "declaration_list",
                "linkage_specification",
                "preproc_if",
                "preproc_ifdef",
                "preproc_else",
            ):
                visit(child)

    visit(tree.root_node)
    return out


def function_qualifiers(fn: Node) -> set[str]:
    """CUDA execution-space qualifiers written on a function definition (``__global__``, ``__device__``...)."""
    quals: set[str] = set()
    for child in fn.children:
        if child.type in ("__global__", "__device__", "__host__"):
            quals.add(child.type)
        elif child.type == "function_declarator":
            break
    return quals


def enclosing_function(tree: tree_sitter.Tree | None, byte_offset: int) -> Node | None:
    """The function definition whose body contains a byte offset, or None at file scope."""
    if tree is None:
        return None
    node = tree.root_node.descendant_for_byte_range(byte_offset, byte_offset)
    while node is not None:
        if node.type == "function_definition":
            body = node.child_by_field_name("body")
            if body is not None and body.start_byte < byte_offset <= body.end_byte:
                return node
            return None
        node = node.parent
    return None


def parameter_names(fn: Node, data: bytes) -> list[str]:
    """The parameter names of a function definition, in order."""
    names: list[str] = []
    for p in function_parameters(fn):
        if p.type == "parameter_declaration":
            names.extend(n for n, _, _ in _declarator_names(p, data))
    return names


# --------------------------------------------------------------------------------------------
# Fortran
# --------------------------------------------------------------------------------------------

_F_TYPE = (
    r"(?P<type>double\s*precision|double\s*complex|integer|real|complex|logical|character"
    r"|type\s*\(\s*\w+\s*\)|class\s*\(\s*[\w*]+\s*\))(?!\w)"
    r"\s*(?P<kind>\((?:[^()]|\([^()]*\))*\)|\*\s*\d+)?"
)
_F_DECL = re.compile(r"^\s*" + _F_TYPE + r"(?P<rest>.*)$", re.IGNORECASE)
_F_UNIT = re.compile(
    r"^\s*(?:(?:pure|elemental|recursive|impure|module|non_recursive)\s+)*"
    r"(?:(?:double\s*precision|integer|real|complex|logical|character|type\s*\(\s*\w+\s*\))"
    r"(?:\s*\([^)]*\)|\s*\*\s*\d+)?\s+)?"
    r"(?P<what>program|module|submodule|subroutine|function|block\s*data)\b(?!\s*procedure)\s*"
    r"(?:\([^)]*\)\s*)?(?P<name>\w+)?\s*(?P<args>\([^)]*\))?",
    re.IGNORECASE,
)
_F_END_UNIT = re.compile(
    r"^\s*end\s*(?:(?:program|module|submodule|subroutine|function|block\s*data)\b.*)?$", re.IGNORECASE
)
_F_CONTAINS = re.compile(r"^\s*contains\s*$", re.IGNORECASE)
_F_KIND_PARAM = re.compile(r"\b(\w+)\s*=\s*([^,]+)", re.IGNORECASE)


def fortran_logical_lines(lines: list[str], fixed_form: bool, upto: int) -> list[tuple[int, str]]:
    """(first line, code text) of each logical Fortran statement on lines ``0..upto`` (comments removed)."""
    out: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for i, raw in enumerate(lines[: upto + 1]):
        if fixed_form:
            if raw[:1] in ("c", "C", "*", "!") or not raw.strip():
                continue
            cont = len(raw) > 5 and raw[5] not in (" ", "0", "\t")
            code = _strip_f_comment(raw[6:72])
            if cont and pending is not None:
                pending = (pending[0], pending[1] + " " + code.strip())
                continue
            if pending is not None:
                out.append(pending)
            pending = (i, code)
            continue
        code = _strip_f_comment(raw)
        stripped = code.strip()
        if not stripped:
            continue
        if pending is not None and pending[1].rstrip().endswith("&"):
            pending = (pending[0], pending[1].rstrip()[:-1] + " " + stripped.lstrip("&"))
            continue
        if pending is not None:
            out.append(pending)
        pending = (i, code)
    if pending is not None:
        out.append(pending)
    return out


def _strip_f_comment(line: str) -> str:
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in ("'", '"'):
            quote = ch
        elif ch == "!":
            return line[:i]
    return line


def _split_top(text: str) -> list[str]:
    parts: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in text:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


def _kind_params(statements: list[tuple[int, str]]) -> dict[str, int]:
    """Kind parameters defined in the file (``integer, parameter :: dp = kind(1.0d0)`` -> dp: 8)."""
    out: dict[str, int] = {}
    for _, text in statements:
        low = text.lower()
        if "parameter" not in low:
            continue
        for name, value in _F_KIND_PARAM.findall(low):
            v = value.strip()
            m = re.match(r"selected_real_kind\(\s*(?:p\s*=\s*)?(\d+)", v)
            n = re.match(r"selected_int_kind\(\s*(?:r\s*=\s*)?(\d+)", v)
            if m:
                out[name] = 8 if int(m.group(1)) > 6 else 4
            elif n:
                out[name] = 8 if int(n.group(1)) > 9 else 4
            elif re.search(
                r"real64|int64|(?<!\w)kind\(\s*[0-9.]*d[0-9+-]*\s*\)|c_double|c_long_long|c_int64_t", v
            ):
                out[name] = 8
            elif re.search(
                r"real32|int32|c_float|c_int\b|c_int32_t|(?<!\w)kind\(\s*[0-9.]+(e[0-9+-]*)?\s*\)", v
            ):
                out[name] = 4
            elif v.isdigit():
                out[name] = int(v)
    return out


def normalise_fortran_type(
    type_word: str, kind: str | None, kind_params: dict[str, int] | None = None
) -> str:
    """``REAL (KIND = dp)`` -> ``real(kind=8)`` (``dp`` resolved through kind_params), ``real*8`` kept."""
    t = " ".join(type_word.lower().split())
    t = t.replace("doubleprecision", "double precision").replace("doublecomplex", "double complex")
    if not kind:
        return t
    k = "".join(kind.lower().split())
    m = re.fullmatch(r"\((?:kind=)?(\w+)\)", k)
    if m and kind_params and m.group(1) in kind_params:
        value = kind_params[m.group(1)]
        return f"{t}(kind={value})" if k.startswith("(kind=") else f"{t}({value})"
    return t + k


def fortran_variables(lines: list[str], pos: Pos, fixed_form: bool = False) -> list[Variable]:
    """Variables visible at a position of a Fortran file: the enclosing program units' declarations."""
    statements = fortran_logical_lines(lines, fixed_form, min(pos.line, len(lines) - 1))
    kinds = _kind_params(statements)
    found: list[Variable] = []
    seen: set[str] = set()
    for start, stop, args, label in _enclosing_units(statements):
        dummies = {a.strip().lower() for a in args.strip("()").split(",") if a.strip()}
        for line_no, text in statements[start + 1 : stop]:
            for name, type_text, array in _declared(text, kinds):
                key = name.lower()
                if key in seen:
                    continue
                seen.add(key)
                kind = "dummy" if key in dummies else label
                found.append(Variable(name, type_text, kind, line_no, array))
    return found


def _enclosing_units(statements: list[tuple[int, str]]) -> list[tuple[int, int, str, str]]:
    """The program units enclosing the last statement, innermost first.

    Each is (start index, end index, dummy argument list, "local" or "host"); a host unit ends at
    its ``contains``. Complete sibling units met walking back are skipped.
    """
    regions: list[tuple[int, int, str, str]] = []
    depth = 0
    end_idx = len(statements)
    for idx in range(len(statements) - 1, -1, -1):
        text = statements[idx][1]
        if _F_END_UNIT.match(text):
            depth += 1
            continue
        m = _F_UNIT.match(text)
        if m is None or (
            m.group("what").lower() == "module" and re.match(r"\s*module\s+procedure", text, re.I)
        ):
            continue
        if depth > 0:
            depth -= 1
            continue
        args = m.group("args") or ""
        if not regions:
            regions.append((idx, end_idx, args, "local"))
        else:
            stop = next(
                (j for j in range(idx + 1, len(statements)) if _F_CONTAINS.match(statements[j][1])), end_idx
            )
            regions.append((idx, stop, args, "host"))
    if not regions:
        regions.append((0, end_idx, "", "local"))
    return regions


def _declared(text: str, kinds: dict[str, int]) -> list[tuple[str, str, bool]]:
    """(name, normalised type, is an array) for each variable a type declaration statement declares."""
    m = _F_DECL.match(text)
    if m is None:
        return []
    rest = m.group("rest")
    if re.match(r"\s*function\b", rest, re.I):
        return []
    attrs = ""
    if "::" in rest:
        attrs, names_part = rest.split("::", 1)
    else:
        names_part = rest
        after = m.end("kind") if m.group("kind") else m.end("type")
        if not text[after : after + 1].isspace() or "=" in rest:
            return []
    type_text = normalise_fortran_type(m.group("type"), m.group("kind"), kinds)
    dim_attr = "dimension" in attrs.lower()
    out = []
    for item in _split_top(names_part):
        nm = re.match(r"\s*(\w+)\s*(\()?", item)
        if nm is not None:
            out.append((nm.group(1), type_text, dim_attr or nm.group(2) is not None))
    return out
