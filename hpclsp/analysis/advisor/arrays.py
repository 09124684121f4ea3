"""Array privatization: a local work array filled by one inner loop and read by later ones in the same
iteration carries nothing from one iteration to the next.

``r1[i1] = ...`` for ``i1`` in ``[0, n1-1]``, then ``... r1[i1-1] + r1[i1+1]`` for ``i1`` in
``[1, n1-2]``: every element a later loop reads was written earlier in the same iteration of the
outer loop, so each thread may have its own copy: ``private(r1)``. Proven only for C arrays
declared in the function (not parameters, not globals, not ``static``), used nowhere outside the
loop, one-dimensional, written by one counted loop at ``a*index + b`` in every one of its
iterations, and read only by counted loops that follow it in the same block at ``a*index + b'``,
where ``b' - b`` is a multiple of ``a`` that keeps every element read within the written range
(bounds compared as affine forms). A subscript may go through a scalar the loop assigns once, first
and unconditionally, from its index and values the outer loop never changes (``i1 = 2*j1 - d1;
x1[i1] = ...``).
"""

from __future__ import annotations

from hpclsp.analysis.advisor.aliasing import AliasMixin
from hpclsp.analysis.advisor.nodes import affine_of, ancestors_until
from hpclsp.analysis.ir import Access, Affine, Loop
from hpclsp.analysis.treeutil import walk

#: A subscript as ``coef * index + rest``: the index's coefficient (not 0) and the rest.
Form = tuple[int, Affine]


def _le(a: Affine, b: Affine) -> bool:
    """a <= b for every value of the symbols (their difference is a non-negative constant)."""
    d = b - a
    return d.is_const and d.const >= 0


def _shift(w: Form, r: Form) -> int | None:
    """s such that element r(j) is element w(j + s) for every j, or None when there is none."""
    delta = r[1] - w[1]
    if r[0] != w[0] or not delta.is_const or delta.const % w[0]:
        return None
    return delta.const // w[0]


class ArrayPrivatizationMixin(AliasMixin):
    """Local arrays that each iteration fills before it reads them."""

    def privatizable_array(self, base: str, lp: Loop, accs: list[Access]) -> bool:
        """True when base can be made private to each iteration of lp (see the module docstring)."""
        if not self._work_array(base, lp, accs):
            return False
        loops = self._inner_loops(lp)
        fixed = {a.base for a in lp.accesses if a.kind == "W" and not a.subscripts}
        writes = [a for a in accs if a.kind == "W"]
        filler = self._loop_of(writes[0], loops) if writes else None
        if filler is None or filler.step != 1 or filler.lower is None or filler.upper is None:
            return False
        written = self._written_form(writes, filler, lp, loops, fixed)
        if written is None or not self._bounds_fixed(lp, filler, loops):
            return False
        first_write = min(w.order for w in writes)
        for r in (a for a in accs if a.kind == "R"):
            reader = self._loop_of(r, loops)
            form = None if reader is None else self._form(r, reader, lp, fixed)
            if form is None or reader is None:
                return False
            if reader is filler:
                # in the filler itself: only the element this iteration has already written
                if form != written or r.order <= first_write:
                    return False
                continue
            shift = _shift(written, form)
            if shift is None or not self._reads_within(reader, filler, shift):
                return False
        return True

    def _work_array(self, base: str, lp: Loop, accs: list[Access]) -> bool:
        """A one-dimensional C array of the function, accessed only in lp and never indirectly."""
        if self.fortran or lp.func is None:
            return False
        d = self.decl(base, lp.node.start_byte, lp.func)
        if d is None or d.storage != "local" or not d.is_array or d.is_pointer:
            return False
        everywhere = [a for a in lp.func.accesses if a.base == base]
        if any(not (lp.body_start <= a.node.start_byte < lp.body_end) for a in everywhere):
            return False  # used outside the loop: its value may be needed there
        return not any(len(a.subscripts) != 1 or a.indirect for a in accs)

    def _written_form(
        self, writes: list[Access], filler: Loop, lp: Loop, loops: list[Loop], fixed: set[str]
    ) -> Form | None:
        """The one subscript form at which the filler writes in every iteration, or None."""
        if any(n.type == "continue_statement" for n in walk(filler.node)):
            return None  # an iteration may skip its writes
        forms = set()
        for w in writes:
            form = self._form(w, filler, lp, fixed)
            if self._loop_of(w, loops) is not filler or form is None:
                return None
            if any(self._conditional(p) for p in ancestors_until(w.node, filler.node)):
                return None
            forms.add(form)
        return forms.pop() if len(forms) == 1 else None

    def _form(self, a: Access, loop: Loop, lp: Loop, fixed: set[str]) -> Form | None:
        """The subscript of a one-dimensional access in loop as ``coef * index + rest``, where rest
        holds only values lp never changes; None when it is not of that form."""
        sub = a.subscripts[0]
        if sub is None or loop.index is None or self._index_moved(loop):
            return None
        for v in sorted(sub.vars & fixed - {loop.index}):
            val = self._index_def(v, a, loop, fixed)
            if val is None:
                return None
            sub = sub.substitute(v, val)
        coef = sub.coeff(loop.index)
        rest = sub.without({loop.index})
        if coef == 0 or rest.vars & fixed:
            return None
        return coef, rest

    @staticmethod
    def _body_writes(loop: Loop, name: str | None) -> list[Access]:
        """The assignments of the scalar ``name`` in the body of loop (not its header)."""
        return [
            w
            for w in loop.accesses
            if w.base == name and w.kind == "W" and not w.subscripts and loop.body_start <= w.node.start_byte
        ]

    def _index_moved(self, loop: Loop) -> bool:
        """True when the body of loop assigns its index (its iterations are then not the ones counted)."""
        return bool(self._body_writes(loop, loop.index))

    def _index_def(self, v: str, a: Access, loop: Loop, fixed: set[str]) -> Affine | None:
        """The value of v at access a when loop assigns it exactly once, unconditionally, in its own
        body before a, an affine function of its index and of values that stay put (else None)."""
        defs = self._body_writes(loop, v)
        if len(defs) != 1 or defs[0].order >= a.order or self._loop_of(defs[0], [loop]) is not loop:
            return None
        w = defs[0]
        if any(c.body_start <= w.node.start_byte < c.body_end for c in self._inner_loops(loop)):
            return None
        if any(self._conditional(p) for p in ancestors_until(w.node, loop.node)):
            return None
        assign = w.node.parent
        left = assign.child_by_field_name("left") if assign is not None else None
        if assign is None or left is None or left.id != w.node.id:
            return None
        op = assign.child_by_field_name("operator")
        if op is None or self.text(op) != "=":
            return None
        val = affine_of(assign.child_by_field_name("right"), self.text)
        if val is None or (val.vars - {loop.index}) & fixed:
            return None
        return val

    def _reads_within(self, reader: Loop, filler: Loop, shift: int) -> bool:
        """A later sibling loop of the filler whose iteration j reads what the filler's iteration
        j + shift wrote, for every j it runs (inside the filler's range)."""
        if reader.step != 1 or reader.node.parent is None or filler.node.parent is None:
            return False
        if reader.node.parent.id != filler.node.parent.id or reader.node.start_byte < filler.node.end_byte:
            return False
        if reader.lower is None or reader.upper is None or filler.lower is None or filler.upper is None:
            return False
        k = Affine(const=shift)
        return _le(filler.lower, reader.lower + k) and _le(reader.upper + k, filler.upper)

    @staticmethod
    def _bounds_fixed(lp: Loop, filler: Loop, loops: list[Loop]) -> bool:
        """The bounds of the filler and its sibling loops read nothing the body changes (other than the
        indices of the loops around them, which stay put while they run)."""
        around = {lp.index}
        p = filler.parent
        while p is not None and p is not lp:
            around.add(p.index)
            p = p.parent
        written = {a.base for a in lp.accesses if a.kind == "W" and not a.subscripts} - around
        parent = filler.node.parent
        for c in loops:
            if c.node.parent is None or parent is None or c.node.parent.id != parent.id:
                continue
            for b in (c.lower, c.upper):
                if b is not None and b.vars & written:
                    return False
        return True

    @staticmethod
    def _inner_loops(lp: Loop) -> list[Loop]:
        out, stack = [], list(lp.children)
        while stack:
            c = stack.pop()
            out.append(c)
            stack.extend(c.children)
        return out

    @staticmethod
    def _loop_of(a: Access, loops: list[Loop]) -> Loop | None:
        """The innermost of loops containing an access."""
        best = None
        for c in loops:
            if c.body_start <= a.node.start_byte < c.body_end and (
                best is None or c.node.start_byte >= best.node.start_byte
            ):
                best = c
        return best
