"""The program units of the host-code model: a C-family function's name and parameters come from
its own declarator, as everywhere else (treeutil)."""

from __future__ import annotations

from hpclsp.analysis.hostcode.model import model
from hpclsp.analysis.source import SourceFile

CPP = """
int& g(int& x, int y = 1) { return x; }
int (*h(int q))(int) { return 0; }
void s(int *buf, int n = 4) { }
"""


def test_c_units_through_every_declarator_with_default_parameters() -> None:
    """A function returning a reference is a unit, one returning a function pointer is named by its
    own declarator, and a C++ parameter with a default value is a parameter (none of them before)."""
    m = model(SourceFile("t.cpp", "cpp", CPP))
    got = {u.name: sorted(d.name for d in u.decls.values() if d.param) for u in m.units}
    assert got == {"g": ["x", "y"], "h": ["q"], "s": ["buf", "n"]}
    n = m.units[-1].decls["n"]
    assert (n.type, n.pointer, n.size) == ("int", 0, 1)
