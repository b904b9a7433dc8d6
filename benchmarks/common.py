"""What the benchmark scripts share: timing and the JSON-lines output."""

from __future__ import annotations

import json
import statistics
import time


def timed(function, repeat: int) -> float:
    """Median wall time of ``function(i)`` (``i``: the repetition) in milliseconds."""
    times = []
    for i in range(repeat):
        start = time.perf_counter()
        function(i)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def emit(name: str, value: float, unit: str = "ms", **fields) -> None:
    """Print one result as a JSON line."""
    print(json.dumps({"name": name, "value": round(value, 4), "unit": unit, **fields}), flush=True)
