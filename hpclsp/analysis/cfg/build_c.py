"""Graphs of C, C++ and CUDA functions: structured statements, jumps, ``#pragma omp`` regions and
``__syncthreads()`` barriers."""

from __future__ import annotations

from hpclsp.analysis.cfg import omp
from hpclsp.analysis.cfg.builder import Builder
from hpclsp.analysis.cfg.graph import CFG, COND, JOIN, STMT, Node
from hpclsp.analysis.openmp.model import Directive
from hpclsp.analysis.source import SourceFile
from hpclsp.analysis.treeutil import function_name_node

_SKIP = frozenset({"comment", "{", "}", ";"})
_NORETURN = frozenset({"exit", "abort", "_Exit", "quick_exit", "MPI_Abort"})


def function_name(fn: Node) -> str | None:
    """The name of a ``function_definition`` (qualified names keep their last part)."""
    d = function_name_node(fn)
    if d is None:
        return None
    if d.type == "qualified_identifier":
        n = d.child_by_field_name("name")
        return n.text.decode("utf-8", "replace") if n is not None and n.text else None
    return d.text.decode("utf-8", "replace") if d.text else None


def build(source: SourceFile, fn: Node, functions: frozenset[str]) -> CFG:
    """The graph of one ``function_definition``."""
    b = _CBuilder(source, fn, function_name(fn) or "", functions)
    body = fn.child_by_field_name("body")
    cur: int | None = b.cfg.entry
    if body is not None:
        cur = b.stmt(body, cur)
    return b.finish(cur)


class _CBuilder(Builder):
    def stmt(self, node: Node, cur: int | None) -> int | None:
        """Add statement ``node`` after ``cur``; returns the node control falls through from."""
        t = node.type
        fn = getattr(self, "_s_" + t, None)
        if fn is not None:
            return fn(node, cur)
        if t in _SKIP:
            return cur
        return self.simple(node, cur)

    def simple(self, node: Node, cur: int | None) -> int | None:
        """A statement without inner control flow (calls are recorded; barriers become barrier nodes)."""
        callee = _called(node)
        if callee is not None and omp.is_cuda_barrier(callee):
            return self.barrier(cur, node, "syncthreads")
        if cur is None:
            return None
        at = self.add(STMT, node)
        self.cfg.edge(cur, at)
        self.record_calls(node, at, ("call_expression",), "function")
        if callee in _NORETURN:
            self.cfg.edge(at, self.cfg.exit)
            return None
        return at

    def region(self, kids: list[Node], i: int, d: Directive, cur: int | None) -> tuple[int | None, int]:
        """A ``#pragma omp`` construct applies to the statement after it, or to the construct of the
        directive right after it (``#pragma omp parallel`` over ``#pragma omp for``)."""
        last = i + 1
        while (
            last < len(kids)
            and (inner := self.directive(kids[last])) is not None
            and omp.kind(inner) in ("block", "loop")
        ):
            last += 1
        if last >= len(kids):
            return cur, i
        nowait = d.clause("nowait") is not None
        cur, r = self.open_region(cur, d, kids[i].start_byte, kids[last].end_byte, nowait)
        cur = self.sequence(kids[i + 1 : last + 1], cur)
        return self.close_region(cur, r), last

    def directive(self, node: Node) -> Directive | None:
        """The directive of a ``#pragma omp`` line."""
        if node.type not in ("preproc_call", "preproc_pragma") or not self.text(node).lstrip().startswith(
            "#"
        ):
            return None
        return self.directives.get(node.start_point[0])

    def _s_compound_statement(self, node: Node, cur: int | None) -> int | None:
        return self.sequence([c for c in node.named_children if c.type not in _SKIP], cur)

    def _s_if_statement(self, node: Node, cur: int | None) -> int | None:
        cond = self.step(cur, COND, node.child_by_field_name("condition") or node)
        if cond is not None:
            self.cfg.nodes[cond].owner = node
        cons = node.child_by_field_name("consequence")
        then_end = self.stmt(cons, cond) if cons is not None else cond
        alt = node.child_by_field_name("alternative")
        if alt is not None and alt.type == "else_clause":
            inner = [c for c in alt.named_children if c.type not in _SKIP]
            else_end = self.sequence(inner, cond) if inner else cond
        elif alt is not None:
            else_end = self.stmt(alt, cond)
        else:
            else_end = cond
        if then_end is not None and then_end == else_end:
            j = self.add(JOIN)
            self.cfg.edge(then_end, j)
            return j
        return self.join(then_end, else_end)

    def _loop(self, node: Node, head: int, cond: int | None, cont: int) -> int | None:
        """The body of a loop whose test is ``cond`` (None: no test), continuing at ``cont``."""
        after = self.add(JOIN)
        self.loops.append((after, cont, ""))
        body = node.child_by_field_name("body")
        start = cond if cond is not None else head
        end = self.stmt(body, start) if body is not None else start
        self.loops.pop()
        self.cfg.edge(end, cont)
        if cond is not None:
            self.cfg.edge(cond, after)
        return after if self.cfg.nodes[after].pred else None

    def _s_while_statement(self, node: Node, cur: int | None, test: str = "condition") -> int | None:
        if cur is None:
            return None
        cond = self.add(COND, node.child_by_field_name(test) or node, owner=node)
        self.cfg.edge(cur, cond)
        return self._loop(node, cond, cond, cond)

    def _s_for_statement(self, node: Node, cur: int | None) -> int | None:
        init = node.child_by_field_name("initializer")
        if init is not None:
            cur = self.step(cur, STMT, init)
        if cur is None:
            return None
        head = self.add(JOIN)
        self.cfg.edge(cur, head)
        test = node.child_by_field_name("condition")
        cond = None
        if test is not None:
            cond = self.add(COND, test, owner=node)
            self.cfg.edge(head, cond)
        upd = node.child_by_field_name("update")
        cont = self.add(STMT, upd) if upd is not None else head
        if cont != head:
            self.cfg.edge(cont, head)
        return self._loop(node, head, cond, cont)

    def _s_for_range_loop(self, node: Node, cur: int | None) -> int | None:
        return self._s_while_statement(node, cur, "right")

    def _s_do_statement(self, node: Node, cur: int | None) -> int | None:
        if cur is None:
            return None
        head = self.add(JOIN)
        self.cfg.edge(cur, head)
        cond = self.add(COND, node.child_by_field_name("condition") or node, owner=node)
        after = self.add(JOIN)
        self.loops.append((after, cond, ""))
        body = node.child_by_field_name("body")
        end = self.stmt(body, head) if body is not None else head
        self.loops.pop()
        self.cfg.edge(end, cond)
        self.cfg.edge(cond, head)
        self.cfg.edge(cond, after)
        return after if self.cfg.nodes[after].pred else None

    def _s_switch_statement(self, node: Node, cur: int | None) -> int | None:
        cond = self.step(cur, COND, node.child_by_field_name("condition") or node)
        if cond is None:
            return None
        self.cfg.nodes[cond].owner = node
        after = self.add(JOIN)
        self.loops.append((after, None, ""))
        body = node.child_by_field_name("body")
        fall: int | None = None
        has_default = False
        for c in body.named_children if body is not None else []:
            if c.type != "case_statement":
                fall = self.stmt(c, fall)
                continue
            has_default = has_default or c.child_by_field_name("value") is None
            entry = self.add(JOIN)
            self.cfg.edge(cond, entry)
            self.cfg.edge(fall, entry)
            value = c.child_by_field_name("value")
            kids = [
                k for k in c.named_children if k.type not in _SKIP and (value is None or k.id != value.id)
            ]
            fall = self.sequence(kids, entry)
        self.loops.pop()
        self.cfg.edge(fall, after)
        if not has_default:
            self.cfg.edge(cond, after)
        return after if self.cfg.nodes[after].pred else None

    def _s_break_statement(self, node: Node, cur: int | None) -> int | None:
        at = self.step(cur, STMT, node)
        if at is not None and self.loops:
            self.cfg.edge(at, self.loops[-1][0])
        return None

    def _s_continue_statement(self, node: Node, cur: int | None) -> int | None:
        at = self.step(cur, STMT, node)
        target = next((c for _, c, _ in reversed(self.loops) if c is not None), None)
        if at is not None and target is not None:
            self.cfg.edge(at, target)
        return None

    def _s_return_statement(self, node: Node, cur: int | None) -> int | None:
        at = self.step(cur, STMT, node)
        if at is not None:
            self.record_calls(node, at, ("call_expression",), "function")
            self.cfg.edge(at, self.cfg.exit)
        return None

    def _s_goto_statement(self, node: Node, cur: int | None) -> int | None:
        at = self.step(cur, STMT, node)
        label = node.child_by_field_name("label")
        if at is not None and label is not None:
            self.jump(at, self.text(label))
        return None

    def _s_labeled_statement(self, node: Node, cur: int | None) -> int | None:
        j = self.add(JOIN)
        self.cfg.edge(cur, j)
        label = node.child_by_field_name("label")
        if label is not None:
            self.labels[self.text(label)] = j
        kids = [c for c in node.named_children if c.type not in _SKIP and (label is None or c.id != label.id)]
        return self.sequence(kids, j)

    def _s_try_statement(self, node: Node, cur: int | None) -> int | None:
        body = node.child_by_field_name("body")
        end = self.stmt(body, cur) if body is not None else cur
        ends = [end]
        for c in node.named_children:
            if c.type == "catch_clause":
                h = c.child_by_field_name("body")
                ends.append(self.stmt(h, cur) if h is not None else cur)
        return self.join(*ends)


def _called(node: Node) -> str | None:
    """The callee of a statement that is exactly one call (``f(x);``), else None."""
    if node.type != "expression_statement" or not node.named_children:
        return None
    call = node.named_children[0]
    if call.type != "call_expression":
        return None
    fn = call.child_by_field_name("function")
    if fn is None or fn.type != "identifier" or not fn.text:
        return None
    return fn.text.decode("utf-8", "replace")
