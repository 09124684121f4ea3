"""Static HPC completions: OpenMP directives and clauses, MPI calls and datatypes, CUDA APIs.

A completion provider (``ls.add_completion_provider``) that looks at the text around the
cursor and answers from the built-in cards (``hpclsp.kb``) and the OpenMP tables
(``hpclsp.analysis.omp_spec``); no model, no retrieval, nothing slow. Contexts, in order:

1. inside an OpenMP directive (``#pragma omp`` / ``!$omp``): directive names (combined ones,
   in the language's spelling), then the clauses the directive accepts and that are not
   written yet; inside a clause's parentheses: reduction operators then variables, map/depend
   types, schedule/default/proc_bind kinds, or the variables in scope;
2. inside the arguments of an MPI call: for a datatype argument, the datatypes matching the
   buffer's declared type first; for a communicator/op/status/source/tag argument, the
   matching predefined constants; variables in scope;
3. an identifier being typed: ``MPI_*`` routines (snippets from the cards), constants and
   datatypes; ``omp_*`` runtime routines; CUDA runtime API; in device code (inside a
   ``__global__``/``__device__`` function) the built-ins and intrinsics; a
   ``kernel<<<grid, block>>>(...)`` launch snippet for the file's ``__global__`` functions.

Every item carries the card as Markdown documentation, its signature as ``detail``, a
``textEdit`` replacing the typed prefix, and a ``sortText`` that ranks by context.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from hpclsp import kb
from hpclsp.analysis import omp_spec
from hpclsp.analysis.findings import Pos
from hpclsp.analysis.hostcode.mpi_tables import RULE_PARAMS
from hpclsp.completion import context as cx
from hpclsp.completion import scope

if TYPE_CHECKING:
    from hpclsp.documents import Document
    from hpclsp.server import HpcLanguageServer

log = logging.getLogger(__name__)

K = types.CompletionItemKind
#: Above this many items, documentation is shortened to signature + summary (keeps responses small).
FULL_DOC_LIMIT = 80

_PLACEHOLDER = re.compile(r"\$\{\d+:([^}]*)\}|\$\{\d+\|([^,|}]*)[^}]*\|\}|\$\d+")


def snippet_to_plain(snippet: str) -> str:
    """An LSP snippet as plain text: placeholders become their default text, tab stops vanish."""
    return _PLACEHOLDER.sub(lambda m: m.group(1) if m.group(1) is not None else (m.group(2) or ""), snippet)


def _escape_snippet(text: str) -> str:
    return text.replace("\\", "\\\\").replace("$", "\\$").replace("}", "\\}")


# --------------------------------------------------------------------------------------------
# Card helpers (cached per process)
# --------------------------------------------------------------------------------------------

_DOC_CACHE: dict[tuple[str, str, bool], str] = {}


def card_doc(card: kb.Card, language: str, full: bool = True) -> str:
    """The card's Markdown for an item (full card, or signature + summary + source when ``full`` is False)."""
    key = (card.id, language, full)
    text = _DOC_CACHE.get(key)
    if text is None:
        if full:
            text = kb.render_markdown(card, language)
        else:
            sig = card.signature(language)
            fence = "fortran" if language == "fortran" else ("cuda" if language == "cuda" else "c")
            parts = [f"```{fence}\n{sig}\n```"] if sig else []
            parts.append(card.summary)
            parts.append(f"*Source: {kb.SOURCE_LABEL} `{card.id}`*")
            text = "\n\n".join(parts)
        _DOC_CACHE[key] = text
    return text


def _sig_line(card: kb.Card, language: str) -> str:
    sig = card.signature(language) or card.name
    return sig.splitlines()[0]


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
_MPI_COMMON = frozenset(RULE_PARAMS) | {
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


# --------------------------------------------------------------------------------------------
# The provider
# --------------------------------------------------------------------------------------------


class _Request:
    """One completion request: the document, the cursor and how to build items."""

    def __init__(self, ls: HpcLanguageServer, doc: Document, pos: Pos) -> None:
        self.ls = ls
        self.doc = doc
        self.pos = pos
        self.language = doc.language or "c"
        self.family = "fortran" if self.language == "fortran" else "c"
        self.line = doc.line_text(pos.line)
        self.snippets = _snippet_support(ls)
        self._vars: list[scope.Variable] | None = None
        self._byte_offset: int | None = None

    # -- positions and items -------------------------------------------------------------
    def range_from(self, start_col: int) -> types.Range:
        return types.Range(
            start=self.doc.to_lsp_position(Pos(self.pos.line, start_col)),
            end=self.doc.to_lsp_position(self.pos),
        )

    def item(
        self,
        label: str,
        kind: types.CompletionItemKind,
        new_text: str,
        start_col: int,
        sort: str,
        *,
        detail: str | None = None,
        doc: str | None = None,
        snippet: bool = False,
        filter_text: str | None = None,
        preselect: bool = False,
        label_detail: str | None = None,
    ) -> types.CompletionItem:
        if snippet and not self.snippets:
            new_text, snippet = snippet_to_plain(new_text), False
        return types.CompletionItem(
            label=label,
            kind=kind,
            detail=detail,
            documentation=types.MarkupContent(kind=types.MarkupKind.Markdown, value=doc) if doc else None,
            sort_text=sort,
            filter_text=filter_text or label,
            text_edit=types.TextEdit(range=self.range_from(start_col), new_text=new_text),
            insert_text_format=types.InsertTextFormat.Snippet
            if snippet
            else types.InsertTextFormat.PlainText,
            preselect=preselect or None,
            label_details=types.CompletionItemLabelDetails(description=label_detail)
            if label_detail
            else None,
        )

    # -- scope -----------------------------------------------------------------------------
    def byte_offset(self) -> int:
        if self._byte_offset is None:
            src = self.doc.source()
            starts = src.cache.get("completion.line_bytes")
            if starts is None:
                starts = [0]
                data = src.data
                i = data.find(b"\n")
                while i >= 0:
                    starts.append(i + 1)
                    i = data.find(b"\n", i + 1)
                src.cache["completion.line_bytes"] = starts
            line = min(self.pos.line, len(starts) - 1)
            self._byte_offset = starts[line] + len(self.line[: self.pos.col].encode("utf-8", "surrogatepass"))
        return self._byte_offset

    def variables(self) -> list[scope.Variable]:
        """Variables visible at the cursor."""
        if self._vars is None:
            try:
                if self.family == "fortran":
                    self._vars = scope.fortran_variables(self.doc.lines, self.pos, self.doc.fixed_form)
                elif self.doc.tree is None:
                    self._vars = []
                else:
                    src = self.doc.source()
                    self._vars = scope.c_variables(src.tree, src.data, self.byte_offset())
            except Exception:
                log.exception("scope collection failed")
                self._vars = []
        return self._vars

    def variable_items(
        self,
        start_col: int,
        partial: str,
        rank: str = "1",
        exclude: Iterable[str] = (),
        limit_type: str | None = None,
    ) -> list[types.CompletionItem]:
        excl = {e.lower() for e in exclude}
        out = []
        low = partial.lower()
        for i, v in enumerate(self.variables()):
            if v.name.lower() in excl or not v.name.lower().startswith(low):
                continue
            if limit_type is not None and v.type != limit_type:
                continue
            out.append(
                self.item(
                    v.name, K.Variable, v.name, start_col, f"{rank}{i:04d}",
                    detail=f"{v.describe()} ({v.kind})", label_detail=v.type or None,
                )
            )  # fmt: skip
        return out

    def in_device_code(self) -> bool:
        """True inside the body of a ``__global__`` or ``__device__`` function (CUDA files only)."""
        if self.language != "cuda" or self.doc.tree is None:
            return False
        src = self.doc.source()
        fn = scope.enclosing_function(src.tree, self.byte_offset())
        return fn is not None and bool(scope.function_qualifiers(fn) & {"__global__", "__device__"})

    def at_file_scope(self) -> bool:
        if self.doc.tree is None:
            return True
        src = self.doc.source()
        return scope.enclosing_function(src.tree, self.byte_offset()) is None

    # -- entry ----------------------------------------------------------------------------
    def run(self) -> list[types.CompletionItem]:
        d = cx.directive_at(self.doc.lines, self.pos, self.language, self.doc.fixed_form)
        if d is not None:
            return self.directive_items(d)
        if self._in_comment_or_string():
            return []
        call = cx.call_at(self.doc.lines, self.pos)
        if call is not None and call.name.upper().startswith("MPI_"):
            items = self.mpi_argument_items(call)
            if items is not None:
                return items
        return self.word_items()

    def _in_comment_or_string(self) -> bool:
        before = self.line[: self.pos.col]
        if self.family == "fortran":
            if self.doc.fixed_form and before[:1] in ("c", "C", "*", "!"):
                return True
            return "!" in _strip_quoted(before)
        stripped = _strip_quoted(before)
        if "//" in stripped or stripped.count('"') % 2 == 1:
            return True
        return before.lstrip().startswith(("*", "/*"))

    # -- OpenMP ---------------------------------------------------------------------------
    def directive_items(self, d: cx.DirectiveContext) -> list[types.CompletionItem]:
        lang = self.family
        start_col = self.pos.col - len(d.partial)
        case = str.upper if d.upper else (lambda s: s)
        if d.clause is not None:
            return self.clause_argument_items(d, start_col, case)
        names = omp_spec.directive_name_set(lang)
        # The longest leading run of words that is a directive.
        directive = None
        for n in range(min(len(d.words), omp_spec.max_name_words()), 0, -1):
            cand = " ".join(d.words[:n])
            if cand in names:
                directive = cand
                break
        items: list[types.CompletionItem] = []
        typed = d.words
        partial_low = d.partial.lower()
        if directive is None or len(typed) == len(directive.split()):
            # Directive names (or the rest of a combined name) continuing the words typed so far.
            k = len(typed)
            seen: set[str] = set()
            for name in omp_spec.directive_names(lang):
                w = name.split()
                if len(w) <= k or w[:k] != typed or not w[k].startswith(partial_low):
                    continue
                rest = " ".join(w[k:])
                if rest in seen:
                    continue
                seen.add(rest)
                card = kb.card(name, "openmp", "directive")
                info = omp_spec.directive_info(name, lang)
                summary = info.summary if info is not None else ""
                rank = "0" if len(w) == k + 1 else "1"
                items.append(
                    self.item(
                        case(name), K.Keyword, case(rest), start_col, f"{rank}{len(w):02d}{name}",
                        detail=f"{d.sentinel} {case(name)}" + (f" — {summary}" if summary else ""),
                        doc=card_doc(card, self.language) if card is not None else summary or None,
                        filter_text=case(rest),
                    )
                )  # fmt: skip
        if directive is not None:
            present = set(d.present) | {
                w for w in d.words[len(directive.split()) :] if omp_spec.clause_info(w)
            }
            for clause in omp_spec.clauses_for(directive, lang):
                if clause in present or not clause.startswith(partial_low):
                    continue
                cinfo = omp_spec.clause_info(clause)
                card = kb.card(clause, "openmp", "clause")
                needs_args = cinfo is not None and cinfo.args == "required"
                label = case(clause)
                if needs_args:
                    text = f"{label}($1)$0" if self.snippets else f"{label}("
                else:
                    text = label
                # Data-sharing clauses are what a loop usually needs: rank them first.
                rank = (
                    "2"
                    if clause in omp_spec.DATA_SHARING_CLAUSES or clause in ("schedule", "collapse")
                    else "3"
                )
                items.append(
                    self.item(
                        label + ("(…)" if needs_args else ""), K.Property, text, start_col, f"{rank}{clause}",
                        detail=(cinfo.summary if cinfo else None), doc=card_doc(card, self.language) if card else None,
                        snippet=needs_args and self.snippets, filter_text=label,
                    )
                )  # fmt: skip
        return items

    def clause_argument_items(
        self, d: cx.DirectiveContext, start_col: int, case: Any
    ) -> list[types.CompletionItem]:
        clause = d.clause or ""
        info = omp_spec.clause_info(clause)
        args = d.clause_args
        top_colon = _top_level_colon(args)
        after_colon = args[top_colon + 1 :] if top_colon >= 0 else args
        listed = [x.strip() for x in re.split(r"[,:]", args) if x.strip()]
        items: list[types.CompletionItem] = []
        partial = d.partial
        if info is None:
            return self.variable_items(start_col, partial, exclude=listed)
        keywords: list[tuple[str, str]] = []  # (keyword, what)
        if clause in omp_spec.REDUCTION_CLAUSES:
            if top_colon < 0:
                ops = sorted(omp_spec.reduction_operators(self.family), key=_op_order)
                for i, op in enumerate(ops):
                    if not op.startswith(partial.lower()):
                        continue
                    text = case(op) + ":"
                    items.append(
                        self.item(
                            case(op), K.Operator, text, start_col, f"0{i:02d}",
                            detail=f"{clause} operator", filter_text=case(op),
                        )
                    )  # fmt: skip
                if clause == "reduction" and "," not in args:
                    keywords = [(m, "reduction modifier") for m in sorted(omp_spec.REDUCTION_MODIFIERS)]
                items.extend(self._keyword_items(keywords, start_col, partial, case, rank="1", suffix=", "))
                return items
            return self.variable_items(start_col, partial, exclude=_items_after(after_colon))
        if clause == "map" and top_colon < 0:
            keywords = [(t, "map type") for t in sorted(omp_spec.MAP_TYPES)]
            keywords += [
                (t, "map-type modifier") for t in sorted(omp_spec.MAP_TYPE_MODIFIERS - {"mapper", "iterator"})
            ]
            items.extend(self._keyword_items(keywords, start_col, partial, case, rank="0", suffix=": "))
            items.extend(self.variable_items(start_col, partial, rank="1", exclude=listed))
            return items
        if clause in ("depend", "doacross") and top_colon < 0:
            kinds = omp_spec.DEPEND_TYPES if clause == "depend" else omp_spec.DOACROSS_TYPES
            keywords = [(t, f"{clause} type") for t in sorted(kinds)]
            return self._keyword_items(keywords, start_col, partial, case, rank="0", suffix=": ")
        if clause == "defaultmap":
            if top_colon < 0:
                keywords = [(t, "implicit behaviour") for t in sorted(omp_spec.DEFAULTMAP_BEHAVIORS)]
                return self._keyword_items(keywords, start_col, partial, case, rank="0", suffix=": ")
            keywords = [(t, "variable category") for t in sorted(omp_spec.DEFAULTMAP_CATEGORIES)]
            return self._keyword_items(keywords, start_col, partial, case, rank="0")
        if info.shape in ("keyword", "kind_expr", "mod_keyword") and info.kinds:
            if "," in args:  # schedule(dynamic, <chunk>)
                return self.variable_items(start_col, partial, exclude=())
            keywords = [(t, f"{clause} kind") for t in sorted(info.kinds)]
            items.extend(self._keyword_items(keywords, start_col, partial, case, rank="0"))
            if top_colon < 0 and info.modifiers:
                mods = [(t, f"{clause} modifier") for t in sorted(info.modifiers)]
                items.extend(self._keyword_items(mods, start_col, partial, case, rank="1", suffix=": "))
            return items
        if clause == "if" and top_colon < 0:
            mods = [(t, "directive-name modifier") for t in sorted(omp_spec.IF_MODIFIERS) if " " not in t]
            items.extend(self._keyword_items(mods, start_col, partial, case, rank="1", suffix=": "))
            items.extend(self.variable_items(start_col, partial, rank="0"))
            return items
        if clause == "lastprivate" and top_colon < 0:
            items.extend(self._keyword_items([("conditional", "lastprivate modifier")], start_col, partial, case,
                                             rank="2", suffix=": "))  # fmt: skip
        if info.shape == "list_step" and top_colon >= 0:
            return self.variable_items(start_col, partial)
        if info.shape in ("list", "mod_list", "list_step"):
            items.extend(self.variable_items(start_col, partial, rank="0", exclude=_items_after(after_colon)))
            return items
        if info.shape in ("expr", "mod_expr", "exprlist"):
            return self.variable_items(start_col, partial, rank="0")
        return items

    def _keyword_items(
        self,
        keywords: list[tuple[str, str]],
        start_col: int,
        partial: str,
        case: Any,
        rank: str,
        suffix: str = "",
    ) -> list[types.CompletionItem]:
        out = []
        low = partial.lower()
        for i, (kw, what) in enumerate(keywords):
            if not kw.startswith(low):
                continue
            out.append(
                self.item(case(kw), K.EnumMember, case(kw) + suffix.rstrip() if suffix else case(kw), start_col,
                          f"{rank}{i:03d}", detail=what, filter_text=case(kw))
            )  # fmt: skip
        return out

    # -- MPI arguments ----------------------------------------------------------------------
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
                self.item(c.name, K.Constant, c.name, start_col, f"0{i:03d}{c.name}", detail=_sig_line(c, self.language),
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
                    c.name, K.Constant, c.name, start_col, f"{rank}{c.name}", detail=_sig_line(c, self.language),
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

    # -- identifiers ----------------------------------------------------------------------
    def word_items(self) -> list[types.CompletionItem]:
        partial, start_col = cx.prefix_at(self.line, self.pos.col)
        items: list[types.CompletionItem] = []
        before = self.line[:start_col]
        if self.language == "cuda" and not partial:
            m = re.search(r"([A-Za-z_][A-Za-z0-9_]*)\s*(<{1,3})$", before)
            if m:
                return self.launch_items(m.group(1), start_col - len(m.group(2)))
        if len(partial) < 2:
            return items
        up = partial.upper()
        if up.startswith("MPI") or "MPI_".startswith(up):
            items.extend(self.mpi_items(partial, start_col, before))
        if up.startswith("OMP"):
            items.extend(self.omp_runtime_items(partial, start_col))
        items.extend(self.cuda_items(partial, start_col))
        return items

    def _docs_full(self, n: int) -> bool:
        return n <= FULL_DOC_LIMIT

    def mpi_items(self, partial: str, start_col: int, before: str) -> list[types.CompletionItem]:
        lang_key = "fortran" if self.family == "fortran" else "c"
        up = partial.upper()
        chosen = [
            c for c in kb.by_family("mpi")
            if c.kind in ("routine", "constant", "datatype", "type")
            and (lang_key in c.signatures or (c.kind == "routine" and "c" in c.signatures))
            and c.name.upper().startswith(up)
        ]  # fmt: skip
        full = self._docs_full(len(chosen))
        common = _MPI_COMMON
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
                        c.name, K.Function, snippet, start_col, f"{rank}{c.name}", detail=_sig_line(c, self.language),
                        doc=card_doc(c, self.language, full), snippet=True, filter_text=c.name,
                    )
                )  # fmt: skip
            else:
                kind = {"constant": K.Constant, "datatype": K.Constant, "type": K.Struct}[c.kind]
                rank = {"constant": "2", "datatype": "3", "type": "4"}[c.kind]
                items.append(
                    self.item(c.name, kind, c.name, start_col, f"{rank}{c.name}", detail=_sig_line(c, self.language),
                              doc=card_doc(c, self.language, full))
                )  # fmt: skip
        return items

    def omp_runtime_items(self, partial: str, start_col: int) -> list[types.CompletionItem]:
        low = partial.lower()
        chosen = [
            c for c in kb.by_family("openmp")
            if c.kind in ("routine", "type", "constant") and c.name.lower().startswith(low)
        ]  # fmt: skip
        full = self._docs_full(len(chosen))
        items = []
        for c in chosen:
            if c.kind == "routine":
                text = c.completion_text(self.language) or f"{c.name}()"
                if (
                    self.family == "fortran"
                    and text.lower().startswith("call ")
                    and re.search(r"\bcall\s+$", self.line[:start_col], re.IGNORECASE)
                ):
                    text = text[5:]
                items.append(
                    self.item(c.name, K.Function, text, start_col, f"0{c.name}", detail=_sig_line(c, self.language),
                              doc=card_doc(c, self.language, full), snippet=True, filter_text=c.name)
                )  # fmt: skip
            else:
                items.append(
                    self.item(c.name, K.Struct if c.kind == "type" else K.Constant, c.name, start_col, f"1{c.name}",
                              detail=_sig_line(c, self.language), doc=card_doc(c, self.language, full))
                )  # fmt: skip
        return items

    def cuda_items(self, partial: str, start_col: int) -> list[types.CompletionItem]:
        if self.family == "fortran":
            return []
        items: list[types.CompletionItem] = []
        if self.language != "cuda":
            if not partial.startswith("cuda"):
                return items
            kinds = {"routine", "type", "constant"}
            device = False
        else:
            device = self.in_device_code()
            kinds = {"routine", "type", "constant", "qualifier"}
            if device:
                kinds |= {"builtin", "intrinsic"}
        file_scope = self.language == "cuda" and self.at_file_scope()
        chosen = []
        for c in kb.by_family("cuda"):
            if c.kind not in kinds or not c.name.startswith(partial) or " " in c.name:
                continue
            if c.kind == "routine" and c.name.startswith("cooperative_groups::") and not device:
                continue
            if c.kind == "qualifier" and not _qualifier_fits(c.name, device, file_scope):
                continue
            chosen.append(c)
        full = self._docs_full(len(chosen))
        for c in chosen:
            kind = {
                "routine": K.Function, "intrinsic": K.Function, "type": K.Struct, "constant": K.Constant,
                "builtin": K.Variable, "qualifier": K.Keyword,
            }[c.kind]  # fmt: skip
            text = c.completion_text("cuda") or c.name
            rank = "0" if c.kind in ("builtin", "intrinsic") else "1"
            items.append(
                self.item(c.name, kind, text, start_col, f"{rank}{c.name}", detail=_sig_line(c, "cuda"),
                          doc=card_doc(c, "cuda", full), snippet=text != c.name, filter_text=c.name)
            )  # fmt: skip
        if self.language == "cuda":
            items.extend(self._kernel_launch_by_name(partial, start_col))
        return items

    def _kernels(self) -> dict[str, Any]:
        if self.doc.tree is None:
            return {}
        src = self.doc.source()
        cached = src.cache.get("completion.kernels")
        if cached is None:
            cached = {}
            for name, fn in scope.c_function_names(src.tree, src.data).items():
                if "__global__" in scope.function_qualifiers(fn):
                    cached[name] = scope.parameter_names(fn, src.data)
            src.cache["completion.kernels"] = cached
        return cached

    def _launch_text(self, params: list[str]) -> str:
        args = ", ".join(f"${{{i + 3}:{_escape_snippet(p)}}}" for i, p in enumerate(params))
        return "<<<${1:grid}, ${2:block}>>>(" + args + ")$0"

    def _kernel_launch_by_name(self, partial: str, start_col: int) -> list[types.CompletionItem]:
        if self.in_device_code():
            return []
        launch = kb.card("<<<>>>", "cuda", "launch")
        out = []
        for name, params in self._kernels().items():
            if not name.startswith(partial):
                continue
            out.append(
                self.item(
                    f"{name}<<<grid, block>>>", K.Snippet, name + self._launch_text(params), start_col, f"0{name}",
                    detail=f"launch __global__ {name}({', '.join(params)})", snippet=True, filter_text=name,
                    doc=card_doc(launch, "cuda") if launch else None,
                )
            )  # fmt: skip
        return out

    def launch_items(self, name: str, start_col: int) -> list[types.CompletionItem]:
        """After ``kernel<``: the execution configuration and the kernel's arguments."""
        params = self._kernels().get(name)
        if params is None:
            return []
        launch = kb.card("<<<>>>", "cuda", "launch")
        return [
            self.item(
                "<<<grid, block>>>", K.Snippet, self._launch_text(params), start_col, "0",
                detail=f"launch __global__ {name}({', '.join(params)})", snippet=True,
                filter_text="<<<", doc=card_doc(launch, "cuda") if launch else None,
            )
        ]  # fmt: skip


def _qualifier_fits(name: str, device: bool, file_scope: bool) -> bool:
    if name in ("__shared__",):
        return device
    if name in ("__global__", "__host__", "__constant__", "__managed__", "__launch_bounds__", "__forceinline__",
                "__noinline__"):  # fmt: skip
        return file_scope
    if name == "__device__":
        return file_scope
    return True


def _strip_quoted(text: str) -> str:
    return re.sub(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'', '""', text)


def _top_level_colon(text: str) -> int:
    depth = 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == ":" and depth == 0 and not text[i + 1 : i + 2] == ":" and not text[i - 1 : i] == ":":
            return i
    return -1


def _items_after(text: str) -> list[str]:
    return [m.group(0) for m in re.finditer(r"[A-Za-z_][A-Za-z0-9_]*", text)]


_OP_ORDER = ["+", "*", "max", "min", "-", "&&", "||", ".and.", ".or.", "&", "|", "^", "iand", "ior", "ieor",
             ".eqv.", ".neqv."]  # fmt: skip


def _op_order(op: str) -> int:
    return _OP_ORDER.index(op) if op in _OP_ORDER else len(_OP_ORDER)


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


def _snippet_support(ls: HpcLanguageServer) -> bool:
    caps = getattr(ls, "client_capabilities", None)
    try:
        return bool(caps.text_document.completion.completion_item.snippet_support)  # type: ignore[union-attr]
    except AttributeError:
        return False


def provide(
    ls: HpcLanguageServer, doc: Document, pos: Pos, params: types.CompletionParams | None = None
) -> list[types.CompletionItem] | None:
    """The static HPC completion items at a position (None when the document has no language)."""
    if doc.language is None:
        return None
    try:
        return _Request(ls, doc, pos).run()
    except Exception:
        log.exception("hpc completion failed at %s:%s", doc.uri, pos)
        return []


def register(ls: HpcLanguageServer) -> None:
    """Register the static HPC completion provider."""
    # Load the cards off the event loop after start-up, so the first completion does not pay for it.
    ls.on_initialized(
        lambda _ls: threading.Thread(target=kb.get, name="hpclsp-kb-warmup", daemon=True).start()
    )
    ls.add_completion_provider(provide, priority=30)
