"""What a reviewer hits on day one (issue 16, item 11): the F1 sheet, Open, Save and Export."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QPushButton
from test_window import CTRL, SHIFT, demo_window, key

from reviewer.resources import demo
from reviewer.ui.keymap import KEYMAP


@pytest.fixture
def window(qtbot):
    return demo_window(qtbot, audio=True)


def table_rows(document):
    """``(label, keys)`` of every row of every table of a text document, as shown."""
    from PySide6.QtGui import QTextCursor, QTextTable

    def text(cell) -> str:
        cursor = cell.firstCursorPosition()
        cursor.setPosition(cell.lastCursorPosition().position(), QTextCursor.MoveMode.KeepAnchor)
        return cursor.selectedText()

    for frame in document.rootFrame().childFrames():
        if isinstance(frame, QTextTable):
            for row in range(frame.rows()):
                yield text(frame.cellAt(row, 1)), text(frame.cellAt(row, 0))


def test_f1_lists_every_binding_of_the_key_table(window, monkeypatch):
    from reviewer.ui.shortcuts import DIGITS, DIGITS_ROW, ShortcutSheet

    sheets = []
    monkeypatch.setattr(ShortcutSheet, "exec", lambda sheet: sheets.append(sheet) or 0)
    key(window, Qt.Key.Key_F1)
    (sheet,) = sheets
    rows = dict(table_rows(sheet.text.document()))  # {label: keys} as the sheet shows them
    for binding in KEYMAP:
        if binding.action in DIGITS:
            assert rows[DIGITS_ROW[1]] == DIGITS_ROW[0]
            continue
        assert binding.label in rows, f"{binding.action} ({', '.join(binding.keys)}) is missing"
        assert rows[binding.label] == ", ".join(binding.keys)
    assert rows["Give the turn to a speaker by name..."] == "S"
    from reviewer.ui.keymap import GESTURES

    for gesture, does in GESTURES:  # the mouse too, the lanes' scroll and fold included
        assert rows[does] == gesture
    assert any("Scroll the lanes" in does for _, does in GESTURES)


def open_recording_from_the_start_dialog(qtbot, answer):
    """Click 'Open a recording...' in the start dialog; ``answer`` drives the Open dialog."""
    from reviewer.ui.opening import StartDialog

    start = StartDialog()
    qtbot.addWidget(start)
    start.show()
    qtbot.waitExposed(start)
    seen = []

    def drive():
        dialog = QApplication.activeModalWidget()
        seen.append(dialog)
        answer(dialog)

    QTimer.singleShot(0, drive)
    (button,) = [b for b in start.findChildren(QPushButton) if b.text() == "Open a recording..."]
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    assert len(seen) == 1 and seen[0] is not start
    return start


def click(dialog, which):
    box = dialog.findChild(QDialogButtonBox)
    QTest.mouseClick(box.button(which), Qt.MouseButton.LeftButton)


def test_an_empty_open_dialog_cannot_open_and_cancel_returns_to_the_start_dialog(qtbot):
    def answer(dialog):
        click(dialog, QDialogButtonBox.StandardButton.Open)  # nothing named: Open does nothing
        assert dialog.isVisible()
        click(dialog, QDialogButtonBox.StandardButton.Cancel)

    start = open_recording_from_the_start_dialog(qtbot, answer)
    assert start.isVisible() and start.chosen is None and start.result() == 0


def test_the_open_dialog_names_a_file_that_does_not_exist(qtbot, tmp_path):
    problems = []

    def answer(dialog):
        dialog.fields["audio"].setText(str(tmp_path / "nowhere.wav"))
        click(dialog, QDialogButtonBox.StandardButton.Open)
        problems.append(dialog.problem.text())
        assert dialog.isVisible()
        dialog.fields["audio"].setText(str(demo().audio))
        dialog.fields["reference"].setText(str(demo().reference))
        click(dialog, QDialogButtonBox.StandardButton.Open)

    start = open_recording_from_the_start_dialog(qtbot, answer)
    assert problems == [f"No such file: {tmp_path / 'nowhere.wav'}"]
    assert start.chosen is not None and start.chosen.audio == str(demo().audio)
    assert start.result() == 1


def test_save_and_export_dialogs_start_beside_the_audio_with_names_of_their_own(
    window, monkeypatch
):
    files = demo()
    proposed = []
    monkeypatch.setattr(
        QFileDialog,
        "getSaveFileName",
        lambda _parent, _title, path, _filter: proposed.append(Path(path)) or ("", ""),
    )
    key(window, Qt.Key.Key_E, CTRL | SHIFT)  # export the corrected RTTM
    key(window, Qt.Key.Key_S, CTRL)  # save the session (never saved: the dialog)
    assert [p.name for p in proposed] == ["sample.corrected.rttm", "sample.reviewer.json"]
    for path in proposed:
        assert path.parent == files.audio.parent
        assert path.name not in (files.reference.name, files.system.name, files.audio.name)
    assert not window.is_saved or window.editor.history.undo_name is None  # nothing written
