"""A deterministic work budget for the analysis of one function.

The race analysis compares pairs of accesses; a generated file with thousands of accesses in
one function (tiled polybench nests) would otherwise take seconds or minutes. Each pair test
costs one unit; past the limit the function keeps the results found so far and is reported as
incomplete (one Information diagnostic), never a stall. Counting units rather than seconds keeps
the results the same on a slow and a fast machine, so cached findings stay valid.
"""

from __future__ import annotations

import dataclasses

#: Pair tests allowed per function (one loop body with ~150 accesses to one array uses about 11,000).
DEFAULT_LIMIT = 12000


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

    def give_up(self, key: int, name: str, line: int) -> None:
        """Record that the function's analysis stopped early."""
        self.exhausted.setdefault(key, (name, line))

    def over(self, key: int) -> bool:
        """Whether the function has already run out."""
        return key in self.exhausted
