"""Jaccard error rate: dscore v1.1.0's numbers on the shared VoxConverse cases, and by hand.

Hand-built cases use the default 10 ms frames: frame ``i`` is the point ``0.01 * i`` and a
turn ``[a, b)`` covers the frames with ``a <= 0.01 * i < b``. Most turns start and end half
way between frame points (``x.xx5``) so their frame counts are plain: ``[0.005, 1.005)``
covers frames 1..100, i.e. 100 frames.
"""

from __future__ import annotations

import json
import math
from functools import cache

import pytest
from conftest import CONFORMANCE, needs_shared

from reviewer.io import read_rttm, read_uem
from reviewer.metrics.jer import JaccardScore, jer, jer_corpus, pooled_jer
from reviewer.model.annotation import Span, Track, Turn, spans_to_timeline
from reviewer.model.time import from_seconds, parse_seconds

VOX = CONFORMANCE / "voxconverse"
CASES = VOX / "dev-cases"
EXPECTED = CASES / "expected-jer.jsonl"
OVERALL = "*** OVERALL ***"
TOLERANCE = 1e-4  # percentage points


def _rows():
    if not EXPECTED.exists():
        return []
    return [json.loads(line) for line in EXPECTED.read_text().splitlines() if line.strip()]


ROWS = {row["uri"]: row for row in _rows()}


@cache
def _dev_corpus():
    references, hypotheses, uems = {}, {}, {}
    for uri in ROWS:
        if uri == OVERALL:
            continue
        references[uri] = read_rttm(VOX / "ref-dev" / f"{uri}.rttm")[uri]
        hypothesis = read_rttm(CASES / "hyp" / f"{uri}.rttm").get(uri)
        if hypothesis is not None:
            hypotheses[uri] = hypothesis
        uems[uri] = read_uem(CASES / "uem" / f"{uri}.uem")[uri]
    return references, hypotheses, uems


@cache
def _dev_scores():
    references, hypotheses, uems = _dev_corpus()
    return jer_corpus(references, hypotheses, uems=uems)


# --- dscore's numbers -------------------------------------------------------------------


def test_expected_jer_is_complete():
    needs_shared(EXPECTED)
    assert len(ROWS) == 217
    assert OVERALL in ROWS


@pytest.mark.parametrize("uri", sorted(ROWS) or ["missing"])
def test_voxconverse_dev_jer(uri):
    needs_shared(EXPECTED)
    per_file, overall = _dev_scores()
    expected = ROWS[uri]["jer_percent"]
    got = 100 * (overall if uri == OVERALL else per_file[uri].jer)
    assert abs(got - expected) <= TOLERANCE, f"{uri}: got {got}, dscore {expected}"


def test_voxconverse_dev_files_and_speakers():
    needs_shared(EXPECTED)
    per_file, overall = _dev_scores()
    assert set(per_file) == set(ROWS) - {OVERALL}
    pool = [value for item in per_file.values() for value in item.speakers.values()]
    assert all(0.0 <= value <= 1.0 for value in pool)
    assert overall == pytest.approx(sum(pool) / len(pool), abs=1e-12)
    # speaker-weighted: not the mean of the file JERs
    by_file = sum(item.jer for item in per_file.values()) / len(per_file)
    assert abs(by_file - overall) > 1e-3


@pytest.mark.parametrize("uri", ["abjxc", "uvnmy", "zvmyn"])
def test_annotation_and_timeline_inputs_agree(uri):
    needs_shared(EXPECTED)
    references, hypotheses, uems = _dev_corpus()
    reference, hypothesis, uem = references[uri], hypotheses[uri], uems[uri]
    expected = jer(reference, hypothesis, uem=uem)
    got = jer(
        reference.to_annotation(),
        hypothesis.to_annotation(),
        uem=spans_to_timeline(uem, uri=uri),
    )
    assert got == expected
    assert 100 * got.jer == pytest.approx(ROWS[uri]["jer_percent"], abs=TOLERANCE)


# --- by hand ----------------------------------------------------------------------------


def _track(*turns: tuple[str, float, float]) -> Track:
    return Track(Turn.from_seconds(start, end, speaker) for speaker, start, end in turns)


def _exact(speaker: str, onset: str, duration: str) -> Turn:
    start = parse_seconds(onset)
    return Turn(start, start + parse_seconds(duration), speaker)


TEN_SECONDS = (Span(0, from_seconds(10)),)


def test_perfect_is_zero():
    reference = _track(("A", 0.005, 1.005), ("B", 1.005, 2.005), ("A", 3.005, 4.005))
    hypothesis = _track(("x", 0.005, 1.005), ("y", 1.005, 2.005), ("x", 3.005, 4.005))
    result = jer(reference, hypothesis, uem=TEN_SECONDS)
    assert result.speakers == {"A": 0.0, "B": 0.0}
    assert result.mapping == {"A": "x", "B": "y"}
    assert result.jer == 0.0
    assert jer(reference, reference).jer == 0.0


def test_missing_speaker_costs_one():
    reference = _track(("A", 0.005, 1.005), ("B", 1.005, 2.005))
    hypothesis = _track(("x", 0.005, 1.005))
    result = jer(reference, hypothesis, uem=TEN_SECONDS)
    assert result.speakers == {"A": 0.0, "B": 1.0}
    assert result.mapping == {"A": "x"}
    assert result.jer == 0.5


def test_split_speaker():
    # A: 200 frames; x: its first 150, y: its last 50. A -> x: 1 - 150/200; y is free.
    reference = _track(("A", 0.005, 2.005))
    hypothesis = _track(("x", 0.005, 1.505), ("y", 1.505, 2.005))
    result = jer(reference, hypothesis, uem=TEN_SECONDS)
    assert result.speakers == {"A": 0.25}
    assert result.mapping == {"A": "x"}
    assert result.system == ("x", "y")


def test_merged_speakers():
    # A: 100 frames, B: 50, x covers both (150). A -> x costs 1 - 100/150, B -> x 1 - 50/150;
    # one-to-one, so B is unmapped and costs 1.
    reference = _track(("A", 0.005, 1.005), ("B", 1.005, 1.505))
    hypothesis = _track(("x", 0.005, 1.505))
    result = jer(reference, hypothesis, uem=TEN_SECONDS)
    assert result.speakers == pytest.approx({"A": 1 / 3, "B": 1.0})
    assert result.jer == pytest.approx(2 / 3)


def test_overlap_counts_for_every_speaker():
    reference = _track(("A", 0.005, 1.005), ("B", 0.505, 1.005))
    one = jer(reference, _track(("x", 0.005, 1.005)), uem=TEN_SECONDS)
    assert one.speakers == {"A": 0.0, "B": 1.0}
    both = _track(("x", 0.005, 1.005), ("y", 0.505, 1.005))
    assert jer(reference, both, uem=TEN_SECONDS).jer == 0.0


def test_false_alarm_speech_of_a_mapped_speaker():
    # x is A's 100 frames plus 100 more: 1 - 100/200. The unmapped y costs nothing.
    reference = _track(("A", 0.005, 1.005))
    hypothesis = _track(("x", 0.005, 2.005), ("y", 3.005, 9.005))
    assert jer(reference, hypothesis, uem=TEN_SECONDS).speakers == {"A": 0.5}


def test_mapping_minimises_jaccard_cost_not_overlap_time():
    # A: 100 frames. x: 900 frames holding all of A (cost 1 - 100/900); y: 60 frames of A
    # (cost 1 - 60/100). An overlap-maximising mapping (md-eval's) would take x.
    reference = _track(("A", 0.005, 1.005))
    hypothesis = _track(("x", 0.005, 9.005), ("y", 0.405, 1.005))
    result = jer(reference, hypothesis, uem=TEN_SECONDS)
    assert result.mapping == {"A": "y"}
    assert result.speakers == pytest.approx({"A": 0.4})


def test_mapping_is_one_to_one_at_least_total_cost():
    # A: 300 frames, B: 100. x = B + 50 frames of A (150), y = 100 other frames of A.
    # A-x 1 - 50/400, A-y 1 - 100/300, B-x 1 - 100/150, B-y 1: A->y + B->x = 1 is the least.
    reference = _track(("A", 0.005, 3.005), ("B", 3.005, 4.005))
    hypothesis = _track(("x", 2.505, 4.005), ("y", 0.005, 1.005))
    result = jer(reference, hypothesis, uem=TEN_SECONDS)
    assert result.mapping == {"A": "y", "B": "x"}
    assert result.speakers == pytest.approx({"A": 1 - 100 / 300, "B": 1 - 100 / 150})
    assert result.jer == pytest.approx(0.5)


def test_point_sampling_not_continuous_time():
    # [0.000, 0.015) holds frames 0 and 1; [0.001, 0.015) only frame 1 (t = 0.01).
    reference = _track(("A", 0.0, 0.015))
    hypothesis = _track(("x", 0.001, 0.015))
    assert jer(reference, hypothesis, uem=TEN_SECONDS).speakers == {"A": 0.5}


def test_speaker_without_a_frame_is_still_scored():
    # B speaks between two frame points: 0 frames, but a speaker of the file.
    reference = _track(("A", 0.005, 1.005), ("B", 2.001, 2.009))
    hypothesis = _track(("x", 0.005, 1.005), ("y", 2.001, 2.009))
    result = jer(reference, hypothesis, uem=TEN_SECONDS)
    assert result.speakers == {"A": 0.0, "B": 1.0}  # dscore itself fails on 0 / 0 here


def test_offset_is_onset_plus_duration_in_floats():
    # 0.01 + 0.05 = 0.060000000000000005 > 0.01 * 6: frames 1..6 (end / TPS would give 5).
    reference = Track([_exact("A", "0.01", "0.05")])
    hypothesis = _track(("x", 0.005, 0.105))  # frames 1..10
    assert jer(reference, hypothesis, uem=TEN_SECONDS).speakers == {"A": 0.4}


def test_frame_times_are_step_times_index():
    # 0.01 * 35 = 0.35000000000000003 is not < 0.01 + 0.34: frames 1..34 (i / 100: 35).
    reference = Track([_exact("A", "0.01", "0.34")])
    hypothesis = _track(("x", 0.005, 0.505))  # frames 1..50
    result = jer(reference, hypothesis, uem=TEN_SECONDS)
    assert result.speakers == {"A": pytest.approx(1 - 34 / 50, abs=1e-15)}


def test_uem_decides_the_speakers():
    reference = _track(("A", 0.005, 1.005), ("B", 5.005, 6.005))
    hypothesis = _track(("x", 0.005, 1.005), ("y", 7.005, 8.005))
    uem = (Span(0, from_seconds(2)),)
    inside = jer(reference, hypothesis, uem=uem)
    assert inside.speakers == {"A": 0.0}  # B is outside: not a speaker, not missed
    assert inside.system == ("x",)
    assert jer(reference, hypothesis).speakers == {"A": 0.0, "B": 1.0}


def test_turns_are_cut_to_the_uem():
    # Only [1.005, 2.005) is scored: A has 100 frames there, x the same 100.
    reference = _track(("A", 0.005, 3.005))
    hypothesis = _track(("x", 1.005, 2.005))
    uem = (Span(from_seconds(1.005), from_seconds(2.005)),)
    assert jer(reference, hypothesis, uem=uem).jer == 0.0
    assert jer(reference, hypothesis, uem=TEN_SECONDS).jer == pytest.approx(2 / 3)


def test_generated_uem_truncates_the_last_frame():
    # No UEM: dscore's is [0, 0.29) and n = int(0.29 / 0.01) = int(28.999999999999996) = 28
    # frames (t = 0 .. 0.27): x (only t = 0.28) has none, so A costs 1. Over [0, 10) A has
    # 29 frames and x 1 of them: 1 - 1/29.
    reference = _track(("A", 0.0, 0.29))
    hypothesis = _track(("x", 0.275, 0.285))
    assert jer(reference, hypothesis).speakers == {"A": 1.0}
    assert jer(reference, hypothesis, uem=TEN_SECONDS).speakers == {"A": pytest.approx(28 / 29)}


def test_zero_length_turns_are_dropped():
    reference = Track([*_track(("A", 0.005, 1.005)), Turn.from_seconds(1.5, 1.5, "B")])
    hypothesis = Track([*_track(("x", 0.005, 1.005)), Turn.from_seconds(2.5, 2.5, "y")])
    result = jer(reference, hypothesis, uem=TEN_SECONDS)
    assert result.speakers == {"A": 0.0}
    assert result.system == ("x",)


def test_negative_onset_is_refused():
    with pytest.raises(ValueError, match="before 0"):
        jer(Track([Turn(-1, 10, "A")]), Track())


def test_min_ref_dur_drops_short_reference_speakers():
    reference = _track(("A", 0.005, 1.005), ("B", 2.005, 2.105))  # 100 and 10 frames
    hypothesis = _track(("x", 0.005, 1.005))
    assert jer(reference, hypothesis, uem=TEN_SECONDS).jer == 0.5
    dropped = jer(reference, hypothesis, uem=TEN_SECONDS, min_ref_dur=0.2)
    assert dropped.speakers == {"A": 0.0}


def test_step_is_the_frame_step():
    # step 0.1: A [0.05, 1.05) holds t = 0.1 .. 1.0 (10 frames), x [0.05, 0.55) 5 of them.
    reference = _track(("A", 0.05, 1.05))
    hypothesis = _track(("x", 0.05, 0.55))
    assert jer(reference, hypothesis, uem=TEN_SECONDS, step=0.1).jer == 0.5
    with pytest.raises(ValueError):
        jer(reference, hypothesis, step=0)


def test_edge_cases_of_one_file():
    speech = _track(("A", 0.005, 1.005), ("B", 1.005, 2.005))
    no_reference = jer(Track(), speech)
    assert no_reference == JaccardScore({}, {}, ("A", "B"))
    assert no_reference.jer == 1.0
    no_system = jer(speech, Track())
    assert no_system.speakers == {"A": 1.0, "B": 1.0}
    assert no_system.jer == 1.0
    assert jer(Track(), Track()).jer == 0.0
    assert jer(Track(), Track(), uem=TEN_SECONDS).jer == 0.0


def test_corpus_pools_reference_speakers():
    references = {
        "one": _track(("A", 0.005, 1.005)),
        "three": _track(("A", 0.005, 1.005), ("B", 1.005, 2.005), ("C", 2.005, 3.005)),
    }
    hypotheses = {
        "one": _track(("x", 0.005, 1.005)),
        "sys-only": _track(("x", 0.005, 1.005)),
    }
    per_file, overall = jer_corpus(references, hypotheses)
    assert list(per_file) == ["one", "sys-only", "three"]
    assert per_file["one"].jer == 0.0
    assert per_file["three"].jer == 1.0  # no system speaker: every reference speaker 1
    assert per_file["sys-only"].jer == 1.0  # a file JER of 1 that adds nothing to the pool
    assert overall == 0.75  # [0, 1, 1, 1]; the mean of the file JERs would be 2/3
    assert overall == pooled_jer(per_file.values())


def test_corpus_edge_cases():
    speech = _track(("A", 0.005, 1.005))
    assert jer_corpus({}, {}) == ({}, 0.0)
    assert jer_corpus({"f": Track()}, {"f": speech})[1] == 1.0  # no reference speaker anywhere
    assert jer_corpus({"f": Track()}, {"g": Track()})[1] == 0.0  # nothing anywhere
    assert jer_corpus({"f": speech, "g": speech}, {})[1] == 1.0  # no system speaker anywhere
    assert pooled_jer([]) == 0.0


def test_corpus_uem_decides_the_files():
    speech = _track(("A", 0.005, 1.005))
    references = {"f": speech, "g": speech}
    hypotheses = {"f": _track(("x", 0.005, 1.005))}
    uems = {"f": TEN_SECONDS, "silent": TEN_SECONDS}
    with pytest.warns(UserWarning, match="not in the UEM: g"):
        per_file, overall = jer_corpus(references, hypotheses, uems=uems)
    assert list(per_file) == ["f", "silent"]
    assert per_file["silent"] == JaccardScore()
    assert overall == 0.0


def test_as_dict():
    result = jer(_track(("A", 0.005, 1.005)), _track(("x", 0.005, 0.505)), uem=TEN_SECONDS)
    assert result.as_dict() == {
        "jer": 0.5,
        "speakers": {"A": 0.5},
        "mapping": {"A": "x"},
        "system": ["x"],
    }
    assert result.n_reference == result.n_system == 1
    assert not math.isnan(result.jer)
