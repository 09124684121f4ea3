"""Completion items for MPI: routines, constants and datatypes by name, and call arguments.

Inside the arguments of an MPI call, a datatype argument offers the datatypes matching the
buffer's declared type first; a communicator/op/status/source/tag argument the matching
predefined constants; other arguments the variables in scope. Routines the analyses model
(``hostcode.mpi_tables``) rank first among names.
"""

from __future__ import annotations

import re

from lsprotocol import types

from hpclsp import kb
from hpclsp.analysis.hostcode.mpi_tables import RULE_PARAMS
from hpclsp.completion import context as cx
from hpclsp.completion.items import ItemBuilder, K, card_doc, sig_line


def datatype_matches(card: kb.Card) -> tuple[str, ...]:
    """The declared types an MPI datatype card matches (its ``matches`` parameter, split on commas)."""
    out: list[str] = []
    for p in card.parameters:
        if p.name == "matches":
            out.extend(
                " ".join(x.split()).lower() if "fortran" in card.signatures else " ".join(x.split())
                for x in _split_matches(p.description)
            )
    return tuple(out)


def _split_matches(text: str) -> list[str]:
    # "integer, dimension(2)" is one type; "double, float" would be two: split at commas not followed by an attribute.
    if "dimension" in text or "struct" in text:
        return [text]
    return [t for t in (s.strip() for s in text.split(",")) if t]


#: Upper-case names of the MPI routines the analysis models (ranked first among MPI completions).
MPI_COMMON = frozenset(RULE_PARAMS) | {
    "MPI_INIT", "MPI_FINALIZE", "MPI_WTIME", "MPI_ABORT", "MPI_GATHERV", "MPI_SCATTERV",
    "MPI_ALLGATHERV", "MPI_SENDRECV", "MPI_PROBE", "MPI_GET_COUNT",
}  # fmt: skip


def _c_params(signature: str) -> list[tuple[str, str]]:
    """(type, name) of each parameter of a C prototype."""
    a, b = signature.find("("), signature.rfind(")")
    if a < 0 or b <= a:
        return []
    inner = signature[a + 1 : b].strip()
    if not inner or inner == "void":
        return []
    out = []
    for part in inner.split(","):
        part = part.strip()
        m = re.match(r"^(.*?)([A-Za-z_][A-Za-z0-9_]*)\s*(\[\s*\])?$", part)
        if m is None:
            out.append((part, ""))
            continue
        out.append((" ".join((m.group(1) + (" *" if m.group(3) else "")).split()), m.group(2)))
    return out


class MpiItems(ItemBuilder):
    """The MPI items of a request."""

    def mpi_argument_items(self, call: cx.CallContext) -> list[types.CompletionItem] | None:
        card = kb.card(call.name, "mpi", "routine")
        if card is None:
            return None
        params = _c_params(card.signatures.get("c", ""))
        if call.index >= len(params):
            return None
        ptype, pname = params[call.index]
        partial, start_col = cx.prefix_at(self.line, self.pos.col)
        if ptype == "MPI_Datatype":
            return self.datatype_items(call, params, pname, partial, start_col)
        ctype = ptype.replace("const ", "").strip()
        constants = self._mpi_constants_for(ctype, pname)
        items = []
        for i, c in enumerate(constants):
            if not c.name.upper().startswith(partial.upper()):
                continue
            items.append(
                self.item(c.name, K.Constant, c.name, start_col, f"0{i:03d}{c.name}", detail=sig_line(c, self.language),
                          doc=card_doc(c, self.language))
            )  # fmt: skip
        vtype = ctype.rstrip(" *") if ctype.startswith("MPI_") else None
        if vtype and self.family == "c":
            items.extend(self.variable_items(start_col, partial, rank="1", limit_type=vtype))
        elif vtype is None:
            items.extend(self.variable_items(start_col, partial, rank="1"))
        if not items and not partial:
            return []
        return items or None

    def _mpi_constants_for(self, ctype: str, pname: str) -> list[kb.Card]:
        out = []
        want = ctype.rstrip(" *")
        lang_key = "fortran" if self.family == "fortran" else "c"
        for c in kb.by_family("mpi", "constant"):
            sig = c.signatures.get("c", "")
            if lang_key not in c.signatures and lang_key != "c":
                continue
            ctyp = sig.rsplit(" ", 1)[0].strip() if sig else ""
            ctyp = ctyp.replace("const ", "").strip()
            if want in (
                "MPI_Comm",
                "MPI_Op",
                "MPI_Info",
                "MPI_Group",
                "MPI_Errhandler",
                "MPI_Win",
                "MPI_Request",
            ):
                if ctyp == want:
                    out.append(c)
            elif want.startswith("MPI_Status"):
                if "STATUS" in c.name:
                    out.append(c)
            elif want == "int" and pname:
                key = pname.upper()
                if ctyp == "int" and (
                    key in c.name
                    or (key in ("DEST", "SOURCE", "ROOT") and c.name == "MPI_PROC_NULL")
                    or (key == "ROOT" and c.name == "MPI_ROOT")
                ):
                    out.append(c)
            elif want == "void" and pname.endswith("buf") and c.name in ("MPI_IN_PLACE", "MPI_BOTTOM"):
                out.append(c)
        return out

    def datatype_items(
        self, call: cx.CallContext, params: list[tuple[str, str]], pname: str, partial: str, start_col: int
    ) -> list[types.CompletionItem]:
        buffer_type = self._buffer_type(call, params, pname)
        lang_key = "fortran" if self.family == "fortran" else "c"
        cards = [c for c in kb.by_family("mpi", "datatype") if lang_key in c.signatures]
        wanted = _normalise_for_match(buffer_type, self.family) if buffer_type else None
        matched = [c for c in cards if wanted and wanted in datatype_matches(c)]
        # Best first: a required (not sized, optional) datatype, the type being its primary match,
        # and the C or C++ flavour of bool that fits the language.
        matched.sort(
            key=lambda c: (
                c.name[-1].isdigit(),
                datatype_matches(c).index(wanted) if wanted in datatype_matches(c) else 99,
                ("CXX" in c.name) != (self.language == "cpp"),
            )
        )
        items = []
        for c in cards:
            if not c.name.upper().startswith(partial.upper()):
                continue
            if c in matched:
                rank, pre = f"0{matched.index(c)}", matched.index(c) == 0
            else:
                rank, pre = "2", False
            items.append(
                self.item(
                    c.name, K.Constant, c.name, start_col, f"{rank}{c.name}", detail=sig_line(c, self.language),
                    doc=card_doc(c, self.language), preselect=pre,
                    label_detail=f"matches {buffer_type}" if c in matched else None,
                )
            )  # fmt: skip
        # Derived datatypes the user built (MPI_Datatype variables in C; TYPE(MPI_Datatype) in Fortran).
        for v in self.variables():
            if v.name.upper().startswith(partial.upper()) and v.type.replace(" ", "").lower() in (
                "mpi_datatype", "type(mpi_datatype)"
            ):  # fmt: skip
                items.append(
                    self.item(v.name, K.Variable, v.name, start_col, f"1{v.name}", detail=v.describe())
                )
        return items

    def _buffer_type(self, call: cx.CallContext, params: list[tuple[str, str]], pname: str) -> str | None:
        names = [n for _, n in params]
        args = call.args

        def arg_of(name: str) -> str | None:
            if name in names:
                i = names.index(name)
                if i < len(args):
                    return args[i]
            return None

        candidates: list[str]
        if pname == "sendtype":
            candidates = ["sendbuf"]
        elif pname == "recvtype":
            candidates = ["recvbuf"]
        elif pname.startswith("origin_"):
            candidates = ["origin_addr"]
        elif pname.startswith("result_"):
            candidates = ["result_addr"]
        else:
            candidates = ["buf", "buffer", "sendbuf", "inbuf", "inoutbuf", "recvbuf", "origin_addr"]
        for cand in candidates:
            text = arg_of(cand)
            if text is None or not text.strip():
                continue
            if text.strip().upper() in ("MPI_IN_PLACE", "MPI_BOTTOM"):
                continue
            name = _base_identifier(text)
            if name is None:
                continue
            for v in self.variables():
                if v.name == name or (self.family == "fortran" and v.name.lower() == name.lower()):
                    return v.type or None
            return None
        return None

    def mpi_items(self, partial: str, start_col: int, before: str) -> list[types.CompletionItem]:
        lang_key = "fortran" if self.family == "fortran" else "c"
        up = partial.upper()
        chosen = [
            c for c in kb.by_family("mpi")
            if c.kind in ("routine", "constant", "datatype", "type")
            and (lang_key in c.signatures or (c.kind == "routine" and "c" in c.signatures))
            and c.name.upper().startswith(up)
        ]  # fmt: skip
        full = self.docs_full(len(chosen))
        common = MPI_COMMON
        has_call = bool(re.search(r"\bcall\s+$", before, re.IGNORECASE))
        next_char = self.line[self.pos.col : self.pos.col + 1]
        items = []
        for c in chosen:
            if c.kind == "routine":
                snippet = c.completion_text(self.language) or c.name
                if self.family == "fortran":
                    if has_call:
                        snippet = re.sub(r"^\s*call\s+", "", snippet, flags=re.IGNORECASE)
                    elif not snippet.lower().startswith("call "):
                        snippet = "call " + snippet
                if next_char == "(":  # the argument list is already there: insert the name only
                    snippet = ("call " if self.family == "fortran" and not has_call else "") + c.name
                rank = "0" if c.name.upper() in common else "1"
                items.append(
                    self.item(
                        c.name, K.Function, snippet, start_col, f"{rank}{c.name}", detail=sig_line(c, self.language),
                        doc=card_doc(c, self.language, full), snippet=True, filter_text=c.name,
                    )
                )  # fmt: skip
            else:
                kind = {"constant": K.Constant, "datatype": K.Constant, "type": K.Struct}[c.kind]
                rank = {"constant": "2", "datatype": "3", "type": "4"}[c.kind]
                items.append(
                    self.item(c.name, kind, c.name, start_col, f"{rank}{c.name}", detail=sig_line(c, self.language),
                              doc=card_doc(c, self.language, full))
                )  # fmt: skip
        return items


def _base_identifier(expr: str) -> str | None:
    """The variable an MPI buffer argument names: ``&x[0]`` -> x, ``(void *) buf + off`` -> buf, ``a(1:n)`` -> a."""
    e = expr.strip()
    e = re.sub(r"^\(\s*[A-Za-z_][\w\s]*\**\s*\)\s*", "", e)  # a C cast
    e = e.lstrip("&*( ")
    m = re.match(r"[A-Za-z_][A-Za-z0-9_]*", e)
    if m is None:
        return None
    name = m.group(0)
    rest = e[m.end() :].lstrip()
    if rest.startswith(("->", ".")) and not re.match(r"\.\s*data\s*\(\s*\)", rest):
        return None  # a struct member: its type is not a variable's
    return name


def _normalise_for_match(type_text: str, family: str) -> str:
    if family == "fortran":
        return " ".join(type_text.lower().split())
    return " ".join(type_text.split())
