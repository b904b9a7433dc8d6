"""Jaccard error rate (JER) of DIHARD, exactly as dscore v1.1.0 computes it.

dscore (``nryant/dscore`` @ e02f949) scores JER on 10 ms frames, not in continuous time:

- a turn is ``onset = float(start)``, ``offset = onset + float(duration)`` (float64);
  zero-length turns are refused by dscore, so they are dropped here;
- turns are cut to the UEM; a speaker none of whose turns overlaps the UEM by a positive
  length is not a speaker of the file at all; without a UEM, dscore's own one is used:
  one region from the earliest onset to the latest offset of the reference and system turns;
- ``n = int(max UEM end / step)`` frames; frame ``i`` is the point ``t_i = step * i``
  (float64); a speaker is active in it iff ``onset <= t_i < offset`` for one of its turns
  (multi-hot: overlapped speech counts for every active speaker); frames whose ``t_i`` is
  outside every UEM region ``[start, end)`` are dropped;
- with ``R_k``, ``S_j`` the frame counts of reference speaker ``k`` and system speaker ``j``
  and ``I_kj`` the frames they share, the cost is ``1 - I_kj / (R_k + S_j - I_kj)``; the
  Hungarian algorithm maps speakers one-to-one at least total cost; a mapped reference
  speaker's JER is its cost, an unmapped one's is 1; unmapped system speakers cost nothing;
- a file's JER is the unweighted mean over its reference speakers; the corpus JER pools the
  speakers of every file (speaker-weighted, not the mean of the file JERs).

Collars and overlap exclusion do not exist for JER. Everything here is a ratio in [0, 1];
dscore prints 100 times it.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from reviewer.metrics.inputs import columns, uem_spans
from reviewer.model.annotation import Track, TrackArrays, merge_spans
from reviewer.model.time import TICKS_PER_SECOND

if TYPE_CHECKING:
    from reviewer.metrics.inputs import TrackLike, UemLike

__all__ = ["JaccardScore", "jer", "jer_corpus", "pooled_jer"]


@dataclass(frozen=True)
class JaccardScore:
    """Jaccard error of one recording.

    Attributes
    ----------
    speakers
        ``{reference speaker: JER ratio in [0, 1]}``, sorted by name: ``1 - |R ∩ S| /
        |R ∪ S|`` in frames against the mapped system speaker, 1 when unmapped.
    mapping
        ``{reference speaker: system speaker}`` of the mapped pairs.
    system
        The system speakers scored (sorted); only their number matters for the JER.
    """

    speakers: dict[str, float] = field(default_factory=dict)
    mapping: dict[str, str] = field(default_factory=dict)
    system: tuple[str, ...] = ()

    @property
    def jer(self) -> float:
        """The recording's JER (ratio): the mean over reference speakers.

        With no reference speaker it is 1 if there is a system speaker and 0 otherwise,
        as dscore's edge cases.
        """
        if self.speakers:
            return float(np.mean(np.fromiter(self.speakers.values(), np.float64)))
        return 1.0 if self.system else 0.0

    @property
    def n_reference(self) -> int:
        """How many reference speakers were scored."""
        return len(self.speakers)

    @property
    def n_system(self) -> int:
        """How many system speakers were scored."""
        return len(self.system)

    def as_dict(self) -> dict[str, Any]:
        """``{"jer", "speakers", "mapping", "system"}``: ratios and names."""
        return {
            "jer": self.jer,
            "speakers": dict(self.speakers),
            "mapping": dict(self.mapping),
            "system": list(self.system),
        }


def pooled_jer(scores: Iterable[JaccardScore]) -> float:
    """Corpus JER (ratio) of per-recording scores, as dscore's ``*** OVERALL ***`` line.

    The per-speaker JERs of every recording are pooled and averaged, so a recording weighs
    as many reference speakers as it has. Recordings without reference speakers add nothing
    (even when their own JER is 1). If no recording has a reference speaker, the result is
    1 when some recording has a system speaker and 0 otherwise.
    """
    pool: list[float] = []
    n_system = 0
    for item in scores:
        pool.extend(item.speakers.values())
        n_system += item.n_system
    if pool:
        return float(np.mean(np.array(pool, dtype=np.float64)))
    return 1.0 if n_system else 0.0


def jer(
    reference: TrackLike,
    hypothesis: TrackLike,
    *,
    uem: UemLike = None,
    step: float = 0.01,
    min_ref_dur: float = 0.0,
) -> JaccardScore:
    """Jaccard error rate of one recording, as dscore v1.1.0 computes it.

    Parameters
    ----------
    reference, hypothesis
        pyannote.core ``Annotation`` or :class:`~reviewer.model.annotation.Track`.
        Zero-length turns are ignored (dscore refuses them).
    uem
        Scored regions (pyannote.core ``Timeline`` or spans; overlapping ones are merged,
        empty ones ignored). None uses dscore's generated UEM: from the earliest onset to
        the latest offset of all reference and system turns.
    step
        Frame step in seconds (dscore's ``--step``).
    min_ref_dur
        Reference speakers active in fewer than ``int(min_ref_dur / step)`` frames are not
        scored (dscore's ``--jer_min_ref_dur``; 0 keeps every one, even with no frame).

    Returns
    -------
    JaccardScore
        Per-speaker JERs, the mapping, and ``jer`` (a ratio; dscore prints it x 100).

    Raises
    ------
    ValueError
        If a turn starts before 0 (dscore refuses it) or ``step`` is not positive.
    """
    if not step > 0:
        raise ValueError(f"step must be positive, got {step!r}")
    ref = _turns(columns(reference))
    hyp = _turns(columns(hypothesis))
    if uem is None:
        onsets = np.concatenate([ref.onsets, hyp.onsets])
        if len(onsets) == 0:
            return JaccardScore()
        offsets = np.concatenate([ref.offsets, hyp.offsets])
        lo, hi = onsets.min(keepdims=True), offsets.max(keepdims=True)
    else:
        spans = [span for span in merge_spans(uem_spans(uem)) if span.end > span.start]
        lo = np.array([span.start for span in spans], dtype=np.int64) / TICKS_PER_SECOND
        hi = np.array([span.end for span in spans], dtype=np.int64) / TICKS_PER_SECOND
        ref, hyp = ref.within(lo, hi), hyp.within(lo, hi)
    n_frames = int(float(hi.max()) / step) if len(hi) else 0
    times = step * np.arange(n_frames)
    counts = _frame_counts(ref, hyp, lo, hi, times)
    return _score(ref.names, hyp.names, *counts, int(min_ref_dur / step))


def jer_corpus(
    references: Mapping[str, TrackLike],
    hypotheses: Mapping[str, TrackLike],
    *,
    uems: Mapping[str, UemLike] | None = None,
    step: float = 0.01,
    min_ref_dur: float = 0.0,
) -> tuple[dict[str, JaccardScore], float]:
    """Jaccard error rate of every recording and of the corpus, as dscore reports them.

    Parameters
    ----------
    references, hypotheses
        ``{file id: Track or Annotation}``. A file missing on one side has no turns there.
    uems
        ``{file id: scored regions}``. As in dscore the UEM decides which files are scored:
        files it does not name are skipped (with a warning if they have turns). None scores
        every file of either side over its generated UEM (see :func:`jer`).
    step, min_ref_dur
        As for :func:`jer`.

    Returns
    -------
    per_file : dict
        ``{file id: JaccardScore}``, sorted by file id.
    overall : float
        The corpus JER (ratio): the mean over the reference speakers of all files
        (see :func:`pooled_jer`); dscore prints it x 100 as ``*** OVERALL ***``.
    """
    if uems is None:
        uris = sorted(set(references) | set(hypotheses))
    else:
        uris = sorted(uems)
        skipped = sorted(
            uri
            for uri in (set(references) | set(hypotheses)) - set(uems)
            if len(references.get(uri, ())) or len(hypotheses.get(uri, ()))
        )
        if skipped:
            warnings.warn(
                f"skipping {len(skipped)} file(s) not in the UEM: {', '.join(skipped[:5])}"
                + (" ..." if len(skipped) > 5 else ""),
                stacklevel=2,
            )
    empty = Track()
    per_file = {
        uri: jer(
            references.get(uri, empty),
            hypotheses.get(uri, empty),
            uem=None if uems is None else uems[uri],
            step=step,
            min_ref_dur=min_ref_dur,
        )
        for uri in uris
    }
    return per_file, pooled_jer(per_file.values())


@dataclass(frozen=True, slots=True)
class _Turns:
    """Non-empty turns as dscore sees them: float64 seconds and codes into ``names``."""

    onsets: np.ndarray
    offsets: np.ndarray
    speakers: np.ndarray
    names: tuple[str, ...]

    def within(self, lo: np.ndarray, hi: np.ndarray) -> _Turns:
        """Keep the turns that overlap the sorted, disjoint regions ``[lo, hi)``.

        An overlap must have a positive length; speakers left with no turn are removed, as
        dscore's trimming to the UEM removes them.
        """
        if len(lo) == 0:
            keep = np.zeros(len(self.onsets), dtype=bool)
        else:
            # The first region ending after the onset is the only candidate: later ones
            # start even later.
            first = np.searchsorted(hi, self.onsets, side="right")
            keep = first < len(hi)
            keep[keep] &= lo[first[keep]] < self.offsets[keep]
        return _compact(self.onsets[keep], self.offsets[keep], self.speakers[keep], self.names)


def _turns(track: TrackArrays) -> _Turns:
    """Turns as dscore's floats, ``offset = onset + duration``; zero-length ones dropped."""
    starts = np.asarray(track.starts, dtype=np.int64)
    ends = np.asarray(track.ends, dtype=np.int64)
    if len(starts) and starts.min() < 0:
        raise ValueError("a turn starts before 0 s (dscore refuses it)")
    keep = ends > starts
    starts, ends = starts[keep], ends[keep]
    onsets = starts / TICKS_PER_SECOND
    offsets = onsets + (ends - starts) / TICKS_PER_SECOND
    names = tuple(str(label) for label in track.labels)
    return _compact(onsets, offsets, np.asarray(track.speakers, dtype=np.int64)[keep], names)


def _compact(
    onsets: np.ndarray, offsets: np.ndarray, speakers: np.ndarray, names: tuple[str, ...]
) -> _Turns:
    """Keep only the speakers that have turns, renumbered in sorted name order."""
    used = sorted({names[code] for code in np.unique(speakers).tolist()})
    index = {name: i for i, name in enumerate(used)}
    recode = np.array([index.get(name, -1) for name in names], dtype=np.int64)
    return _Turns(onsets, offsets, recode[speakers] if len(speakers) else speakers, tuple(used))


def _frame_counts(
    ref: _Turns, hyp: _Turns, lo: np.ndarray, hi: np.ndarray, times: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Frame counts ``R_k``, ``S_j`` and ``I_kj`` over the kept frames (float64, exact).

    The frames are only ever compared against turn and region edges, so they are counted
    over the runs between consecutive edge indices rather than one by one.
    """
    ref_first = np.searchsorted(times, ref.onsets)
    ref_last = np.searchsorted(times, ref.offsets)
    hyp_first = np.searchsorted(times, hyp.onsets)
    hyp_last = np.searchsorted(times, hyp.offsets)
    uem_first = np.searchsorted(times, lo)
    uem_last = np.searchsorted(times, hi)
    bounds = np.unique(
        np.concatenate(
            [[0, len(times)], ref_first, ref_last, hyp_first, hyp_last, uem_first, uem_last]
        )
    )
    lengths = np.diff(bounds).astype(np.float64)
    kept = _active(bounds, uem_first, uem_last, np.zeros(len(lo), np.int64), 1)[:, 0]
    weights = lengths * kept
    ref_active = _active(bounds, ref_first, ref_last, ref.speakers, len(ref.names))
    hyp_active = _active(bounds, hyp_first, hyp_last, hyp.speakers, len(hyp.names))
    ref_frames = weights @ ref_active
    hyp_frames = weights @ hyp_active
    shared = ref_active.T @ (hyp_active * weights[:, None])
    return ref_frames, hyp_frames, shared


def _active(
    bounds: np.ndarray, first: np.ndarray, last: np.ndarray, codes: np.ndarray, n: int
) -> np.ndarray:
    """``[run, code]``: 1.0 where some interval ``[first, last)`` of ``code`` covers the run."""
    depth = np.zeros((len(bounds), n), dtype=np.int64)
    np.add.at(depth, (np.searchsorted(bounds, first), codes), 1)
    np.add.at(depth, (np.searchsorted(bounds, last), codes), -1)
    return (np.cumsum(depth, axis=0)[:-1] > 0).astype(np.float64)


def _score(
    ref_names: tuple[str, ...],
    hyp_names: tuple[str, ...],
    ref_frames: np.ndarray,
    hyp_frames: np.ndarray,
    shared: np.ndarray,
    min_ref_frames: int,
) -> JaccardScore:
    """Score one file as dscore's ``metrics.jer`` does, in ratios."""
    keep = ref_frames >= min_ref_frames
    ref_names = tuple(name for name, kept in zip(ref_names, keep, strict=True) if kept)
    ref_frames, shared = ref_frames[keep], shared[keep]
    if not ref_names or not hyp_names:
        return JaccardScore(dict.fromkeys(ref_names, 1.0), {}, hyp_names)
    union = ref_frames[:, None] + hyp_frames[None, :] - shared
    # dscore divides 0 / 0 (a speaker pair with no frame at all) into NaN and then fails in
    # the assignment; such a pair shares nothing, so its cost is 1.
    ratio = np.divide(shared, union, out=np.zeros_like(shared), where=union > 0)
    cost = 1 - ratio
    from scipy.optimize import linear_sum_assignment  # 0.4 s to import: only when scoring

    rows, cols = linear_sum_assignment(cost)
    jers = np.ones(len(ref_names), dtype=np.float64)
    jers[rows] = cost[rows, cols]
    return JaccardScore(
        dict(zip(ref_names, jers.tolist(), strict=True)),
        {ref_names[r]: hyp_names[c] for r, c in zip(rows.tolist(), cols.tolist(), strict=True)},
        hyp_names,
    )
