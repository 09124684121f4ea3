"""A deterministic work budget for the analysis of one function.

The race analysis compares pairs of accesses; a generated file with thousands of accesses in
one function (tiled polybench nests) would otherwise take seconds or minutes. Each pair test
costs one unit, and a dependence test inside it costs what it examines (subscript dimensions
times the indices of the loop nest it ranges over, ``dependence.size``): seven-deep tiled nests
spend the budget faster than flat loops, as they cost more time. Past the limit the function keeps
the results found so far and is reported as incomplete (one Information diagnostic), never a
stall. Counting units rather than seconds keeps the results the same on a slow and a fast
machine, so cached findings stay valid.
"""

from __future__ import annotations

import dataclasses

#: Units allowed per function (one loop body with ~150 accesses to one 1-D array uses about 22,000:
#: 11,000 pairs of one unit each, plus one unit for each pair's dependence test).
DEFAULT_LIMIT = 30000


class Exhausted(Exception):
    """Raised inside a pair test when the function's budget runs out (the pair stays undecided)."""


@dataclasses.dataclass
class WorkBudget:
    """Units of work spent per function, and the functions that ran out."""

    limit: int = DEFAULT_LIMIT
    spent: dict[int, int] = dataclasses.field(default_factory=dict)
    #: functions whose analysis was cut short: key -> (name, 0-based line of the function)
    exhausted: dict[int, tuple[str, int]] = dataclasses.field(default_factory=dict)

    def charge(self, key: int, units: int = 1) -> bool:
        """Spend units for a function; False once its budget is used up."""
        n = self.spent.get(key, 0) + units
        self.spent[key] = n
        return n <= self.limit

    def spend(self, key: int, units: int) -> None:
        """Spend units inside a pair test; raises ``Exhausted`` once the budget is used up."""
        if not self.charge(key, units):
            raise Exhausted

    def give_up(self, key: int, name: str, line: int) -> None:
        """Record that the function's analysis stopped early."""
        self.exhausted.setdefault(key, (name, line))

    def over(self, key: int) -> bool:
        """Whether the function has already run out."""
        return key in self.exhausted
