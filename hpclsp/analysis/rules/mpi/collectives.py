"""The collective-in-rank-branch rule for code the per-rank evaluator cannot run (no main program)."""

from __future__ import annotations

from collections.abc import Iterator

from hpclsp.analysis.findings import Finding
from hpclsp.analysis.hostcode import mpi_run
from hpclsp.analysis.hostcode.model import Call, Model, Unit
from hpclsp.analysis.hostcode.mpi_tables import RULE_PARAMS
from hpclsp.analysis.rules.mpi._common import _finding, _in_node, mpi_rule
from hpclsp.analysis.rules.mpi.facts import COLLECTIVES
from hpclsp.analysis.treeutil import Node
from hpclsp.analysis.values import dependence

# -- collectives and ranks ----------------------------------------------------------------------


def _rank_comms(m: Model, unit: Unit) -> set[str]:
    """The communicators (normalised text) whose rank the unit asks for, itself or through a function
    of the file it calls; empty when it never does."""
    direct = {
        m.norm_text(c.arg("comm"))
        for c in unit.calls
        if c.key == "MPI_COMM_RANK" and m.base_name(c.arg("rank"))[0]
    }
    return direct | {m.norm_text(c) for c in dependence.called_rank_communicators(m.source, unit.node)}


def _collective_units(m: Model) -> dict[str, set[str]]:
    """Units of the file that (transitively) call collectives: unit name -> collective names."""
    direct = {u.name: {c.key for c in u.calls if c.key in COLLECTIVES} for u in m.units}
    calls = {u.name: {c.key for c in u.calls if not c.is_mpi} for u in m.units}
    changed = True
    while changed:
        changed = False
        for u, callees in calls.items():
            for v in callees:
                if v in direct and not direct[v] <= direct[u]:
                    direct[u] |= direct[v]
                    changed = True
    return {k: v for k, v in direct.items() if v}


def _arm_collectives(
    m: Model, branch: Node, arm_child: Node, unit: Unit, coll_units: dict[str, set[str]]
) -> list[str]:
    out = []
    for c in unit.calls:
        if _in_node(c.node, arm_child):
            if c.key in COLLECTIVES:
                out.append(c.key)
            elif c.key in coll_units:
                out.extend(sorted(coll_units[c.key]))
    return sorted(out)


def _arms(m: Model, branch: Node) -> list[Node] | None:
    """The arms of an if (None when some path takes no arm: an if without else)."""
    if m.fortran and branch.type == "if_statement":
        arms: list[Node] = []
        then_nodes = [
            c
            for c in branch.named_children
            if c.type not in ("elseif_clause", "else_clause", "end_if_statement")
        ]
        then_nodes = then_nodes[1:]
        has_else = any(c.type == "else_clause" for c in branch.named_children)
        if not has_else:
            return None
        arms = [c for c in branch.named_children if c.type in ("elseif_clause", "else_clause")]
        return [branch, *arms]  # the 'then' arm is represented by the if itself (filtered by position)
    if branch.type == "if_statement":
        alt = branch.child_by_field_name("alternative")
        if alt is None:
            return None
        cons = branch.child_by_field_name("consequence")
        return None if cons is None else [cons, alt]
    if branch.type == "conditional_expression":
        a, b = branch.child_by_field_name("consequence"), branch.child_by_field_name("alternative")
        return None if a is None or b is None else [a, b]
    return None


@mpi_rule(
    "mpi-collective-rank-branch",
    summary="A collective call under a branch or loop whose condition depends on the rank.",
    what="""
Flags collectives (`MPI_Barrier`, `MPI_Bcast`, `MPI_Allreduce`, ...) — or calls of functions in the
same file that perform them — inside an `if`, `switch` or loop whose condition depends on the
process rank (directly or through variables computed from it), unless every arm performs the
same collectives.
""",
    why="""
Every process of the communicator must call a collective, in the same order. When ranks take
different paths, some wait in the collective forever: the program hangs or matches the wrong
collectives.
""",
    example="""
if (rank == 0)
    MPI_Barrier(MPI_COMM_WORLD);   /* the other ranks never arrive */
""",
)
def check_collective_rank_branch(m: Model) -> Iterator[Finding]:
    """Collectives under rank-dependent control flow."""
    if mpi_run.evaluates(m.source):
        return  # a program with a main: the per-rank evaluator's mpi-collective-mismatch decides
    coll_units = _collective_units(m)
    for unit in m.units:
        comms = _rank_comms(m, unit)
        if not comms:
            continue
        for c in unit.calls:
            label = _collective_label(m, c, unit, comms, coll_units)
            if label is None:
                continue
            for b, cond in m.controls(c.node, unit.body):
                if cond is None or not dependence.is_rank_dependent(m.source, cond):
                    continue
                if not m.is_loop(b) and _arms_agree(m, b, unit, coll_units):
                    continue
                what = "loop" if m.is_loop(b) else "branch"
                yield _finding(
                    m,
                    "mpi-collective-rank-branch",
                    c.node,
                    f"collective {label} is inside a {what} whose condition depends on the rank "
                    f"('{m.text(cond).strip()}'); ranks that take another path never call it",
                    see=(cond, "rank-dependent condition"),
                )
                break


def _collective_label(
    m: Model, c: Call, unit: Unit, comms: set[str], coll_units: dict[str, set[str]]
) -> str | None:
    """How to name a call in the finding: a collective on a communicator whose rank the unit asks
    for, or a call of another unit that performs collectives; None for any other call."""
    if c.key in COLLECTIVES:
        comm = m.norm_text(
            c.arg("comm") if "comm" in RULE_PARAMS.get(c.key, ()) else (c.args[0] if c.args else None)
        )
        if c.key in ("MPI_COMM_SPLIT", "MPI_COMM_DUP", "MPI_COMM_CREATE"):
            comm = m.norm_text(c.arg("comm"))
        return c.name if comm in comms else None
    if c.key in coll_units and c.key != unit.name:
        return f"{c.name} (which calls {', '.join(sorted(coll_units[c.key]))})"
    return None


def _arms_agree(m: Model, b: Node, unit: Unit, coll_units: dict[str, set[str]]) -> bool:
    """Whether every arm of the branch b (every path takes one) performs the same collectives."""
    top = b.parent if b.type == "elseif_clause" and b.parent is not None else b
    arms = _arms(m, top)
    if arms is None:
        return False
    sets = []
    for i, a in enumerate(arms):
        if m.fortran and i == 0:
            sub = [x for x in unit.calls if _in_node(x.node, top) and m.arm(top, x.node) == -1]
            sets.append(
                sorted(
                    x.key if x.key in COLLECTIVES else "+".join(sorted(coll_units.get(x.key, ())))
                    for x in sub
                    if x.key in COLLECTIVES or x.key in coll_units
                )
            )
        else:
            sets.append(_arm_collectives(m, top, a, unit, coll_units))
    return all(s == sets[0] for s in sets)
