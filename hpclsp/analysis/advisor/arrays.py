"""Array privatization: a local work array filled by one inner loop and read by later ones in the same
iteration carries nothing from one iteration to the next.

``r1[i1] = ...`` for ``i1`` in ``[0, n1-1]``, then ``... r1[i1-1] + r1[i1+1]`` for ``i1`` in
``[1, n1-2]``: every element a later loop reads was written earlier in the same iteration of the
outer loop, so each thread may have its own copy: ``private(r1)``. Proven only for C arrays
declared in the function (not parameters, not globals, not ``static``), used nowhere outside the
loop, one-dimensional, written by one counted loop at ``index + c`` in every one of its
iterations, and read only by counted loops that follow it in the same block at ``index + c``
within the written range (bounds compared as affine forms).
"""

from __future__ import annotations

from hpclsp.analysis.advisor.aliasing import AliasMixin
from hpclsp.analysis.advisor.nodes import ancestors_until
from hpclsp.analysis.ir import Access, Affine, Loop


def _offset(sub: Affine | None, index: str | None) -> int | None:
    """c when a subscript is exactly ``index + c``, else None."""
    if sub is None or index is None or sub.coeffs != ((index, 1),):
        return None
    return sub.const


def _le(a: Affine, b: Affine) -> bool:
    """a <= b for every value of the symbols (their difference is a non-negative constant)."""
    d = b - a
    return d.is_const and d.const >= 0


class ArrayPrivatizationMixin(AliasMixin):
    """Local arrays that each iteration fills before it reads them."""

    def privatizable_array(self, base: str, lp: Loop, accs: list[Access]) -> bool:
        """True when base can be made private to each iteration of lp (see the module docstring)."""
        if self.fortran or lp.func is None:
            return False
        d = self.decl(base, lp.node.start_byte, lp.func)
        if d is None or d.storage != "local" or not d.is_array or d.is_pointer:
            return False
        everywhere = [a for a in lp.func.accesses if a.base == base]
        if any(not (lp.body_start <= a.node.start_byte < lp.body_end) for a in everywhere):
            return False  # used outside the loop: its value may be needed there
        if any(len(a.subscripts) != 1 or a.indirect for a in accs):
            return False
        loops = self._inner_loops(lp)
        writes = [a for a in accs if a.kind == "W"]
        filler = self._loop_of(writes[0], loops) if writes else None
        if filler is None or filler.step != 1 or filler.lower is None or filler.upper is None:
            return False
        for w in writes:
            if self._loop_of(w, loops) is not filler or _offset(w.subscripts[0], filler.index) is None:
                return False
            if any(self._conditional(p) for p in ancestors_until(w.node, filler.node)):
                return False
        offs = {_offset(w.subscripts[0], filler.index) for w in writes}
        if len(offs) != 1:
            return False
        c = offs.pop() or 0
        if not self._bounds_fixed(lp, filler, loops):
            return False
        lo, hi = filler.lower + Affine(const=c), filler.upper + Affine(const=c)
        first_write = min(w.order for w in writes)
        for r in (a for a in accs if a.kind == "R"):
            reader = self._loop_of(r, loops)
            if reader is filler:
                # in the filler itself: only the element this iteration has already written
                if _offset(r.subscripts[0], filler.index) != c or r.order <= first_write:
                    return False
                continue
            if not self._reads_within(r, reader, filler, lo, hi):
                return False
        return True

    def _reads_within(self, r: Access, reader: Loop | None, filler: Loop, lo: Affine, hi: Affine) -> bool:
        """A read in a later sibling loop, at ``index + c`` inside the range the filler wrote."""
        if reader is None or reader is filler or reader.step != 1:
            return False
        if reader.node.parent is None or filler.node.parent is None:
            return False
        if reader.node.parent.id != filler.node.parent.id or reader.node.start_byte < filler.node.end_byte:
            return False
        off = _offset(r.subscripts[0], reader.index)
        if off is None or reader.lower is None or reader.upper is None:
            return False
        return _le(lo, reader.lower + Affine(const=off)) and _le(reader.upper + Affine(const=off), hi)

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
