"""Error rate against a property of the reference: turn duration, distance to a change.

The breakdown (:mod:`~reviewer.metrics.breakdown`) bins each elementary interval's exposure
(scored speaker seconds) and errors by the duration of the reference turn it lies in
(:func:`turn_durations`) and by its distance from the nearest speaker change point
(:func:`change_distances`, :mod:`~reviewer.metrics.structure`); the sums are exact ticks
(:mod:`~reviewer.metrics.tally`) made a :class:`Curve` by :func:`curve`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from reviewer.metrics.structure import Structure
from reviewer.model.time import TICKS_PER_SECOND

TURN_BINS = (0.0, 0.5, 1.0, 2.0, 4.0, 8.0, float("inf"))
"""Bin edges (seconds) of the turn-duration curve."""

DISTANCE_BINS = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0, float("inf"))
"""Bin edges (seconds) of the change-distance curve."""


@dataclass(frozen=True)
class Curve:
    """Error rate against a quantity, in bins ``[edges[i], edges[i + 1])``.

    Attributes
    ----------
    edges
        ``B + 1`` bin edges (seconds; the last is infinity).
    exposure, errors
        ``[B]`` seconds: scored speaker time and error time in each bin.
    """

    edges: tuple[float, ...]
    exposure: tuple[float, ...]
    errors: tuple[float, ...]

    @property
    def rates(self) -> tuple[float | None, ...]:
        """Errors / exposure per bin (None for empty bins)."""
        return tuple(
            e / x if x > 0 else None for e, x in zip(self.errors, self.exposure, strict=True)
        )

    def as_dict(self) -> dict:
        """JSON-ready numbers (the last edge is ``null`` for infinity)."""
        return {
            "edges": [e if np.isfinite(e) else None for e in self.edges],
            "exposure": list(self.exposure),
            "errors": list(self.errors),
            "rates": list(self.rates),
        }


def add_curves(curves: Iterable[Curve | None]) -> Curve | None:
    """Bin by bin sums of curves with the same edges (None entries skipped; None if none)."""
    present = [c for c in curves if c is not None]
    if not present:
        return None
    return Curve(
        present[0].edges,
        tuple(map(sum, zip(*(c.exposure for c in present), strict=True))),
        tuple(map(sum, zip(*(c.errors for c in present), strict=True))),
    )


def turn_durations(structure: Structure, middles: np.ndarray, ref_active: np.ndarray) -> np.ndarray:
    """``[K]`` seconds: the duration of the (merged) reference turn each interval lies in.

    Intervals with several reference speakers count under the shortest of their turns;
    intervals without reference speech get infinity (the curve leaves them out).

    Parameters
    ----------
    structure
        The reference's merged turns.
    middles
        ``[K]`` ticks: the middle of each elementary interval.
    ref_active
        ``[speaker, K]``: which reference speakers are active.
    """
    duration = np.full(len(middles), np.inf)
    for k, (s, e) in structure.turns_of.items():
        i = np.searchsorted(s, middles, side="right") - 1
        inside = (i >= 0) & (e[np.maximum(i, 0)] > middles) & ref_active[k]
        length = (e - s)[np.maximum(i, 0)] / TICKS_PER_SECOND
        duration = np.where(inside, np.minimum(duration, length), duration)
    return duration


def change_distances(structure: Structure, middles: np.ndarray) -> np.ndarray:
    """``[K]`` seconds from each interval's middle (ticks) to the nearest speaker change point."""
    points = structure.points
    if len(points) == 0:
        return np.full(len(middles), np.inf)
    i = np.clip(np.searchsorted(points, middles), 1, len(points))
    left = np.abs(middles - points[i - 1])
    right = np.abs(points[np.minimum(i, len(points) - 1)] - middles)
    return np.minimum(left, right) / TICKS_PER_SECOND


def curve(edges: Sequence[float], ticks: np.ndarray) -> Curve:
    """The curve of exact sums: ``ticks[0]`` exposure and ``ticks[1]`` errors per bin (ticks)."""
    exposure, errors = (tuple(int(t) / TICKS_PER_SECOND for t in row) for row in ticks)
    return Curve(tuple(edges), exposure, errors)
