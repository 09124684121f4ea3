"""The parameter helpers of treeutil: C and C++ function definitions, Fortran program units."""

from __future__ import annotations

import pytest

from hpclsp.analysis import languages
from hpclsp.analysis.treeutil import (
    c_parameter_names,
    fortran_dummies,
    fortran_unit_name,
    function_declarator,
    function_name_node,
    function_parameters,
    parameter_name,
)


def _first_function(language: str, text: bytes):
    root = languages.parse(language, text).root_node
    return next(n for n in root.named_children if n.type == "function_definition")


@pytest.mark.parametrize(
    ("language", "text", "declarator", "params"),
    [
        ("c", b"void k(int n, double *x) { }", b"k(int n, double *x)", [b"int n", b"double *x"]),
        ("c", b"static float **grid(int n) { return 0; }", b"grid(int n)", [b"int n"]),
        ("c", b"void none(void) { }", b"none(void)", [b"void"]),
        (
            "cpp",
            b"int S::get(const int &i) const { return i; }",
            b"S::get(const int &i) const",
            [b"const int &i"],
        ),
    ],
)
def test_function_declarator_and_parameters(
    language: str, text: bytes, declarator: bytes, params: list[bytes]
) -> None:
    fn = _first_function(language, text)
    d = function_declarator(fn)
    assert d is not None and d.text == declarator
    assert [p.text for p in function_parameters(fn)] == params


def test_no_declarator_means_no_parameters() -> None:
    root = languages.parse("c", b"int x = 1;").root_node
    decl = root.named_children[0]
    assert function_declarator(decl) is None
    assert function_parameters(decl) == []


def test_function_declarator_through_reference_and_parentheses() -> None:
    """A function returning a reference has its parameters; one returning a function pointer has its own."""
    src = b"int& g(int& x, int y) { return x; }\nint (*h(int q))(int) { return 0; }\n"
    tree = languages.parse("cpp", src)
    g, h = tree.root_node.named_children
    assert [p.text.decode() for p in function_parameters(g)] == ["int& x", "int y"]
    assert [p.text.decode() for p in function_parameters(h)] == ["int q"]


@pytest.mark.parametrize(
    ("language", "text", "names"),
    [
        ("c", b"void k(int n, double a[n][n], double *restrict b, int) { }", [b"n", b"a", b"b", None]),
        (
            "cpp",
            b"void f(int &x, int &&m, double (*v)[3], int (&r)[4], int (*fp)(int), const int &c = 2) { }",
            [b"x", b"m", b"v", b"r", b"fp", b"c"],
        ),
    ],
)
def test_parameter_name_through_every_declarator(language: str, text: bytes, names: list) -> None:
    """References, arrays, pointers and parenthesized declarators all lead to the parameter's name."""
    got = [parameter_name(p) for p in function_parameters(_first_function(language, text))]
    assert [n.text if n is not None else None for n in got] == names


def test_function_parameters_leave_out_comments() -> None:
    """A comment in a parameter list is no parameter: the k-th entry stays the k-th argument's."""
    fn = _first_function("c", b"void f(int a /* in */, /* out */ double *b) { }")
    assert [p.text for p in function_parameters(fn)] == [b"int a", b"double *b"]


def test_fortran_dummies_in_order_without_comments() -> None:
    """The dummies of a subroutine and a function, a comment after a continuation left out; none for
    a subroutine without a list."""
    src = (
        b"subroutine s(a, & ! the first\n   B)\n  integer :: a, b\nend subroutine\n"
        b"function g(x) result(r)\n  real :: x, r\n  r = x\nend function\n"
        b"subroutine t\nend subroutine\n"
    )
    s, g, t = languages.parse("fortran", src).root_node.named_children
    assert [d.text for d in fortran_dummies(s)] == [b"a", b"B"]
    assert [d.text for d in fortran_dummies(g)] == [b"x"]
    assert fortran_dummies(t) == []


def test_c_parameter_names_in_order_with_blanks_for_unnamed() -> None:
    """Every parameter has its entry, "" for one naming none, a C++ default parameter included (the
    variadic ``...`` is no parameter)."""
    fn = _first_function("cpp", b"void f(int n, double *x, int, const int &c = 2, ...) { }")
    assert c_parameter_names(fn) == ["n", "x", "", "c"]


def test_fortran_unit_name_of_every_unit_kind() -> None:
    """Program, subroutine and function are named by their first statement; a bare ``program``-less
    main program has no name."""
    src = (
        b"program Main\nend program\n"
        b"subroutine s(a)\n  integer :: a\nend subroutine\n"
        b"integer function g(x)\n  integer :: x\n  g = x\nend function\n"
        b"module m\nend module\n"
    )
    units = languages.parse("fortran", src).root_node.named_children
    assert [(n.text if (n := fortran_unit_name(u)) is not None else None) for u in units] == [
        b"Main",
        b"s",
        b"g",
        b"m",
    ]
    bare = languages.parse("fortran", b"x = 1\nend\n").root_node.named_children[0]
    assert fortran_unit_name(bare) is None


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (b"int plain(int a) { return a; }", b"plain"),
        (b"double &slot(int k) { static double d; return d; }", b"slot"),
        (b"int (*pick(int q))(int) { return 0; }", b"pick"),
        (b"int S::get(int i) const { return i; }", b"S::get"),
        (b"S::~S() { }", b"S::~S"),
        (b"struct T { ~T() { } };", b"~T"),
        (b"struct U { U &operator=(const U &o) { return *this; } };", b"operator="),
    ],
)
def test_function_name_node_through_every_declarator(text: bytes, name: bytes) -> None:
    """The name of a C++ function definition: returning a reference or a function pointer, qualified,
    a destructor, an operator (definitions inside a class body too)."""
    root = languages.parse("cpp", text).root_node
    fn = next(n for n in _descendants(root) if n.type == "function_definition")
    got = function_name_node(fn)
    assert got is not None and got.text == name


def _descendants(node):
    yield node
    for c in node.named_children:
        yield from _descendants(c)
