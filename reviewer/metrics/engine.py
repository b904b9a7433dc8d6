"""The diarization error engine: md-eval-22 semantics over exact integer ticks.

Everything md-eval computes is a sum over the elementary intervals between consecutive
boundaries (turn edges, UEM edges, collar edges). :func:`accumulate` computes those sums
over the whole recording or over any window of it; sums over adjacent windows add up, which
is what lets :class:`~reviewer.metrics.incremental.IncrementalScorer` rescore only the
stretch an edit touched. The speaker mapping is chosen afterwards from the accumulated
co-occurrence matrix (:func:`~reviewer.metrics.mapping.speaker_mapping`), so it always
reflects the whole recording. Under that mapping, :func:`interval_errors` counts the errors
of each interval and :class:`ErrorRegions` says where they are: the live error lane and the
breakdown by cause (:mod:`~reviewer.metrics.breakdown`) both read them from here.

Tracks come in as :class:`~reviewer.model.annotation.TrackArrays` and the UEM, collar and
overlap rule as :class:`~reviewer.metrics.regions.ScoringRegions`.

md-eval-22 rules implemented here (each checked against md-eval on real data):

- scored region: the UEM; turns are clipped to it;
- zero-length turns add no speech but a zero-length reference turn still gets its collar;
- overlapping or touching turns of one speaker in one track count once;
- mapping: one-to-one, maximising co-occurrence over the UEM before collars and overlap
  removal; pairs that never co-occur are never mapped; among tied mappings, the one
  md-eval's floating-point sums select (:mod:`~reviewer.metrics.mapping`);
- collar ``c``: ``[t - c, t + c]`` around every reference turn start and end is not scored;
- where md-eval's own walks give a scored region that set arithmetic would not (the
  reference's ``NOSCORE``/``NON-LEX`` lines, or edges that coincide: :mod:`.zones`), that
  region is given explicitly and used as it is;
- skip-overlap: where two or more reference turns (even of one speaker) are active, nothing
  is scored;
- per interval of duration ``d`` with ``Nr`` reference and ``Nh`` system speakers and ``Nc``
  correctly mapped pairs active: scored ``d*Nr``, missed ``d*max(Nr-Nh, 0)``, false alarm
  ``d*max(Nh-Nr, 0)``, confusion ``d*(min(Nr, Nh) - Nc)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from reviewer.model.annotation import TrackArrays

if TYPE_CHECKING:
    from reviewer.metrics.regions import ScoringRegions


@dataclass(frozen=True, slots=True)
class Sums:
    """Additive md-eval sums over some stretch of a recording, all in ticks.

    Attributes
    ----------
    scored, missed, false_alarm
        Speaker time scored, missed and falsely detected.
    matched
        Sum of ``d * min(Nr, Nh)``: confusion is ``matched`` minus the correctly mapped time.
    cooccurrence
        ``[r, h]``: time speakers ``r`` and ``h`` are both active within the UEM, before
        collars and overlap removal (what the mapping maximises).
    scored_cooccurrence
        ``[r, h]``: the same, counted in the scored region only.
    """

    scored: int
    missed: int
    false_alarm: int
    matched: int
    cooccurrence: np.ndarray
    scored_cooccurrence: np.ndarray

    @classmethod
    def zeros(cls, n_ref: int, n_hyp: int) -> Sums:
        """Sums of an empty stretch."""
        matrix = np.zeros((n_ref, n_hyp), dtype=np.int64)
        return cls(0, 0, 0, 0, matrix, matrix.copy())

    def __add__(self, other: Sums) -> Sums:
        return Sums(
            self.scored + other.scored,
            self.missed + other.missed,
            self.false_alarm + other.false_alarm,
            self.matched + other.matched,
            self.cooccurrence + other.cooccurrence,
            self.scored_cooccurrence + other.scored_cooccurrence,
        )

    def __sub__(self, other: Sums) -> Sums:
        return Sums(
            self.scored - other.scored,
            self.missed - other.missed,
            self.false_alarm - other.false_alarm,
            self.matched - other.matched,
            self.cooccurrence - other.cooccurrence,
            self.scored_cooccurrence - other.scored_cooccurrence,
        )

    def resized(self, n_ref: int, n_hyp: int) -> Sums:
        """The same sums with room for more speakers (new rows and columns are zero)."""
        r, h = self.cooccurrence.shape
        if (r, h) == (n_ref, n_hyp):
            return self
        pad = ((0, n_ref - r), (0, n_hyp - h))
        return Sums(
            self.scored,
            self.missed,
            self.false_alarm,
            self.matched,
            np.pad(self.cooccurrence, pad),
            np.pad(self.scored_cooccurrence, pad),
        )

    def confusion(self, mapping: list[tuple[int, int]]) -> int:
        """Confusion time under a speaker mapping ``[(ref code, hyp code), ...]``."""
        correct = sum(int(self.scored_cooccurrence[r, h]) for r, h in mapping)
        return self.matched - correct


@dataclass(frozen=True, slots=True)
class Intervals:
    """The elementary intervals of a stretch of a recording, where nothing changes inside.

    Attributes
    ----------
    bounds
        ``K + 1`` sorted tick positions; interval ``i`` is ``[bounds[i], bounds[i + 1])``.
    ref_active, hyp_active
        ``[speaker, i]``: whether each speaker is active (same-speaker overlap counts once).
    evaluated
        Ticks of interval ``i`` inside the UEM (0 outside), before collars and overlap.
    weights
        Ticks of interval ``i`` that are scored (0 in collars, in skipped overlap, outside).
    """

    bounds: np.ndarray
    ref_active: np.ndarray
    hyp_active: np.ndarray
    evaluated: np.ndarray
    weights: np.ndarray


def elementary_intervals(
    reference: TrackArrays,
    hypothesis: TrackArrays,
    regions: ScoringRegions,
    *,
    window: tuple[int, int] | None = None,
    extra_bounds: np.ndarray | None = None,
) -> Intervals | None:
    """Split the evaluated region (or its part inside ``window``) into elementary intervals.

    Parameters
    ----------
    reference, hypothesis
        The two tracks.
    regions
        Where md-eval evaluates and scores (:func:`~reviewer.metrics.regions.scoring_regions`):
        the evaluated region and either md-eval's replayed scored region or the collar (ticks
        on EACH side of every reference boundary, md-eval's ``-c``) and skip-overlap rule
        (md-eval's ``-1``) the scored region follows from.
    window
        ``(lo, hi)`` ticks: only the intervals inside it.
    extra_bounds
        More tick positions where intervals must split (edges of analysis zones).

    Returns
    -------
    Intervals or None
        None when the stretch is empty.
    """
    return _intervals(
        reference,
        hypothesis,
        regions.starts,
        regions.ends,
        regions.collar,
        regions.skip_overlap,
        window,
        extra_bounds,
        regions.scored,
    )


def _intervals(
    reference: TrackArrays,
    hypothesis: TrackArrays,
    uem_starts: np.ndarray,
    uem_ends: np.ndarray,
    collar: int = 0,
    skip_overlap: bool = False,
    window: tuple[int, int] | None = None,
    extra_bounds: np.ndarray | None = None,
    scored: tuple[np.ndarray, np.ndarray] | None = None,
) -> Intervals | None:
    """:func:`elementary_intervals` with the regions spelt out.

    ``uem_starts``, ``uem_ends``: the evaluated region; ``collar`` (ticks each side),
    ``skip_overlap`` and ``scored`` (which, when given, replaces the collar and overlap
    rule and may reach outside the UEM, as md-eval's replayed walk may): as the fields of
    :class:`~reviewer.metrics.regions.ScoringRegions`.
    """
    outer = [(int(uem_starts[0]), int(uem_ends[-1]))] if len(uem_starts) else []
    if scored is not None and len(scored[0]):
        outer.append((int(scored[0][0]), int(scored[1][-1])))
    if not outer:
        return None
    lo, hi = min(a for a, _ in outer), max(b for _, b in outer)
    if window is not None:
        lo, hi = max(lo, window[0]), min(hi, window[1])
    if lo >= hi:
        return None

    r_starts, r_ends, r_speakers = _speech(reference, lo, hi)
    h_starts, h_ends, h_speakers = _speech(hypothesis, lo, hi)
    u_starts, u_ends = _clipped(uem_starts, uem_ends, lo, hi)
    pieces = [np.array([lo, hi], dtype=np.int64), u_starts, u_ends, r_starts, r_ends]
    pieces += [h_starts, h_ends]
    if collar > 0:
        c_starts, c_ends = _collar_zones(reference, collar, lo, hi)
        pieces += [c_starts, c_ends]
    if extra_bounds is not None:
        extra = np.asarray(extra_bounds, dtype=np.int64)
        pieces.append(extra[(extra > lo) & (extra < hi)])
    if scored is not None:
        s_starts, s_ends = _clipped(*scored, lo, hi)
        pieces += [s_starts, s_ends]
    bounds = np.sort(np.concatenate(pieces))
    bounds = bounds[np.concatenate(([True], bounds[1:] != bounds[:-1]))]
    durations = np.diff(bounds)

    ref_counts = _counts(bounds, r_starts, r_ends, r_speakers, reference.n_speakers)
    hyp_counts = _counts(bounds, h_starts, h_ends, h_speakers, hypothesis.n_speakers)
    evaluated = np.where(covered(bounds, u_starts, u_ends), durations, 0)
    if scored is not None:
        weights = np.where(covered(bounds, s_starts, s_ends), durations, 0)
        return Intervals(bounds, ref_counts > 0, hyp_counts > 0, evaluated, weights)
    weights = evaluated
    if collar > 0:
        weights = np.where(covered(bounds, c_starts, c_ends), 0, weights)
    if skip_overlap:
        weights = np.where(ref_counts.sum(axis=0) >= 2, 0, weights)
    return Intervals(bounds, ref_counts > 0, hyp_counts > 0, evaluated, weights)


def accumulate(
    reference: TrackArrays,
    hypothesis: TrackArrays,
    regions: ScoringRegions,
    window: tuple[int, int] | None = None,
) -> Sums:
    """md-eval's sums over the evaluated region, or over the part of it inside ``window``.

    Takes the parameters of :func:`elementary_intervals`.
    """
    parts = elementary_intervals(reference, hypothesis, regions, window=window)
    if parts is None:
        return Sums.zeros(reference.n_speakers, hypothesis.n_speakers)
    return sums_of(parts)


def sums_of(parts: Intervals) -> Sums:
    """md-eval's additive sums over some elementary intervals."""
    weights = parts.weights
    n_ref = parts.ref_active.sum(axis=0)
    n_hyp = parts.hyp_active.sum(axis=0)
    excess = n_ref - n_hyp
    cooccurrence, scored_cooccurrence = cooccurrences(
        parts.ref_active, parts.hyp_active, parts.evaluated, weights
    )
    return Sums(
        scored=int(weights @ n_ref),
        missed=int(weights @ np.maximum(excess, 0)),
        false_alarm=int(weights @ np.maximum(-excess, 0)),
        matched=int(weights @ np.minimum(n_ref, n_hyp)),
        cooccurrence=cooccurrence,
        scored_cooccurrence=scored_cooccurrence,
    )


@dataclass(frozen=True, slots=True)
class IntervalErrors:
    """md-eval's speaker counts and errors in each elementary interval, under a mapping.

    Attributes
    ----------
    parts
        The intervals.
    correct
        ``[reference speaker, i]``: the speaker is active and so is the system speaker it
        is mapped to.
    n_ref, n_hyp
        ``[i]``: how many reference and system speakers are active.
    missed, false_alarm, confusion
        ``[i]``: how many speakers are missed, falsely detected or confused (md-eval's
        ``max(Nr - Nh, 0)``, ``max(Nh - Nr, 0)``, ``min(Nr, Nh) - Nc``).
    """

    parts: Intervals
    correct: np.ndarray
    n_ref: np.ndarray
    n_hyp: np.ndarray
    missed: np.ndarray
    false_alarm: np.ndarray
    confusion: np.ndarray

    @property
    def wrong(self) -> np.ndarray:
        """``[i]``: whether the interval is scored and holds an error."""
        return (self.parts.weights > 0) & ((self.missed + self.false_alarm + self.confusion) > 0)

    def regions(self, join: bool = True) -> ErrorRegions:
        """The scored intervals with errors; ``join`` merges touching ones with equal counts.

        Unjoined regions also say which speakers are active in each
        (:attr:`ErrorRegions.ref_active`, :attr:`ErrorRegions.hyp_active`).
        """
        keep = self.wrong
        bounds = self.parts.bounds
        starts, ends = bounds[:-1][keep], bounds[1:][keep]
        missed, false_alarm, confusion = (
            self.missed[keep],
            self.false_alarm[keep],
            self.confusion[keep],
        )
        if not join:
            ref_active = self.parts.ref_active[:, keep]
            hyp_active = self.parts.hyp_active[:, keep]
            return ErrorRegions(
                starts, ends, missed, false_alarm, confusion, ref_active, hyp_active
            )
        if len(starts) > 1:  # join touching intervals with identical errors
            kinds = np.stack([missed, false_alarm, confusion])
            joined = (starts[1:] == ends[:-1]) & (kinds[:, 1:] == kinds[:, :-1]).all(axis=0)
            first = np.concatenate(([True], ~joined))
            last = np.concatenate((~joined, [True]))
            starts, ends = starts[first], ends[last]
            missed, false_alarm, confusion = kinds[:, first]
        return ErrorRegions(starts, ends, missed, false_alarm, confusion)


def interval_errors(parts: Intervals, mapping: list[tuple[int, int]]) -> IntervalErrors:
    """Count md-eval's errors in every elementary interval under a speaker ``mapping``.

    ``mapping``: ``(reference code, system code)`` pairs
    (:func:`~reviewer.metrics.mapping.speaker_mapping`).
    """
    ref_active, hyp_active = parts.ref_active, parts.hyp_active
    n_ref, n_hyp = ref_active.sum(axis=0), hyp_active.sum(axis=0)
    correct = np.zeros_like(ref_active)
    for r, h in mapping:
        correct[r] = ref_active[r] & hyp_active[h]
    return IntervalErrors(
        parts,
        correct,
        n_ref,
        n_hyp,
        np.maximum(n_ref - n_hyp, 0),
        np.maximum(n_hyp - n_ref, 0),
        np.minimum(n_ref, n_hyp) - correct.sum(axis=0),
    )


@dataclass(frozen=True, slots=True)
class ErrorRegions:
    """Where the errors are: scored stretches with missed, false-alarm or confused speakers.

    Attributes
    ----------
    starts, ends
        ``[region]`` ticks, sorted.
    missed, false_alarm, confusion
        ``[region]``: how many speakers are missed, falsely detected or confused.
    ref_active, hyp_active
        ``[speaker, region]``: which reference and system speakers are active, for regions
        that are single elementary intervals (``IntervalErrors.regions(join=False)``);
        None for joined regions, whose speakers may change inside.
    """

    starts: np.ndarray
    ends: np.ndarray
    missed: np.ndarray
    false_alarm: np.ndarray
    confusion: np.ndarray
    ref_active: np.ndarray | None = None
    hyp_active: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.starts)

    def select(self, mask: np.ndarray) -> list[tuple[int, int]]:
        """``(start, end)`` ticks of the regions where ``mask`` holds, touching ones joined."""
        spans: list[tuple[int, int]] = []
        for start, end in zip(self.starts[mask].tolist(), self.ends[mask].tolist(), strict=True):
            if spans and spans[-1][1] == start:
                spans[-1] = (spans[-1][0], end)
            else:
                spans.append((start, end))
        return spans


def error_regions(parts: Intervals | None, mapping: list[tuple[int, int]]) -> ErrorRegions:
    """The scored stretches that hold errors under a speaker ``mapping`` (code pairs).

    Touching elementary intervals with the same error counts are joined.
    """
    if parts is None:
        empty = np.empty(0, dtype=np.int64)
        return ErrorRegions(empty, empty, empty, empty, empty)
    return interval_errors(parts, mapping).regions()


def _speech(track: TrackArrays, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Turns with speech inside ``[lo, hi)``, clipped to it."""
    keep = (track.ends > track.starts) & (track.starts < hi) & (track.ends > lo)
    return (
        np.clip(track.starts[keep], lo, hi),
        np.clip(track.ends[keep], lo, hi),
        track.speakers[keep],
    )


def _clipped(starts: np.ndarray, ends: np.ndarray, lo: int, hi: int) -> tuple[np.ndarray, ...]:
    keep = (starts < hi) & (ends > lo)
    return np.clip(starts[keep], lo, hi), np.clip(ends[keep], lo, hi)


def _collar_zones(reference: TrackArrays, collar: int, lo: int, hi: int) -> tuple[np.ndarray, ...]:
    """``[t - collar, t + collar]`` around every reference boundary near ``[lo, hi)``, clipped."""
    keep = (reference.starts - collar < hi) & (reference.ends + collar > lo)
    edges = np.concatenate([reference.starts[keep], reference.ends[keep]])
    return _clipped(edges - collar, edges + collar, lo, hi)


def _counts(
    bounds: np.ndarray, starts: np.ndarray, ends: np.ndarray, codes: np.ndarray, width: int
) -> np.ndarray:
    """``[code, i]``: how many ``[start, end)`` of each code cover elementary interval ``i``."""
    n = len(bounds)
    first = codes * n + np.searchsorted(bounds, starts)
    last = codes * n + np.searchsorted(bounds, ends)
    size = n * width
    delta = np.bincount(first, minlength=size) - np.bincount(last, minlength=size)
    return np.cumsum(delta.reshape(width, n), axis=1)[:, :-1]


def covered(bounds: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Whether each elementary interval lies inside any of the intervals ``[start, end)``."""
    n = len(bounds)
    first = np.minimum(np.searchsorted(bounds, starts), n - 1)
    last = np.minimum(np.searchsorted(bounds, ends), n - 1)
    delta = np.bincount(first, minlength=n) - np.bincount(last, minlength=n)
    return np.cumsum(delta)[:-1] > 0


def cooccurrences(
    ref_active: np.ndarray, hyp_active: np.ndarray, evaluated: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``[r, h]`` tick sums of ``evaluated`` and of ``weights`` where both speakers are active.

    Parameters
    ----------
    ref_active, hyp_active
        ``[speaker, i]`` booleans of the elementary intervals.
    evaluated, weights
        ``[i]`` ticks: evaluated (what the mapping maximises) and scored.

    Returns
    -------
    tuple of numpy.ndarray
        ``int64`` ``(cooccurrence, scored_cooccurrence)``, each of shape ``(R, H)``. Computed
        in float64, exact while sums stay below 2**53 ticks (about 700 hours).
    """
    n_ref = ref_active.shape[0]
    both = np.empty((2 * n_ref, ref_active.shape[1]))
    np.multiply(ref_active, evaluated, out=both[:n_ref])
    np.multiply(ref_active, weights, out=both[n_ref:])
    sums = np.rint(both @ hyp_active.T.astype(np.float64)).astype(np.int64)
    return sums[:n_ref], sums[n_ref:]
