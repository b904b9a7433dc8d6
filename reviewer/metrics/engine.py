"""The diarization error engine: md-eval-22 semantics over exact integer ticks.

Everything md-eval computes is a sum over the elementary intervals between consecutive
boundaries (turn edges, UEM edges, collar edges). :func:`accumulate` computes those sums
over the whole recording or over any window of it; sums over adjacent windows add up, which
is what lets :class:`~reviewer.metrics.incremental.IncrementalScorer` rescore only the
stretch an edit touched. The speaker mapping is chosen afterwards from the accumulated
co-occurrence matrix (:func:`~reviewer.metrics.mapping.speaker_mapping`), so it always
reflects the whole recording.

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

import numpy as np


@dataclass(frozen=True, slots=True)
class Columns:
    """Turns of one track as columns: ``int64`` ticks and speaker codes indexing ``labels``."""

    starts: np.ndarray
    ends: np.ndarray
    speakers: np.ndarray
    labels: tuple

    @property
    def n_speakers(self) -> int:
        """How many speaker codes there are."""
        return len(self.labels)


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


def intervals(
    reference: Columns,
    hypothesis: Columns,
    uem_starts: np.ndarray,
    uem_ends: np.ndarray,
    collar: int = 0,
    skip_overlap: bool = False,
    window: tuple[int, int] | None = None,
    extra_bounds: np.ndarray | None = None,
    scored: tuple[np.ndarray, np.ndarray] | None = None,
) -> Intervals | None:
    """Split the UEM (or its part inside ``window``) into elementary intervals.

    Parameters
    ----------
    reference, hypothesis
        The two tracks.
    uem_starts, uem_ends
        Sorted, disjoint, non-empty scored regions (ticks).
    collar
        Ticks excluded on EACH side of every reference turn boundary (md-eval's ``-c``).
    skip_overlap
        Exclude regions where two or more reference turns are active (md-eval's ``-1``).
    window
        ``(lo, hi)`` ticks: only the intervals inside it.
    extra_bounds
        More tick positions where intervals must split (edges of analysis zones).
    scored
        ``(starts, ends)``, sorted and disjoint: the scored region as md-eval computed it
        (:func:`~reviewer.metrics.zones.mdeval_regions`), used instead of the UEM
        minus collars and overlap (``collar`` and ``skip_overlap`` are then not applied).
        It may reach outside the UEM, as md-eval's may.

    Returns
    -------
    Intervals or None
        None when the stretch is empty.
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
    reference: Columns,
    hypothesis: Columns,
    uem_starts: np.ndarray,
    uem_ends: np.ndarray,
    collar: int = 0,
    skip_overlap: bool = False,
    window: tuple[int, int] | None = None,
    scored: tuple[np.ndarray, np.ndarray] | None = None,
) -> Sums:
    """Compute md-eval's sums over the UEM, or over the part of it inside ``window``.

    Takes the parameters of :func:`intervals`.
    """
    parts = intervals(
        reference,
        hypothesis,
        uem_starts,
        uem_ends,
        collar,
        skip_overlap,
        window,
        scored=scored,
    )
    if parts is None:
        return Sums.zeros(reference.n_speakers, hypothesis.n_speakers)
    weights = parts.weights
    n_ref = parts.ref_active.sum(axis=0)
    n_hyp = parts.hyp_active.sum(axis=0)
    excess = n_ref - n_hyp
    return Sums(
        scored=int(weights @ n_ref),
        missed=int(weights @ np.maximum(excess, 0)),
        false_alarm=int(weights @ np.maximum(-excess, 0)),
        matched=int(weights @ np.minimum(n_ref, n_hyp)),
        **_cooccurrences(parts.ref_active, parts.hyp_active, parts.evaluated, weights),
    )


@dataclass(frozen=True, slots=True)
class ErrorRegions:
    """Where the errors are: intervals with missed, false-alarm or confused speakers.

    Attributes
    ----------
    starts, ends
        Ticks of each region (adjacent intervals with the same errors are joined).
    missed, false_alarm, confusion
        How many speakers are missed, falsely detected or confused in each region.
    """

    starts: np.ndarray
    ends: np.ndarray
    missed: np.ndarray
    false_alarm: np.ndarray
    confusion: np.ndarray

    def __len__(self) -> int:
        return len(self.starts)


def error_regions(parts: Intervals | None, mapping: list[tuple[int, int]]) -> ErrorRegions:
    """The scored intervals that hold errors under a speaker ``mapping`` (code pairs)."""
    if parts is None:
        empty = np.empty(0, dtype=np.int64)
        return ErrorRegions(empty, empty, empty, empty, empty)
    n_ref = parts.ref_active.sum(axis=0)
    n_hyp = parts.hyp_active.sum(axis=0)
    correct = np.zeros_like(n_ref)
    for r, h in mapping:
        correct += parts.ref_active[r] & parts.hyp_active[h]
    missed = np.maximum(n_ref - n_hyp, 0)
    false_alarm = np.maximum(n_hyp - n_ref, 0)
    confusion = np.minimum(n_ref, n_hyp) - correct
    keep = (parts.weights > 0) & ((missed + false_alarm + confusion) > 0)
    starts, ends = parts.bounds[:-1][keep], parts.bounds[1:][keep]
    kinds = np.stack([missed[keep], false_alarm[keep], confusion[keep]])
    if len(starts) > 1:  # join touching intervals with identical errors
        joined = (starts[1:] == ends[:-1]) & (kinds[:, 1:] == kinds[:, :-1]).all(axis=0)
        first = np.concatenate(([True], ~joined))
        last = np.concatenate((~joined, [True]))
        starts, ends, kinds = starts[first], ends[last], kinds[:, first]
    return ErrorRegions(starts, ends, kinds[0], kinds[1], kinds[2])


def _speech(track: Columns, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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


def _collar_zones(reference: Columns, collar: int, lo: int, hi: int) -> tuple[np.ndarray, ...]:
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


def _cooccurrences(
    ref_active: np.ndarray, hyp_active: np.ndarray, evaluated: np.ndarray, weights: np.ndarray
) -> dict[str, np.ndarray]:
    """``[r, h]`` sums of ``evaluated`` and of ``weights`` where both speakers are active.

    Computed in float64, exact while sums stay below 2**53 ticks (about 700 hours).
    """
    n_ref = ref_active.shape[0]
    both = np.empty((2 * n_ref, ref_active.shape[1]))
    np.multiply(ref_active, evaluated, out=both[:n_ref])
    np.multiply(ref_active, weights, out=both[n_ref:])
    sums = np.rint(both @ hyp_active.T.astype(np.float64)).astype(np.int64)
    return {"cooccurrence": sums[:n_ref], "scored_cooccurrence": sums[n_ref:]}
