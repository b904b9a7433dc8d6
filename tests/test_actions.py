"""The keyboard actions as plain functions of an Editor, without Qt."""

from __future__ import annotations

import pytest

from reviewer.app import actions
from reviewer.app.editor import Editor
from reviewer.metrics import score
from reviewer.model.annotation import Span, Track, Turn
from reviewer.model.commands import EditError
from reviewer.model.document import CORRECTED, REFERENCE, Document
from reviewer.model.time import TICKS_PER_SECOND as S

MS = S // 1000
REF = Track([Turn(0, 2 * S, "A"), Turn(3 * S, 5 * S, "B"), Turn(6 * S, 8 * S, "A")])


def make():
    hyp = Track([Turn(0, 2 * S + 300 * MS, "x"), Turn(3 * S, 5 * S, "y")])
    return Editor(Document("rec", {REFERENCE: REF, CORRECTED: hyp}))


def check_live(editor):
    assert editor.live.score == score(editor.document[REFERENCE], editor.document[CORRECTED])


def test_navigation_and_nudges():
    editor = make()
    actions.next_turn(editor)
    assert editor.selected == Turn(0, 2 * S + 300 * MS, "x")
    for _ in range(3):
        actions.nudge(editor, "end", -100)
    assert editor.selected.end == 2 * S
    assert len(editor.history.commands) == 1
    check_live(editor)
    actions.next_turn(editor)
    assert editor.selected.speaker == "y"
    with pytest.raises(EditError, match="no later turn"):
        actions.next_turn(editor)
    actions.previous_turn(editor)
    assert editor.selected.speaker == "x"


def test_split_merge_create_assign_delete():
    editor = make()
    actions.next_turn(editor)
    editor.set_cursor(S)
    actions.split_at_cursor(editor)
    assert len(editor.track) == 3
    assert editor.selected.start == S
    actions.assign_speaker(editor, actions.speaker_for_digit(editor, 2))  # "y"
    assert [t.speaker for t in editor.track] == ["x", "y", "y"]
    check_live(editor)
    editor.set_selection(Span(6 * S, 8 * S))
    actions.create_from_selection(editor, "x")
    assert editor.track.turns[-1] == Turn(6 * S, 8 * S, "x")
    check_live(editor)
    assert editor.live.score.error == pytest.approx(1.0 + 0.3)  # 1 s confused, 0.3 s FA
    actions.delete_selected(editor)
    assert len(editor.track) == 3
    editor.select(editor.track.turns[1])
    actions.merge_with_next(editor)
    assert editor.track.turns[1] == Turn(S, 5 * S, "y")
    check_live(editor)
    assert actions.speaker_for_digit(editor, 3) == "z"
    with pytest.raises(EditError):
        actions.speaker_for_digit(editor, 5)
    while editor.history.undo():
        pass
    assert editor.track == make().track


def test_set_boundaries_at_cursor_and_next_error():
    editor = make()
    span = actions.next_error(editor)
    assert span == Span(2 * S, 2 * S + 300 * MS)  # the false alarm at the end of x
    assert editor.selected is not None and editor.selected.span.end == span.end  # x, selected
    editor.set_cursor(2 * S)
    actions.set_end_at_cursor(editor)
    span = actions.next_error(editor)
    assert span == Span(6 * S, 8 * S)  # the missed turn
    assert editor.selected is None  # no turn of the edited track there: none selected
    with pytest.raises(EditError):
        actions.next_error(editor)
    editor.select(editor.track.turns[1])
    editor.set_cursor(2 * S + 500 * MS)
    actions.set_start_at_cursor(editor)
    assert editor.selected.start == 2 * S + 500 * MS
    check_live(editor)


def test_rename_speaker_everywhere():
    editor = make()
    actions.rename_speaker(editor, "x", "y")
    assert editor.track.labels == ("y",)
    assert editor.history.undo_name == "Merge speaker x into y"


def test_no_selection_message():
    editor = make()
    with pytest.raises(EditError, match="no turn selected"):
        actions.delete_selected(editor)


def test_snap_moves_boundaries_to_the_quiet_point(tmp_path):
    import numpy as np
    import soundfile as sf

    from reviewer.io.audio import AudioSource

    rate = 16000
    signal = np.random.default_rng(0).standard_normal(4 * rate).astype(np.float32) * 0.3
    signal[int(0.98 * rate) : int(1.02 * rate)] = 0  # silence around 1.0 s
    signal[int(2.90 * rate) : int(2.94 * rate)] = 0  # silence around 2.92 s
    path = tmp_path / "x.wav"
    sf.write(path, signal, rate)
    hyp = Track([Turn(1100 * MS, 2800 * MS, "x")])
    editor = Editor(Document("x", {REFERENCE: REF, CORRECTED: hyp}), audio=AudioSource.open(path))
    actions.next_turn(editor)
    actions.snap_boundaries(editor)
    assert abs(editor.selected.start - S) <= 20 * MS
    assert abs(editor.selected.end - 2920 * MS) <= 20 * MS
    assert editor.history.undo_name == "Snap boundaries"


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (["SPEAKER_00", "SPEAKER_01"], "SPEAKER_02"),  # pyannote.audio
        (["SPEAKER_09", "SPEAKER_10"], "SPEAKER_11"),
        (["spk3"], "spk4"),
        ([f"spk{i:02d}" for i in range(10)], "spk10"),  # VoxConverse
        (["spk1", "spk10"], "spk11"),  # after the highest, not into a gap
        (["speaker1", "speaker2"], "speaker3"),
        (["A", "B"], "C"),
        (["a", "b", "d"], "e"),
        (["A", "SPEAKER_00", "SPEAKER_01"], "SPEAKER_02"),  # the style most labels follow
        (["A", "B", "SPEAKER_00"], "C"),
        (["Z"], "speaker1"),  # no letter after Z
        (["alice", "bob"], "speaker1"),  # names: no pattern
        ([], "speaker1"),
        (["speaker1", "alice"], "speaker2"),
    ],
)
def test_new_speakers_follow_the_track_style(labels, expected):
    assert actions.new_speaker_name(labels) == expected
    assert expected not in labels


def test_the_digit_after_the_last_speaker_names_a_new_one_in_style():
    hyp = Track([Turn(0, S, "SPEAKER_00"), Turn(S, 2 * S, "SPEAKER_01")])
    editor = Editor(Document("rec", {REFERENCE: REF, CORRECTED: hyp}))
    actions.next_turn(editor)
    actions.assign_speaker(editor, actions.speaker_for_digit(editor, 3))
    assert editor.track.labels == ("SPEAKER_01", "SPEAKER_02")
    editor.set_selection(Span(5 * S, 6 * S))
    editor.remember_speaker("")  # no speaker used yet: the new turn gets a new name
    actions.create_from_selection(editor)
    assert editor.track.turns[-1].speaker == "SPEAKER_03"


def test_a_turn_created_over_its_speaker_joins_it_and_is_selected():
    editor = make()
    editor.set_selection(Span(S, 2500 * MS))
    actions.create_from_selection(editor, "x")
    assert editor.track.turns[0] == Turn(0, 2500 * MS, "x")
    assert editor.selected == editor.track.turns[0]  # the joined turn, so keys act on it
    check_live(editor)
