"""Completion items inside OpenMP directives: directive names, clauses and clause arguments.

Directive names continue the words typed so far (combined names in the language's spelling);
then come the clauses the directive accepts and that are not written yet; inside a clause's
parentheses, reduction operators then variables, map/depend types, schedule/default/proc_bind
kinds, or the variables in scope. Names come from the OpenMP tables (``hpclsp.analysis.openmp.spec``).
"""

from __future__ import annotations

import re
from typing import Any

from lsprotocol import types

from hpclsp import kb
from hpclsp.analysis.openmp import spec, spec_tables
from hpclsp.analysis.openmp.spec_types import ClauseInfo
from hpclsp.completion import context as cx
from hpclsp.completion.items import ItemBuilder, K, card_doc

#: The order reduction operators are offered in (the common ones first).
OP_ORDER = ["+", "*", "max", "min", "-", "&&", "||", ".and.", ".or.", "&", "|", "^", "iand", "ior", "ieor",
             ".eqv.", ".neqv."]  # fmt: skip


class OpenMPItems(ItemBuilder):
    """The OpenMP directive and clause items of a request."""

    def directive_items(self, d: cx.DirectiveContext) -> list[types.CompletionItem]:
        lang = self.family
        start_col = self.pos.col - len(d.partial)
        case = str.upper if d.upper else (lambda s: s)
        if d.clause is not None:
            return self.clause_argument_items(d, start_col, case)
        names = spec.directive_name_set(lang)
        # The longest leading run of words that is a directive.
        directive = None
        for n in range(min(len(d.words), spec.max_name_words()), 0, -1):
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
            for name in spec.directive_names(lang):
                w = name.split()
                if len(w) <= k or w[:k] != typed or not w[k].startswith(partial_low):
                    continue
                rest = " ".join(w[k:])
                if rest in seen:
                    continue
                seen.add(rest)
                card = kb.card(name, "openmp", "directive")
                info = spec.directive_info(name, lang)
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
            present = set(d.present) | {w for w in d.words[len(directive.split()) :] if spec.clause_info(w)}
            for clause in spec.clauses_for(directive, lang):
                if clause in present or not clause.startswith(partial_low):
                    continue
                cinfo = spec.clause_info(clause)
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
                    if clause in spec_tables.DATA_SHARING_CLAUSES or clause in ("schedule", "collapse")
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
        """The items inside a clause's parentheses: operators, modifiers, types, kinds or variables."""
        clause = d.clause or ""
        info = spec.clause_info(clause)
        if info is None:
            listed = [x.strip() for x in re.split(r"[,:]", d.clause_args) if x.strip()]
            return self.variable_items(start_col, d.partial, exclude=listed)
        if clause in spec_tables.REDUCTION_CLAUSES:
            return self._reduction_items(d, clause, start_col, case)
        items = self._type_items(d, clause, start_col, case)
        if items is None:
            items = self._kind_items(d, clause, info, start_col, case)
        if items is None:
            items = self._list_items(d, clause, info, start_col, case)
        return items

    def _reduction_items(
        self, d: cx.DirectiveContext, clause: str, start_col: int, case: Any
    ) -> list[types.CompletionItem]:
        """Before the colon, the operators (and reduction's modifiers); after it, the variables."""
        args, partial = d.clause_args, d.partial
        top_colon = _top_level_colon(args)
        if top_colon >= 0:
            return self.variable_items(start_col, partial, exclude=_items_after(args[top_colon + 1 :]))
        items: list[types.CompletionItem] = []
        ops = sorted(spec.reduction_operators(self.family), key=_op_order)
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
        keywords: list[tuple[str, str]] = []  # (keyword, what)
        if clause == "reduction" and "," not in args:
            keywords = [(m, "reduction modifier") for m in sorted(spec_tables.REDUCTION_MODIFIERS)]
        items.extend(self.keyword_items(keywords, start_col, partial, case, rank="1", suffix=", "))
        return items

    def _type_items(
        self, d: cx.DirectiveContext, clause: str, start_col: int, case: Any
    ) -> list[types.CompletionItem] | None:
        """map, depend, doacross and defaultmap types and categories; None for other clauses."""
        args, partial = d.clause_args, d.partial
        top_colon = _top_level_colon(args)
        if clause == "map" and top_colon < 0:
            keywords = [(t, "map type") for t in sorted(spec_tables.MAP_TYPES)]
            keywords += [
                (t, "map-type modifier")
                for t in sorted(spec_tables.MAP_TYPE_MODIFIERS - {"mapper", "iterator"})
            ]
            listed = [x.strip() for x in re.split(r"[,:]", args) if x.strip()]
            items = self.keyword_items(keywords, start_col, partial, case, rank="0", suffix=": ")
            items.extend(self.variable_items(start_col, partial, rank="1", exclude=listed))
            return items
        if clause in ("depend", "doacross") and top_colon < 0:
            kinds = spec_tables.DEPEND_TYPES if clause == "depend" else spec_tables.DOACROSS_TYPES
            keywords = [(t, f"{clause} type") for t in sorted(kinds)]
            return self.keyword_items(keywords, start_col, partial, case, rank="0", suffix=": ")
        if clause == "defaultmap":
            if top_colon < 0:
                keywords = [(t, "implicit behaviour") for t in sorted(spec_tables.DEFAULTMAP_BEHAVIORS)]
                return self.keyword_items(keywords, start_col, partial, case, rank="0", suffix=": ")
            keywords = [(t, "variable category") for t in sorted(spec_tables.DEFAULTMAP_CATEGORIES)]
            return self.keyword_items(keywords, start_col, partial, case, rank="0")
        return None

    def _kind_items(
        self, d: cx.DirectiveContext, clause: str, info: ClauseInfo, start_col: int, case: Any
    ) -> list[types.CompletionItem] | None:
        """The kinds (and modifiers) of schedule, default, proc_bind and the like; None for other clauses."""
        if info.shape not in ("keyword", "kind_expr", "mod_keyword") or not info.kinds:
            return None
        args, partial = d.clause_args, d.partial
        if "," in args:  # schedule(dynamic, <chunk>)
            return self.variable_items(start_col, partial, exclude=())
        keywords = [(t, f"{clause} kind") for t in sorted(info.kinds)]
        items = self.keyword_items(keywords, start_col, partial, case, rank="0")
        if _top_level_colon(args) < 0 and info.modifiers:
            mods = [(t, f"{clause} modifier") for t in sorted(info.modifiers)]
            items.extend(self.keyword_items(mods, start_col, partial, case, rank="1", suffix=": "))
        return items

    def _list_items(
        self, d: cx.DirectiveContext, clause: str, info: ClauseInfo, start_col: int, case: Any
    ) -> list[types.CompletionItem]:
        """Variables (after the if and lastprivate modifiers) for list and expression clauses."""
        args, partial = d.clause_args, d.partial
        top_colon = _top_level_colon(args)
        items: list[types.CompletionItem] = []
        if clause == "if" and top_colon < 0:
            mods = [(t, "directive-name modifier") for t in sorted(spec_tables.IF_MODIFIERS) if " " not in t]
            items.extend(self.keyword_items(mods, start_col, partial, case, rank="1", suffix=": "))
            items.extend(self.variable_items(start_col, partial, rank="0"))
            return items
        if clause == "lastprivate" and top_colon < 0:
            items.extend(self.keyword_items([("conditional", "lastprivate modifier")], start_col, partial, case,
                                             rank="2", suffix=": "))  # fmt: skip
        if info.shape == "list_step" and top_colon >= 0:
            return self.variable_items(start_col, partial)
        if info.shape in ("list", "mod_list", "list_step"):
            after_colon = args[top_colon + 1 :] if top_colon >= 0 else args
            items.extend(self.variable_items(start_col, partial, rank="0", exclude=_items_after(after_colon)))
            return items
        if info.shape in ("expr", "mod_expr", "exprlist"):
            return self.variable_items(start_col, partial, rank="0")
        return items


def _op_order(op: str) -> int:
    return OP_ORDER.index(op) if op in OP_ORDER else len(OP_ORDER)


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
