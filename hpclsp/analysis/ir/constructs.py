"""Binding OpenMP directives to the code they apply to: loop constructs to their loop nest
(``collapse``/``ordered`` loops included), C directives to the next statement, Fortran block
constructs to the lines up to their ``!$omp end``; then the constructs' nesting tree."""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

from hpclsp.analysis.ir.model import Construct, Loop
from hpclsp.analysis.ir.tables import F_UNIT_TYPES
from hpclsp.analysis.openmp import model as directives_mod
from hpclsp.analysis.source import SourceFile

if TYPE_CHECKING:
    import tree_sitter

    Node = tree_sitter.Node

LOOP_WORDS = {"for", "do", "simd", "taskloop", "distribute", "loop"}
#: Constructs that need a matching ``!$omp end`` in Fortran (block constructs).
F_BLOCK = {
    "parallel",
    "single",
    "master",
    "masked",
    "critical",
    "task",
    "taskgroup",
    "sections",
    "parallel sections",
    "ordered",
    "target",
    "target data",
    "teams",
    "target teams",
    "workshare",
    "parallel workshare",
    "atomic",
    "section",
    "scope",
    "target parallel",
    "target teams parallel",
    "parallel master",
    "parallel masked",
}
STANDALONE = {
    "barrier",
    "taskwait",
    "taskyield",
    "flush",
    "threadprivate",
    "target update",
    "target enter data",
    "target exit data",
    "cancel",
    "cancellation point",
    "declare target",
    "end declare target",
    "scan",
    "depobj",
    "declare simd",
    "declare reduction",
    "requires",
    "error",
    "nothing",
    "declare variant",
    "allocate",
}


def is_loop_construct(name: str) -> bool:
    """True for directives that apply to a loop nest (``parallel for``, ``do simd``, ``taskloop``...)."""
    words = name.split()
    return bool(words) and words[-1] in LOOP_WORDS or name.endswith("do simd") or name.endswith("for simd")


#: Nodes holding statements: the climb from a line's first token to its statement stops below them
_HOLDERS = F_UNIT_TYPES | {"translation_unit", "module", "internal_procedures", "function_definition"}


def _statement_after_line(src: SourceFile, line: int) -> Node | None:
    """The statement starting on the first code line after ``line`` (comments and directives skipped)."""
    lines = src.lines
    starts = src.line_byte_starts
    fortran = src.language == "fortran"
    for ln in range(line + 1, min(len(lines), line + 200)):
        s = lines[ln].strip()
        if not s:
            continue
        low = s.lower()
        if fortran and (s.startswith("!") or (src.fixed_form and low[:1] in ("c", "*"))):
            continue
        if not fortran and (s.startswith("//") or s.startswith("/*") or s.startswith("#")):
            continue
        col = len(lines[ln]) - len(lines[ln].lstrip())
        byte = starts[ln] + len(lines[ln][:col].encode("utf-8"))
        node = src.tree.root_node.descendant_for_byte_range(byte, byte)
        if node is None:
            return None
        parent = node.parent
        while parent is not None and parent.start_byte == node.start_byte and parent.type not in _HOLDERS:
            node, parent = parent, parent.parent
        # skip leaf labels: climb to the statement
        return node
    return None


def bind_constructs(
    src: SourceFile, dirs: list[directives_mod.Directive], loops: list[Loop]
) -> list[Construct]:
    """Create Constructs: each directive with the byte extent of the code it applies to, nested."""
    binder = _Binder(src, dirs, loops)
    for k, d in enumerate(dirs):
        if d.name:
            binder.bind(k, d)
    out = binder.out
    # Fortran: sections still pending when their "end sections" closed the enclosing sections
    for pc in binder.pending:
        if pc.name == "section":
            enc = [
                o for o in out if o.name in ("sections", "parallel sections") and o.start <= pc.start < o.end
            ]
            if enc:
                pc.end = min(e.end for e in enc)
    for c in out:
        if c.end < c.start:
            c.end = c.start
    out.sort(key=lambda c: (c.start, -(c.end - c.start)))
    _nest(out)
    return out


class _Binder:
    """Binds directives one by one, in source order."""

    def __init__(self, src: SourceFile, dirs: list[directives_mod.Directive], loops: list[Loop]) -> None:
        self.src = src
        self.dirs = dirs
        self.loops = loops
        self.starts = src.line_byte_starts
        self.fortran = src.language == "fortran"
        self.loop_by_node = {lp.node.id: lp for lp in loops}
        self.out: list[Construct] = []
        self.pending: list[Construct] = []  # Fortran block constructs awaiting their end

    def line_byte(self, ln: int) -> int:
        """The byte offset where a line starts (the end of the file past the last line)."""
        return self.starts[ln] if ln < len(self.starts) else len(self.src.data)

    def bind(self, k: int, d: directives_mod.Directive) -> None:
        """Bind the k-th directive (an end directive closes the construct it ends)."""
        name = d.name
        c = Construct(d, name, 0, 0, d.span)
        c.span_byte = self.line_byte(d.first_line)
        if self.fortran and d.is_end:
            self.end(d, name[4:])
            return
        if (
            name in STANDALONE
            or (name == "ordered" and d.clause("depend") is not None)
            or name.startswith("declare")
        ):
            c.start = c.end = self.line_byte(d.last_line + 1)
            self.out.append(c)
            return
        if is_loop_construct(name):
            self.loop_construct(c, d)
            return
        if (
            self.fortran
            and (name in F_BLOCK or name.split()[0] in ("parallel", "target", "teams", "critical", "task"))
            and not (name == "atomic" and not _has_end_atomic(self.dirs, k))
        ):
            self.fortran_block(c, d)
            return
        if self.fortran and name == "end sections":
            return
        st = _statement_after_line(self.src, d.last_line)
        if st is None:
            return
        c.start, c.end, c.stmt = st.start_byte, st.end_byte, st
        self.out.append(c)

    def end(self, d: directives_mod.Directive, base: str) -> None:
        """A Fortran ``!$omp end ...``: closes the innermost pending construct of that name."""
        pending = self.pending
        for j in range(len(pending) - 1, -1, -1):
            if pending[j].name == base or pending[j].name.replace(" ", "") == base.replace(" ", ""):
                pc = pending.pop(j)
                if not pc.loops:
                    pc.end = self.line_byte(d.first_line)
                pc.end_directive = d
                return
        # end of a loop construct (end do / end parallel do): attach to the last loop construct
        for prev in reversed(self.out):
            if prev.loops and prev.name == base and prev.end_directive is None:
                prev.end_directive = d
                return

    def loop_construct(self, c: Construct, d: directives_mod.Directive) -> None:
        """A loop construct: the loop on the next statement and, with collapse(n) or ordered(n)
        (doacross), the n outermost loops of its nest."""
        st = _statement_after_line(self.src, d.last_line)
        lp = self.loop_by_node.get(st.id) if st is not None else None
        if lp is None and st is not None:
            # the statement may wrap the loop (labelled do etc.)
            lp = next((cand for cand in self.loops if cand.node.start_byte == st.start_byte), None)
        if lp is None:
            return
        c.start, c.end, c.loop, c.stmt = lp.node.start_byte, lp.node.end_byte, lp, lp.node
        n = 1
        for word in ("collapse", "ordered"):
            col = d.clause(word)
            if col is not None and col.args:
                try:
                    n = max(n, int(col.args.strip()))
                except ValueError:
                    pass
        cur: Loop | None = lp
        while cur is not None and len(c.loops) < n:
            c.loops.append(cur)
            cur = cur.children[0] if len(cur.children) >= 1 else None
        if lp.construct is None:
            lp.construct = c
        self.out.append(c)

    def fortran_block(self, c: Construct, d: directives_mod.Directive) -> None:
        """A Fortran block construct: open until its end directive (a section until the next one)."""
        if c.name == "section":
            for pc in reversed(self.pending):
                if pc.name == "section":
                    pc.end = self.line_byte(d.first_line)
                    self.pending.remove(pc)
                    break
        c.start = self.line_byte(d.last_line + 1)
        c.end = len(self.src.data)
        self.pending.append(c)
        self.out.append(c)


def _nest(out: list[Construct]) -> None:
    """Set parent/children: each construct's parent is the smallest non-standalone construct
    enclosing it (on equal extents the later directive is the inner one); a standalone directive
    belongs to the smallest construct containing it. ``out`` is sorted by start, so the candidates
    are the constructs starting at or before the construct's own start."""
    starts = [c.start for c in out]
    blocks = [(j, o.start, o.end, o.end - o.start) for j, o in enumerate(out) if not o.standalone]
    for i, c in enumerate(out):
        cs, ce, cx = c.start, c.end, c.end - c.start
        upto = bisect.bisect_right(starts, cs)
        best: Construct | None = None
        bx = 0
        if c.standalone:
            for j, os_, oe, ox in blocks:
                if j >= upto:
                    break
                if os_ <= cs < oe and (best is None or ox <= bx):
                    best, bx = out[j], ox
        else:
            for j, _, oe, ox in blocks:
                if j >= upto:
                    break
                if j == i or ce > oe or ox < cx or (ox == cx and j > i):
                    continue
                if best is None or ox <= bx:
                    best, bx = out[j], ox  # on equal extents the later directive is the inner one
        c.parent = best
        if best is not None:
            best.children.append(c)


def _has_end_atomic(dirs: list[directives_mod.Directive], k: int) -> bool:
    """True when the directive after the k-th is ``end atomic`` (a Fortran atomic block)."""
    return k + 1 < len(dirs) and dirs[k + 1].name == "end atomic"
