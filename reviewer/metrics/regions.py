"""Where md-eval-22 evaluates a recording and where it scores it.

:func:`scoring_regions` resolves a UEM (or md-eval's default extent), the scoring settings
and the reference RTTM's scoring marks into :class:`ScoringRegions`, the one thing the
engine (:mod:`~reviewer.metrics.engine`) needs to know about them. Usually the scored region
is the evaluated one minus the collars and, with skip-overlap, minus overlapped speech, and
the engine computes that itself; where md-eval's own walks give another answer, they are
replayed (:mod:`~reviewer.metrics.zones`) and the result is carried explicitly.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from reviewer.metrics.engine import covered
from reviewer.metrics.inputs import uem_spans
from reviewer.model.annotation import Span, TrackArrays, merge_spans
from reviewer.model.exclusions import Exclusions
from reviewer.model.scoring import ScoringSettings
from reviewer.model.time import TICKS_PER_SECOND

if TYPE_CHECKING:
    from reviewer.metrics.inputs import UemLike


@dataclass(frozen=True)
class ScoringRegions:
    """Where md-eval evaluates a recording and where it scores it, in ticks.

    Attributes
    ----------
    evaluated
        The UEM (or md-eval's default extent) minus the reference's ``NOSCORE`` zones:
        speakers are mapped over it. Sorted, merged; empty when there is nothing to score.
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
    starts, ends
        ``evaluated`` as sorted ``int64`` arrays (computed once).
    """

    evaluated: tuple[Span, ...]
    scored: tuple[np.ndarray, np.ndarray] | None = None
    collar: int = 0
    skip_overlap: bool = False
    as_read: tuple[Span, ...] | None = None
    starts: np.ndarray = field(init=False, repr=False, compare=False)
    ends: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        starts, ends = _arrays(self.evaluated)
        object.__setattr__(self, "starts", starts)
        object.__setattr__(self, "ends", ends)


def scoring_regions(
    uem: UemLike,
    reference: TrackArrays,
    settings: ScoringSettings,
    exclusions: Exclusions | None = None,
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
        Scored regions (see :func:`~reviewer.metrics.der.score`), or None for md-eval's
        default: from the first to the last reference turn, stretched to the other timed
        lines md-eval counts (``exclusions.extent``).
    reference
        The reference's turns.
    settings
        The collar (seconds on each side of every reference turn edge) and whether
        overlapped reference speech is not scored.
    exclusions
        The reference RTTM's ``NOSCORE``, ``NON-LEX`` and ``LEXEME`` lines, if any.

    Raises
    ------
    TypeError
        If ``uem`` is not a pyannote.core ``Timeline``, ``Segment``, a reviewer ``Span`` or
        an iterable of segments or spans.
    """
    collar, skip_overlap = settings.collar_ticks, settings.skip_overlap
    raw: list[Span] | None = None
    if uem is not None:
        raw = sorted(span for span in uem_spans(uem) if span.end > span.start)
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
        from reviewer.metrics.pairing import ScoringWarning

        warnings.warn(
            ScoringWarning(
                f"md-eval-22's walk scores {outside / TICKS_PER_SECOND:.3f} s outside the "
                "evaluated region here (an overlap or zone ends exactly where a UEM region "
                "does); reviewer reproduces md-eval's numbers, which count it"
            ),
            stacklevel=3,
        )


def _edges_meet(raw: list[Span] | None, reference: TrackArrays, collar: int) -> bool:
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
