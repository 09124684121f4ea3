"""Static HPC completions: OpenMP directives and clauses, MPI calls and datatypes, CUDA APIs.

A completion provider (``ls.add_completion_provider``) that looks at the text around the
cursor and answers from the built-in cards (``hpclsp.kb``) and the OpenMP tables
(``hpclsp.analysis.openmp.spec``); no model, no retrieval, nothing slow. The item families live in
``hpclsp.completion`` (``items``, ``omp_items``, ``mpi_items``); this module chooses between
them and adds the OpenMP runtime and CUDA items. Contexts, in order:

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
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from hpclsp import kb
from hpclsp.analysis.findings import Pos
from hpclsp.completion import context as cx
from hpclsp.completion import scope
from hpclsp.completion.items import K, card_doc, escape_snippet, sig_line
from hpclsp.completion.mpi_items import MpiItems
from hpclsp.completion.omp_items import OpenMPItems

if TYPE_CHECKING:
    from hpclsp.documents import Document
    from hpclsp.server import HpcLanguageServer

log = logging.getLogger(__name__)


class _Request(OpenMPItems, MpiItems):
    """One completion request: which context the cursor is in, and the items for it."""

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

    def omp_runtime_items(self, partial: str, start_col: int) -> list[types.CompletionItem]:
        low = partial.lower()
        chosen = [
            c for c in kb.by_family("openmp")
            if c.kind in ("routine", "type", "constant") and c.name.lower().startswith(low)
        ]  # fmt: skip
        full = self.docs_full(len(chosen))
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
                    self.item(c.name, K.Function, text, start_col, f"0{c.name}", detail=sig_line(c, self.language),
                              doc=card_doc(c, self.language, full), snippet=True, filter_text=c.name)
                )  # fmt: skip
            else:
                items.append(
                    self.item(c.name, K.Struct if c.kind == "type" else K.Constant, c.name, start_col, f"1{c.name}",
                              detail=sig_line(c, self.language), doc=card_doc(c, self.language, full))
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
        full = self.docs_full(len(chosen))
        for c in chosen:
            kind = {
                "routine": K.Function, "intrinsic": K.Function, "type": K.Struct, "constant": K.Constant,
                "builtin": K.Variable, "qualifier": K.Keyword,
            }[c.kind]  # fmt: skip
            text = c.completion_text("cuda") or c.name
            rank = "0" if c.kind in ("builtin", "intrinsic") else "1"
            items.append(
                self.item(c.name, kind, text, start_col, f"{rank}{c.name}", detail=sig_line(c, "cuda"),
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
        args = ", ".join(f"${{{i + 3}:{escape_snippet(p)}}}" for i, p in enumerate(params))
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
