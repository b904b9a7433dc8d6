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

from reviewer.metrics.curves import DISTANCE_BINS, TURN_BINS, Curve, add_curves, curve
from reviewer.metrics.der import ZERO, DiarizationScore, resolve_settings, tie_breaker
from reviewer.metrics.engine import (
    ErrorRegions,
    IntervalErrors,
    Sums,
    elementary_intervals,
    interval_errors,
    sums_of,
)
from reviewer.metrics.inputs import columns
from reviewer.metrics.mapping import speaker_mapping
from reviewer.metrics.numbers import points
from reviewer.metrics.regions import scoring_regions
from reviewer.metrics.structure import CLASSES, STRUCTURE, merged_turns, reference_structure
from reviewer.metrics.tally import Tally, row_shares, share_seconds, tally
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
    return assemble(
        tally(counts, pairs, shape, label),
        sums,
        pairs,
        ref.labels,
        hyp.labels,
        classified_errors(counts, label),
    )


def classified_errors(counts: IntervalErrors, label: np.ndarray) -> ClassifiedErrors:
    """The scored intervals holding errors, unjoined, with their class.

    ``label``: ``[K]`` each interval's class
    (:meth:`~reviewer.metrics.structure.Structure.classify`).
    """
    plain = counts.regions(join=False)
    return ClassifiedErrors(
        starts=plain.starts,
        ends=plain.ends,
        missed=plain.missed,
        false_alarm=plain.false_alarm,
        confusion=plain.confusion,
        ref_active=plain.ref_active,
        hyp_active=plain.hyp_active,
        cls=label[counts.wrong],
    )


def assemble(
    sums: Tally,
    totals: Sums,
    pairs: list[tuple[int, int]],
    ref_labels: tuple[str, ...],
    hyp_labels: tuple[str, ...],
    errors: ClassifiedErrors | None,
) -> ErrorBreakdown:
    """The breakdown of a recording from its exact sums (all in ticks until here).

    Parameters
    ----------
    sums
        The breakdown's sums over the whole recording (:func:`~reviewer.metrics.tally.tally`).
    totals
        md-eval's sums over it (:func:`~reviewer.metrics.engine.sums_of`).
    pairs
        md-eval's mapping, ``(reference code, system code)`` pairs.
    ref_labels, hyp_labels
        The speaker names of the codes.
    errors
        The error intervals (:func:`classified_errors`).
    """
    mapping = {ref_labels[r]: hyp_labels[h] for r, h in pairs}
    speakers = _speaker_errors(sums, ref_labels, hyp_labels, mapping)
    matrix = totals.scored_cooccurrence
    return ErrorBreakdown(
        total=DiarizationScore.from_ticks(
            totals.scored, totals.missed, totals.false_alarm, totals.confusion(pairs)
        ),
        classes=_class_errors(sums.classes),
        speakers=speakers,
        confusion_matrix={
            name: {
                hyp_labels[h]: int(ticks) / TICKS_PER_SECOND
                for h, ticks in enumerate(matrix[r].tolist())
                if ticks > 0
            }
            for r, name in enumerate(ref_labels)
        },
        mapping=mapping,
        unmapped_reference=tuple(
            n for n in ref_labels if n not in mapping and speakers[n].scored > 0
        ),
        unmapped_system=tuple(n for n in hyp_labels if n not in set(mapping.values())),
        by_turn_duration=curve(TURN_BINS, sums.turn_duration),
        by_change_distance=curve(DISTANCE_BINS, sums.change_distance),
        errors=errors,
        ref_labels=tuple(ref_labels),
        hyp_labels=tuple(hyp_labels),
    )


def _class_errors(ticks: np.ndarray) -> dict[str, ClassErrors]:
    """Each class's scored time, errors and exposure (``ticks``: :attr:`Tally.classes`)."""
    classes = {}
    for name, row in zip(CLASSES, ticks.tolist(), strict=True):
        scored, missed, false_alarm, confusion, plain = (t / TICKS_PER_SECOND for t in row)
        exposure = plain if name == "non_speech" else scored
        classes[name] = ClassErrors(scored, missed, false_alarm, confusion, exposure)
    return classes


def _speaker_errors(
    sums: Tally, ref_labels: tuple[str, ...], hyp_labels: tuple[str, ...], mapping: dict[str, str]
) -> dict[str, SpeakerErrors]:
    """Per reference speaker: scored, missed and confused seconds, and with whom.

    The shares are those of :func:`~reviewer.metrics.tally.tally`, summed exactly.
    """
    given: dict[tuple[int, int], dict[int, int]] = {}
    for d, matrix in sums.confused_with.items():
        for r, h in zip(*np.nonzero(matrix), strict=True):
            given.setdefault((int(r), int(h)), {})[d] = int(matrix[r, h])
    speakers = {}
    for r, name in enumerate(ref_labels):
        speakers[name] = SpeakerErrors(
            int(sums.speaker_time[r]) / TICKS_PER_SECOND,
            share_seconds(row_shares(sums.missed[r])),
            share_seconds(row_shares(sums.confused[r])),
            mapping.get(name),
            {
                hyp_labels[h]: share_seconds(shares)
                for (row, h), shares in sorted(given.items())
                if row == r and sum(shares.values()) > 0
            },
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
