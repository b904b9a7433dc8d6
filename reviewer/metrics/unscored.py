"""What md-eval does not score along a recording, and where the reference overlaps: for display.

The spans come from the engine's own elementary intervals (:func:`~reviewer.metrics.engine.
elementary_intervals`) over the same :class:`~reviewer.metrics.regions.ScoringRegions` the
scorers use, so what is shown as not scored is exactly what the engine gives no weight: outside
the UEM (or md-eval's default extent), inside the collars, in skipped overlap, and in the
zones of the reference's ``NOSCORE``/``NON-LEX`` lines. Nothing here re-derives those rules;
the kinds only name, for a tooltip, why a stretch has no weight.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from reviewer.metrics.engine import elementary_intervals
from reviewer.metrics.regions import ScoringRegions, scoring_regions
from reviewer.model.annotation import Span, Track, TrackArrays
from reviewer.model.exclusions import Exclusions
from reviewer.model.scoring import ScoringSettings

OUTSIDE, COLLAR, OVERLAP, MARKED = range(4)
KIND_NAMES = ("outside the UEM", "collar", "overlap skipped", "md-eval zone (NOSCORE/NON-LEX)")
"""What each kind code means, by code."""

_EMPTY = np.empty(0, dtype=np.int64)


@dataclass(frozen=True, slots=True)
class ScoringMap:
    """Where a recording is not scored, and where its reference overlaps, in ticks.

    Attributes
    ----------
    starts, ends
        ``int64`` ``[span]``: the stretches with no scoring weight, sorted and disjoint
        (touching stretches of one kind are joined).
    kinds
        ``int8`` ``[span]``: why, as :data:`OUTSIDE`, :data:`COLLAR`, :data:`OVERLAP` or
        :data:`MARKED` (names in :data:`KIND_NAMES`).
    overlap_starts, overlap_ends
        ``int64`` ``[span]``: where two or more reference speakers talk (anywhere in the
        recording, scored or not), sorted and disjoint.
    overlap_counts
        ``int64`` ``[span]``: how many reference speakers talk there.
    """

    starts: np.ndarray
    ends: np.ndarray
    kinds: np.ndarray
    overlap_starts: np.ndarray
    overlap_ends: np.ndarray
    overlap_counts: np.ndarray

    def spans(self, kind: int | None = None) -> list[Span]:
        """The unscored stretches (of one kind, or all) as spans."""
        keep = np.ones(len(self.starts), bool) if kind is None else self.kinds == kind
        return [
            Span(int(a), int(b)) for a, b in zip(self.starts[keep], self.ends[keep], strict=True)
        ]

    def at(self, ticks: int) -> int | None:
        """The kind of unscored stretch at ``ticks``, or None where it is scored."""
        i = int(np.searchsorted(self.starts, ticks, side="right")) - 1
        return int(self.kinds[i]) if i >= 0 and ticks < self.ends[i] else None


def scoring_map(
    reference: TrackArrays, regions: ScoringRegions, end: int, settings: ScoringSettings
) -> ScoringMap:
    """What the engine does not score over ``[0, end)`` and where the reference overlaps.

    Parameters
    ----------
    reference
        The reference's turns.
    regions
        The regions the scorer uses (:func:`~reviewer.metrics.regions.scoring_regions`).
    end
        Ticks: the recording's end (the audio's); stretches past the evaluated region up to
        here are outside it.
    settings
        The scoring settings ``regions`` was made with (they only name the kinds).

    Returns
    -------
    ScoringMap
        Unscored stretches covering ``[0, end)`` minus the engine's scored intervals.
    """
    hypothesis = TrackArrays(_EMPTY, _EMPTY, _EMPTY, ())
    parts = elementary_intervals(reference, hypothesis, regions)
    overlap = _overlap(reference, max(end, int(reference.ends.max(initial=0))))
    if parts is None:
        whole = np.array([0, max(end, 0)], dtype=np.int64)
        keep = whole[1:] > whole[:-1]
        return ScoringMap(
            whole[:-1][keep], whole[1:][keep], np.full(keep.sum(), OUTSIDE, np.int8), *overlap
        )
    bounds = parts.bounds
    n_ref = parts.ref_active.sum(axis=0)
    kinds = np.full(len(bounds) - 1, COLLAR if settings.collar_ticks > 0 else MARKED, np.int8)
    if settings.skip_overlap:
        kinds[n_ref >= 2] = OVERLAP
    kinds[parts.evaluated == 0] = OUTSIDE
    unscored = parts.weights == 0
    starts = [np.array([0], np.int64), bounds[:-1][unscored], np.array([bounds[-1]], np.int64)]
    ends = [bounds[:1], bounds[1:][unscored], np.array([max(end, int(bounds[-1]))], np.int64)]
    codes = [np.array([OUTSIDE], np.int8), kinds[unscored], np.array([OUTSIDE], np.int8)]
    return ScoringMap(
        *_joined(np.concatenate(starts), np.concatenate(ends), np.concatenate(codes)), *overlap
    )


def track_scoring_map(
    reference: Track,
    uem: tuple[Span, ...] | None,
    settings: ScoringSettings,
    exclusions: Exclusions | None,
    end: int,
) -> ScoringMap:
    """:func:`scoring_map` of a reference track, its UEM, settings and scoring marks.

    The regions are made as the live scorer makes them
    (:func:`~reviewer.metrics.regions.scoring_regions`); warnings it gives are the
    scorer's to give, and are not repeated here.
    """
    arrays = reference.arrays
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        regions = scoring_regions(uem, arrays, settings, exclusions or None)
    return scoring_map(arrays, regions, end, settings)


def _overlap(reference: TrackArrays, end: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where two or more reference speakers are active, from the engine's intervals."""
    if end <= 0 or len(reference.starts) < 2:
        return _EMPTY, _EMPTY, _EMPTY
    hypothesis = TrackArrays(_EMPTY, _EMPTY, _EMPTY, ())
    parts = elementary_intervals(reference, hypothesis, ScoringRegions((Span(0, end),)))
    if parts is None:
        return _EMPTY, _EMPTY, _EMPTY
    n_ref = parts.ref_active.sum(axis=0)
    keep = n_ref >= 2
    starts, ends, counts = _joined(parts.bounds[:-1][keep], parts.bounds[1:][keep], n_ref[keep])
    return starts, ends, counts.astype(np.int64)


def _joined(
    starts: np.ndarray, ends: np.ndarray, kinds: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Drop empty stretches; join touching ones of the same kind."""
    keep = ends > starts
    starts, ends, kinds = starts[keep], ends[keep], kinds[keep]
    if len(starts) < 2:
        return starts, ends, kinds
    joined = (starts[1:] == ends[:-1]) & (kinds[1:] == kinds[:-1])
    first = np.concatenate(([True], ~joined))
    last = np.concatenate((~joined, [True]))
    return starts[first], ends[last], kinds[first]
