"""Edits keep a track well-formed, and new speakers are named in its style, in the window.

Issue 16, items 4 and 5 (naming): the demo in the real window (offscreen), driven with the
keys a reviewer presses. The demo's corrected track starts as the system output:
SPEAKER_01 7.25-7.45 and 7.52-8.30, SPEAKER_00 8.38-9.96, SPEAKER_01 9.96-10.90,
SPEAKER_00 10.62-14.52, ...
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from test_window import CTRL, demo_window, key

from reviewer.io import read_rttm
from reviewer.metrics import score
from reviewer.model.annotation import Turn
from reviewer.model.document import CORRECTED, REFERENCE
from reviewer.model.time import TICKS_PER_SECOND as S
from reviewer.model.wellformed import MIN_TURN, is_well_formed

MS = S // 1000


@pytest.fixture
def window(qtbot):
    win = demo_window(qtbot)
    win.timeline.set_view(6.0, 16.0)  # every turn these tests edit is in view
    return win


def select(window, start_ms: int) -> Turn:
    """Select the edited track's turn starting at ``start_ms`` with Alt+Right / Down."""
    editor = window.editor
    for _ in range(len(editor.track)):
        key(window, Qt.Key.Key_Down)  # next turn
        if editor.selected is not None and editor.selected.start == start_ms * MS:
            return editor.selected
    raise AssertionError(f"no turn starts at {start_ms} ms")


def healthy(window) -> None:
    """The corrected track is well-formed and the live score is md-eval's on it."""
    document = window.editor.document
    track = document[CORRECTED]
    assert is_well_formed(track)
    assert min(t.duration for t in track) >= MIN_TURN
    assert window.editor.live.score == score(document[REFERENCE], track)


def test_a_held_nudge_into_the_next_turn_of_the_speaker_pushes_it(window):
    editor = window.editor
    original = editor.track
    select(window, 7250)  # SPEAKER_01 7.25-7.45; its next turn starts at 7.52
    for _ in range(12):  # Ctrl+Right held: the end moves 120 ms, past 7.52
        key(window, Qt.Key.Key_Right, CTRL)
    healthy(window)
    assert editor.selected == Turn(7250 * MS, 7570 * MS, "SPEAKER_01")
    assert Turn(7570 * MS, 8300 * MS, "SPEAKER_01") in editor.track.turns  # pushed along
    assert len(editor.history.commands) == 1  # the held key is one undo step
    key(window, Qt.Key.Key_Z, CTRL)
    assert editor.track.turns == original.turns


def test_an_end_set_inside_another_turn_of_the_speaker_pushes_its_start(window):
    editor = window.editor
    select(window, 8380)  # SPEAKER_00 8.38-9.96; SPEAKER_00 again at 10.62-14.52
    editor.set_cursor(11 * S)
    key(window, Qt.Key.Key_BracketRight)  # ]: the end at the cursor
    healthy(window)
    assert editor.selected == Turn(8380 * MS, 11 * S, "SPEAKER_00")
    assert Turn(11 * S, 14520 * MS, "SPEAKER_00") in editor.track.turns


def test_a_digit_that_makes_a_turn_overlap_its_new_speaker_merges_them(window):
    editor = window.editor
    original = editor.track
    select(window, 9960)  # SPEAKER_01 9.96-10.90, over SPEAKER_00 10.62-14.52
    key(window, Qt.Key.Key_1)  # give it to SPEAKER_00
    healthy(window)
    merged = Turn(9960 * MS, 14520 * MS, "SPEAKER_00")
    assert merged in editor.track.turns
    assert editor.selected == merged  # the next key acts on the turn as it is now
    key(window, Qt.Key.Key_Z, CTRL)
    assert editor.track.turns == original.turns


def test_a_split_closer_than_1_ms_to_a_boundary_is_refused_and_says_why(window):
    editor = window.editor
    original = editor.track
    turn = select(window, 8380)
    editor.set_cursor(turn.start + MIN_TURN // 2)  # half a millisecond in
    key(window, Qt.Key.Key_Return)
    assert editor.track.turns == original.turns
    assert "less than 1 ms" in window.statusBar().currentMessage()
    editor.set_cursor(turn.start + MIN_TURN)
    key(window, Qt.Key.Key_Return)
    assert Turn(turn.start, turn.start + MIN_TURN, turn.speaker) in editor.track.turns
    healthy(window)


def test_a_new_speaker_is_named_in_the_tracks_style(window):
    editor = window.editor
    select(window, 8380)
    key(window, Qt.Key.Key_3)  # one past the last of SPEAKER_00, SPEAKER_01: a new one
    assert editor.selected.speaker == "SPEAKER_02"
    assert editor.track.labels == ("SPEAKER_00", "SPEAKER_01", "SPEAKER_02")


def test_a_drag_past_the_next_turn_of_the_speaker_pushes_it(window):
    editor = window.editor
    plot, item = window.timeline._lanes[CORRECTED]
    turn = select(window, 7250)  # SPEAKER_01 7.25-7.45
    for stage, x in (("start", 7.45), ("move", 7.6), ("move", 7.7), ("finish", 7.8)):
        item.boundary_dragged.emit(editor.selected, "end", x, stage)
    healthy(window)
    assert Turn(turn.start, 7800 * MS, "SPEAKER_01") in editor.track.turns
    assert Turn(7800 * MS, 8300 * MS, "SPEAKER_01") in editor.track.turns
    assert len(editor.history.commands) == 1


def test_the_export_has_one_line_per_stretch_of_a_speaker_and_rescores_the_same(window, tmp_path):
    editor = window.editor
    turn = select(window, 10620)  # SPEAKER_00 10.62-14.52
    editor.set_cursor(turn.start + 2 * S)
    key(window, Qt.Key.Key_Return)  # two touching pieces
    lines_before = len(editor.track)
    path = tmp_path / "corrected.rttm"
    window.do_export_rttm(str(path))
    lines = path.read_text().splitlines()
    assert len(lines) == lines_before - 1  # the pieces are one line again
    assert "SPEAKER sample 1 10.620 3.900 <NA> <NA> SPEAKER_00 <NA> <NA>" in lines
    exported = read_rttm(path)["sample"]
    reference = editor.document[REFERENCE]
    assert score(reference, exported, collar=0.25) == score(reference, editor.track, collar=0.25)
