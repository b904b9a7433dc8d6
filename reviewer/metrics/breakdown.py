"""Why is it wrong: an exact breakdown of diarization errors by conversation structure.

Every scored interval falls in exactly one class, decided by the reference alone (first
match wins):

- ``overlap``: two or more reference speakers active;
- ``near_change``: within ``tau`` of a speaker change point: the start of a reference turn
  while another reference speaker is active or was active less than ``gap`` (2 s) before,
  and the end of a reference turn while another speaker is active or becomes active less
  than ``gap`` after (each speaker's overlapping or touching turns merged first);
- ``short_turn``: inside a reference turn shorter than ``short``;
- ``steady``: the rest of single-speaker speech;
- ``non_speech``: no reference speaker (false alarm only).

The errors are md-eval's (same mapping, collars, overlap handling), so the classes add up to
the totals of ``reviewer score``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from reviewer.metrics.der import (
    ZERO,
    DiarizationScore,
    check_collar,
    check_flag,
    columns,
    scoring_regions,
    tie_breaker,
)
from reviewer.metrics.engine import Columns, covered, intervals
from reviewer.metrics.mapping import speaker_mapping
from reviewer.model.time import TICKS_PER_SECOND, from_seconds

if TYPE_CHECKING:
    from reviewer.metrics.der import TrackLike, UemLike
    from reviewer.model.exclusions import Exclusions

CLASSES = ("overlap", "near_change", "short_turn", "steady", "non_speech")
STRUCTURE = ("overlap", "near_change", "short_turn")
TURN_BINS = (0.0, 0.5, 1.0, 2.0, 4.0, 8.0, float("inf"))
DISTANCE_BINS = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0, float("inf"))


@dataclass(frozen=True, slots=True)
class ClassErrors(DiarizationScore):
    """Errors of one class, in seconds: a :class:`DiarizationScore` with its exposure.

    ``scored`` is reference speaker time (0 for non-speech); ``exposure`` is what the rate
    divides by: the speaker time, or for ``non_speech`` the seconds of non-speech.
    """

    exposure: float = 0.0

    @property
    def rate(self) -> float | None:
        """Errors per second of exposure, or None without exposure."""
        return self.error / self.exposure if self.exposure > 0 else None

    def as_dict(self) -> dict[str, float | None]:
        """JSON-ready numbers: the score's seconds (its DER aside), exposure and rate."""
        numbers = DiarizationScore.as_dict(self)  # (zero-argument super() fails with slots)
        del numbers["der"]
        return {**numbers, "exposure": self.exposure, "rate": self.rate}


#: The errors of nothing (the start of a sum).
NO_ERRORS = ClassErrors(0.0, 0.0, 0.0, 0.0, 0.0)


@dataclass(frozen=True)
class SpeakerErrors:
    """One reference speaker's scored time, missed and confused time, and with whom."""

    scored: float
    missed: float
    confusion: float
    mapped_to: str | None
    confused_with: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict:
        """JSON-ready numbers."""
        return {
            "scored": self.scored,
            "missed": self.missed,
            "confusion": self.confusion,
            "mapped_to": self.mapped_to,
            "confused_with": self.confused_with,
        }


@dataclass(frozen=True)
class Curve:
    """Error rate against a quantity, in bins ``[edges[i], edges[i + 1])``."""

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


@dataclass(frozen=True)
class ClassifiedErrors:
    """The scored intervals holding errors, with their class and error counts.

    ``cls`` indexes :data:`CLASSES`; ``missed``, ``false_alarm``, ``confusion`` count
    speakers; ``ref_active`` / ``hyp_active`` say which speakers are active in each.
    """

    starts: np.ndarray
    ends: np.ndarray
    cls: np.ndarray
    missed: np.ndarray
    false_alarm: np.ndarray
    confusion: np.ndarray
    ref_active: np.ndarray
    hyp_active: np.ndarray

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

    def class_at(self, time: int) -> str | None:
        """The class of the error interval at ``time`` (ticks), if any."""
        i = np.searchsorted(self.starts, time, side="right") - 1
        if i >= 0 and self.ends[i] > time:
            return CLASSES[int(self.cls[i])]
        return None


@dataclass(frozen=True)
class ErrorBreakdown:
    """md-eval's errors of one recording (or a corpus), broken down by cause."""

    total: DiarizationScore
    classes: dict[str, ClassErrors]
    speakers: dict[str, SpeakerErrors] = field(default_factory=dict)
    confusion_matrix: dict[str, dict[str, float]] = field(default_factory=dict)
    mapping: dict[str, str] = field(default_factory=dict)
    unmapped_reference: tuple[str, ...] = ()
    unmapped_system: tuple[str, ...] = ()
    by_turn_duration: Curve | None = None
    by_change_distance: Curve | None = None
    errors: ClassifiedErrors | None = field(default=None, repr=False, compare=False)
    ref_labels: tuple[str, ...] = ()
    hyp_labels: tuple[str, ...] = ()

    @property
    def structure_points(self) -> float:
        """DER points (percent) from overlap, speaker changes and short turns."""
        return self._points(STRUCTURE)

    def _points(self, names) -> float:
        if self.total.scored <= 0:
            return 0.0
        return 100 * sum(self.classes[n].error for n in names) / self.total.scored

    def headline(self) -> str:
        """One sentence splitting DER into structure and the rest."""
        if self.total.der is None:
            return "Nothing was scored."
        der = 100 * self.total.der
        parts = ", ".join(
            f"{self._points((name,)):.1f} {label}"
            for name, label in (
                ("overlap", "overlap"),
                ("near_change", "near speaker changes"),
                ("short_turn", "short turns"),
            )
        )
        return (
            f"Of {der:.1f} % DER, {self.structure_points:.1f} points come from conversation "
            f"structure ({parts}) and {self._points(('steady', 'non_speech')):.1f} from "
            f"steady speech and non-speech."
        )

    def as_dict(self) -> dict:
        """The JSON shape of ``reviewer breakdown --json`` for one recording."""
        return {
            "total": self.total.as_dict(),
            "classes": {name: c.as_dict() for name, c in self.classes.items()},
            "speakers": {name: s.as_dict() for name, s in self.speakers.items()},
            "confusion_matrix": self.confusion_matrix,
            "mapping": self.mapping,
            "unmapped_reference": list(self.unmapped_reference),
            "unmapped_system": list(self.unmapped_system),
            "curves": {
                "turn_duration": self.by_turn_duration.as_dict() if self.by_turn_duration else None,
                "change_distance": self.by_change_distance.as_dict()
                if self.by_change_distance
                else None,
            },
            "headline": self.headline(),
        }


def merged_turns(track: Columns) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each speaker's turns with overlapping or touching ones merged (zero-length dropped)."""
    keep = track.ends > track.starts
    starts, ends, speakers = track.starts[keep], track.ends[keep], track.speakers[keep]
    order = np.lexsort((starts, speakers))
    starts, ends, speakers = starts[order], ends[order], speakers[order]
    out_s, out_e, out_k = [], [], []
    for k in np.unique(speakers):
        s, e = starts[speakers == k], ends[speakers == k]
        reach = np.maximum.accumulate(e)
        new = np.concatenate(([True], s[1:] > reach[:-1]))
        groups = np.cumsum(new) - 1
        out_s.append(s[new])
        out_e.append(np.maximum.reduceat(e, np.flatnonzero(new)))
        out_k.append(np.full(groups.max() + 1, k))
    if not out_s:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty
    return np.concatenate(out_s), np.concatenate(out_e), np.concatenate(out_k)


def change_points(
    starts: np.ndarray, ends: np.ndarray, speakers: np.ndarray, gap: int
) -> np.ndarray:
    """Speaker change points of merged reference turns (ticks, sorted, unique)."""
    points = []
    for k in np.unique(speakers):
        others = speakers != k
        o_starts, o_ends = starts[others], ends[others]
        if len(o_starts) == 0:
            continue
        order = np.argsort(o_starts, kind="stable")
        o_starts, o_ends = o_starts[order], o_ends[order]
        reach = np.maximum.accumulate(o_ends)
        mine_s, mine_e = starts[speakers == k], ends[speakers == k]
        # a start: another speaker active at it, or less than `gap` before it
        i = np.searchsorted(o_starts, mine_s, side="right") - 1
        hit = (i >= 0) & (reach[np.maximum(i, 0)] > mine_s - gap)
        points.append(mine_s[hit])
        # an end: another speaker active at it, or becoming active less than `gap` after
        j = np.searchsorted(o_starts, mine_e + gap, side="left") - 1
        hit = (j >= 0) & (reach[np.maximum(j, 0)] > mine_e)
        points.append(mine_e[hit])
    if not points:
        return np.empty(0, dtype=np.int64)
    return np.unique(np.concatenate(points))


def breakdown(
    reference: TrackLike,
    hypothesis: TrackLike,
    *,
    uem: UemLike = None,
    collar: float = 0.0,
    skip_overlap: bool = False,
    tau: float = 0.5,
    short: float = 1.0,
    gap: float = 2.0,
    exclusions: Exclusions | None = None,
) -> ErrorBreakdown:
    """Break one recording's md-eval errors down by cause (see the module docstring).

    Parameters
    ----------
    reference, hypothesis
        pyannote.core ``Annotation`` or :class:`~reviewer.model.annotation.Track`.
    uem, collar, skip_overlap
        As for :func:`~reviewer.metrics.der.score` (collar: seconds on EACH side).
    tau
        Seconds around a speaker change point that count as ``near_change``.
    short
        Reference turns shorter than this (seconds) are ``short_turn``.
    gap
        How recently another speaker must have spoken (or how soon they must speak) for a
        turn start (end) to be a change point.
    exclusions
        The reference RTTM's scoring marks, as for :func:`~reviewer.metrics.der.score`.

    Raises
    ------
    ValueError
        If ``collar`` is negative or not finite.
    """
    collar_ticks = check_collar(collar)
    skip_overlap = check_flag(skip_overlap, "skip_overlap")
    ref, hyp = columns(reference), columns(hypothesis)
    m_starts, m_ends, m_speakers = merged_turns(ref)
    points = change_points(m_starts, m_ends, m_speakers, from_seconds(gap))
    tau_ticks, short_ticks = from_seconds(tau), from_seconds(short)
    is_short = (m_ends - m_starts) < short_ticks
    extra = np.concatenate(
        [points - tau_ticks, points + tau_ticks, m_starts[is_short], m_ends[is_short]]
    )
    regions = scoring_regions(uem, ref, exclusions, collar_ticks, skip_overlap)
    u_starts, u_ends = regions.arrays()
    parts = intervals(
        ref,
        hyp,
        u_starts,
        u_ends,
        regions.collar,
        regions.skip_overlap,
        extra_bounds=extra,
        scored=regions.scored_arrays(),
    )
    if parts is None:
        return _empty(ref, hyp)
    bounds, w = parts.bounds, parts.weights
    r_active, h_active = parts.ref_active, parts.hyp_active
    n_ref, n_hyp = r_active.sum(axis=0), h_active.sum(axis=0)
    cooc = _cooc(r_active, h_active, parts.evaluated)
    pairs = speaker_mapping(cooc, ref.labels, hyp.labels, tie_breaker(ref, hyp, regions))
    correct_r = np.zeros_like(r_active)
    for r, h in pairs:
        correct_r[r] = r_active[r] & h_active[h]
    n_correct = correct_r.sum(axis=0)
    missed = np.maximum(n_ref - n_hyp, 0)
    false_alarm = np.maximum(n_hyp - n_ref, 0)
    confusion = np.minimum(n_ref, n_hyp) - n_correct

    near = covered(bounds, points - tau_ticks, points + tau_ticks)
    short_zone = covered(bounds, m_starts[is_short], m_ends[is_short])
    label = np.select(
        [n_ref >= 2, near, short_zone, n_ref == 1],
        [0, 1, 2, 3],
        default=4,
    )
    seconds = w / TICKS_PER_SECOND

    def total_of(mask: np.ndarray, counts: np.ndarray) -> float:
        return int(w[mask] @ counts[mask]) / TICKS_PER_SECOND

    classes = {}
    everything = np.ones(len(w), dtype=bool)
    for index, name in enumerate(CLASSES):
        mask = label == index
        scored = total_of(mask, n_ref)
        exposure = int(w[mask].sum()) / TICKS_PER_SECOND if name == "non_speech" else scored
        classes[name] = ClassErrors(
            scored,
            total_of(mask, missed),
            total_of(mask, false_alarm),
            total_of(mask, confusion),
            exposure,
        )
    total = DiarizationScore(
        total_of(everything, n_ref),
        total_of(everything, missed),
        total_of(everything, false_alarm),
        total_of(everything, confusion),
    )

    # per speaker: its incorrect time is split between missed and confusion in proportion
    # to the interval's counts; confusion goes to the system speakers left over there
    wrong = np.maximum(n_ref - n_correct, 1)
    miss_share = seconds * missed / wrong
    conf_share = seconds * confusion / wrong
    used = np.zeros_like(h_active)
    for r, h in pairs:
        used[h] |= correct_r[r]
    spare = h_active & ~used
    per_spare = conf_share / np.maximum(spare.sum(axis=0), 1)
    scored_cooc = _cooc(r_active, h_active, seconds)
    mapping = {ref.labels[r]: hyp.labels[h] for r, h in pairs}
    speakers = {}
    for r, name in enumerate(ref.labels):
        incorrect = r_active[r] & ~correct_r[r]
        confused = (spare * (per_spare * incorrect)).sum(axis=1)
        speakers[name] = SpeakerErrors(
            float(seconds @ r_active[r]),
            float(miss_share @ incorrect),
            float(conf_share @ incorrect),
            mapping.get(name),
            {hyp.labels[h]: float(t) for h, t in enumerate(confused) if t > 0},
        )
    matrix = {
        ref.labels[r]: {
            hyp.labels[h]: float(scored_cooc[r, h])
            for h in range(len(hyp.labels))
            if scored_cooc[r, h] > 0
        }
        for r in range(len(ref.labels))
    }
    errors = seconds * (missed + false_alarm + confusion)
    exposure = seconds * n_ref
    wrong_here = (w > 0) & ((missed + false_alarm + confusion) > 0)
    middles = (bounds[:-1] + bounds[1:]) / 2
    return ErrorBreakdown(
        total=total,
        classes=classes,
        speakers=speakers,
        confusion_matrix=matrix,
        mapping=mapping,
        unmapped_reference=tuple(
            n for n in ref.labels if n not in mapping and speakers[n].scored > 0
        ),
        unmapped_system=tuple(n for n in hyp.labels if n not in set(mapping.values())),
        by_turn_duration=_turn_curve(
            middles, exposure, errors, m_starts, m_ends, r_active, m_speakers
        ),
        by_change_distance=_distance_curve(middles, exposure, errors, points),
        errors=ClassifiedErrors(
            bounds[:-1][wrong_here],
            bounds[1:][wrong_here],
            label[wrong_here],
            missed[wrong_here],
            false_alarm[wrong_here],
            confusion[wrong_here],
            r_active[:, wrong_here],
            h_active[:, wrong_here],
        ),
        ref_labels=tuple(ref.labels),
        hyp_labels=tuple(hyp.labels),
    )


def _cooc(r_active: np.ndarray, h_active: np.ndarray, weights: np.ndarray) -> np.ndarray:
    return (r_active * np.asarray(weights, dtype=np.float64)) @ h_active.T.astype(np.float64)


def _empty(ref: Columns, hyp: Columns) -> ErrorBreakdown:
    return ErrorBreakdown(
        ZERO,
        dict.fromkeys(CLASSES, NO_ERRORS),
        unmapped_system=tuple(hyp.labels),
    )


def _turn_curve(middles, exposure, errors, m_starts, m_ends, r_active, m_speakers) -> Curve:
    """Error rate by the duration of the (merged) reference turn an interval lies in.

    Intervals with several reference speakers count under the shortest of their turns.
    """
    duration = np.full(len(middles), np.inf)
    for k in np.unique(m_speakers):
        s, e = m_starts[m_speakers == k], m_ends[m_speakers == k]
        i = np.searchsorted(s, middles, side="right") - 1
        inside = (i >= 0) & (e[np.maximum(i, 0)] > middles) & r_active[k]
        length = (e - s)[np.maximum(i, 0)] / TICKS_PER_SECOND
        duration = np.where(inside, np.minimum(duration, length), duration)
    speech = np.isfinite(duration)
    return _curve(TURN_BINS, duration[speech], exposure[speech], errors[speech])


def _distance_curve(middles, exposure, errors, points) -> Curve:
    """Error rate by distance (seconds) from the nearest speaker change point."""
    if len(points) == 0:
        distance = np.full(len(middles), np.inf)
    else:
        i = np.clip(np.searchsorted(points, middles), 1, len(points))
        left = np.abs(middles - points[i - 1])
        right = np.abs(points[np.minimum(i, len(points) - 1)] - middles)
        distance = np.minimum(left, right) / TICKS_PER_SECOND
    return _curve(DISTANCE_BINS, distance, exposure, errors)


def _curve(edges, values, exposure, errors) -> Curve:
    index = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, len(edges) - 2)
    n = len(edges) - 1
    return Curve(
        tuple(edges),
        tuple(float(x) for x in np.bincount(index, weights=exposure, minlength=n)),
        tuple(float(x) for x in np.bincount(index, weights=errors, minlength=n)),
    )


def combine(parts: list[ErrorBreakdown]) -> ErrorBreakdown:
    """Corpus totals: classes and curves summed over recordings (speaker tables dropped)."""

    def add_curves(curves):
        curves = [c for c in curves if c is not None]
        if not curves:
            return None
        return Curve(
            curves[0].edges,
            tuple(map(sum, zip(*(c.exposure for c in curves), strict=True))),
            tuple(map(sum, zip(*(c.errors for c in curves), strict=True))),
        )

    return ErrorBreakdown(
        total=sum((part.total for part in parts), ZERO),
        classes={name: sum((p.classes[name] for p in parts), NO_ERRORS) for name in CLASSES},
        by_turn_duration=add_curves([p.by_turn_duration for p in parts]),
        by_change_distance=add_curves([p.by_change_distance for p in parts]),
    )


def breakdown_corpus(
    references, hypotheses, *, uems=None, exclusions=None, **settings
) -> tuple[dict[str, ErrorBreakdown], ErrorBreakdown]:
    """Breakdowns of every reference recording, and the corpus totals.

    Takes the keyword settings of :func:`breakdown`; recordings, system outputs and UEM
    regions are paired as by :func:`~reviewer.metrics.der.score_corpus`.
    """
    from reviewer.metrics.pairing import pair_recordings

    exclusions = exclusions or {}
    files = {
        pair.key: breakdown(
            pair.reference,
            pair.hypothesis,
            uem=pair.uem,
            exclusions=exclusions.get(pair.key),
            **settings,
        )
        for pair in pair_recordings(references, hypotheses, uems)
    }
    return files, combine(list(files.values()))
