"""Diarization error rate with NIST md-eval-22 semantics: the Python face of the engine."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np

from reviewer.metrics.engine import Columns, Sums, accumulate, covered
from reviewer.metrics.mapping import speaker_mapping
from reviewer.metrics.replay import mdeval_cooccurrence
from reviewer.model.annotation import Span, Track, merge_spans
from reviewer.model.exclusions import Exclusions
from reviewer.model.time import TICKS_PER_SECOND, from_seconds

if TYPE_CHECKING:
    from pyannote.core import Annotation, Timeline

    TrackLike = Track | Annotation
    UemLike = Timeline | Iterable[Span] | None


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
    def from_ticks(cls, scored: int, missed: int, false_alarm: int, confusion: int):
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


def columns(track: TrackLike, labels: dict[str, int] | None = None) -> Columns:
    """Engine columns of a :class:`Track` or a pyannote.core ``Annotation``.

    Parameters
    ----------
    track
        The turns.
    labels
        ``{speaker: code}`` to extend in place with new speakers; a fresh one if None.
    """
    if isinstance(track, Track) and labels is None:
        arrays = track.arrays
        return Columns(arrays.starts, arrays.ends, arrays.speakers, arrays.labels)
    labels = {} if labels is None else labels
    if not isinstance(track, Track) and not hasattr(track, "itertracks"):
        raise TypeError(
            "a reference or system output must be a pyannote.core Annotation or a reviewer "
            f"Track, not {type(track).__name__}"
        )
    if isinstance(track, Track):
        turns = track.turns
        starts = np.fromiter((turn.start for turn in turns), np.int64, len(turns))
        ends = np.fromiter((turn.end for turn in turns), np.int64, len(turns))
        names = [turn.speaker for turn in turns]
    else:
        seconds, names = _annotation_turns(track)
        ticks = np.rint(np.array(seconds, dtype=np.float64).reshape(-1, 2) * TICKS_PER_SECOND)
        starts, ends = ticks.astype(np.int64).T
        if len(starts) and starts.min() < 0:
            raise ValueError(
                f"annotation {getattr(track, 'uri', None)!r} has a segment starting at "
                f"{starts.min() / TICKS_PER_SECOND} s: times must not be negative"
            )
    speakers = np.fromiter(
        (labels.setdefault(name, len(labels)) for name in names), np.int64, len(names)
    )
    return Columns(starts, ends, speakers, tuple(labels))


def _annotation_turns(annotation: Annotation) -> tuple[list[float], list]:
    """``[start, end, start, end, ...]`` in seconds, and the labels, of an ``Annotation``."""
    seconds: list[float] = []
    names: list = []
    tracks = getattr(annotation, "_tracks", None)
    if tracks is not None:  # pyannote.core's own store: 2.5x faster than itertracks()
        for segment, labelled in tracks.items():
            for label in labelled.values():
                seconds += (segment.start, segment.end)
                names.append(label)
        return seconds, names
    for segment, _, label in annotation.itertracks(yield_label=True):
        seconds += (segment.start, segment.end)
        names.append(label)
    return seconds, names


@dataclass(frozen=True)
class ScoringRegions:
    """Where md-eval evaluates a recording and where it scores it, in ticks.

    Attributes
    ----------
    evaluated
        The UEM (or md-eval's default extent) minus the reference's ``NOSCORE`` zones:
        speakers are mapped over it. Sorted, non-empty, merged.
    scored
        ``(starts, ends)`` ``int64`` arrays: the scored region as md-eval's own walks
        computed it, when set arithmetic would differ (:mod:`~reviewer.metrics.zones`);
        None when it is ``evaluated`` minus the collars and, with ``skip_overlap``,
        overlapped speech, which the engine computes.
    collar
        Ticks on each side of every reference edge, for the engine (0 with ``scored``).
    skip_overlap
        Whether the engine takes out overlapped speech (False with ``scored``).
    as_read
        ``evaluated`` without merging touching regions, as md-eval cuts its floating-point
        segments (see :mod:`~reviewer.metrics.replay`); None for the default extent.
    """

    evaluated: tuple[Span, ...]
    scored: tuple[np.ndarray, np.ndarray] | None = None
    collar: int = 0
    skip_overlap: bool = False
    as_read: tuple[Span, ...] | None = None

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """``evaluated`` as ``(starts, ends)`` ``int64`` arrays."""
        return _arrays(self.evaluated)

    def scored_arrays(self) -> tuple[np.ndarray, np.ndarray] | None:
        """``scored`` (``(starts, ends)`` arrays), or None when the engine computes it."""
        return self.scored


def scoring_regions(
    uem: UemLike,
    reference: Columns,
    exclusions: Exclusions | None = None,
    collar: int = 0,
    skip_overlap: bool = False,
) -> ScoringRegions:
    """Resolve a UEM, the settings and the reference's scoring marks into md-eval's regions.

    md-eval's walks are replayed (:func:`~reviewer.metrics.zones.mdeval_regions`)
    when the reference has ``NOSCORE``/``NON-LEX`` lines, or when overlapped speech is
    skipped and an overlap edge falls exactly on an edge of the UEM or of a collar: there
    md-eval's walk can keep or drop a stretch that set arithmetic would not. Otherwise the
    engine's set arithmetic gives md-eval's numbers and costs far less.

    Parameters
    ----------
    uem
        Scored regions (see :func:`score`), or None for md-eval's default: from the first to
        the last reference turn, stretched to the other timed lines md-eval counts
        (``exclusions.extent``).
    reference
        The reference's turns.
    exclusions
        The reference RTTM's ``NOSCORE``, ``NON-LEX`` and ``LEXEME`` lines, if any.
    collar
        Ticks on each side of every reference turn edge.
    skip_overlap
        Whether overlapped reference speech is not scored.

    Raises
    ------
    TypeError
        If ``uem`` is not a pyannote.core ``Timeline``, ``Segment``, a reviewer ``Span`` or
        an iterable of segments or spans.
    """
    raw: list[Span] | None = None
    if uem is not None:
        raw = sorted(span for span in _spans(uem) if span.end > span.start)
        if any(a.end > b.start for a, b in zip(raw, raw[1:], strict=False)):
            raw = list(merge_spans(raw))  # md-eval refuses overlapping regions
    marked = bool(exclusions and (exclusions.no_score or exclusions.non_lexical))
    if marked or (skip_overlap and _edges_meet(raw, reference, collar)):
        from reviewer.metrics.zones import mdeval_regions, to_arrays, to_spans

        evaluated_s, scored_s = mdeval_regions(
            raw,
            exclusions or Exclusions(),
            reference.starts,
            reference.ends,
            collar / TICKS_PER_SECOND,
            skip_overlap,
        )
        evaluated = to_spans(evaluated_s)
        scored = to_arrays(scored_s)
        _warn_outside(scored, evaluated)
        return ScoringRegions(merge_spans(evaluated), scored, 0, False, tuple(evaluated))
    if raw is None:
        edges = []
        if len(reference.starts):
            edges.append((int(reference.starts.min()), int(reference.ends.max())))
        if exclusions and exclusions.extent is not None:
            edges.append((exclusions.extent.start, exclusions.extent.end))
        if not edges:
            return ScoringRegions((), None, collar, skip_overlap)
        lo, hi = min(edge[0] for edge in edges), max(edge[1] for edge in edges)
        return ScoringRegions((Span(lo, hi),) if hi > lo else (), None, collar, skip_overlap)
    return ScoringRegions(merge_spans(raw), None, collar, skip_overlap, tuple(raw))


def _warn_outside(scored: tuple[np.ndarray, np.ndarray], evaluated: list[Span]) -> None:
    """Say so when md-eval's walk scores time outside the evaluated region.

    There md-eval's mapping (made over the evaluated region) may leave speakers unmapped, so
    even identical tracks can show confusion; reviewer reproduces md-eval's numbers.
    """
    starts, ends = scored
    if not len(starts):
        return
    e_starts, e_ends = _arrays(tuple(evaluated))
    outside = int((ends - starts).sum()) - int(
        sum(
            max(0, min(int(b), int(eb)) - max(int(a), int(ea)))
            for a, b in zip(starts, ends, strict=True)
            for ea, eb in zip(e_starts, e_ends, strict=True)
        )
    )
    if outside > 0:
        import warnings

        from reviewer.metrics.pairing import ScoringWarning

        warnings.warn(
            ScoringWarning(
                f"md-eval-22's walk scores {outside / TICKS_PER_SECOND:.3f} s outside the "
                "evaluated region here (an overlap or zone ends exactly where a UEM region "
                "does); reviewer reproduces md-eval's numbers, which count it"
            ),
            stacklevel=3,
        )


def _edges_meet(raw: list[Span] | None, reference: Columns, collar: int) -> bool:
    """Whether an edge of overlapped reference speech meets another edge md-eval walks over.

    Only then can md-eval's walk in ``exclude_overlapping_speech_from_uem`` (lines
    2099-2127) differ from set arithmetic: when a scored stretch begins and ends at the same
    time (an overlap ends where the UEM or a collar ends, or where the next overlap begins),
    md-eval keeps "scoring" from that time until its next event.
    """
    starts, ends = reference.starts, reference.ends
    keep = ends > starts
    if keep.sum() < 2:
        return False
    edges = np.concatenate([starts[keep], ends[keep]])
    steps = np.concatenate([np.ones(keep.sum(), np.int64), -np.ones(keep.sum(), np.int64)])
    order = np.lexsort((steps, edges))  # ends before begins at one time, as md-eval
    depth = np.cumsum(steps[order])
    before = np.concatenate(([0], depth[:-1]))
    crossing = ((before < 2) & (depth >= 2)) | ((before >= 2) & (depth < 2))
    overlap_edges = edges[order][crossing]
    if len(overlap_edges) == 0:
        return False
    if len(np.unique(overlap_edges)) < len(overlap_edges):
        return True  # one overlap ends where the next begins
    if raw is None:
        u_starts, u_ends = np.array([starts.min()]), np.array([ends.max()])
    else:
        u_starts, u_ends = _arrays(tuple(raw))
    if collar > 0:  # the scored segments md-eval walks: the UEM minus the collars
        turn_edges = np.concatenate([starts, ends])
        u_starts, u_ends = _minus(u_starts, u_ends, turn_edges - collar, turn_edges + collar)
    region_edges = [u_starts, u_ends]
    return bool(np.intersect1d(overlap_edges, np.concatenate(region_edges)).size)


def _minus(
    starts: np.ndarray, ends: np.ndarray, holes_from: np.ndarray, holes_to: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Intervals minus holes (all ``[start, end)`` ticks), as sorted disjoint arrays."""
    bounds = np.unique(np.concatenate([starts, ends, holes_from, holes_to]))
    if len(bounds) < 2:
        return bounds[:0], bounds[:0]
    keep = covered(bounds, starts, ends) & ~covered(bounds, holes_from, holes_to)
    change = np.diff(np.concatenate(([False], keep, [False])).astype(np.int8))
    return bounds[np.flatnonzero(change == 1)], bounds[np.flatnonzero(change == -1)]


def _arrays(spans: tuple[Span, ...]) -> tuple[np.ndarray, np.ndarray]:
    return (
        np.array([span.start for span in spans], dtype=np.int64),
        np.array([span.end for span in spans], dtype=np.int64),
    )


def uem_arrays(
    uem: UemLike, reference: Columns, exclusions: Exclusions | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The evaluated regions (:func:`scoring_regions`) as two sorted ``int64`` arrays."""
    return scoring_regions(uem, reference, exclusions).arrays()


def tie_breaker(
    reference: Columns, hypothesis: Columns, regions: ScoringRegions
) -> Callable[[], np.ndarray]:
    """md-eval's floating-point co-occurrence of two tracks, computed only when called.

    What :func:`~reviewer.metrics.mapping.speaker_mapping` needs to pick md-eval's
    mapping among tied ones, over the regions as md-eval reads them.
    """
    return lambda: mdeval_cooccurrence(reference, hypothesis, regions.as_read)


def _check_uem_uri(uem: Any, reference: Any) -> None:
    """Warn when a Timeline used as the UEM names another recording than the reference."""
    own, theirs = getattr(uem, "uri", None), getattr(reference, "uri", None)
    if own and theirs and own != theirs:
        import warnings

        from reviewer.metrics.pairing import ScoringWarning

        warnings.warn(
            ScoringWarning(f"the UEM is about {own!r}, the reference about {theirs!r}"),
            stacklevel=3,
        )


def _spans(uem: Any) -> list[Span]:
    """Spans of a UEM given as a Timeline, a Segment, a Span or an iterable of them."""
    if isinstance(uem, Span) or (hasattr(uem, "start") and hasattr(uem, "end")):
        uem = [uem]  # one region (a pyannote.core Segment iterates over its two ends)
    try:
        items = list(uem)
    except TypeError:
        raise TypeError(_UEM_TYPES + f", not {type(uem).__name__}") from None
    spans = []
    for item in items:
        if isinstance(item, Span):
            spans.append(item)
        elif hasattr(item, "start") and hasattr(item, "end"):
            spans.append(Span(from_seconds(item.start), from_seconds(item.end)))
        else:
            raise TypeError(_UEM_TYPES + f"; it holds a {type(item).__name__}")
    return spans


_UEM_TYPES = (
    "uem must be a pyannote.core Timeline (or a Segment, or an iterable of Segments or "
    "reviewer Spans)"
)


def check_collar(collar: float) -> int:
    """A collar in seconds (each side, md-eval's ``-c``) as ticks.

    Raises
    ------
    ValueError
        If the collar is negative, NaN or infinite (md-eval-22 refuses a negative collar).
    """
    if isinstance(collar, (bool, np.bool_)) or not isinstance(collar, numbers.Real | Decimal):
        raise TypeError(f"collar must be a number of seconds, not {type(collar).__name__}")
    if not collar >= 0 or not collar <= _LONGEST_COLLAR:
        raise ValueError(
            f"collar must be a finite, non-negative number of seconds (each side, as "
            f"md-eval's -c) of at most {_LONGEST_COLLAR:.0f}, not {collar!r}"
        )
    return from_seconds(Decimal(collar) if isinstance(collar, Decimal) else float(collar))


_LONGEST_COLLAR = 1e6  # seconds: 11 days on each side, more than any recording


def check_flag(value: object, name: str) -> bool:
    """A true/false setting, refusing strings such as ``"false"`` that Python finds true.

    Raises
    ------
    TypeError
        If ``value`` is not a bool.
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, not {value!r}")
    return bool(value)


def score(
    reference: TrackLike,
    hypothesis: TrackLike,
    *,
    uem: UemLike = None,
    collar: float = 0.0,
    skip_overlap: bool = False,
    exclusions: Exclusions | None = None,
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

    Returns
    -------
    DiarizationScore
        ``scored``, ``missed``, ``false_alarm``, ``confusion`` (seconds) and ``der``.

    Raises
    ------
    ValueError
        If ``collar`` is negative or not finite.
    TypeError
        If ``uem`` is not one of the types above.
    """
    ref = columns(reference)
    hyp = columns(hypothesis)
    _check_uem_uri(uem, reference)
    regions = scoring_regions(
        uem, ref, exclusions, check_collar(collar), check_flag(skip_overlap, "skip_overlap")
    )
    starts, ends = regions.arrays()
    sums = accumulate(
        ref,
        hyp,
        starts,
        ends,
        regions.collar,
        regions.skip_overlap,
        scored=regions.scored_arrays(),
    )
    return DiarizationScore.from_sums(sums, ref.labels, hyp.labels, tie_breaker(ref, hyp, regions))


def score_corpus(
    references: Mapping[str, TrackLike],
    hypotheses: Mapping[str, TrackLike],
    *,
    uems: Mapping[str, UemLike] | None = None,
    collar: float = 0.0,
    skip_overlap: bool = False,
    exclusions: Mapping[str, Exclusions] | None = None,
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
    collar, skip_overlap
        As for :func:`score`.
    exclusions
        The references' scoring marks by key, from
        :func:`~reviewer.io.rttm.read_rttm_contents`.

    Raises
    ------
    ValueError
        If ``collar`` is negative or not finite.
    """
    from reviewer.metrics.pairing import pair_recordings

    check_collar(collar)
    exclusions = exclusions or {}
    files = {}
    for pair in pair_recordings(references, hypotheses, uems):
        files[pair.key] = score(
            pair.reference,
            pair.hypothesis,
            uem=pair.uem,
            collar=collar,
            skip_overlap=skip_overlap,
            exclusions=exclusions.get(pair.key),
        )
    return CorpusScore(files)
