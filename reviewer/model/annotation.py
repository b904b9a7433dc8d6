"""Speaker turns, tracks and recordings: small immutable value types.

Times are integer ticks (see :mod:`reviewer.model.time`). Conversion to and from
pyannote.core ``Annotation`` / ``Timeline`` is lossless for every time that is a whole
microsecond or a whole sample frame; pyannote.core is imported only when converting.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import numpy as np

from reviewer.model.time import from_seconds, to_seconds

if TYPE_CHECKING:
    from pyannote.core import Annotation, Timeline


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A time interval ``[start, end)`` in ticks."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"span ends ({self.end}) before it starts ({self.start})")

    @property
    def duration(self) -> int:
        """Length in ticks."""
        return self.end - self.start

    @property
    def seconds(self) -> tuple[float, float]:
        """``(start, end)`` in seconds."""
        return to_seconds(self.start), to_seconds(self.end)


@dataclass(frozen=True, slots=True, order=True)
class Turn:
    """One speaker speaking from ``start`` to ``end`` (ticks). Zero-length turns are valid."""

    start: int
    end: int
    speaker: str

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"turn ends ({self.end}) before it starts ({self.start})")

    @classmethod
    def from_seconds(cls, start: float, end: float, speaker: str) -> Turn:
        """Build a turn from times in seconds."""
        return cls(from_seconds(start), from_seconds(end), speaker)

    @property
    def duration(self) -> int:
        """Length in ticks."""
        return self.end - self.start

    @property
    def span(self) -> Span:
        """The turn's interval."""
        return Span(self.start, self.end)


_TURN_ORDER = attrgetter("start", "end", "speaker")
"""The order of ``Turn``'s fields, as its ``order=True`` compares them, for ``sorted`` in C."""


@dataclass(frozen=True, slots=True)
class TrackArrays:
    """A track's turns as column arrays: the one form the metric engine works on.

    A :class:`Track` builds it once (:attr:`Track.arrays`); the scorers build one for a
    pyannote.core ``Annotation`` (:func:`reviewer.metrics.inputs.columns`) and the
    incremental scorer for the turns it holds. All three arrays have one entry per turn.

    Attributes
    ----------
    starts, ends
        ``int64`` ticks.
    speakers
        ``int64`` speaker codes, indexing ``labels``.
    labels
        Speaker names by code (sorted for a :class:`Track`).
    """

    starts: np.ndarray
    ends: np.ndarray
    speakers: np.ndarray
    labels: tuple[str, ...]

    @property
    def n_speakers(self) -> int:
        """How many speaker codes there are (``len(labels)``)."""
        return len(self.labels)


class Track:
    """An immutable, sorted collection of speaker turns of one recording.

    Parameters
    ----------
    turns
        The turns, in any order; they are kept sorted by (start, end, speaker).
    uri
        The recording's file id (RTTM field 2), if known.
    channel
        The RTTM channel (field 3).
    """

    __slots__ = ("turns", "uri", "channel", "_arrays")

    def __init__(self, turns: Iterable[Turn] = (), uri: str | None = None, channel: str = "1"):
        self.turns: tuple[Turn, ...] = tuple(sorted(turns, key=_TURN_ORDER))
        self.uri = uri
        self.channel = channel
        self._arrays: TrackArrays | None = None

    def __len__(self) -> int:
        return len(self.turns)

    def __iter__(self) -> Iterator[Turn]:
        return iter(self.turns)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Track):
            return NotImplemented
        return (self.turns, self.uri, self.channel) == (other.turns, other.uri, other.channel)

    def __hash__(self) -> int:
        return hash((self.turns, self.uri, self.channel))

    def __repr__(self) -> str:
        return f"Track(uri={self.uri!r}, {len(self.turns)} turns, speakers={list(self.labels)})"

    @property
    def labels(self) -> tuple[str, ...]:
        """Speaker names, sorted."""
        return self.arrays.labels

    @property
    def extent(self) -> Span | None:
        """From the first turn's start to the last turn's end, or None if empty."""
        if not self.turns:
            return None
        return Span(self.turns[0].start, int(self.arrays.ends.max()))

    @property
    def arrays(self) -> TrackArrays:
        """Column arrays of the turns (computed once, then cached)."""
        if self._arrays is None:
            self._arrays = _to_arrays(self.turns)
        return self._arrays

    def edited(self, removed: Iterable[Turn] = (), added: Iterable[Turn] = ()) -> Track:
        """A new track with ``removed`` taken out and ``added`` put in (no full re-sort).

        Raises
        ------
        KeyError
            If a removed turn is not in the track.
        """
        removed, added = tuple(removed), tuple(added)
        turns = list(self.turns)
        for turn in removed:
            index = bisect_left(turns, turn)
            if index == len(turns) or turns[index] != turn:
                raise KeyError(f"no such turn: {turn}")
            del turns[index]
        for turn in added:
            insort(turns, turn)
        track = Track.__new__(Track)
        track.turns, track.uri, track.channel, track._arrays = (
            tuple(turns),
            self.uri,
            self.channel,
            None,
        )
        if self._arrays is not None and len(removed) + len(added) <= _PATCH_ABOVE:
            track._arrays = _patched(self.turns, self._arrays, removed, track.turns, added)
        return track

    def index(self, turn: Turn) -> int:
        """Position of ``turn`` in :attr:`turns`.

        Raises
        ------
        KeyError
            If the turn is not in the track.
        """
        index = bisect_left(self.turns, turn)
        if index == len(self.turns) or self.turns[index] != turn:
            raise KeyError(f"no such turn: {turn}")
        return index

    def at(self, time: int) -> list[Turn]:
        """The turns active at ``time`` (start <= time < end)."""
        arrays = self.arrays
        hits = np.flatnonzero((arrays.starts <= time) & (arrays.ends > time))
        return [self.turns[i] for i in hits]

    def with_uri(self, uri: str | None) -> Track:
        """The same turns under another file id (this track when it has that one).

        The sorted turns and their arrays are shared, not sorted and built again (both are
        immutable): loading a 10,000-turn recording names each track's file id several times.
        """
        if uri == self.uri:
            return self
        track = Track.__new__(Track)
        track.turns, track.uri, track.channel, track._arrays = (
            self.turns,
            uri,
            self.channel,
            self._arrays,
        )
        return track

    @classmethod
    def from_annotation(cls, annotation: Annotation, channel: str = "1") -> Track:
        """Convert a pyannote.core ``Annotation`` (labels become speaker names)."""
        turns = [
            Turn(from_seconds(segment.start), from_seconds(segment.end), str(label))
            for segment, _, label in annotation.itertracks(yield_label=True)
        ]
        return cls(turns, uri=annotation.uri, channel=channel)

    def to_annotation(self) -> Annotation:
        """Convert to a pyannote.core ``Annotation``.

        Track names follow pyannote.core's own: ``"_"`` for a segment's first turn, then
        ``"0"``, ``"1"``, ... for turns on an identical segment. Zero-length turns are kept.
        """
        from pyannote.core import Annotation, Segment

        seen: dict[Segment, int] = {}
        records = []
        for turn in self.turns:
            segment = Segment(to_seconds(turn.start), to_seconds(turn.end))
            count = seen.get(segment, 0)
            seen[segment] = count + 1
            records.append((segment, "_" if count == 0 else str(count - 1), turn.speaker))
        return Annotation.from_records(records, uri=self.uri)


def _to_arrays(turns: tuple[Turn, ...]) -> TrackArrays:
    n = len(turns)
    names = list(map(_SPEAKER, turns))
    labels = tuple(sorted(set(names)))
    index = {label: i for i, label in enumerate(labels)}
    starts = np.fromiter(map(_START, turns), dtype=np.int64, count=n)
    ends = np.fromiter(map(_END, turns), dtype=np.int64, count=n)
    speakers = np.fromiter(map(index.__getitem__, names), dtype=np.int64, count=n)
    return TrackArrays(starts, ends, speakers, labels)


_PATCH_ABOVE = 256
"""An edit of more turns than this rebuilds the new track's arrays instead of patching."""


def _positions(turns: tuple[Turn, ...], wanted: tuple[Turn, ...]) -> np.ndarray:
    """Indices of ``wanted`` in the sorted ``turns`` (equal turns take distinct indices)."""
    taken: set[int] = set()
    for turn in wanted:
        index = bisect_left(turns, turn)
        while index in taken:
            index += 1
        taken.add(index)
    return np.fromiter(sorted(taken), dtype=np.int64, count=len(taken))


def _patched(
    old_turns: tuple[Turn, ...],
    old: TrackArrays,
    removed: tuple[Turn, ...],
    new_turns: tuple[Turn, ...],
    added: tuple[Turn, ...],
) -> TrackArrays:
    """The arrays of ``new_turns`` made from those of ``old_turns`` by a small edit.

    Equal to ``_to_arrays(new_turns)``: both orders are the turns' sorted order, so the kept
    turns keep their relative order and the added ones go where ``new_turns`` has them. A
    speaker who appears or disappears re-codes every turn (codes index sorted labels).
    """
    keep = np.ones(len(old_turns), dtype=bool)
    keep[_positions(old_turns, removed)] = False
    fresh = np.zeros(len(new_turns), dtype=bool)
    fresh[_positions(new_turns, added)] = True
    names = set(old.labels)
    counts = np.bincount(old.speakers[keep], minlength=len(old.labels))
    labels = old.labels
    if any(turn.speaker not in names for turn in added) or not counts.all():
        present = {old.labels[code] for code in np.flatnonzero(counts)}
        labels = tuple(sorted(present | {turn.speaker for turn in added}))
    index = {label: i for i, label in enumerate(labels)}
    recode = np.array([index.get(label, -1) for label in old.labels], dtype=np.int64)
    columns = []
    for column, take in ((old.starts, _START), (old.ends, _END)):
        values = np.empty(len(new_turns), dtype=np.int64)
        values[~fresh] = column[keep]
        values[fresh] = [take(new_turns[i]) for i in np.flatnonzero(fresh)]
        columns.append(values)
    speakers = np.empty(len(new_turns), dtype=np.int64)
    speakers[~fresh] = recode[old.speakers[keep]]
    speakers[fresh] = [index[new_turns[i].speaker] for i in np.flatnonzero(fresh)]
    return TrackArrays(columns[0], columns[1], speakers, labels)


_START = attrgetter("start")
_END = attrgetter("end")
_SPEAKER = attrgetter("speaker")


def spans_from_timeline(timeline: Timeline) -> tuple[Span, ...]:
    """Convert a pyannote.core ``Timeline`` to spans."""
    return tuple(Span(from_seconds(s.start), from_seconds(s.end)) for s in timeline)


def spans_to_timeline(spans: Iterable[Span], uri: str | None = None) -> Timeline:
    """Convert spans to a pyannote.core ``Timeline``."""
    from pyannote.core import Segment, Timeline

    return Timeline(
        [Segment(to_seconds(span.start), to_seconds(span.end)) for span in spans], uri=uri
    )


def merge_spans(spans: Iterable[Span]) -> tuple[Span, ...]:
    """Sort spans and merge those that overlap or touch."""
    merged: list[Span] = []
    for span in sorted(spans):
        if merged and span.start <= merged[-1].end:
            if span.end > merged[-1].end:
                merged[-1] = Span(merged[-1].start, span.end)
        else:
            merged.append(span)
    return tuple(merged)


@dataclass(frozen=True)
class Recording:
    """One recording: its file id, named tracks of speaker turns, and its scored regions.

    Parameters
    ----------
    uri
        The file id, as in RTTM and UEM files.
    tracks
        Named tracks, e.g. ``{"reference": ..., "system": ...}``.
    uem
        Regions to score, or None for the default (the reference's extent).
    """

    uri: str
    tracks: Mapping[str, Track] = field(default_factory=dict)
    uem: tuple[Span, ...] | None = None

    def with_track(self, name: str, track: Track) -> Recording:
        """A copy with track ``name`` added or replaced."""
        tracks = dict(self.tracks)
        tracks[name] = track.with_uri(self.uri)
        return Recording(self.uri, tracks, self.uem)

    def __getitem__(self, name: str) -> Track:
        return self.tracks[name]

    def as_dict(self) -> dict[str, Any]:
        """A plain summary, for printing."""
        return {"uri": self.uri, "tracks": {k: len(v) for k, v in self.tracks.items()}}
