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


def test_wder_counts_words_not_utterances():
    ref = Track([Turn(0, 10 * S, "A"), Turn(10 * S, 20 * S, "B")])
    hyp = Track([Turn(0, 12 * S, "x"), Turn(12 * S, 20 * S, "y")])
    # two utterances without word times: 5 words right, 3 words wrong (B said them, x got them)
    starts, ends = np.array([0, 10 * S]), np.array([10 * S, 11 * S])
    result = word_errors(starts, ends, ref, hyp, {"A": "x", "B": "y"}, np.array([5, 3]))
    assert (result.words, result.errors, result.units) == (8, 3, 2)
    assert result.wder == 3 / 8
    assert result.speakers == {"A": (5, 0), "B": (3, 3)}
    assert result.wrong == (False, True)


def test_live_wder_of_the_demo_counts_its_words():
    from reviewer.app.review import review_files
    from reviewer.metrics.attribution import LiveAttribution, word_count
    from reviewer.resources import demo

    files = demo()
    editor = review_files(None, files.reference, files.system, transcript=files.transcript).editor
    transcript = editor.document.transcript
    errors = LiveAttribution(editor.live).errors
    words = sum(len(u.text.split()) for u in transcript)
    assert len(transcript) == 13 and words == 81  # 81 words in 13 utterances
    assert errors.units == 13 and errors.words == words
    assert errors.words == sum(word_count(u.text) for u in transcript)
    assert errors.errors == sum(
        len(u.text.split()) for u, bad in zip(transcript, errors.wrong, strict=True) if bad
    )
