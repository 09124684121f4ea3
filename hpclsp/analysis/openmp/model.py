"""The OpenMP directive model: one ``Directive`` per logical directive, with its ``Clause`` list.

Everything that reads OpenMP source (the directive rules, the IR's constructs, the race checker,
the advisor, hover, semantic tokens, inlay hints) works on these objects, so they live apart from
the scanner and parsers that build them. Names are canonical: lower case, words separated by one
space (``"parallel for"``, ``"end parallel do"``); the statement a C/C++ directive applies to is
found by the IR, not here. A ``Clause`` keeps its name (lower case), its raw argument text (None
without parentheses), the parsed ``items``, ``modifier``/``modifiers`` and ``value`` (see
``clauses`` for how each argument shape is split) and the spans of each part.
"""

from __future__ import annotations

import dataclasses

from hpclsp.analysis.findings import Span
from hpclsp.analysis.openmp import spec
from hpclsp.analysis.openmp.spec_types import DirectiveInfo


@dataclasses.dataclass
class Clause:
    """One clause of a directive."""

    name: str
    #: The text between the parentheses, or None for a clause without arguments.
    args: str | None
    span: Span
    #: Span of the argument text (inside the parentheses), when there is one.
    args_span: Span | None = None
    #: List items (variables, array sections as written), for clauses that take a list.
    items: list[str] = dataclasses.field(default_factory=list)
    #: Spans of each list item, parallel to ``items``.
    item_spans: list[Span] = dataclasses.field(default_factory=list)
    #: Operator / kind / modifier before the colon: reduction op, schedule kind, map type, depend type...
    modifier: str | None = None
    #: Span of the clause name.
    name_span: Span | None = None
    #: Every modifier before the ``:`` (lower case keywords; function-style ones such as
    #: ``iterator(i=0:n)`` or ``mapper(id)`` as written). See the module docstring's table.
    modifiers: list[str] = dataclasses.field(default_factory=list)
    #: Span of ``modifier`` when it was written.
    modifier_span: Span | None = None
    #: Expression argument: chunk size, linear step, alignment, condition, thread count...
    value: str | None = None
    value_span: Span | None = None
    #: A structural problem seen while parsing (``"missing ')'"``, ``"empty list item"``), or None.
    error: str | None = None

    @property
    def text_span(self) -> Span:
        """Alias of ``span`` (the clause from its name to its closing parenthesis)."""
        return self.span


@dataclasses.dataclass
class Directive:
    """One logical OpenMP directive (continuation lines joined)."""

    name: str
    clauses: list[Clause]
    #: Span of the whole directive, from the sentinel/`#pragma` to the end of the last continuation line.
    span: Span
    #: Span of the directive name words.
    name_span: Span
    #: The sentinel as written: "#pragma omp", "!$omp", "c$omp", "*$omp".
    sentinel: str
    #: 0-based lines the directive occupies (first..last, inclusive).
    first_line: int
    last_line: int
    #: True when the directive name is a known OpenMP directive.
    known: bool = True
    #: For ``critical(name)``, ``end critical(name)``: the name; for ``declare reduction`` etc.: its argument.
    argument: str | None = None
    #: Span of ``argument`` (inside its parentheses).
    argument_span: Span | None = None
    #: The argument split into list items (commas), or parts (``:``) for declare reduction/mapper.
    argument_items: list[str] = dataclasses.field(default_factory=list)
    argument_item_spans: list[Span] = dataclasses.field(default_factory=list)
    #: Language family the directive was parsed as: ``"c"`` or ``"fortran"``.
    language: str = "c"
    #: Fixed-form Fortran source.
    fixed_form: bool = False
    #: The directive text after the sentinel, comments removed and continuations joined by one space.
    text: str = ""
    #: Structural problems outside clauses: (message, span) — stray text, unbalanced parentheses.
    problems: list[tuple[str, Span]] = dataclasses.field(default_factory=list)
    #: For an unknown name written in the other language's spelling (``parallel do`` in C), the
    #: right spelling; for other unknown names None.
    spelling_hint: str | None = None

    def clause(self, name: str) -> Clause | None:
        """The first clause with this name."""
        for c in self.clauses:
            if c.name == name:
                return c
        return None

    def clauses_named(self, name: str) -> list[Clause]:
        """Every clause with this name."""
        return [c for c in self.clauses if c.name == name]

    @property
    def words(self) -> list[str]:
        """The directive name split into words."""
        return self.name.split()

    @property
    def is_end(self) -> bool:
        """True for Fortran ``end ...`` directives."""
        return self.name.startswith("end ")

    @property
    def info(self) -> DirectiveInfo | None:
        """The spec facts for this directive (None when unknown)."""
        return spec.directive_info(self.name, self.language) if self.known else None

    @property
    def leaves(self) -> tuple[str, ...]:
        """Leaf constructs (``("parallel", "for")`` for ``parallel for``); ``()`` when unknown."""
        info = self.info
        return info.leaves if info is not None else ()

    @property
    def atomic_kind(self) -> str | None:
        """For ``atomic``: ``read``, ``write``, ``update``, ``capture``, ``compare`` (or ``compare capture``);
        ``update`` when none is written. None for other directives."""
        if self.name not in ("atomic", "end atomic"):
            return None
        kinds = [c.name for c in self.clauses if c.name in ("read", "write", "update", "capture", "compare")]
        if not kinds:
            return "update"
        return " ".join(sorted(set(kinds), key=["compare", "read", "write", "update", "capture"].index))
