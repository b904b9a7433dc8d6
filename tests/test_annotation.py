"""The model's value types and their lossless conversion to and from pyannote.core."""

from __future__ import annotations

import pytest
from pyannote.core import Annotation, Segment, Timeline

from reviewer.model.annotation import (
    Span,
    Track,
    Turn,
    merge_spans,
    spans_from_timeline,
    spans_to_timeline,
)
from reviewer.model.time import TICKS_PER_SECOND, format_clock, from_seconds, to_seconds


def test_track_is_sorted_and_immutable():
    track = Track([Turn(5, 9, "B"), Turn(1, 3, "A")], uri="u")
    assert [t.start for t in track] == [1, 5]
    assert track.labels == ("A", "B")
    assert track.extent == Span(1, 9)
    with pytest.raises(AttributeError):
        track.turns[0].start = 2  # type: ignore[misc]


def test_turn_rejects_negative_duration():
    with pytest.raises(ValueError):
        Turn(5, 4, "A")


def test_annotation_round_trip_is_lossless():
    annotation = Annotation(uri="rec")
    annotation[Segment(0.372, 7.021)] = "A"
    annotation[Segment(6.5, 9.25)] = "B"
    annotation[Segment(6.5, 9.25), "0"] = "C"  # two turns on one segment
    annotation[Segment(1 / 16000 * 12345, 1 / 16000 * 23456)] = "A"  # sample frames
    track = Track.from_annotation(annotation)
    assert track.uri == "rec"
    assert len(track) == 4
    assert track.to_annotation() == annotation
    assert Track.from_annotation(track.to_annotation()) == track


def test_zero_length_turns_survive_conversion():
    track = Track([Turn(0, 0, "A"), Turn(0, TICKS_PER_SECOND, "B")], uri="z")
    assert Track.from_annotation(track.to_annotation()) == track


def test_timeline_round_trip():
    spans = (Span(0, from_seconds(1.5)), Span(from_seconds(3), from_seconds(7.25)))
    timeline = spans_to_timeline(spans, uri="u")
    assert isinstance(timeline, Timeline)
    assert spans_from_timeline(timeline) == spans


def test_merge_spans():
    assert merge_spans([Span(5, 8), Span(0, 2), Span(2, 3), Span(7, 9)]) == (
        Span(0, 3),
        Span(5, 9),
    )


def test_time_helpers():
    assert to_seconds(from_seconds(0.1)) == 0.1
    assert format_clock(from_seconds(3723.5)) == "1:02:03.500"
    assert from_seconds(12345 / 44100) * 44100 == 12345 * TICKS_PER_SECOND
