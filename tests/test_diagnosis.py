"""The diagnosis that names the fix: splits, merges, their exact DER, false alarm by speaker."""

from __future__ import annotations

import pytest

from reviewer.metrics.der import score
from reviewer.metrics.diagnosis import MIN_POINTS, MIN_SHARE, diagnose
from reviewer.model.annotation import Span, Track, Turn
from reviewer.model.scoring import ScoringSettings
from reviewer.model.speakers import new_speaker_name
from reviewer.model.synthetic import meeting, system_output
from reviewer.model.time import TICKS_PER_SECOND as S

HALF = 210 * S  # 3.5 minutes


def split_and_merge() -> tuple[Track, Track, dict[str, str]]:
    """A 7-minute four-voice conversation whose system output has a split and a merge.

    The system speaker of ``spk00`` is called ``sys04`` after 3.5 minutes (a split), and
    the system speaker of ``spk01`` is given to that of ``spk02`` (a merge).
    """
    reference = meeting(hours=7 / 60, turns=140, speakers=4, seed=3, uri="talk")
    system = system_output(reference, seed=4)
    mapping = score_mapping(reference, system)
    split, merged, into = mapping["spk00"], mapping["spk01"], mapping["spk02"]
    turns = []
    for turn in system:
        speaker = turn.speaker
        if speaker == split and turn.start >= HALF:
            speaker = "sys04"
        elif speaker == merged:
            speaker = into
        turns.append(Turn(turn.start, turn.end, speaker))
    return reference, Track(turns, uri="talk"), {"main": split, "merged_into": into}


def score_mapping(reference: Track, system: Track) -> dict[str, str]:
    from reviewer.metrics.incremental import IncrementalScorer

    return IncrementalScorer(reference, system).mapping


def relabelled(track: Track, fix) -> Track:
    """The track as the fix leaves it, built independently of the diagnosis."""
    moved = set(fix.turns)
    assert moved <= set(track.turns)
    return Track(
        [t for t in track if t not in moved] + [Turn(t.start, t.end, fix.target) for t in moved],
        uri=track.uri,
    )


SETTINGS = [
    ScoringSettings(),
    ScoringSettings(0.25),
    ScoringSettings(0.25, skip_overlap=True),
]


@pytest.mark.parametrize("settings", SETTINGS, ids=["md-eval", "collar", "collar+skip"])
def test_split_and_merge_named_with_the_exact_der_of_their_fix(settings):
    reference, system, names = split_and_merge()
    uem = (Span(5 * S, 400 * S),)
    found = diagnose(reference, system, uem=uem, settings=settings)
    assert found.score == score(reference, system, uem=uem, settings=settings)
    (split,) = found.splits
    assert (split.reference, split.system, split.target) == ("spk00", "sys04", names["main"])
    assert {t.speaker for t in split.turns} == {"sys04"}
    assert len(split.turns) == sum(t.speaker == "sys04" for t in system)
    (merge,) = found.merges
    assert merge.system == names["merged_into"]
    assert merge.reference in {"spk01", "spk02"}
    assert merge.target == "sys05"  # a new speaker in the track's style
    for fix in found.fixes:
        after = score(reference, relabelled(system, fix), uem=uem, settings=settings)
        assert fix.after == after  # exactly: the same ticks
        assert fix.before == found.score
        assert fix.recovered == pytest.approx(100 * (found.score.der - after.der))
        assert fix.recovered >= MIN_POINTS
    recovered = [fix.recovered for fix in found.fixes]
    assert recovered == sorted(recovered, reverse=True)


def test_merge_moves_the_turns_the_secondary_speaker_holds_most():
    reference, system, _ = split_and_merge()
    (merge,) = diagnose(reference, system).merges
    for turn in merge.turns:
        overlap = {
            name: sum(
                max(0, min(turn.end, r.end) - max(turn.start, r.start))
                for r in reference
                if r.speaker == name
            )
            for name in reference.labels
        }
        best = max(overlap.values())
        assert overlap[merge.reference] == best
        assert sorted(overlap.values()).count(best) == 1


def test_a_correct_system_needs_no_fix_and_small_shares_are_not_named():
    reference = meeting(hours=7 / 60, turns=140, speakers=4, seed=3, uri="talk")
    perfect = Track([Turn(t.start, t.end, "x" + t.speaker) for t in reference], uri="talk")
    assert diagnose(reference, perfect).fixes == ()
    # one short turn of spk00 under another name: below the share threshold
    first = next(t for t in perfect if t.speaker == "xspk00")
    tiny = Track([t for t in perfect if t != first] + [Turn(first.start, first.end, "other")])
    share = first.duration / sum(t.duration for t in reference if t.speaker == "spk00")
    assert share < MIN_SHARE
    assert diagnose(reference, tiny).fixes == ()
    assert diagnose(reference, tiny, min_share=0.0, min_points=0.0).splits[0].system == "other"


def test_false_alarm_by_system_speaker_adds_up_to_md_evals():
    reference, system, _ = split_and_merge()
    for settings in SETTINGS:
        found = diagnose(reference, system, settings=settings)
        total = score(reference, system, settings=settings).false_alarm
        assert total > 0
        assert sum(a.seconds for a in found.false_alarms) == pytest.approx(total, abs=1e-9)
        assert sum(a.share for a in found.false_alarms) == pytest.approx(1.0)
        assert all(0 < a.seconds <= a.speech for a in found.false_alarms)
    # a system speaker talking where nobody does holds all of it
    ref = Track([Turn(0, 10 * S, "A")])
    hyp = Track([Turn(0, 10 * S, "a"), Turn(20 * S, 23 * S, "noise")])
    uem = (Span(0, 30 * S),)
    (alarm,) = diagnose(ref, hyp, uem=uem).false_alarms
    assert (alarm.speaker, alarm.seconds, alarm.share, alarm.speech) == ("noise", 3.0, 1.0, 3.0)


def test_new_label_follows_the_track_style():
    assert new_speaker_name(["sys00", "sys01", "sys03"], like="sys01") == "sys04"
    assert new_speaker_name(["SPEAKER_00", "SPEAKER_01"], like="SPEAKER_00") == "SPEAKER_02"
    assert new_speaker_name(["alice", "bob"], like="alice") == "alice_2"
    assert new_speaker_name(["alice", "alice_2"], like="alice") == "alice_3"
    assert new_speaker_name(["7"], like="7") == "8"


def test_nothing_to_diagnose():
    found = diagnose(Track(), Track())
    assert found.fixes == () and found.false_alarms == ()
