"""The shared IR: functions, loop nests, memory accesses and OpenMP constructs bound to statements.

Used by the race analysis (``races/``) and the parallelization advisor (``advisor/``). Built once per
``SourceFile`` and cached in ``source.cache["ir"]``::

    from hpclsp.analysis.ir import build_ir
    ir = build_ir(source)            # FileIR
    for loop in ir.loops:            # every loop, outer before inner (document order)
        loop.index, loop.lower, loop.upper, loop.step   # str | None, Affine | None (step: int | None)
        loop.accesses                # every Access in the body, nested loops included
        loop.parent, loop.children, loop.depth, loop.kind   # "for" | "while" | "do" | "do concurrent" | "do while"
        loop.lower_poly, loop.upper_poly  # Poly bounds when not affine (b*bs .. (b+1)*bs - 1), else None
        loop.node, loop.span, loop.keyword_span, loop.body_start, loop.body_end (bytes)
        loop.construct               # the OpenMP Construct whose loop this is (or None)
        loop.directive               # its Directive (or None)

API summary
-----------
- ``Affine``: ``const`` + sum of ``coeffs[var] * var``; variables are loop indices or opaque
  symbols (``"n"``, ``"n/2"``). Supports ``+ - *int``, ``is_const``, ``vars``.
- ``Access(name, base, kind, subscripts, span, node, stmt, func, order, in_call, update_op,
  indirect, conditional)``: one read (``"R"``) or write (``"W"``) of a variable or array element.
  ``name`` is the variable as written without subscripts (``a``, ``s.f``, ``x%y``); ``base`` is the
  root identifier (what data-sharing applies to); ``subscripts`` is ``[]`` for scalars, otherwise
  one ``Affine | None`` per dimension (None: not affine, e.g. ``idx[i]``, then ``indirect`` says
  whether it was an array lookup). ``update_op`` is the operator of a read-modify-write
  (``s += x`` -> ``"+"``; ``s = s * x`` -> ``"*"``), ``in_call`` the callee when the access is a
  call argument.
  ``polys`` holds, per subscript, a ``Poly`` (``i*m + j``) when the subscript is polynomial but
  not affine (used to delinearize row-major subscripts), else None.
- ``Poly``: a polynomial (degree <= 2) of variables: ``terms`` maps monomials to coefficients.
- ``Decl``: a declaration (``storage``: ``"local" | "global" | "static" | "param" | "save"``,
  ``is_array``, ``is_pointer``, ``intent`` for Fortran dummies, ``const`` value when known).
- ``Construct``: an OpenMP directive bound to the code it applies to: ``directive``, ``name``,
  ``start``/``end`` (byte extent of the associated statement/block; equal for standalone
  directives such as ``barrier``), ``loop`` for loop constructs (``loops`` with collapse),
  ``end_directive`` (Fortran ``!$omp end ...``, whose clauses such as ``nowait`` are merged into
  ``clauses``), ``parent``/``children``.
- ``Function``: ``name``, ``node``, ``decls``, ``loops``, ``accesses``, ``constructs``,
  ``aliases`` (pointer aliasing ``p = a + k``), ``thread_ids``, ``calls``, ``lock_calls``.
- ``index_guard(access, index)``: ``c`` when the access only runs under ``if (index == c)``.
- ``FileIR``: ``functions``, ``loops``, ``accesses``, ``constructs``, ``globals``,
  ``threadprivate``, ``function_at(byte)``, ``constructs_enclosing(byte)``, ``loop_for_node``.

Everything is best-effort: unknown syntax yields fewer accesses, never an exception.

Modules: ``affine`` (Poly; Affine is ``values.affine``'s), ``model`` (the IR objects), ``tables`` (node kinds, library
calls, intrinsics), the builder's layers ``reader`` → ``subscripts`` → ``decls`` → ``accesses_c``
→ ``accesses_f`` → ``loops`` → ``build``, ``constructs`` (binding directives), and ``dependence``
(dependence tests on subscripts: ``from hpclsp.analysis.ir import dependence``).
"""

from hpclsp.analysis.ir.affine import Poly
from hpclsp.analysis.ir.build import build_ir
from hpclsp.analysis.ir.model import Access, Construct, Decl, FileIR, Function, Loop, index_guard, item_base
from hpclsp.analysis.ir.subscripts import THREAD_NUM_SYMBOL
from hpclsp.analysis.values.affine import Affine

__all__ = [
    "THREAD_NUM_SYMBOL",
    "Access",
    "Affine",
    "Construct",
    "Decl",
    "FileIR",
    "Function",
    "Loop",
    "Poly",
    "build_ir",
    "index_guard",
    "item_base",
]
