"""``python -m bench.external.floors``: propose raised floors for ``tests/external/test_floors.py``.

Runs the bench on every present suite and prints the FLOORS and FALSE_ALARM_CEILINGS literals with
each figure raised to the new measurement (rates rounded down to two decimals) where it improved, and
left alone where it did not: floors only go up, ceilings only come down. Paste the output over the
two literals in the test after checking the gains are real (no new rule written for one file).
"""

from __future__ import annotations

import math
import os
import sys
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from bench.external.__main__ import default_dir, measure  # noqa: E402
from bench.external.suites import SUITES  # noqa: E402
from tests.external.test_floors import FALSE_ALARM_CEILINGS, FLOORS, figure  # noqa: E402


def raised(floors: dict[str, float], row: dict[str, Any]) -> dict[str, float]:
    """A row's floors, each raised to the measured figure (rates rounded down) when that is higher."""
    out = {}
    for key, floor in floors.items():
        value = figure(row, key)
        if value is None:
            new = floor
        elif key.endswith("_hits"):
            new = value
        else:
            new = math.floor(value * 100 + 1e-9) / 100
        out[key] = max(floor, new)
    return out


def _literal(name: str, data: dict[str, dict[str, Any]], annotation: str) -> str:
    lines = [f"{name}: {annotation} = {{"]
    for suite, rows in data.items():
        lines.append(f'    "{suite}": {{')
        for row, value in rows.items():
            if isinstance(value, dict):
                inner = ", ".join(f'"{k}": {v}' for k, v in value.items())
                lines.append(f'        "{row}": {{{inner}}},')
            else:
                lines.append(f'        "{row}": {value},')
        lines.append("    },")
    lines.append("}")
    return "\n".join(lines)


def main() -> int:
    """Measure and print the proposed literals."""
    floors: dict[str, dict[str, Any]] = {}
    ceilings: dict[str, dict[str, Any]] = {}
    for name in SUITES:
        if name not in FLOORS or not os.path.isdir(default_dir(name)):
            floors[name] = FLOORS.get(name, {})
            ceilings[name] = FALSE_ALARM_CEILINGS.get(name, {})
            continue
        rows = {k: v.to_json() for k, v in measure(SUITES[name], default_dir(name))["rows"].items()}
        floors[name] = {r: raised(f, rows[r]) if r in rows else f for r, f in FLOORS[name].items()}
        ceilings[name] = {
            r: min(c, rows[r]["false_alarms"]) if r in rows else c
            for r, c in FALSE_ALARM_CEILINGS.get(name, {}).items()
        }
    print(_literal("FLOORS", floors, "dict[str, dict[str, dict[str, float]]]"))
    print(
        _literal(
            "FALSE_ALARM_CEILINGS", {k: v for k, v in ceilings.items() if v}, "dict[str, dict[str, int]]"
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
