"""Diarization error rate with NIST md-eval-22 semantics: the scorers' public face.

:func:`score` and :func:`score_corpus` take pyannote-like keywords (``uem``, ``collar``,
``skip_overlap``) or one :class:`~reviewer.model.scoring.ScoringSettings`, and give
:class:`DiarizationScore` / :class:`CorpusScore` in seconds. The work is done elsewhere:
inputs become arrays in :mod:`~reviewer.metrics.inputs`, the UEM and settings become
md-eval's regions in :mod:`~reviewer.metrics.regions`, the engine sums
(:mod:`~reviewer.metrics.engine`) and the mapping is chosen in
:mod:`~reviewer.metrics.mapping`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

import numpy as np

from reviewer.metrics.engine import Sums, accumulate
from reviewer.metrics.inputs import check_uem_uri, columns
from reviewer.metrics.mapping import speaker_mapping
from reviewer.metrics.regions import ScoringRegions, scoring_regions
from reviewer.metrics.replay import mdeval_cooccurrence
from reviewer.model.annotation import TrackArrays
from reviewer.model.exclusions import Exclusions
from reviewer.model.scoring import ScoringSettings
from reviewer.model.time import TICKS_PER_SECOND

if TYPE_CHECKING:
    from reviewer.metrics.inputs import TrackLike, UemLike

__all__ = [
    "ZERO",
    "CorpusScore",
    "DiarizationScore",
    "resolve_settings",
    "score",
    "score_corpus",
    "tie_breaker",
]


@dataclass(frozen=True, slots=True)
class DiarizationScore:
    """Diarization error of one recording or a corpus, in seconds of speaker time.

    Attributes
    ----------
    scored
        Reference speaker time scored.
    missed, false_alarm, confusion
        Its three kinds of error.
    """

    scored: float
    missed: float
    false_alarm: float
    confusion: float

    @property
    def error(self) -> float:
        """Missed + false alarm + confusion."""
        return self.missed + self.false_alarm + self.confusion

    @property
    def der(self) -> float | None:
        """Diarization error rate (a ratio), or None when nothing was scored."""
        return self.error / self.scored if self.scored > 0 else None

    @classmethod
    def from_ticks(
        cls, scored: int, missed: int, false_alarm: int, confusion: int
    ) -> DiarizationScore:
        """Build from exact tick counts."""
        return cls(
            scored / TICKS_PER_SECOND,
            missed / TICKS_PER_SECOND,
            false_alarm / TICKS_PER_SECOND,
            confusion / TICKS_PER_SECOND,
        )

    @classmethod
    def from_sums(
        cls,
        sums: Sums,
        ref_labels: tuple,
        hyp_labels: tuple,
        tie_breaker: Callable[[], np.ndarray] | None = None,
    ) -> DiarizationScore:
        """Finish md-eval's sums: choose md-eval's mapping, then count confusion.

        ``tie_breaker`` is passed to :func:`~reviewer.metrics.mapping.speaker_mapping`
        (see :func:`tie_breaker`).
        """
        mapping = speaker_mapping(sums.cooccurrence, ref_labels, hyp_labels, tie_breaker)
        return cls.from_ticks(sums.scored, sums.missed, sums.false_alarm, sums.confusion(mapping))

    def __add__(self, other: DiarizationScore) -> DiarizationScore:
        """Field by field (a subclass's own fields too): corpus totals are sums."""
        return type(self)(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def as_dict(self) -> dict[str, float | None]:
        """``{"scored", "missed", "false_alarm", "confusion", "der"}``: seconds and a ratio.

        Seconds are rounded to the nanosecond, so sums of floats print as the times they are
        (``60.511``, not ``60.510999999999996``).
        """
        return {
            "scored": round(self.scored, 9),
            "missed": round(self.missed, 9),
            "false_alarm": round(self.false_alarm, 9),
            "confusion": round(self.confusion, 9),
            "der": self.der,
        }


ZERO = DiarizationScore(0.0, 0.0, 0.0, 0.0)


@dataclass(frozen=True)
class CorpusScore:
    """Scores per recording and their total (errors summed, then divided by scored time)."""

    files: dict[str, DiarizationScore] = field(default_factory=dict)

    @property
    def total(self) -> DiarizationScore:
        """The corpus total."""
        return sum(self.files.values(), ZERO)

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of ``reviewer score --json``."""
        return {
            "files": {uri: item.as_dict() for uri, item in self.files.items()},
            "total": self.total.as_dict(),
        }


def tie_breaker(
    reference: TrackArrays, hypothesis: TrackArrays, regions: ScoringRegions
) -> Callable[[], np.ndarray]:
    """md-eval's floating-point co-occurrence of two tracks, computed only when called.

    What :func:`~reviewer.metrics.mapping.speaker_mapping` needs to pick md-eval's
    mapping among tied ones, over the regions as md-eval reads them.
    """
    return lambda: mdeval_cooccurrence(reference, hypothesis, regions.as_read)


def resolve_settings(
    collar: float, skip_overlap: bool, settings: ScoringSettings | None
) -> ScoringSettings:
    """The scoring settings of a call that takes ``collar`` and ``skip_overlap`` or ``settings``.

    Raises
    ------
    TypeError
        If ``settings`` is given together with a collar or skip-overlap other than the
        defaults, or a setting has the wrong type.
    ValueError
        If the collar is negative or not finite.
    """
    if settings is None:
        return ScoringSettings(collar, skip_overlap)
    if not isinstance(settings, ScoringSettings):
        raise TypeError(f"settings must be a ScoringSettings, not {type(settings).__name__}")
    if not (collar == 0 and skip_overlap is False):
        raise TypeError("give either settings or collar and skip_overlap, not both")
    return settings


def score(
    reference: TrackLike,
    hypothesis: TrackLike,
    *,
    uem: UemLike = None,
    collar: float = 0.0,
    skip_overlap: bool = False,
    exclusions: Exclusions | None = None,
    settings: ScoringSettings | None = None,
) -> DiarizationScore:
    """Score one recording exactly as NIST md-eval-22 does.

    Parameters
    ----------
    reference, hypothesis
        pyannote.core ``Annotation`` or :class:`~reviewer.model.annotation.Track`.
    uem
        Scored regions: a pyannote.core ``Timeline``, a single ``Segment``, or spans; None
        scores from the first reference turn's start to the last one's end.
    collar
        Seconds excluded on EACH side of every reference boundary, as md-eval's ``-c``.
        pyannote.metrics' ``collar`` is the total width: ``collar=0.25`` here equals
        ``collar=0.5`` there.
    skip_overlap
        Do not score regions where two or more reference turns overlap.
    exclusions
        The reference RTTM's ``NOSCORE``/``NON-LEX``/``LEXEME`` lines
        (:func:`~reviewer.io.rttm.read_rttm_contents`), applied as md-eval does.
    settings
        The collar and skip-overlap as one :class:`~reviewer.model.scoring.ScoringSettings`
        (what the app, sessions and projects hold), instead of ``collar`` and
        ``skip_overlap``.

    Returns
    -------
    DiarizationScore
        ``scored``, ``missed``, ``false_alarm``, ``confusion`` (seconds) and ``der``.

    Raises
    ------
    ValueError
        If ``collar`` is negative or not finite.
    TypeError
        If ``uem`` is not one of the types above, or a setting has the wrong type (a
        ``skip_overlap`` that is not a bool, ``settings`` with ``collar`` or
        ``skip_overlap``).
    """
    ref = columns(reference)
    hyp = columns(hypothesis)
    check_uem_uri(uem, reference)
    settings = resolve_settings(collar, skip_overlap, settings)
    regions = scoring_regions(uem, ref, settings, exclusions)
    sums = accumulate(ref, hyp, regions)
    return DiarizationScore.from_sums(sums, ref.labels, hyp.labels, tie_breaker(ref, hyp, regions))


def score_corpus(
    references: Mapping[str, TrackLike],
    hypotheses: Mapping[str, TrackLike],
    *,
    uems: Mapping[str, UemLike] | None = None,
    collar: float = 0.0,
    skip_overlap: bool = False,
    exclusions: Mapping[str, Exclusions] | None = None,
    settings: ScoringSettings | None = None,
) -> CorpusScore:
    """Score every recording of the reference, as md-eval does for a list of files.

    Recordings are paired as md-eval pairs them, by file id and channel
    (:func:`~reviewer.metrics.pairing.pair_recordings`, which warns where that
    differs from what the files seem to say): a recording missing from the hypotheses is
    all missed; one only in the hypotheses is ignored; one the UEM does not mention is
    scored over its default extent.

    Parameters
    ----------
    references, hypotheses
        ``{key: track}``, e.g. from :func:`~reviewer.io.read_rttm`.
    uems
        ``{file id: regions}``, e.g. from :func:`~reviewer.io.read_uem`; UEM file
        ids are matched as md-eval matches them (directory and extension stripped).
    collar, skip_overlap, settings
        As for :func:`score`.
    exclusions
        The references' scoring marks by key, from
        :func:`~reviewer.io.rttm.read_rttm_contents`.

    Raises
    ------
    ValueError
        If ``collar`` is negative or not finite.
    TypeError
        If a setting has the wrong type (see :func:`score`).
    """
    from reviewer.metrics.pairing import pair_recordings

    settings = resolve_settings(collar, skip_overlap, settings)
    exclusions = exclusions or {}
    files = {}
    for pair in pair_recordings(references, hypotheses, uems):
        files[pair.key] = score(
            pair.reference,
            pair.hypothesis,
            uem=pair.uem,
            exclusions=exclusions.get(pair.key),
            settings=settings,
        )
    return CorpusScore(files)
