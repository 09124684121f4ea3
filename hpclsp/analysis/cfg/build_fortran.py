"""Graphs of Fortran program units: structured constructs, ``exit``/``cycle``/``return``/``stop``/
``go to``, and ``!$omp`` regions closed by their ``!$omp end`` directives."""

from __future__ import annotations

from hpclsp.analysis.cfg import omp
from hpclsp.analysis.cfg.builder import Builder
from hpclsp.analysis.cfg.graph import CFG, COND, JOIN, STMT, Node
from hpclsp.analysis.openmp.model import Directive
from hpclsp.analysis.source import SourceFile
from hpclsp.analysis.treeutil import fortran_unit_name

UNIT_TYPES = frozenset({"program", "subroutine", "function", "module_procedure"})
_HEADERS = frozenset(
    {
        "program_statement",
        "subroutine_statement",
        "function_statement",
        "module_procedure_statement",
        "end_program_statement",
        "end_subroutine_statement",
        "end_function_statement",
        "end_module_procedure_statement",
        "internal_procedures",
        "contains_statement",
        "use_statement",
        "implicit_statement",
        "variable_declaration",
        "parameter_statement",
        "format_statement",
        "end_if_statement",
        "end_do_loop_statement",
        "end_select_statement",
        "do_statement",
        "selector",
    }
)


def unit_name(unit: Node) -> str | None:
    """The lower-case name of a program unit."""
    name = fortran_unit_name(unit)
    if name is None or not name.text:
        return None
    return name.text.decode("utf-8", "replace").lower()


def build(source: SourceFile, unit: Node, functions: frozenset[str]) -> CFG:
    """The graph of one program unit (contained procedures get graphs of their own)."""
    b = _FBuilder(source, unit, unit_name(unit) or "", functions)
    return b.finish(b.sequence(list(unit.named_children), b.cfg.entry))


class _FBuilder(Builder):
    def region(self, kids: list[Node], i: int, d: Directive, cur: int | None) -> tuple[int | None, int]:
        """A region closed by its ``!$omp end`` directive or, for a loop construct without one, by
        the end of the loop it applies to."""
        what = omp.kind(d)
        end = self._matching_end(kids, i, d)
        if end is not None:
            e = self.directive(kids[end])
            body, last, nowait = kids[i + 1 : end], end, e is not None and e.clause("nowait") is not None
        elif what == "loop":
            j = next((x for x in range(i + 1, len(kids)) if kids[x].type == "do_loop"), None)
            if j is None:
                return cur, i
            body, last, nowait = [kids[j]], j, False
        else:
            return cur, i
        cur, r = self.open_region(cur, d, kids[i].start_byte, kids[last].end_byte, nowait)
        cur = self.sequence(body, cur)
        return self.close_region(cur, r), last

    def _matching_end(self, kids: list[Node], i: int, d: Directive) -> int | None:
        depth = 0
        for j in range(i + 1, len(kids)):
            e = self.directive(kids[j])
            if e is None:
                continue
            if e.name == d.name:
                depth += 1
            elif e.is_end and e.name[4:] == d.name:
                if depth == 0:
                    return j
                depth -= 1
        return None

    def directive(self, node: Node) -> Directive | None:
        """The directive of a ``!$omp`` comment."""
        if node.type != "comment":
            return None
        return self.directives.get(node.start_point[0])

    def stmt(self, node: Node, cur: int | None) -> int | None:
        """Add one statement after ``cur``; returns the node control falls through from."""
        t = node.type
        if t in _HEADERS or t == "comment" or t in UNIT_TYPES:
            return cur
        fn = getattr(self, "_s_" + t, None)
        if fn is not None:
            return fn(node, cur)
        at = self.step(cur, STMT, node)
        if at is not None:
            self.record_calls(node, at, ("subroutine_call", "call_expression"), "subroutine")
        return at

    def _s_if_statement(self, node: Node, cur: int | None) -> int | None:
        kids = [c for c in node.named_children if c.type != "end_if_statement"]
        first = next((c for c in kids if c.type != "comment"), None)
        if first is None:
            return cur
        cond = self.step(cur, COND, first)
        if cond is None:
            return None
        self.cfg.nodes[cond].owner = node
        ends: list[int | None] = []
        arm: list[Node] = []
        test = cond
        rest = kids[kids.index(first) + 1 :]
        has_else = False
        for k in rest:
            if k.type == "elseif_clause":
                ends.append(self.sequence(arm, test))
                inner = [c for c in k.named_children if c.type != "comment"]
                test_node = inner[0] if inner else k
                nxt = self.add(COND, test_node, owner=k)
                self.cfg.edge(test, nxt)
                test = nxt
                arm = [c for c in k.named_children if c.id != test_node.id]
            elif k.type == "else_clause":
                ends.append(self.sequence(arm, test))
                has_else = True
                arm = list(k.named_children)
            else:
                arm.append(k)
        ends.append(self.sequence(arm, test))
        if not has_else:
            ends.append(test)
        return self._join_all(ends)

    def _join_all(self, ends: list[int | None]) -> int | None:
        live = [e for e in ends if e is not None]
        if not live:
            return None
        j = self.add(JOIN)
        for e in live:
            self.cfg.edge(e, j)
        return j

    def _s_do_loop(self, node: Node, cur: int | None) -> int | None:
        if cur is None:
            return None
        kids = node.named_children
        head = next((k for k in kids if k.type == "do_statement"), None)
        cond = self.add(COND, head if head is not None else node, owner=node)
        self.cfg.edge(cur, cond)
        after = self.add(JOIN)
        label = self.text(node).split(":", 1)[0].strip().lower() if _labelled(node) else ""
        self.loops.append((after, cond, label))
        body = [
            k
            for k in kids
            if k.type not in ("do_statement", "end_do_loop_statement", "block_label_start_expression")
        ]
        end = self.sequence(body, cond)
        self.loops.pop()
        self.cfg.edge(end, cond)
        infinite = head is not None and not head.named_children
        if not infinite:
            self.cfg.edge(cond, after)
        return after if self.cfg.nodes[after].pred else None

    def _s_select_case_statement(self, node: Node, cur: int | None) -> int | None:
        sel = next((c for c in node.named_children if c.type == "selector"), node)
        cond = self.step(cur, COND, sel)
        if cond is None:
            return None
        self.cfg.nodes[cond].owner = node
        ends: list[int | None] = []
        has_default = False
        for c in node.named_children:
            if c.type != "case_statement":
                continue
            kids = c.named_children
            has_default = has_default or bool(kids and kids[0].type == "default")
            ends.append(self.sequence(kids[1:], cond))
        if not has_default:
            ends.append(cond)
        return self._join_all(ends)

    def _s_block_construct(self, node: Node, cur: int | None) -> int | None:
        return self.sequence(list(node.named_children), cur)

    _s_associate_statement = _s_block_construct

    def _s_keyword_statement(self, node: Node, cur: int | None) -> int | None:
        words = self.text(node).strip().lower().split()
        word = words[0] if words else ""
        at = self.step(cur, STMT, node)
        if at is None or word == "continue":
            return at
        if word in ("exit", "cycle"):
            name = words[1] if len(words) > 1 else ""
            loop = next((lp for lp in reversed(self.loops) if not name or lp[2] == name), None)
            if loop is not None:
                self.cfg.edge(at, loop[0] if word == "exit" else loop[1] if loop[1] is not None else loop[0])
            return None
        if word in ("go", "goto"):
            self.jump(at, "".join(words[1:]).removeprefix("to"))
            return None
        self.cfg.edge(at, self.cfg.exit)  # return
        return None

    def _s_stop_statement(self, node: Node, cur: int | None) -> int | None:
        at = self.step(cur, STMT, node)
        self.cfg.edge(at, self.cfg.exit)
        return None

    _s_error_stop_statement = _s_stop_statement

    def _s_goto_statement(self, node: Node, cur: int | None) -> int | None:
        at = self.step(cur, STMT, node)
        if at is not None:
            words = self.text(node).lower().replace("go to", "goto").split()
            self.jump(at, words[-1] if words else "")
        return None

    def _s_labeled_statement(self, node: Node, cur: int | None) -> int | None:
        j = self.add(JOIN)
        self.cfg.edge(cur, j)
        kids = node.named_children
        if kids:
            self.labels[self.text(kids[0]).strip()] = j
        return self.sequence(list(kids[1:]), j)


def _labelled(node: Node) -> bool:
    return any(c.type == "block_label_start_expression" for c in node.named_children)
