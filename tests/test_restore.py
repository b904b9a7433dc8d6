"""A crashed session restored: the prompt's count is what comes back, with its DER changes.

Issue 16, item 11: edits made from the keyboard in a real window, journaled; the journal
left as a crash leaves it (unlocked, no close record); restored into a second window.
"""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from qt_helpers import shown_window
from test_window import ALT, CTRL, SHIFT, key

from reviewer.resources import demo


def open_window(qtbot, review):
    window = shown_window(qtbot, review)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.timeline.setFocus()
    return window


def history_rows(window) -> list[str]:
    window.metrics.flush()
    rows = window.metrics.history_list
    return [rows.item(i).text() for i in range(rows.count())]


def journaled_demo(qtbot, tmp_path):
    """The demo in a window whose edits are journaled under ``tmp_path / "live"``."""
    from reviewer.app.review import start_journal
    from reviewer.ui.app import application, prepare

    application()
    files = demo()
    review = prepare(None, files.reference, files.system)
    start_journal(review, directory=tmp_path / "live")
    return review, open_window(qtbot, review)


def crash(review, tmp_path):
    """The folder a crash leaves: the review's journal, synced, unlocked and never closed."""
    review.journal.sync()
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    shutil.copy(review.journal.path, crashed / review.journal.path.name)
    review.journal.close()
    return crashed


@pytest.fixture
def crashed(qtbot, tmp_path):
    """A journal of keyboard edits as a crash leaves it, and the list the window showed."""
    review, window = journaled_demo(qtbot, tmp_path)
    key(window, Qt.Key.Key_Right, ALT)  # the first turn
    for _ in range(3):  # a held nudge key: one undo step
        key(window, Qt.Key.Key_Right, CTRL)
    key(window, Qt.Key.Key_Left, SHIFT)  # start 10 ms earlier: a second step
    key(window, Qt.Key.Key_Right, ALT)
    key(window, Qt.Key.Key_Delete)  # the false alarm: a third step...
    done = history_rows(window)
    key(window, Qt.Key.Key_Z, CTRL)  # ...undone: it must come back as undone
    shown = history_rows(window)
    assert len(shown) == 3 and shown[-1].startswith("(undone)")
    assert all(" pt" in row for row in shown[:-1])
    # the process "dies": its journal, unlocked and never closed, is what the next start finds
    return crash(review, tmp_path), shown, done, window.editor.document.tracks


def test_the_prompt_counts_what_is_restored_and_the_history_keeps_its_der_changes(qtbot, crashed):
    from reviewer.io.journal import pending_journals
    from reviewer.ui.app import prepare_recovered

    directory, shown, done, tracks = crashed
    (info,) = pending_journals(directory)
    assert info.edits == 6  # records: 3 + 1 nudges, a delete and its undo
    assert info.restored == len(shown) == 3  # edits, as the edit list shows them
    review = prepare_recovered(info.path)
    assert review.notes == [f"restored {info.restored} edits"]
    window = open_window(qtbot, review)
    assert window.editor.document.tracks == tracks
    assert history_rows(window) == shown  # names, DER changes and the undone edit
    key(window, Qt.Key.Key_Z, CTRL | SHIFT)  # the undone edit redoes, with its DER change
    assert history_rows(window) == done
    review.journal.close()


def test_replayed_edits_score_each_step_without_touching_the_document():
    from reviewer.app.edit_log import replayed_edits
    from reviewer.io import read_rttm
    from reviewer.metrics import score
    from reviewer.model import commands
    from reviewer.model.document import CORRECTED, REFERENCE, Document
    from reviewer.model.history import History
    from reviewer.model.scoring import ScoringSettings, ScoringSetup

    files = demo()
    reference, system = read_rttm(files.reference)["sample"], read_rttm(files.system)["sample"]
    document = Document("sample", {REFERENCE: reference, CORRECTED: system})
    history = History(document)
    states = [document[CORRECTED]]
    for turn in system.turns[:3]:
        history.push(commands.delete(CORRECTED, (turn,)))
        states.append(document[CORRECTED])
    history.undo()
    setup = ScoringSetup(settings=ScoringSettings(0.25))
    changed = []
    document.changed.connect(changed.append)
    done, undone = replayed_edits(history, setup)
    assert changed == [] and document[CORRECTED] == states[2]

    def der(track):
        return score(reference, track, collar=0.25).der

    assert [(e.der_before, e.der_after) for e in done] == [
        pytest.approx((der(states[i]), der(states[i + 1]))) for i in range(2)
    ]
    assert [(e.name, e.der_before, e.der_after) for e in undone] == [
        (history.undone[0].name, pytest.approx(der(states[2])), pytest.approx(der(states[3])))
    ]


def test_journaled_settings_come_back_and_older_journals_keep_the_header_settings(qtbot, crashed):
    import json

    from reviewer.io.journal import pending_journals, recover
    from reviewer.model.scoring import ScoringSettings, ScoringSetup
    from reviewer.ui.app import prepare_recovered

    directory, shown, _done, tracks = crashed
    (info,) = pending_journals(directory)
    _session, _document, _history = recover(info.path)
    assert _session.settings is None or _session.settings.collar == 0  # as it started
    chosen = ScoringSetup(settings=ScoringSettings(0.25, True))
    with open(info.path, "a", encoding="utf-8") as journal:
        journal.write(json.dumps({"kind": "settings", "time": 1.0, "setup": chosen.to_json()}))
        journal.write("\n")
    (info,) = pending_journals(directory)
    assert info.restored == len(shown)  # settings are no edit
    review = prepare_recovered(info.path)
    assert review.editor.live.setup == chosen
    window = open_window(qtbot, review)
    assert window.metrics.collar_box.text() == "0.250 s each side"
    assert window.metrics.skip_box.isChecked()
    assert history_rows(window)[0].startswith("Nudge end")  # scored with the settings now
    review.journal.close()


def test_a_malformed_settings_record_names_its_field(crashed):
    import json

    from reviewer.io.journal import pending_journals, recover
    from reviewer.model.errors import FormatError

    directory, *_ = crashed
    (info,) = pending_journals(directory)
    setup = {"reference": "reference", "hypothesis": "corrected", "collar": -1}
    with open(info.path, "a", encoding="utf-8") as journal:
        journal.write(json.dumps({"kind": "settings", "time": 1.0, "setup": setup}) + "\n")
    with pytest.raises(FormatError, match="settings record: setup"):
        recover(info.path)


def test_a_collar_typed_in_the_window_is_journaled_and_comes_back(qtbot, tmp_path):
    """Found by a tester: kill -9 after setting the collar restored collar 0."""
    from reviewer.io.journal import pending_journals
    from reviewer.ui.app import prepare_recovered

    review, window = journaled_demo(qtbot, tmp_path)
    box = window.metrics.collar_box
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, "0.25")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert window.editor.live.setup.settings.collar == 0.25
    window.timeline.setFocus()
    key(window, Qt.Key.Key_Right, ALT)
    key(window, Qt.Key.Key_Delete)
    (info,) = pending_journals(crash(review, tmp_path))
    restored = prepare_recovered(info.path)
    assert restored.editor.live.setup == window.editor.live.setup
    assert restored.editor.live.score == window.editor.live.score
    restored.journal.close()


def test_the_prompt_says_what_restoring_brings_back(qtbot, crashed):
    """Found by a tester: it said '6 edits' (journal records) where 3 came back."""
    from PySide6.QtWidgets import QMessageBox
    from test_saved_files import answer_message_boxes

    from reviewer.io.journal import pending_journals
    from reviewer.ui.app import offer_recovery

    directory, shown, _done, _tracks = crashed
    texts: list[str] = []
    answer_message_boxes(QMessageBox.StandardButton.Ignore, texts, 1)
    assert offer_recovery(directory) is None
    assert f"({len(shown)} edits, the last at" in texts[0]
    assert len(pending_journals(directory)) == 1  # Ignore keeps it


def test_a_journal_whose_edits_were_all_saved_is_not_offered(qtbot, tmp_path):
    """Found by a tester: after a save and a crash the prompt still offered every edit."""
    from reviewer.io.journal import pending_journals
    from reviewer.ui.app import offer_recovery

    review, window = journaled_demo(qtbot, tmp_path)
    key(window, Qt.Key.Key_Right, ALT)
    key(window, Qt.Key.Key_Delete)
    window.do_save_session(str(tmp_path / "saved.reviewer.json"))
    crashed = crash(review, tmp_path)
    (info,) = pending_journals(crashed)
    assert info.unsaved_edits == 0 and info.edits == 1
    assert offer_recovery(crashed) is None  # no question asked: nothing would be lost
    assert pending_journals(crashed) == []


def test_restoring_the_recording_asked_for_opens_it_once(qtbot, crashed, tmp_path, monkeypatch):
    """Found by a tester: after a crash, `reviewer demo` answered Yes opened the restored
    window under a fresh, unedited one of the same title."""
    from PySide6.QtWidgets import QMessageBox
    from test_saved_files import answer_message_boxes

    from reviewer.io.journal.osfiles import journal_directory
    from reviewer.ui import app as ui_app
    from reviewer.ui.opening import OpenRequest

    directory, _shown, _done, tracks = crashed
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    for path in directory.iterdir():
        shutil.copy(path, journal_directory() / path.name)
    monkeypatch.setenv(ui_app.EXIT_AT_FIRST_PAINT, "1")  # run() returns once it painted
    shown: list = []
    show = ui_app.Controller.show

    def noted(self, review, *args, **kwargs):
        window = show(self, review, *args, **kwargs)
        shown.append((review.editor.document.tracks, window))
        return window

    monkeypatch.setattr(ui_app.Controller, "show", noted)
    files = demo()
    asked = ui_app.prepare(None, files.reference, files.system, start=False)
    texts: list[str] = []
    answer_message_boxes(QMessageBox.StandardButton.Yes, texts, 1)
    assert ui_app.run(OpenRequest(demo=True), review=asked, note=ui_app.DEMO_NOTE) == 0
    assert len(texts) == 1 and "Restore those edits?" in texts[0]
    assert len(shown) == 1  # one window: the recording asked for, with its edits
    assert shown[0][0] == tracks


def test_a_restored_session_of_other_files_opens_beside_what_was_asked(
    qtbot, crashed, tmp_path, monkeypatch
):
    """Found by a retest: asked for another system output, the restored session alone
    opened, and the files asked for were dropped without a word."""
    from PySide6.QtWidgets import QMessageBox
    from test_saved_files import answer_message_boxes

    from reviewer.io.journal.osfiles import journal_directory
    from reviewer.ui import app as ui_app
    from reviewer.ui.opening import OpenRequest

    directory, _shown, _done, tracks = crashed
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    for path in directory.iterdir():
        shutil.copy(path, journal_directory() / path.name)
    monkeypatch.setenv(ui_app.EXIT_AT_FIRST_PAINT, "1")
    shown: list = []
    show = ui_app.Controller.show

    def noted(self, review, *args, **kwargs):
        window = show(self, review, *args, **kwargs)
        shown.append(review.editor.document.tracks)
        return window

    monkeypatch.setattr(ui_app.Controller, "show", noted)
    files = demo()
    other = tmp_path / "other.rttm"
    other.write_text("".join(files.system.read_text().splitlines(keepends=True)[1:]))
    asked = ui_app.prepare(None, files.reference, other, start=False)
    answer_message_boxes(QMessageBox.StandardButton.Yes, [], 1)
    assert ui_app.run(OpenRequest(demo=True), review=asked) == 0
    assert len(shown) == 2 and shown[0] == tracks  # the restored one, and what was asked
