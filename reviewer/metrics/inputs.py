"""What the scorers accept, turned into what the engine works on.

A reference or system output is a :class:`~reviewer.model.annotation.Track` or a
pyannote.core ``Annotation``; both become :class:`~reviewer.model.annotation.TrackArrays`
(:func:`columns`). A UEM is a pyannote.core ``Timeline``, a single ``Segment``, a reviewer
``Span`` or an iterable of segments or spans; it becomes spans in ticks (:func:`uem_spans`).
pyannote.core is never imported here: its objects are read through their attributes.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np

from reviewer.model.annotation import Span, Track, TrackArrays
from reviewer.model.time import TICKS_PER_SECOND, from_seconds

if TYPE_CHECKING:
    from pyannote.core import Annotation, Timeline

    TrackLike: TypeAlias = Track | Annotation
    UemLike: TypeAlias = Timeline | Iterable[Span] | None

_UEM_TYPES = (
    "uem must be a pyannote.core Timeline (or a Segment, or an iterable of Segments or "
    "reviewer Spans)"
)


def columns(track: TrackLike) -> TrackArrays:
    """The engine's arrays of a :class:`Track` (its own, cached) or of an ``Annotation``.

    An ``Annotation``'s times are rounded to the nearest tick and its labels get codes in
    the order they first appear.

    Raises
    ------
    TypeError
        If ``track`` is neither a ``Track`` nor an ``Annotation``.
    ValueError
        If an ``Annotation`` has a segment starting before 0.
    """
    if isinstance(track, Track):
        return track.arrays
    if not hasattr(track, "itertracks"):
        raise TypeError(
            "a reference or system output must be a pyannote.core Annotation or a reviewer "
            f"Track, not {type(track).__name__}"
        )
    seconds, names = _annotation_turns(track)
    ticks = np.rint(np.array(seconds, dtype=np.float64).reshape(-1, 2) * TICKS_PER_SECOND)
    starts, ends = ticks.astype(np.int64).T
    if len(starts) and starts.min() < 0:
        raise ValueError(
            f"annotation {getattr(track, 'uri', None)!r} has a segment starting at "
            f"{starts.min() / TICKS_PER_SECOND} s: times must not be negative"
        )
    labels: dict[Any, int] = {}
    speakers = np.fromiter(
        (labels.setdefault(name, len(labels)) for name in names), np.int64, len(names)
    )
    return TrackArrays(starts, ends, speakers, tuple(labels))


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


def uem_spans(uem: Any) -> list[Span]:
    """Spans (ticks) of a UEM given as a Timeline, a Segment, a Span or an iterable of them.

    Raises
    ------
    TypeError
        If ``uem`` is none of those, or holds something that is not a segment or span.
    """
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


def check_uem_uri(uem: Any, reference: Any) -> None:
    """Warn when a Timeline used as the UEM names another recording than the reference."""
    own, theirs = getattr(uem, "uri", None), getattr(reference, "uri", None)
    if own and theirs and own != theirs:
        from reviewer.metrics.pairing import ScoringWarning

        warnings.warn(
            ScoringWarning(f"the UEM is about {own!r}, the reference about {theirs!r}"),
            stacklevel=3,
        )
