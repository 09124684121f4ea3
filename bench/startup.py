"""Time from spawning ``hpclsp serve`` to the ``initialize`` response (target < 0.5 s)."""

from __future__ import annotations

import statistics

from hpclsp.stdio_client import Client


def main(runs: int = 7) -> None:
    """Print the median and spread of the initialize time."""
    times = []
    for _ in range(runs):
        c = Client()
        times.append(c.initialize({}))  # default settings: the model loads in the background
        c.close()
    times.sort()
    print(
        f"initialize answered: p50 {statistics.median(times) * 1000:.0f} ms, min {times[0] * 1000:.0f} ms, "
        f"max {times[-1] * 1000:.0f} ms over {runs} runs (target < 500 ms)"
    )


if __name__ == "__main__":
    main()
