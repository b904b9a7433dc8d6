"""The breakdown's exact sums over a stretch of a recording: what adds up across stretches.

Every number of an :class:`~reviewer.metrics.breakdown.ErrorBreakdown` is a sum over the
scored elementary intervals of integer tick counts (a class's missed time, a curve bin's
exposure, ...), divided at the very end. Some are shares: a reference speaker's part of
an interval's missed time is ``ticks * missed / wrong`` with ``wrong`` that interval's
count of wrongly handled reference speakers; those are kept as integer numerators per
denominator, so the sum is still exact. A :class:`Tally` of a whole recording therefore
equals the sum of the tallies of any stretches that cut it at interval bounds, in any
order, to the tick: the live breakdown (:mod:`~reviewer.metrics.incremental_breakdown`)
recounts only the stretch an edit touched, and its numbers are bit for bit those of a
breakdown from scratch (the sums become floats by one exactly rounded division).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from reviewer.metrics.curves import DISTANCE_BINS, TURN_BINS, change_distances, turn_durations
from reviewer.metrics.engine import IntervalErrors
from reviewer.metrics.structure import CLASSES, Structure
from reviewer.model.time import TICKS_PER_SECOND

CLASS_FIELDS = ("scored", "missed", "false_alarm", "confusion", "ticks")
"""The columns of :attr:`Tally.classes`: speaker time, its errors, and plain scored time."""


@dataclass(frozen=True, slots=True)
class Tally:
    """Exact sums (``int64`` ticks) of the breakdown over some elementary intervals.

    Attributes
    ----------
    classes
        ``[class, field]``: per class of :data:`~reviewer.metrics.structure.CLASSES`, the
        :data:`CLASS_FIELDS` (``scored`` is ``ticks * Nr``, ``ticks`` the plain scored ticks).
    speaker_time
        ``[r]``: scored ticks in which reference speaker ``r`` is active.
    missed, confused
        ``[r, d]``: numerators of speaker ``r``'s share of missed and confused time over
        intervals where ``d`` reference speakers are wrong (the share is ``value / d``).
    confused_with
        ``{d: [r, h]}``: numerators of the confusion of ``r`` given to system speaker
        ``h`` (left over in the interval), over intervals with denominator ``d``.
    turn_duration, change_distance
        ``[2, bin]``: exposure (``ticks * Nr``) and error ticks of each curve bin
        (:data:`~reviewer.metrics.curves.TURN_BINS`,
        :data:`~reviewer.metrics.curves.DISTANCE_BINS`).
    """

    classes: np.ndarray
    speaker_time: np.ndarray
    missed: np.ndarray
    confused: np.ndarray
    confused_with: dict[int, np.ndarray]
    turn_duration: np.ndarray
    change_distance: np.ndarray

    @classmethod
    def zeros(cls, n_ref: int, n_hyp: int) -> Tally:
        """The tally of nothing."""
        shares = np.zeros((n_ref, n_ref + 1), dtype=np.int64)
        return cls(
            np.zeros((len(CLASSES), len(CLASS_FIELDS)), dtype=np.int64),
            np.zeros(n_ref, dtype=np.int64),
            shares,
            shares.copy(),
            {},
            np.zeros((2, len(TURN_BINS) - 1), dtype=np.int64),
            np.zeros((2, len(DISTANCE_BINS) - 1), dtype=np.int64),
        )

    def __add__(self, other: Tally) -> Tally:
        return self._combine(other, 1)

    def __sub__(self, other: Tally) -> Tally:
        return self._combine(other, -1)

    def _combine(self, other: Tally, sign: int) -> Tally:
        confused_with = dict(self.confused_with)
        for d, matrix in other.confused_with.items():
            mine = confused_with.get(d)
            confused_with[d] = sign * matrix if mine is None else mine + sign * matrix
        return Tally(
            self.classes + sign * other.classes,
            self.speaker_time + sign * other.speaker_time,
            self.missed + sign * other.missed,
            self.confused + sign * other.confused,
            confused_with,
            self.turn_duration + sign * other.turn_duration,
            self.change_distance + sign * other.change_distance,
        )


def tally(
    counts: IntervalErrors,
    pairs: list[tuple[int, int]],
    structure: Structure,
    label: np.ndarray,
) -> Tally:
    """Count the breakdown's sums over some elementary intervals under a mapping.

    Parameters
    ----------
    counts
        The intervals' errors under the speaker mapping
        (:func:`~reviewer.metrics.engine.interval_errors`); the intervals must split at the
        structure's :meth:`~reviewer.metrics.structure.Structure.bounds`.
    pairs
        That mapping: ``(reference code, system code)`` pairs.
    label
        ``[K]``: each interval's class (:meth:`~reviewer.metrics.structure.Structure.classify`).
    structure
        The reference's structure (of the whole recording).

    Notes
    -----
    A reference speaker's incorrect time in an interval is split between missed and
    confusion in proportion to the interval's counts; its confusion goes to the system
    speakers left over there (active and not correctly matched), in equal shares.
    """
    parts, correct = counts.parts, counts.correct
    weights = parts.weights
    r_active, h_active = parts.ref_active, parts.hyp_active
    n_ref = r_active.shape[0]
    error = counts.missed + counts.false_alarm + counts.confusion
    values = (
        np.stack(
            [counts.n_ref, counts.missed, counts.false_alarm, counts.confusion, np.ones_like(error)]
        )
        * weights
    )
    onehot = label == np.arange(len(CLASSES))[:, None]
    classes = onehot.astype(np.int64) @ values.T

    incorrect = r_active & ~correct
    wrong = np.maximum(counts.n_ref - correct.sum(axis=0), 1)
    missed = _by_denominator(incorrect, weights * counts.missed, wrong, n_ref + 1)
    confused = _by_denominator(incorrect, weights * counts.confusion, wrong, n_ref + 1)
    used = np.zeros_like(h_active)
    for r, h in pairs:
        used[h] |= correct[r]
    spare = h_active & ~used
    share = np.flatnonzero(counts.confusion > 0)
    denominator = wrong[share] * np.maximum(spare[:, share].sum(axis=0), 1)
    numerator = (weights * counts.confusion)[share]
    confused_with = {}
    for d in np.unique(denominator).tolist():
        pick = share[denominator == d]
        given = incorrect[:, pick] * numerator[denominator == d]
        confused_with[d] = given @ spare[:, pick].T.astype(np.int64)

    middles = (parts.bounds[:-1] + parts.bounds[1:]) / 2
    exposure, errors = weights * counts.n_ref, weights * error
    duration = turn_durations(structure, middles, r_active)
    speech = np.isfinite(duration)
    return Tally(
        classes,
        r_active.astype(np.int64) @ weights,
        missed,
        confused,
        confused_with,
        _binned(TURN_BINS, duration[speech], exposure[speech], errors[speech]),
        _binned(DISTANCE_BINS, change_distances(structure, middles), exposure, errors),
    )


def _by_denominator(
    mask: np.ndarray, numerator: np.ndarray, denominator: np.ndarray, width: int
) -> np.ndarray:
    """``[row, d]``: sums of ``numerator`` where ``mask[row]`` holds and ``denominator == d``."""
    out = np.zeros((mask.shape[0], width), dtype=np.int64)
    for d in np.unique(denominator[numerator > 0]).tolist():
        pick = (denominator == d) & (numerator > 0)
        out[:, d] = mask[:, pick].astype(np.int64) @ numerator[pick]
    return out


def _binned(
    edges: tuple[float, ...], values: np.ndarray, exposure: np.ndarray, errors: np.ndarray
) -> np.ndarray:
    """``[2, bin]``: tick sums of ``exposure`` and ``errors`` by the bin of ``values``."""
    index = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, len(edges) - 2)
    onehot = index == np.arange(len(edges) - 1)[:, None]
    return np.stack([exposure, errors]) @ onehot.T.astype(np.int64)


def share_seconds(numerators: dict[int, int]) -> float:
    """Seconds of shares kept per denominator (``{d: ticks over d}``), exactly rounded."""
    common = math.lcm(*numerators) if numerators else 1
    total = sum(value * (common // d) for d, value in numerators.items())
    return total / (common * TICKS_PER_SECOND)


def row_shares(numerators: np.ndarray) -> dict[int, int]:
    """``{d: numerator}`` of a row of :attr:`Tally.missed` or :attr:`Tally.confused`."""
    return {d: int(numerators[d]) for d in np.flatnonzero(numerators).tolist()}
