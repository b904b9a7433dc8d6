"""Speaker attribution of words and the word-level diarization error rate."""

from __future__ import annotations

import numpy as np

from reviewer.metrics.attribution import attribute, word_errors
from reviewer.model.annotation import Track, Turn
from reviewer.model.time import TICKS_PER_SECOND as S


def test_most_overlapping_speaker_wins():
    track = Track([Turn(0, 4 * S, "A"), Turn(3 * S, 10 * S, "B"), Turn(5 * S, 6 * S, "B")])
    starts = np.array([0, 2 * S, 3 * S, 12 * S, 1 * S]) + 0
    ends = np.array([1 * S, 5 * S, 4 * S, 13 * S, 1 * S])
    # [0,1): A; [2,5): A 2 s vs B 2 s -> tie -> A; [3,4): both 1 s -> A; [12,13): none;
    # the point at 1 s: A
    assert attribute(starts, ends, track) == ["A", "A", "A", None, "A"]
    assert attribute(np.array([5 * S]), np.array([9 * S]), track) == ["B"]


def test_wder_counts_words_against_the_mapping():
    ref = Track([Turn(0, 10 * S, "A"), Turn(10 * S, 20 * S, "B")])
    hyp = Track([Turn(0, 12 * S, "x"), Turn(12 * S, 20 * S, "y")])
    starts = np.array([1, 5, 11, 15, 25]) * S
    ends = starts + S // 2
    result = word_errors(starts, ends, ref, hyp, {"A": "x", "B": "y"})
    assert result.words == 4 and result.errors == 1
    assert result.wder == 0.25
    assert result.speakers == {"A": (2, 0), "B": (2, 1)}
    assert result.wrong == (False, False, True, False, None)


def test_empty_track_and_missed_words():
    assert attribute(np.array([0]), np.array([S]), Track()) == [None]
    ref = Track([Turn(0, S, "a"), Turn(2 * S, 3 * S, "b")])
    hyp = Track([Turn(0, S, "x")])
    result = word_errors(np.array([0, 2 * S]), np.array([S, 3 * S]), ref, hyp, {"a": "x"})
    assert (result.words, result.errors) == (2, 1)  # "b"'s word has no system speaker
