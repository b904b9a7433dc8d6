"""The window driven from the keyboard, with real widgets (offscreen)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from qt_helpers import shown_window

from reviewer.io import read_rttm
from reviewer.metrics import score
from reviewer.model.document import CORRECTED, REFERENCE
from reviewer.model.time import TICKS_PER_SECOND as S
from reviewer.resources import demo

MS = S // 1000
ALT, CTRL, SHIFT = (
    Qt.KeyboardModifier.AltModifier,
    Qt.KeyboardModifier.ControlModifier,
    Qt.KeyboardModifier.ShiftModifier,
)


def demo_window(qtbot, audio: bool = False):
    """The demo in a shown window without playback, the timeline focused (and its audio)."""
    from reviewer.ui.app import DEMO_NOTE, application, prepare

    application()
    files = demo()
    review = prepare(files.audio if audio else None, files.reference, files.system)
    win = shown_window(qtbot, review, DEMO_NOTE)
    win.activateWindow()
    win.timeline.setFocus()
    return win


@pytest.fixture
def window(qtbot):
    return demo_window(qtbot)


def key(window, key, modifiers=Qt.KeyboardModifier.NoModifier, text=""):
    QTest.keyClick(window.timeline, key, modifiers)


def live_matches_full(window):
    document = window.editor.document
    assert window.editor.live.score == score(document[REFERENCE], document[CORRECTED])


def test_keyboard_editing_session(window):
    editor = window.editor
    start = editor.live.score.der
    key(window, Qt.Key.Key_Right, ALT)
    first = editor.selected
    assert first == editor.track.turns[0]
    for _ in range(3):
        key(window, Qt.Key.Key_Right, CTRL)  # end +10 ms, three times
    assert editor.selected.end == first.end + 30 * MS
    assert len(editor.history.commands) == 1
    assert window.actions["undo"].text() == "Undo Nudge end"
    live_matches_full(window)
    key(window, Qt.Key.Key_Left, SHIFT | ALT)  # start -100 ms
    assert editor.selected.start == first.start - 100 * MS
    key(window, Qt.Key.Key_Right, ALT)  # the false alarm at 7.25 s
    assert editor.selected.start == 7250 * MS
    key(window, Qt.Key.Key_Delete)
    assert all(t.start != 7250 * MS for t in editor.track)
    live_matches_full(window)
    assert editor.live.score.der < start
    # split at the cursor, give the right half to speaker 1, merge back
    editor.set_cursor(editor.selected.start + 200 * MS)
    before = len(editor.track)
    key(window, Qt.Key.Key_Return)
    assert len(editor.track) == before + 1
    key(window, Qt.Key.Key_1)
    assert editor.selected.speaker == editor.track.labels[0]
    live_matches_full(window)
    key(window, Qt.Key.Key_2)
    key(window, Qt.Key.Key_Left, ALT)
    key(window, Qt.Key.Key_M)
    assert len(editor.track) == before
    live_matches_full(window)
    # DER in the panel is the live one (refreshed once the burst of edits is over)
    window.metrics.flush()
    assert window.metrics.der_label.text() == f"{100 * editor.live.score.der:.2f} %"
    assert window.metrics.history_list.count() == len(editor.history.commands)
    # undo everything, redo everything
    done = len(editor.history.commands)
    after = editor.track
    for _ in range(done):
        key(window, Qt.Key.Key_Z, CTRL)
    assert editor.track == read_rttm(demo().system)["sample"]
    assert editor.live.score.der == pytest.approx(start)
    for _ in range(done):
        key(window, Qt.Key.Key_Z, CTRL | SHIFT)
    assert editor.track == after
    live_matches_full(window)


def test_create_from_selection_and_set_boundaries(window):
    editor = window.editor
    editor.set_selection(None)
    editor.set_cursor(0)
    from reviewer.model.annotation import Span

    editor.set_selection(Span(1 * S, 2 * S))
    key(window, Qt.Key.Key_N)
    assert editor.selected.start == 1 * S and editor.selected.end == 2 * S
    editor.set_cursor(1500 * MS)
    key(window, Qt.Key.Key_BracketRight)
    assert editor.selected.end == 1500 * MS
    editor.set_cursor(1200 * MS)
    key(window, Qt.Key.Key_BracketLeft)
    assert editor.selected.start == 1200 * MS
    live_matches_full(window)


def test_next_error_selects_error_regions(window):
    editor = window.editor
    editor.set_cursor(0)
    key(window, Qt.Key.Key_E)
    first = editor.selection
    assert first is not None
    errors = editor.live.errors()
    assert first.start == errors.starts[0]
    key(window, Qt.Key.Key_E)
    assert editor.selection.start == errors.starts[1]
    key(window, Qt.Key.Key_E, SHIFT)
    assert editor.selection.start == errors.starts[0]


def test_export_and_reread(window, tmp_path):
    editor = window.editor
    key(window, Qt.Key.Key_Right, ALT)
    key(window, Qt.Key.Key_Right, CTRL)
    path = tmp_path / "corrected.rttm"
    window.do_export_rttm(str(path))
    assert read_rttm(path)["sample"] == editor.document[CORRECTED].with_uri("sample")


def test_status_bar_explains_impossible_edits(window):
    window.editor.select(None)
    key(window, Qt.Key.Key_Delete)
    assert "no turn selected" in window.statusBar().currentMessage()


def test_scoring_settings_panel(window):
    editor = window.editor
    window.metrics.collar_box.setValue(0.25)
    assert editor.live.setup.collar == 0.25
    document = editor.document
    assert editor.live.score == score(document[REFERENCE], document[CORRECTED], collar=0.25)
    window.metrics.hypothesis_box.setCurrentText("system")
    assert editor.live.setup.hypothesis == "system"


def test_shortcut_sheet_lists_every_binding():
    from reviewer.ui.keymap import KEYMAP, check_unique
    from reviewer.ui.shortcuts import shortcut_html

    check_unique()
    html = shortcut_html()
    for binding in KEYMAP:
        if not binding.action.startswith("speaker_"):
            assert binding.label in html


def test_start_over_from_reference_is_one_undoable_edit(window):
    editor = window.editor
    window.restart_corrected(REFERENCE)
    assert editor.document[CORRECTED].turns == editor.document[REFERENCE].turns
    assert editor.live.score.der == 0
    editor.history.undo()
    assert editor.document[CORRECTED] == read_rttm(demo().system)["sample"]


def test_drag_a_boundary_is_one_undo_step(window, qtbot):
    editor = window.editor
    window.timeline.set_view(6.0, 9.0)
    plot, item = window.timeline._lanes[CORRECTED]
    turn = editor.document[CORRECTED].turns[0]  # SPEAKER_00 6.750-7.180
    row = item.rows[turn.speaker]
    for stage, x in (("start", 7.18), ("move", 7.25), ("move", 7.3), ("finish", 7.12)):
        item.boundary_dragged.emit(turn, "end", x, stage)
    assert editor.document[CORRECTED].turns[0].end == 7120 * MS
    assert len(editor.history.commands) == 1
    assert row == 0
    editor.history.undo()
    assert editor.document[CORRECTED].turns[0] == turn


def test_mouse_click_selects_a_turn_and_sets_the_cursor(window, qtbot):
    editor = window.editor
    window.timeline.set_view(6.0, 12.0)
    plot, item = window.timeline._lanes[CORRECTED]
    turn = editor.document[CORRECTED].turns[3]  # SPEAKER_00 8.38-9.96
    item.turn_clicked.emit(turn, 9.0)
    assert editor.selected == turn
    assert editor.cursor == 9 * S


def test_classify_dropped_files(tmp_path):
    from pathlib import Path

    from reviewer.ui.opening import classify

    request = classify([Path("a/sys.rttm"), Path("a/x.wav"), Path("a/ref.rttm"), Path("a/b.uem")])
    assert request.audio == "a/x.wav"
    assert request.reference == "a/ref.rttm"
    assert request.system == "a/sys.rttm"
    assert request.uem == "a/b.uem"
    assert classify([Path("s.reviewer.json")]).session == "s.reviewer.json"


def test_save_and_reopen_session(window, tmp_path):
    from reviewer.ui.app import prepare_session

    editor = window.editor
    key(window, Qt.Key.Key_Right, ALT)
    key(window, Qt.Key.Key_Delete)
    window.metrics.collar_box.setValue(0.25)
    window.timeline.set_view(10.0, 15.0)
    path = tmp_path / "s.reviewer.json"
    window.do_save_session(str(path))
    assert window.is_saved and not window.isWindowModified()
    review = prepare_session(path)
    assert review.editor.document[CORRECTED] == editor.document[CORRECTED]
    assert review.editor.live.setup.collar == 0.25
    assert review.editor.live.score == editor.live.score
    from reviewer.ui.app import build_window

    reopened = build_window(review, with_player=False)
    reopened.confirm_close = False
    start, end = reopened.timeline.view_range()
    assert abs(start - 10.0) < 1e-6 and abs(end - 15.0) < 1e-6
    reopened.close()


def test_why_panel_lists_regions_and_jumps(window):
    panel = window.breakdown
    assert panel.headline.text() == ""  # hidden: nothing computed yet
    window.side_tabs.setCurrentIndex(1)
    assert "points come from conversation structure" in panel.headline.text()
    assert panel.classes.item(0, 0).text() == "overlap"
    panel._list_class(0)  # overlap
    assert panel.regions.count() > 0
    panel._region_clicked(panel.regions.item(0))
    start, end = panel.regions.item(0).data(Qt.ItemDataRole.UserRole)
    assert window.editor.selection.start == start
    # the live breakdown follows edits
    before = panel.result.total.der
    window.editor.select(None)
    window.editor.set_cursor(0)
    key(window, Qt.Key.Key_Right, ALT)
    key(window, Qt.Key.Key_Right, ALT)  # the false alarm at 7.25 s
    key(window, Qt.Key.Key_Delete)
    panel.deferred.flush()  # the panel refreshes once per burst of edits
    assert panel.result.total.der < before
    assert panel.result.total == window.editor.live.score
    assert f"{100 * panel.result.total.der:.1f} % DER" in panel.headline.text()
    assert "JER" in panel.headline.text()
    # hover names the cause
    errors = window.editor.live.errors()
    x = (errors.starts[0] + errors.ends[0]) / 2 / S
    text = window.timeline.errors_item.tooltip_at(x, 0)
    assert "cause:" in text


def test_largest_error_first(window):
    errors = window.editor.live.errors()
    key(window, Qt.Key.Key_L)
    sizes = (errors.ends - errors.starts) * (errors.missed + errors.false_alarm + errors.confusion)
    biggest = int(sizes.argmax())
    assert window.editor.selection.start == errors.starts[biggest]


@pytest.fixture
def transcript_window(qtbot):
    from reviewer.model.transcript import Transcript, Utterance, Word
    from reviewer.ui.app import application, prepare

    application()
    files = demo()
    review = prepare(None, files.reference, files.system)
    document = review.editor.document
    document.transcript = Transcript(
        [
            Utterance(6700 * MS, 7100 * MS, "Hello?", "Diane"),
            Utterance(7600 * MS, 8200 * MS, "Hello?", "Sheila"),
            Utterance(
                8400 * MS,
                9800 * MS,
                "Oh, hello. I didn't know",
                "Diane",
                (
                    Word(8400 * MS, 8900 * MS, "Oh,"),
                    Word(8900 * MS, 9300 * MS, "hello."),
                    Word(9300 * MS, 9800 * MS, "I"),
                ),
            ),
            Utterance(25000 * MS, 26000 * MS, "a confused stretch", "Sheila"),
        ],
        "sample",
    )
    yield shown_window(qtbot, review)


def test_transcript_lane_list_attribution_and_wder(transcript_window, tmp_path):
    window = transcript_window
    editor = window.editor
    assert window.timeline.transcript_item is not None
    attribution = window.attribution
    assert attribution.speakers == ["SPEAKER_00", "SPEAKER_01", "SPEAKER_00", "SPEAKER_00"]
    errors = attribution.errors
    # words: 1 + 1 + 3 timed + 3 untimed; the confused stretch's 3 are wrong
    assert errors.words == 8 and errors.errors == 3
    assert "WDER" not in window.metrics.wder_label.text()
    assert window.metrics.wder_label.text().startswith(f"{300 / 8:.2f} % of 8 words")
    # live: giving the confused stretch back to SPEAKER_01 fixes the word
    turn = next(t for t in editor.document[CORRECTED] if t.start == 24900 * MS)
    editor.select(turn)
    key(window, Qt.Key.Key_2)
    assert attribution.speakers[3] == "SPEAKER_01"
    assert attribution.errors.errors == 0
    # the side list follows the cursor and seeks on click
    panel = window.transcript_panel
    editor.set_cursor(7700 * MS)
    assert panel.list.currentRow() == 1
    panel._clicked(panel.list.item(2))
    assert editor.selection.start == 8400 * MS
    # text edits are undoable commands
    from reviewer.model import commands

    first = editor.document.transcript.utterances[0]
    editor.push(commands.edit_text(first, "Hello there?"))
    assert editor.document.transcript.utterances[0].text == "Hello there?"
    assert "Hello there?" in panel.list.item(0).text()
    editor.history.undo()
    assert editor.document.transcript.utterances[0].text == "Hello?"
    # the lane's tooltip shows the whole text
    assert window.timeline.transcript_item.utterance_at(8.5).text.startswith("Oh, hello")


def test_export_does_not_cover_edits_of_other_tracks(window, tmp_path):
    editor = window.editor
    key(window, Qt.Key.Key_Right, ALT)
    key(window, Qt.Key.Key_Right, CTRL)
    window.do_export_rttm(str(tmp_path / "c.rttm"))
    assert window.is_saved
    editor.set_active_track(REFERENCE)
    editor.unlock(REFERENCE)
    key(window, Qt.Key.Key_Right, ALT)
    key(window, Qt.Key.Key_Delete)
    assert not window.is_saved


def test_the_speaker_dialogs_rename_and_give_turns_by_name(window, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    editor = window.editor
    key(window, Qt.Key.Key_Right, ALT)  # select the first turn
    old = editor.selected.speaker
    # Ctrl+R: the user picks the selected turn's speaker and types a new name
    monkeypatch.setattr(QInputDialog, "getItem", lambda *args, **_: (args[3][args[4]], True))
    monkeypatch.setattr(QInputDialog, "getText", lambda *_, **__: ("Diane", True))
    key(window, Qt.Key.Key_R, CTRL)
    assert old not in editor.track.labels and "Diane" in editor.track.labels
    assert editor.history.undo_name is not None and "ename" in editor.history.undo_name
    # S: give the selected turn to a speaker typed by name
    monkeypatch.setattr(QInputDialog, "getItem", lambda *_, **__: ("Sheila", True))
    key(window, Qt.Key.Key_S)
    assert editor.selected.speaker == "Sheila"
    live_matches_full(window)


def test_a_write_failure_is_reported_in_the_status_bar(window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    target = tmp_path / "missing-folder" / "x.rttm"
    # the user answers the Save dialog with a folder that does not exist
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_, **__: (str(target), ""))
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, title, text: warnings.append(text))
    key(window, Qt.Key.Key_Right, ALT)  # select the next turn
    key(window, Qt.Key.Key_Right, CTRL)  # and nudge it: an edit that must survive the failure
    assert window.editor.history.undo_name is not None
    edited = window.editor.document[CORRECTED]
    window.trigger("export_rttm")
    message = window.statusBar().currentMessage()
    assert message.startswith("could not write ") and str(target) in message
    assert len(warnings) == 1 and str(target) in warnings[0]
    assert not target.exists() and not target.parent.exists()
    assert window.editor.document[CORRECTED] == edited
    assert not window.is_saved and window.editor.history.undo_name is not None


def test_the_demo_opens_with_its_transcript(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    from reviewer.ui.app import Controller, application
    from reviewer.ui.opening import OpenRequest

    application()
    controller = Controller()
    window = controller.open(OpenRequest(demo=True))
    window.confirm_close = False
    qtbot.addWidget(window)
    assert window.editor.document.transcript is not None
    assert len(window.editor.document.transcript) == 13
    assert window.transcript_panel.list.count() == 13
    assert "WDER" in window.transcript_panel.wder_label.text()
    if window.journal is not None:
        window.journal.close()
    controller.release()


def test_export_transcript_with_corrected_speakers(transcript_window, tmp_path):
    from reviewer.io.transcripts import read_transcript

    window = transcript_window
    for name in ("out.stm", "out.vtt", "out.TextGrid", "out.eaf", "out.srt"):
        path = tmp_path / name
        window.do_export_transcript(str(path))
        back = read_transcript(path)
        assert [u.speaker for u in back] == window.attribution.speakers
        assert [u.text for u in back] == [u.text for u in window.editor.document.transcript]
        assert window.statusBar().currentMessage().startswith(f"wrote {path}")
    window.do_export_transcript(str(tmp_path / "out.txt"))
    assert (tmp_path / "out.txt").read_text().splitlines()[0] == "SPEAKER_00: Hello?"
    message = window.statusBar().currentMessage()
    assert "Not kept:" in message and "time" in message  # plain text holds no times


def test_the_status_bar_describes_the_selected_turn_as_it_is_now(window):
    from reviewer.ui.time_axis import clock

    editor = window.editor
    key(window, Qt.Key.Key_Right, ALT)  # select a turn
    before = editor.selected

    def shown() -> str:
        window.position_refresh.flush()
        return window.position_label.text()

    assert clock(before.end / S) in shown()
    key(window, Qt.Key.Key_Right, CTRL)  # nudge its end: the turn is replaced by a longer one
    after = editor.selected
    assert after.end == before.end + 10 * MS
    assert clock(after.end / S) in shown() and clock(before.end / S) not in shown()
    key(window, Qt.Key.Key_Z, CTRL)  # undo: the old turn again, and the status bar says so
    assert editor.selected == before
    assert clock(before.end / S) in shown() and clock(after.end / S) not in shown()


def test_ctrl_e_zooms_to_the_selected_turn_before_the_time_selection(window):
    from reviewer.model.annotation import Span

    editor = window.editor
    key(window, Qt.Key.Key_Right, ALT)  # a turn near the start
    turn = editor.selected
    editor.set_selection(Span(20 * S, 25 * S))  # and a time selection far from it
    key(window, Qt.Key.Key_E, CTRL)
    x0, x1 = window.timeline.view_range()
    assert x0 <= turn.start / S and turn.end / S <= x1 and x1 < 20
    editor.select(None)
    key(window, Qt.Key.Key_E, CTRL)  # no turn selected: the time selection
    x0, x1 = window.timeline.view_range()
    assert x0 <= 20 and 25 <= x1 and x0 > turn.end / S


def _turn_at(track, span):
    """The turn of ``track`` overlapping ``span`` most, or None (independent of the app)."""
    best, most = None, 0
    for turn in track:
        overlap = min(turn.end, span.end) - max(turn.start, span.start)
        if overlap > most:
            best, most = turn, overlap
    return best


def test_error_keys_select_the_edited_turn_at_the_error(window):
    editor = window.editor
    key(window, Qt.Key.Key_Right, ALT)  # a turn selected somewhere
    errors = editor.live.errors()
    seen_none = seen_turn = False
    for _ in range(len(errors)):
        key(window, Qt.Key.Key_E)
        expected = _turn_at(editor.track, editor.selection)
        assert editor.selected == expected  # never the turn selected before, elsewhere
        seen_none |= expected is None
        seen_turn |= expected is not None
    assert seen_turn and seen_none  # the demo has errors with and without a corrected turn
    # L, then a digit: the digit relabels the turn at the largest error, nothing else
    key(window, Qt.Key.Key_L)
    target = _turn_at(editor.track, editor.selection)
    others = [t for t in editor.track if t != target]
    if target is not None:
        key(window, Qt.Key.Key_2)
        assert [t for t in editor.track if t.start != target.start] == [
            t for t in others if t.start != target.start
        ]
        assert editor.selected.speaker == editor.track.labels[1]
