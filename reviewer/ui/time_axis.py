"""A time ruler in h:mm:ss.mmm."""

from __future__ import annotations

import pyqtgraph as pg


def clock(seconds: float, precision: int = 3) -> str:
    """Format seconds as ``h:mm:ss.mmm`` (fewer decimals when asked)."""
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    scale = 10**precision
    total = round(seconds * scale)
    whole, frac = divmod(total, scale)
    minutes, s = divmod(whole, 60)
    hours, m = divmod(minutes, 60)
    text = f"{sign}{hours}:{m:02d}:{s:02d}"
    return f"{text}.{frac:0{precision}d}" if precision else text


class TimeAxis(pg.AxisItem):
    """An axis whose tick labels are clock times, with as many decimals as the zoom needs."""

    def tickStrings(self, values, scale, spacing):  # noqa: N802 (Qt naming)
        """Label ticks as h:mm:ss.mmm."""
        if spacing >= 1:
            precision = 0
        elif spacing >= 0.1:
            precision = 1
        elif spacing >= 0.01:
            precision = 2
        else:
            precision = 3
        return [clock(value * scale, precision) for value in values]
