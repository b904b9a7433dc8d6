"""Why is it wrong: an exact breakdown of diarization errors by conversation structure.

The errors are md-eval's, taken from the engine (:mod:`~reviewer.metrics.engine`: the same
sums, mapping, collars and overlap handling as :func:`~reviewer.metrics.der.score`), so the
classes add up to the totals of ``reviewer score``. Each scored elementary interval is
counted in one class of the reference's structure (:mod:`~reviewer.metrics.structure`:
``overlap``, ``near_change``, ``short_turn``, ``steady``, ``non_speech``); per reference
speaker, the incorrect time is split into missed and confused time and the confusion among
the system speakers left over; error-rate curves come from :mod:`~reviewer.metrics.curves`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from reviewer.metrics.curves import (
    Curve,
    add_curves,
    change_distance_curve,
    turn_duration_curve,
)
from reviewer.metrics.der import ZERO, DiarizationScore, resolve_settings, tie_breaker
from reviewer.metrics.engine import (
    ErrorRegions,
    IntervalErrors,
    elementary_intervals,
    interval_errors,
    sums_of,
)
from reviewer.metrics.inputs import columns
from reviewer.metrics.mapping import speaker_mapping
from reviewer.metrics.numbers import points
from reviewer.metrics.regions import scoring_regions
from reviewer.metrics.structure import CLASSES, STRUCTURE, merged_turns, reference_structure
from reviewer.model.time import TICKS_PER_SECOND, from_seconds

if TYPE_CHECKING:
    from reviewer.metrics.inputs import TrackLike, UemLike
    from reviewer.model.exclusions import Exclusions
    from reviewer.model.scoring import ScoringSettings

__all__ = [
    "CLASSES",
    "NO_ERRORS",
    "STRUCTURE",
    "ClassErrors",
    "ClassifiedErrors",
    "Curve",
    "ErrorBreakdown",
    "SpeakerErrors",
    "breakdown",
    "breakdown_corpus",
    "combine",
    "merged_turns",
]


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


@dataclass(frozen=True, slots=True, kw_only=True)
class ClassifiedErrors(ErrorRegions):
    """The scored elementary intervals holding errors, each with its class.

    The engine's unjoined :class:`~reviewer.metrics.engine.ErrorRegions` (error counts and
    the active speakers of each interval) and ``cls``, each interval's index into
    :data:`~reviewer.metrics.structure.CLASSES`.
    """

    cls: np.ndarray

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
        """DER points (percent) from overlap, speaker changes and short turns (0 if unscored)."""
        return self._points(STRUCTURE)

    def _points(self, names: tuple[str, ...]) -> float:
        """DER points of some classes (:func:`~reviewer.metrics.numbers.points`), 0 if unscored."""
        return points(sum(self.classes[n].error for n in names), self.total.scored) or 0.0

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
    settings: ScoringSettings | None = None,
) -> ErrorBreakdown:
    """Break one recording's md-eval errors down by cause (see the module docstring).

    Parameters
    ----------
    reference, hypothesis
        pyannote.core ``Annotation`` or :class:`~reviewer.model.annotation.Track`.
    uem, collar, skip_overlap, exclusions, settings
        As for :func:`~reviewer.metrics.der.score` (collar: seconds on EACH side).
    tau
        Seconds around a speaker change point that count as ``near_change``.
    short
        Reference turns shorter than this (seconds) are ``short_turn``.
    gap
        How recently another speaker must have spoken (or how soon they must speak) for a
        turn start (end) to be a change point.

    Raises
    ------
    ValueError, TypeError
        For a collar or setting that :func:`~reviewer.metrics.der.score` refuses.
    """
    settings = resolve_settings(collar, skip_overlap, settings)
    ref, hyp = columns(reference), columns(hypothesis)
    shape = reference_structure(ref, from_seconds(tau), from_seconds(short), from_seconds(gap))
    regions = scoring_regions(uem, ref, settings, exclusions)
    parts = elementary_intervals(ref, hyp, regions, extra_bounds=shape.bounds())
    if parts is None:
        return ErrorBreakdown(
            ZERO, dict.fromkeys(CLASSES, NO_ERRORS), unmapped_system=tuple(hyp.labels)
        )
    sums = sums_of(parts)
    pairs = speaker_mapping(
        sums.cooccurrence, ref.labels, hyp.labels, tie_breaker(ref, hyp, regions)
    )
    counts = interval_errors(parts, pairs)
    label = shape.classify(parts.bounds, counts.n_ref)
    mapping = {ref.labels[r]: hyp.labels[h] for r, h in pairs}
    speakers = _speaker_errors(counts, pairs, ref.labels, hyp.labels, mapping)
    matrix = sums.scored_cooccurrence
    seconds = parts.weights / TICKS_PER_SECOND
    errors = seconds * (counts.missed + counts.false_alarm + counts.confusion)
    exposure = seconds * counts.n_ref
    middles = (parts.bounds[:-1] + parts.bounds[1:]) / 2
    wrong = counts.wrong
    plain = counts.regions(join=False)
    return ErrorBreakdown(
        total=DiarizationScore.from_ticks(
            sums.scored, sums.missed, sums.false_alarm, sums.confusion(pairs)
        ),
        classes=_class_errors(parts.weights, label, counts),
        speakers=speakers,
        confusion_matrix={
            name: {
                hyp.labels[h]: int(ticks) / TICKS_PER_SECOND
                for h, ticks in enumerate(matrix[r].tolist())
                if ticks > 0
            }
            for r, name in enumerate(ref.labels)
        },
        mapping=mapping,
        unmapped_reference=tuple(
            n for n in ref.labels if n not in mapping and speakers[n].scored > 0
        ),
        unmapped_system=tuple(n for n in hyp.labels if n not in set(mapping.values())),
        by_turn_duration=turn_duration_curve(shape, middles, parts.ref_active, exposure, errors),
        by_change_distance=change_distance_curve(shape, middles, exposure, errors),
        errors=ClassifiedErrors(
            starts=plain.starts,
            ends=plain.ends,
            missed=plain.missed,
            false_alarm=plain.false_alarm,
            confusion=plain.confusion,
            ref_active=plain.ref_active,
            hyp_active=plain.hyp_active,
            cls=label[wrong],
        ),
        ref_labels=tuple(ref.labels),
        hyp_labels=tuple(hyp.labels),
    )


def _class_errors(
    weights: np.ndarray, label: np.ndarray, counts: IntervalErrors
) -> dict[str, ClassErrors]:
    """Each class's scored time, errors and exposure, from exact tick sums."""

    def seconds(mask: np.ndarray, values: np.ndarray) -> float:
        return int(weights[mask] @ values[mask]) / TICKS_PER_SECOND

    classes = {}
    for index, name in enumerate(CLASSES):
        mask = label == index
        scored = seconds(mask, counts.n_ref)
        exposure = int(weights[mask].sum()) / TICKS_PER_SECOND if name == "non_speech" else scored
        classes[name] = ClassErrors(
            scored,
            seconds(mask, counts.missed),
            seconds(mask, counts.false_alarm),
            seconds(mask, counts.confusion),
            exposure,
        )
    return classes


def _speaker_errors(
    counts: IntervalErrors,
    pairs: list[tuple[int, int]],
    ref_labels: tuple[str, ...],
    hyp_labels: tuple[str, ...],
    mapping: dict[str, str],
) -> dict[str, SpeakerErrors]:
    """Per reference speaker: scored, missed and confused seconds, and with whom.

    A speaker's incorrect time in an interval is split between missed and confusion in
    proportion to the interval's counts; its confusion goes to the system speakers left
    over there (active and not correctly matched), in equal shares.
    """
    parts, correct = counts.parts, counts.correct
    r_active, h_active = parts.ref_active, parts.hyp_active
    seconds = parts.weights / TICKS_PER_SECOND
    wrong = np.maximum(counts.n_ref - correct.sum(axis=0), 1)
    miss_share = seconds * counts.missed / wrong
    conf_share = seconds * counts.confusion / wrong
    used = np.zeros_like(h_active)
    for r, h in pairs:
        used[h] |= correct[r]
    spare = h_active & ~used
    per_spare = conf_share / np.maximum(spare.sum(axis=0), 1)
    speakers = {}
    for r, name in enumerate(ref_labels):
        incorrect = r_active[r] & ~correct[r]
        confused = (spare * (per_spare * incorrect)).sum(axis=1)
        speakers[name] = SpeakerErrors(
            float(seconds @ r_active[r]),
            float(miss_share @ incorrect),
            float(conf_share @ incorrect),
            mapping.get(name),
            {hyp_labels[h]: float(t) for h, t in enumerate(confused) if t > 0},
        )
    return speakers


def combine(parts: list[ErrorBreakdown]) -> ErrorBreakdown:
    """Corpus totals: classes and curves summed over recordings (speaker tables dropped)."""
    return ErrorBreakdown(
        total=sum((part.total for part in parts), ZERO),
        classes={name: sum((p.classes[name] for p in parts), NO_ERRORS) for name in CLASSES},
        by_turn_duration=add_curves(p.by_turn_duration for p in parts),
        by_change_distance=add_curves(p.by_change_distance for p in parts),
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
