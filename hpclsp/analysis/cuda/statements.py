"""Statements of the CUDA kernel interpreter: blocks, branches, loops, switches, declarations.

Branches on values the execution cannot compute run every arm on its own *path* (recorded with the
accesses) and merge the variables; a barrier under such a branch makes the kernel undecidable.
Loops without barriers stop after ``LOOP_CAP`` iterations and then run the last two iterations of
a counted loop, where threads meet their neighbours; loops with barriers stop after
``LOOP_CAP_BARRIER`` iterations, the same for every thread.
"""

from __future__ import annotations

from typing import Any

from hpclsp.analysis.cuda.program import INTEGER_TYPES, N, Program, base_type, specifiers, walk
from hpclsp.analysis.cuda.values import UNK, Cell, GiveUp, Ptr, Thread, as_int, prod

BREAK, CONTINUE, RETURN = 1, 2, 3
LOOP_CAP = 8  # iterations of a loop without barriers (enough for every pattern of a few threads)
LOOP_CAP_BARRIER = 5
_JUMPS = {"break_statement": BREAK, "continue_statement": CONTINUE}
_UNSUPPORTED = frozenset(("goto_statement", "for_range_loop", "try_statement", "throw_statement", "ERROR"))


class Statements:
    """Statement execution; ``Interp`` adds expressions, memory and calls."""

    prog: Program
    rec: Any  # the Recorder
    steps: int
    th: Thread | None
    ret: Any
    bcache: dict[int, bool]
    conds: dict[int, set[str]]

    def eval(self, n: N, env: dict[str, Any]) -> Any:
        """The value of an expression (see ``Interp``)."""
        raise NotImplementedError

    def assigned(self, n: N) -> set[str]:
        """Variables a statement assigns (memoised per node)."""
        cache: dict[int, set[str]] = self.__dict__.setdefault("_assigned_cache", {})
        got = cache.get(n.id)
        if got is None:
            got = cache[n.id] = _assigned(n)
        return got

    def truth(self, v: Any) -> Any:
        """1/0 for a known scalar or pointer, UNK otherwise."""
        if isinstance(v, (int, float)):
            return 1 if v else 0
        if isinstance(v, Ptr):
            return 1
        return UNK

    def exec(self, n: N, env: dict[str, Any]) -> int | None:
        """Execute a statement; returns BREAK/CONTINUE/RETURN or None."""
        self.steps += 1
        if not self.steps & 255:
            self.rec.tick()
        t = n.type
        if t == "compound_statement":
            return self._block(n, env)
        if t == "expression_statement":
            if n.kids:
                self.eval(n.kids[0], env)
            return None
        if t == "declaration":
            self._declare(n, env)
            return None
        if t == "if_statement":
            return self._if(n, env)
        if t in ("for_statement", "while_statement", "do_statement"):
            return self._loop(n, env)
        if t == "return_statement":
            self.ret = self.eval(n.kids[0], env) if n.kids else UNK
            return RETURN
        if t in _JUMPS:
            return _JUMPS[t]
        if t == "switch_statement":
            return self._switch(n, env)
        if t in ("labeled_statement", "attributed_statement"):
            return self.exec(n.kids[-1], env) if n.kids else None
        if t in _UNSUPPORTED:
            raise GiveUp(t)
        return None  # comments, preprocessor lines, type definitions, empty statements

    def _block(self, n: N, env: dict[str, Any]) -> int | None:
        """Execute the statements of a block until one leaves it."""
        for k in n.kids:
            s = self.exec(k, env)
            if s:
                return s
        return None

    def _if(self, n: N, env: dict[str, Any]) -> int | None:
        cond = n.f.get("condition")
        c = self.truth(self.eval(_cond(cond), env)) if cond is not None else UNK
        cons, alt = n.f.get("consequence"), n.f.get("alternative")
        if alt is not None and alt.type == "else_clause":
            alt = alt.kids[-1] if alt.kids else None
        if c is not UNK:
            branch = cons if c else alt
            return self.exec(branch, env) if branch is not None else None
        if self.prog.contains_barrier(n, self.bcache):
            raise GiveUp("barrier under an undecidable condition")
        self._note_cond(n.id, cond)
        return self._both(env, n.id, cons, alt)

    def _both(self, env: dict[str, Any], key: int, *arms: N | None) -> int | None:
        """Run every arm of an undecidable branch on its own path; merge the environments."""
        th = self.th
        assert th is not None
        envs = []
        left_early = False
        for i, arm in enumerate(arms):
            e = dict(env)
            th.path.append((key, i))
            if arm is not None and self.exec(arm, e):
                left_early = True
            th.path.remove((key, i))
            envs.append(e)
        for k in set().union(*envs):
            vals = [e.get(k, UNK) for e in envs]
            env[k] = vals[0] if all(v == vals[0] for v in vals) else UNK
        if left_early:  # this thread may have left the loop/function: what follows may not run
            th.path.append((key, -1))
            th.exited_maybe = True
        return None

    def _note_cond(self, key: int, cond: N | None) -> None:
        """Remember the names an undecidable condition reads (to judge accesses made under it)."""
        if key not in self.conds:
            self.conds[key] = (
                {x.text for x in walk(cond) if x.type == "identifier"} if cond is not None else set()
            )

    def _loop(self, n: N, env: dict[str, Any]) -> int | None:
        th = self.th
        assert th is not None
        body = n.f.get("body")
        cond = n.f.get("condition")
        cond = _cond(cond) if cond is not None else None
        init, update = n.f.get("initializer"), n.f.get("update")
        if init is not None:
            if init.type == "declaration":
                self._declare(init, env)
            else:
                self.eval(init, env)
        has_barrier = self.prog.contains_barrier(n, self.bcache)
        cap = LOOP_CAP_BARRIER if has_barrier else LOOP_CAP
        iters = 0
        unsure = 0
        first = n.type == "do_statement"
        while True:
            if not first:
                go, unsure = self._loop_test(n, env, cond, has_barrier, unsure)
                if not go:
                    break
            first = False
            iters += 1
            if iters > cap:
                if self._truncate(n, env, cond, update, body, has_barrier) == RETURN:
                    return RETURN
                break
            s = self.exec(body, env) if body is not None else None
            if s == BREAK:
                break
            if s == RETURN:
                if unsure:
                    th.path.remove((n.id, 0))
                return RETURN
            if update is not None:
                self.eval(update, env)
        if unsure:
            th.path.remove((n.id, 0))
            for x in self.assigned(n):
                env[x] = UNK
        return None

    def _loop_test(
        self, n: N, env: dict[str, Any], cond: N | None, has_barrier: bool, unsure: int
    ) -> tuple[bool, int]:
        """Test a loop's condition: whether to run the body, and the count of undecidable tests so far.

        The first undecidable test puts the loop on the thread's path; the third one ends the loop.
        """
        c = self.truth(self.eval(cond, env)) if cond is not None else 1
        if c is not UNK:
            return bool(c), unsure
        if has_barrier:
            raise GiveUp("barrier in a loop with an undecidable condition")
        if unsure == 0:
            th = self.th
            assert th is not None
            th.path.append((n.id, 0))
            self._note_cond(n.id, cond)
        return unsure < 2, unsure + 1

    def _truncate(
        self,
        n: N,
        env: dict[str, Any],
        cond: N | None,
        update: N | None,
        body: N | None,
        has_barrier: bool,
    ) -> int | None:
        """Stop a loop at its iteration cap: forget what it assigns, then run a counted loop's tail."""
        for x in self.assigned(n):
            if not has_barrier and x == _counter(update):
                continue
            env[x] = UNK
        if not has_barrier:
            return self._tail(n, env, cond, update, body)
        return None

    def _tail(
        self, n: N, env: dict[str, Any], cond: N | None, update: N | None, body: N | None
    ) -> int | None:
        """Run the last two iterations of a truncated counted loop (``for (i = a; i < b; i += c)``).

        The first iterations and the last ones are where threads meet their neighbours' elements.
        """
        v = _counter(update)
        step = self._step(update, env) if v is not None else None
        cur = env.get(v) if v is not None else None
        if v is None or not isinstance(step, int) or step <= 0 or not isinstance(cur, int) or body is None:
            if v is not None:
                env[v] = UNK
            return None
        if cond is None or cond.type != "binary_expression" or v in self.assigned(body):
            env[v] = UNK
            return None
        left, op, right = cond.f.get("left"), cond.f.get("operator"), cond.f.get("right")
        bound = self.eval(right, env) if right is not None else UNK
        if (
            left is None
            or left.text != v
            or op is None
            or op.text not in ("<", "<=", "!=")
            or not isinstance(bound, int)
        ):
            env[v] = UNK
            return None
        last = bound - (0 if op.text == "<=" else 1)
        last = cur + ((last - cur) // step) * step
        for value in (last - step, last):
            if value >= cur:
                env[v] = value
                s = self.exec(body, env)
                if s in (BREAK, RETURN):
                    env[v] = UNK
                    return s
        env[v] = UNK
        return None

    def _step(self, update: N | None, env: dict[str, Any]) -> Any:
        if update is None:
            return None
        if update.type == "update_expression":
            return 1 if "++" in update.text else None
        if update.type == "assignment_expression" and update.f.get("operator") is not None:
            right = update.f.get("right")
            if update.f["operator"].text == "+=" and right is not None:
                return self.eval(right, env)
        return None

    def _switch(self, n: N, env: dict[str, Any]) -> int | None:
        cond = n.f.get("condition")
        v = self.eval(_cond(cond), env) if cond is not None else UNK
        body = n.f.get("body")
        cases = [k for k in body.kids if k.type == "case_statement"] if body is not None else []
        if v is UNK or not isinstance(v, int):
            if self.prog.contains_barrier(n, self.bcache):
                raise GiveUp("barrier in an undecidable switch")
            self._note_cond(n.id, cond)
            return self._both(env, n.id, *[_case_body(c) for c in cases])
        start = None
        for i, c in enumerate(cases):
            val = c.f.get("value")
            if val is not None and self.eval(val, env) == v:
                start = i
                break
        if start is None:
            start = next((i for i, c in enumerate(cases) if c.f.get("value") is None), None)
        if start is None:
            return None
        for c in cases[start:]:
            for st in c.kids[1:] if c.f.get("value") is not None else c.kids:
                s = self.exec(st, env)
                if s == BREAK:
                    return None
                if s:
                    return s
        return None

    def _declare(self, n: N, env: dict[str, Any], file_scope: bool = False) -> None:
        cache: dict[int, Any] = self.__dict__.setdefault("_decl_cache", {})
        info = cache.get(n.id)
        if info is None:
            info = cache[n.id] = _decl_info(self.prog, n)
        spec, space, tname, esize, vol = info
        if file_scope and space is None and "const" not in spec and "constexpr" not in spec:
            return
        for d in n.kids:
            if d.type not in ("identifier", "init_declarator", "array_declarator", "pointer_declarator"):
                continue
            value = d.f.get("value") if d.type == "init_declarator" else None
            decl = d.f.get("declarator") if d.type == "init_declarator" else d
            dims: list[int | None] = []
            ptr = False
            while decl is not None and decl.type in (
                "array_declarator",
                "pointer_declarator",
                "reference_declarator",
            ):
                if decl.type == "array_declarator":
                    sz = decl.f.get("size")
                    dims.insert(0, as_int(self.eval(sz, env)) if sz is not None else None)
                elif decl.type == "pointer_declarator":
                    ptr = True
                decl = decl.f.get("declarator") or (decl.kids[-1] if decl.kids else None)
            if decl is None or decl.type != "identifier":
                continue
            name = decl.text
            if dims and not ptr:
                inner = tuple(x or 0 for x in dims[1:])
                total = None if any(x is None for x in dims) else esize * prod(dims)  # type: ignore[arg-type]
                sp = space or "local"
                base = f"{name}@{n.id}"
                env[name] = Ptr(base, sp, 0, esize, inner, total, vol, tname)
            elif space in ("shared", "global") and not ptr:
                env[name] = Cell(Ptr(f"{name}@{n.id}", space, 0, esize, (), esize, vol, tname))
            elif value is not None:
                v = self.eval(value, env) if value.type != "initializer_list" else UNK
                if isinstance(v, Ptr) and vol and not v.volatile:
                    v = v.retyped(v.esize, v.elem, True) if not v.dims else v
                if tname not in INTEGER_TYPES and isinstance(v, (int, float)) and not ptr:
                    v = UNK if tname not in ("float", "double") else float(v)
                env[name] = v
            else:
                env[name] = UNK


def _counter(update: N | None) -> str | None:
    """The variable a loop update steps (``i++``, ``i += c``), or None."""
    if update is None:
        return None
    target = update.f.get("argument") if update.type == "update_expression" else update.f.get("left")
    if update.type in ("update_expression", "assignment_expression") and target is not None:
        return target.text if target.type == "identifier" else None
    return None


def _cond(n: N) -> N:
    if n.type == "condition_clause":
        return n.f.get("value") or (n.kids[-1] if n.kids else n)
    return n


def _case_body(c: N) -> N:
    return c  # a case_statement executes its statements; its value is a literal


def _decl_info(prog: Program, n: N) -> tuple[set[str], str | None, str, int, bool]:
    """Qualifiers, memory space, base type name, element size and volatility of a declaration."""
    spec = specifiers(n)
    space = None
    for word, sp in (("__shared__", "shared"), ("__device__", "global"), ("__constant__", "const")):
        if word in spec:
            space = sp
            break
    ty = n.f.get("type")
    return spec, space, base_type(ty), prog.type_size(ty) or 4, "volatile" in spec


def _assigned(n: N) -> set[str]:
    out = set()
    for x in walk(n):
        if x.type in ("assignment_expression", "update_expression"):
            target = x.f.get("left") or x.f.get("argument")
            if target is not None and target.type == "identifier":
                out.add(target.text)
        elif x.type == "init_declarator":
            d = x.f.get("declarator")
            if d is not None and d.type == "identifier":
                out.add(d.text)
    return out
