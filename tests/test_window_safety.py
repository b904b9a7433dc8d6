"""Edits land where the reviewer looks, and the reference and system output are safe.

Issue 16, items 2 and 3: the real window driven with keys on its real widgets (offscreen).
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox
from test_window import ALT, CTRL, SHIFT, demo_window, key

from reviewer.app.editor import Editor
from reviewer.model import commands
from reviewer.model.commands import EditError
from reviewer.model.document import CORRECTED, REFERENCE, SYSTEM
from reviewer.model.time import TICKS_PER_SECOND as S
from reviewer.resources import demo
from reviewer.ui.time_axis import clock


@pytest.fixture
def window(qtbot):
    return demo_window(qtbot)


def visible(window, turn) -> bool:
    x0, x1 = window.timeline.view_range()
    return turn.start / S < x1 and x0 < turn.end / S


def shown(window) -> str:
    """The permanent part of the status bar, once its pending refresh ran."""
    window.position_refresh.flush()
    return window.position_label.text()


def select_first_turn_then_look_away(window):
    editor = window.editor
    key(window, Qt.Key.Key_Right, ALT)  # the first turn, 6.75-7.18 s
    turn = editor.selected
    window.timeline.set_view(20.0, 25.0)  # the reviewer looks elsewhere
    assert not visible(window, turn)
    return turn


# --- item 2: no edit key acts out of sight ---------------------------------------------------


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("delete", [(Qt.Key.Key_Delete, Qt.KeyboardModifier.NoModifier)]),
        ("digit", [(Qt.Key.Key_2, Qt.KeyboardModifier.NoModifier)]),
        ("nudge", [(Qt.Key.Key_Right, CTRL)]),
        ("big nudge", [(Qt.Key.Key_Left, SHIFT | ALT)]),
    ],
)
def test_an_edit_key_first_brings_an_out_of_view_turn_into_view(window, name, keys):
    editor = window.editor
    turn = select_first_turn_then_look_away(window)
    track_before = editor.track
    for k, modifiers in keys:
        key(window, k, modifiers)
    assert editor.track == track_before  # nothing edited
    assert editor.history.undo_name is None
    assert visible(window, turn)  # and the turn is now in view
    assert "out of view" in window.statusBar().currentMessage()
    assert "press again" in window.statusBar().currentMessage()
    for k, modifiers in keys:  # the next press edits, where the reviewer now looks
        key(window, k, modifiers)
    assert editor.track != track_before
    assert editor.history.undo_name is not None
    assert "press again" not in window.statusBar().currentMessage()  # no stale advice


def test_split_and_create_act_only_where_the_reviewer_looks(window):
    from reviewer.model.annotation import Span

    editor = window.editor
    editor.set_cursor(15 * S)  # inside a turn
    window.timeline.set_view(0.0, 5.0)  # and the reviewer looks elsewhere
    before = editor.track
    key(window, Qt.Key.Key_Return)
    assert editor.track == before
    x0, x1 = window.timeline.view_range()
    assert x0 <= 15 <= x1
    editor.set_selection(Span(26 * S, 27 * S))
    window.timeline.set_view(0.0, 5.0)
    key(window, Qt.Key.Key_N)
    assert editor.track == before
    x0, x1 = window.timeline.view_range()
    assert x0 < 27 and 26 < x1


def test_an_edit_in_view_acts_at_once(window):
    editor = window.editor
    key(window, Qt.Key.Key_Right, ALT)
    window.timeline.set_view(0.0, 10.0)
    before = len(editor.track)
    key(window, Qt.Key.Key_Delete)
    assert len(editor.track) == before - 1


# --- item 2: the status bar describes the turn as it is now ----------------------------------


def test_the_status_bar_follows_a_rename_of_the_selected_turns_speaker(window, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    editor = window.editor
    key(window, Qt.Key.Key_Right, ALT)
    old = editor.selected.speaker
    assert old in shown(window)
    monkeypatch.setattr(QInputDialog, "getItem", lambda *args, **_: (args[3][args[4]], True))
    monkeypatch.setattr(QInputDialog, "getText", lambda *_, **__: ("Diane", True))
    key(window, Qt.Key.Key_R, CTRL)
    assert editor.selected.speaker == "Diane"
    assert "Diane" in shown(window) and old not in shown(window)
    key(window, Qt.Key.Key_Z, CTRL)
    assert editor.selected.speaker == old
    assert old in shown(window) and "Diane" not in shown(window)


def test_the_status_bar_follows_a_merge_and_its_undo(window):
    editor = window.editor
    editor.set_cursor(0)
    key(window, Qt.Key.Key_Right, ALT)
    first = editor.selected
    following = next(t for t in editor.track if t.start > first.end and t.speaker == first.speaker)
    window.timeline.set_view(0.0, 30.0)
    key(window, Qt.Key.Key_M)
    merged = editor.selected
    assert (merged.start, merged.end) == (first.start, following.end)
    assert clock(following.end / S) in shown(window)
    key(window, Qt.Key.Key_Z, CTRL)  # the merge undone: its first piece is selected again
    assert editor.selected == first
    assert f"{clock(first.start / S)}\u2013{clock(first.end / S)}" in shown(window)
    assert clock(following.end / S) not in shown(window)


@pytest.fixture
def audio_window(qtbot):
    return demo_window(qtbot, audio=True)


def test_the_status_bar_follows_a_snap(audio_window):
    window = audio_window
    editor = window.editor
    for _ in range(4):
        key(window, Qt.Key.Key_Right, ALT)
        turn = editor.selected
        window.timeline.zoom_to(turn.span)
        key(window, Qt.Key.Key_K)
        if editor.selected != turn:
            break
    snapped = editor.selected
    assert snapped != turn, "no turn of the demo moved when snapped"
    assert f"{clock(snapped.start / S)}\u2013{clock(snapped.end / S)}" in shown(window)


def test_a_burst_of_edits_costs_one_refresh_of_the_status_and_the_numbers(window, qtbot):
    editor = window.editor
    key(window, Qt.Key.Key_Right, ALT)
    calls = {"position": 0, "numbers": 0}
    for name, deferred in (
        ("position", window.position_refresh),
        ("numbers", window.metrics.numbers_refresh),
    ):
        work = deferred._work

        def counted(work=work, name=name):
            calls[name] += 1
            work()

        deferred._work = counted
    for _ in range(10):  # a held nudge key, faster than the event loop turns
        key(window, Qt.Key.Key_Right, CTRL)
    assert calls == {"position": 0, "numbers": 0}
    qtbot.waitUntil(lambda: calls["position"] == 1 and calls["numbers"] == 1)
    assert clock(editor.selected.end / S) in window.position_label.text()
    assert window.metrics.der_label.text() == f"{100 * editor.live.score.der:.2f} %"


# --- item 3: a form field keeps its keys ---------------------------------------------------------


def focus(qtbot, widget):
    widget.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget)


def test_keys_in_the_collar_box_never_reach_the_shortcuts(window, qtbot):
    editor = window.editor
    key(window, Qt.Key.Key_Right, ALT)  # a corrected turn selected
    turn, tracks = editor.selected, editor.document.tracks
    box = window.metrics.collar_box
    focus(qtbot, box)
    for k in (Qt.Key.Key_Tab, Qt.Key.Key_Delete, Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_2):
        QTest.keyClick(box, k)
    QTest.keyClick(box, Qt.Key.Key_Right, CTRL)
    assert editor.active_track == CORRECTED  # Tab did not cycle the edited track
    assert editor.selected == turn  # Down/Up did not move between turns
    assert editor.document.tracks == tracks  # Delete, the digit and the nudge edited nothing
    assert editor.history.undo_name is None


def test_tab_in_the_collar_box_moves_the_focus_and_escape_returns_to_the_timeline(window, qtbot):
    box = window.metrics.collar_box
    focus(qtbot, box)
    QTest.keyClick(box, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not box  # Tab moved the focus, as in any form
    focus(qtbot, box)
    QTest.keyClick(box, Qt.Key.Key_Escape)
    assert QApplication.focusWidget() is window.timeline
    key(window, Qt.Key.Key_Tab)  # on the timeline, Tab is the app's again
    assert window.editor.active_track != CORRECTED


def test_tab_from_the_collar_box_then_delete_edits_nothing(window, qtbot):
    editor = window.editor
    key(window, Qt.Key.Key_Right, ALT)
    tracks = editor.document.tracks
    focus(qtbot, window.metrics.collar_box)
    QTest.keyClick(window.metrics.collar_box, Qt.Key.Key_Tab)
    landed = QApplication.focusWidget()
    assert landed is window.metrics.skip_box  # the next field of the form
    for k in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace, Qt.Key.Key_1, Qt.Key.Key_Down):
        QTest.keyClick(landed, k)
    assert editor.document.tracks == tracks and editor.history.undo_name is None


def test_keys_in_the_track_chooser_and_a_line_edit_stay_there(window, qtbot):
    from PySide6.QtWidgets import QLineEdit

    editor = window.editor
    key(window, Qt.Key.Key_Right, ALT)
    tracks = editor.document.tracks
    field = QLineEdit(window.metrics)
    field.show()
    focus(qtbot, field)
    QTest.keyClicks(field, "1 ]Ek")
    QTest.keyClick(field, Qt.Key.Key_Delete)
    QTest.keyClick(field, Qt.Key.Key_Tab)
    assert editor.document.tracks == tracks and editor.history.undo_name is None
    assert editor.active_track == CORRECTED


def test_file_keys_still_work_from_a_field(window, qtbot, tmp_path):
    box = window.metrics.collar_box
    focus(qtbot, box)
    target = tmp_path / "s.reviewer.json"
    window.session_path = target  # Ctrl+S saves there without a dialog
    QTest.keyClick(box, Qt.Key.Key_S, CTRL)
    assert target.exists()


def test_a_typed_collar_is_applied_exactly(window, qtbot):
    editor = window.editor
    box = window.metrics.collar_box
    focus(qtbot, box)
    box.selectAll()
    QTest.keyClicks(box, "0.25")
    QTest.keyClick(box, Qt.Key.Key_Return)
    assert editor.live.setup.settings.collar_ticks == S // 4
    assert box.text() == "0.250 s each side"
    from reviewer.metrics import score

    document = editor.document
    expected = score(document[REFERENCE], document[CORRECTED], collar=0.25)
    assert editor.live.score == expected
    box.selectAll()
    QTest.keyClicks(box, "0.125")
    box.clearFocus()  # leaving the box commits it too
    assert editor.live.setup.settings.collar_ticks == S // 8


# --- item 3: only the corrected track is edited without a deliberate unlock --------------------


def test_the_editor_refuses_edits_of_a_locked_track_whatever_calls_it():
    from reviewer.io import read_rttm
    from reviewer.model.document import Document

    files = demo()
    reference, system = read_rttm(files.reference)["sample"], read_rttm(files.system)["sample"]
    document = Document("sample", {REFERENCE: reference, SYSTEM: system, CORRECTED: system})
    editor = Editor(document)
    turn = reference.turns[0]
    with pytest.raises(EditError, match="reference track is locked"):
        editor.push(commands.delete(REFERENCE, (turn,)))
    assert document[REFERENCE] == reference
    assert editor.is_locked(REFERENCE) and editor.is_locked(SYSTEM)
    assert not editor.is_locked(CORRECTED) and not editor.is_locked("transcript")
    editor.unlock(REFERENCE)
    assert editor.unlocked == (REFERENCE,)
    editor.push(commands.delete(REFERENCE, (turn,)))
    assert turn not in document[REFERENCE].turns
    editor.lock()
    with pytest.raises(EditError):
        editor.push(commands.delete(REFERENCE, (reference.turns[1],)))
    editor.history.undo()  # undo stays possible: it restores what the reviewer had
    assert document[REFERENCE] == reference


def test_tab_then_delete_cannot_remove_a_reference_turn(window):
    editor = window.editor
    reference = editor.document[REFERENCE]
    while editor.active_track != REFERENCE:
        key(window, Qt.Key.Key_Tab)
    assert "(locked)" in shown(window)
    key(window, Qt.Key.Key_Right, ALT)
    key(window, Qt.Key.Key_Delete)
    key(window, Qt.Key.Key_2)
    assert editor.document[REFERENCE] == reference
    assert "locked" in window.statusBar().currentMessage()
    assert window.lock_banner.isHidden()


def test_unlocking_asks_shows_a_banner_and_lock_closes_it(window, monkeypatch):
    editor = window.editor
    asked = []

    def answer(_parent, title, text, *_args):
        asked.append(title)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    while editor.active_track != REFERENCE:
        key(window, Qt.Key.Key_Tab)
    key(window, Qt.Key.Key_L, CTRL | SHIFT)
    assert asked == ["Edit the reference?"]
    assert editor.unlocked == (REFERENCE,)
    banner = window.lock_banner
    assert not banner.isHidden() and banner.isVisible()
    assert banner.label.text().startswith("Editing the REFERENCE")
    key(window, Qt.Key.Key_Right, ALT)
    before = len(editor.document[REFERENCE])
    key(window, Qt.Key.Key_Delete)
    assert len(editor.document[REFERENCE]) == before - 1
    while editor.active_track != CORRECTED:  # the banner stays while the reference is open
        key(window, Qt.Key.Key_Tab)
    assert not banner.isHidden()
    QTest.mouseClick(banner.lock_button, Qt.MouseButton.LeftButton)
    assert editor.unlocked == () and banner.isHidden()
    assert "unlocked" not in window.statusBar().currentMessage()  # says it is locked now
    # a refused confirmation leaves it locked
    monkeypatch.setattr(QMessageBox, "question", lambda *_: QMessageBox.StandardButton.Cancel)
    while editor.active_track != SYSTEM:
        key(window, Qt.Key.Key_Tab)
    key(window, Qt.Key.Key_L, CTRL | SHIFT)
    assert editor.is_locked(SYSTEM) and banner.isHidden()


def test_a_drag_on_a_locked_lane_moves_nothing(window):
    editor = window.editor
    window.timeline.set_view(6.0, 9.0)
    _plot, item = window.timeline._lanes[REFERENCE]
    turn = editor.document[REFERENCE].turns[0]
    for stage, x in (("start", turn.end / S), ("move", 7.5), ("finish", 7.6)):
        item.boundary_dragged.emit(turn, "end", x, stage)
    assert editor.document[REFERENCE].turns[0] == turn
    assert "locked" in window.statusBar().currentMessage()
    assert editor.history.undo_name is None


# --- item 2: what an edit changes is in view too, not only the turn it starts from ---------


@pytest.mark.parametrize(("name", "k"), [("set_end", Qt.Key.Key_BracketRight)])
def test_a_boundary_set_to_a_cursor_out_of_view_first_shows_the_cursor(window, name, k):
    """The turn was in view but the cursor was not: one ] stretched the turn out of sight."""
    editor = window.editor
    key(window, Qt.Key.Key_Right, ALT)  # the first turn, 6.75-7.18 s
    turn = editor.selected
    editor.set_cursor(25 * S)
    window.timeline.set_view(5.0, 10.0)  # panned back: the turn is in view, the cursor not
    assert visible(window, turn)
    before = editor.track
    key(window, k)
    assert editor.track == before and editor.history.undo_name is None
    x0, x1 = window.timeline.view_range()
    assert x0 <= turn.end / S and 25.0 <= x1  # the boundary and where it goes, both shown
    message = window.statusBar().currentMessage()
    assert "the cursor" in message and "press again" in message
    key(window, k)
    assert editor.history.undo_name is not None and editor.selected.end >= 25 * S


def test_set_start_to_a_cursor_out_of_view_first_shows_it(window):
    editor = window.editor
    key(window, Qt.Key.Key_Right, ALT)
    key(window, Qt.Key.Key_Right, ALT)  # a later turn
    turn = editor.selected
    editor.set_cursor(1 * S)
    window.timeline.set_view(turn.start / S - 1, turn.end / S + 1)
    before = editor.track
    key(window, Qt.Key.Key_BracketLeft)
    assert editor.track == before
    x0, x1 = window.timeline.view_range()
    assert x0 <= 1.0 and turn.start / S <= x1
    key(window, Qt.Key.Key_BracketLeft)
    assert editor.selected.start == 1 * S


def test_a_merge_with_a_turn_out_of_view_first_shows_it(window):
    """M merged with the speaker's next turn wherever it was, across unseen turns."""
    editor = window.editor
    key(window, Qt.Key.Key_Right, ALT)
    turn = editor.selected
    turns = editor.track.turns
    partner = next(t for t in turns[turns.index(turn) + 1 :] if t.speaker == turn.speaker)
    window.timeline.set_view(turn.start / S - 0.2, turn.end / S + 0.2)
    assert not visible(window, partner)
    before = editor.track
    key(window, Qt.Key.Key_M)
    assert editor.track == before and editor.history.undo_name is None
    assert visible(window, turn) and visible(window, partner)
    assert "the turn it merges with" in window.statusBar().currentMessage()
    key(window, Qt.Key.Key_M)
    assert editor.selected.start == turn.start and editor.selected.end == partner.end


# --- items 2 and 5: the lanes scroll to the turn an edit key acts on -------------------------


@pytest.fixture
def crowded(qtbot, tmp_path):
    """A window of 24 reference and system speakers: the corrected lanes start far below."""
    from qt_helpers import shown_window

    from reviewer.io.rttm import write_rttm
    from reviewer.model.synthetic import meeting, system_output
    from reviewer.ui.app import prepare

    reference = meeting(hours=0.1, turns=400, speakers=24)
    write_rttm(tmp_path / "ref.rttm", {"many": reference})
    write_rttm(tmp_path / "sys.rttm", {"many": system_output(reference)})
    review = prepare(None, tmp_path / "ref.rttm", tmp_path / "sys.rttm")
    window = shown_window(qtbot, review, size=(1400, 700))
    window.activateWindow()
    window.timeline.setFocus()
    return window


def select_an_error_turn(window):
    """Press E until an error has a corrected turn (the first errors may be missed speech)."""
    for _ in range(50):
        key(window, Qt.Key.Key_E)
        if window.editor.selected is not None:
            return window.editor.selected
    raise AssertionError("no error with a corrected turn")


def row_shown(window, turn) -> bool:
    window.timeline.flush()
    return window.timeline.lane_area.row_in_view(window.editor.active_track, turn.speaker)


def test_selecting_a_turn_scrolls_the_lanes_to_its_row(crowded, qtbot):
    window = crowded
    area = window.timeline.lane_area
    area.verticalScrollBar().setValue(0)  # the reference's first rows
    assert area.verticalScrollBar().maximum() > 0
    turn = select_an_error_turn(window)  # a corrected turn, rows below
    qtbot.waitUntil(lambda: row_shown(window, turn))
    assert area.verticalScrollBar().value() > 0


def test_a_digit_on_a_turn_scrolled_out_of_the_lanes_first_shows_it(crowded, qtbot):
    """L selected a corrected turn while the lanes showed the reference; 2 relabelled it."""
    window, editor = crowded, crowded.editor
    turn = select_an_error_turn(window)
    qtbot.waitUntil(lambda: row_shown(window, turn))
    window.timeline.lane_area.verticalScrollBar().setValue(0)  # the reviewer scrolls away
    assert not row_shown(window, turn)
    before = editor.track
    key(window, Qt.Key.Key_2)
    assert editor.track == before and editor.history.undo_name is None
    assert row_shown(window, turn)
    assert "press again" in window.statusBar().currentMessage()
    key(window, Qt.Key.Key_2)
    assert editor.history.undo_name is not None


def test_a_long_speaker_mapping_stays_short_in_the_panel(crowded):
    """24 pairs filled the panel and pushed the edit history off it; all are on hover."""
    label = crowded.metrics.mapping_label
    mapping = crowded.editor.live.mapping
    assert len(mapping) > 20
    assert label.text().count("\u2192") == 4 and f"and {len(mapping) - 4} more" in label.text()
    assert label.toolTip().count("\u2192") == len(mapping)


def test_advice_about_no_selection_goes_when_a_turn_is_selected(window):
    """'no turn selected: press Alt+Right...' stayed after E had selected a turn."""
    key(window, Qt.Key.Key_Escape)
    window.editor.select(None)
    key(window, Qt.Key.Key_Delete)
    assert "no turn selected" in window.statusBar().currentMessage()
    key(window, Qt.Key.Key_Right, ALT)
    assert window.editor.selected is not None
    assert "no turn selected" not in window.statusBar().currentMessage()


def test_an_edit_leaves_the_view_on_the_turn_when_the_cursor_is_elsewhere(window):
    """Found by a retest: every edit jumped the view to the cursor, away from the turn, and
    a held nudge then alternated between editing and the guard's 'press again'."""
    editor = window.editor
    key(window, Qt.Key.Key_Right, ALT)
    key(window, Qt.Key.Key_Right, ALT)
    turn = editor.selected
    editor.set_cursor(28 * S)  # the cursor far away, then back to the turn
    window.timeline.set_view(turn.start / S - 1, turn.end / S + 1)
    before = window.timeline.view_range()
    other = Qt.Key.Key_1 if turn.speaker != editor.track.labels[0] else Qt.Key.Key_2
    key(window, other)  # relabel
    assert editor.history.undo_name is not None
    assert window.timeline.view_range() == before
    start = editor.selected.start
    for _ in range(5):  # a held nudge: five presses, five nudges, the view stays
        key(window, Qt.Key.Key_Right, SHIFT)
    assert editor.selected.start == start + 5 * 10 * S // 1000
    assert window.timeline.view_range() == before


def test_undo_of_an_edit_out_of_view_brings_it_into_view(window):
    editor = window.editor
    key(window, Qt.Key.Key_Right, ALT)
    turn = editor.selected
    key(window, Qt.Key.Key_Delete)
    window.timeline.set_view(20.0, 25.0)
    key(window, Qt.Key.Key_Z, CTRL)
    assert turn in editor.track.turns and visible(window, turn)
