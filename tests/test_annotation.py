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


def test_an_edited_track_patches_its_arrays_exactly_as_a_rebuild_would():
    """Small edits patch the parent's arrays; the result equals arrays built from scratch."""
    import numpy as np

    from reviewer.model.annotation import _to_arrays

    rng = np.random.default_rng(4)
    track = Track(
        Turn(int(s), int(s) + int(d), f"s{k}")
        for s, d, k in zip(rng.integers(0, 10**6, 300), rng.integers(1, 10**4, 300),
                           rng.integers(0, 5, 300), strict=True)
    )  # fmt: skip
    for step in range(400):
        assert track.arrays is not None  # the parent's arrays exist: the child's are patched
        turns = track.turns
        removed = [turns[i] for i in rng.choice(len(turns), rng.integers(0, 4), replace=False)]
        if step % 7 == 0 and turns:  # every turn of one speaker goes: a label disappears
            gone = turns[int(rng.integers(len(turns)))].speaker
            removed = [t for t in turns if t.speaker == gone][:50] if step % 14 else removed
        names = ["s0", "s1", "s2", "s3", "s4", f"new{step % 3}"]
        added = [
            Turn(int(s), int(s) + 5, names[int(rng.integers(len(names)))])
            for s in rng.integers(0, 10**6, rng.integers(0, 4))
        ]
        if step % 5 == 0 and removed:
            added.append(removed[0])  # a turn equal to one taken out comes back
        track = track.edited(removed, added)
        assert track._arrays is not None  # patched at once, not rebuilt when first read
        patched, rebuilt = track.arrays, _to_arrays(track.turns)
        assert patched.labels == rebuilt.labels
        for column in ("starts", "ends", "speakers"):
            assert np.array_equal(getattr(patched, column), getattr(rebuilt, column)), step
