"""Every MPI routine (and constant/datatype) the MPI rules reference has a built-in card.

The names are extracted from the rules' source (every string constant that is an MPI name) and
from the MPI tables the rules read, so a routine added to a rule without a card fails here.
"""

from __future__ import annotations

import ast
import pathlib
import re

from hpclsp import kb
from hpclsp.analysis.hostcode import mpi_tables
from hpclsp.analysis.rules.mpi import facts as mpi_facts

_MPI_NAME = re.compile(r"MPI_[A-Za-z0-9_]*[A-Za-z0-9]")


def referenced_names() -> set[str]:
    """Every MPI name written as a string constant in the MPI rules, and the names of the tables they read."""
    names: set[str] = set()
    tree = ast.parse(pathlib.Path(mpi_facts.__file__).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and _MPI_NAME.fullmatch(node.value):
            names.add(node.value)
    names |= set(mpi_tables.RULE_PARAMS) | mpi_tables.COMPLETIONS | mpi_tables.CHAR_TYPES
    return names | set(mpi_tables.C_DATATYPES) | set(mpi_tables.F_DATATYPES)


def routine_names() -> set[str]:
    """The routines the rules treat as calls (parameter tables and the rules' routine sets)."""
    out = set(mpi_tables.RULE_PARAMS) | mpi_tables.RULE_NONBLOCKING | mpi_tables.COMPLETIONS
    for attr in ("COLLECTIVES", "ALWAYS_ALLOWED", "THREAD_NEUTRAL", "FREES", "TYPE_CREATORS"):
        out |= set(getattr(mpi_facts, attr, ()))
    out |= set(getattr(mpi_facts, "CREATORS", {}))
    return out


def test_extraction_finds_the_rules_names():
    names = referenced_names()
    assert len(names) > 50
    assert {"MPI_ISEND", "MPI_WAIT", "MPI_ALLREDUCE", "MPI_DOUBLE", "MPI_INTEGER"} <= {
        n.upper() for n in names
    }


def test_every_referenced_mpi_name_has_a_card():
    missing = sorted(n for n in referenced_names() if not kb.find(n, "mpi"))
    assert missing == []


def test_every_routine_the_rules_model_has_a_routine_card():
    routines = routine_names()
    assert len(routines) > 40
    missing = sorted(n for n in routines if kb.card(n, "mpi", "routine") is None)
    assert missing == []
    # The cards carry what completion needs: a C signature and a snippet for C and Fortran.
    for name in routines:
        card = kb.card(name, "mpi", "routine")
        assert "c" in card.signatures, name
        assert card.completion_text("c") and card.completion_text("fortran"), name
