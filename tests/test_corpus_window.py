"""The corpus window: scored in the background, sorted, reviewed, quit and reopened."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import soundfile as sf
from test_corpus import RECORDINGS, corpus_material

from reviewer.corpus import Project, discover, restore_crashed_corrections
from reviewer.io import read_rttm
from reviewer.model.scoring import ScoringSettings
from reviewer.model.time import TICKS_PER_SECOND as S


@pytest.fixture
def corpus(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    corpus_material(tmp_path)  # the VoxConverse dev cases from ../shared, or their stand-in
    (tmp_path / "audio").mkdir()
    for uri, track in read_rttm(tmp_path / "ref").items():  # silent audio of matching length
        frames = int((track.extent.end / S + 1) * 1000)
        sf.write(tmp_path / "audio" / f"{uri}.flac", np.zeros(frames, np.int16), 1000)
    return tmp_path


@pytest.fixture(autouse=True)
def _deleted_while_the_app_runs():
    """Corpus windows go with their test: threads stopped, Qt objects deleted, cycles
    collected, not in a later test's event loop with scoring threads running."""
    yield
    if not OPENED:
        return
    import gc

    from PySide6.QtCore import QCoreApplication, QEvent

    for window in OPENED:
        window.stop_background()
    OPENED.clear()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()


OPENED: list = []


def _window(qtbot, project, path, controller=None):
    from reviewer.ui.app import application
    from reviewer.ui.corpus_window import CorpusWindow

    application()
    window = CorpusWindow(project, path, controller)
    qtbot.addWidget(window)
    OPENED.append(window)
    # rows and the end of the pass are queued for the event loop, which runs in the wait
    with qtbot.waitSignal(window.scored, timeout=60_000):
        window.show()
    assert window.is_scored and window.model.rowCount() == len(project.entries)
    return window


def _der_column(window):
    from PySide6.QtCore import Qt

    column = 3
    return [
        window.proxy.index(r, column).data(Qt.ItemDataRole.UserRole)
        for r in range(window.proxy.rowCount())
    ]


def test_open_sort_review_quit_and_continue(corpus, qtbot):
    from PySide6.QtCore import Qt

    from reviewer.ui.app import Controller

    path = corpus / "review.reviewer-project.json"
    controller = Controller()
    window = _window(qtbot, Project(discover(corpus)), path, controller)
    assert window.model.rowCount() == RECORDINGS
    assert f"corpus: {RECORDINGS} recordings" in window.totals.text()
    window.table.sortByColumn(3, Qt.SortOrder.DescendingOrder)  # worst DER first
    ders = _der_column(window)
    assert ders == sorted(ders, reverse=True)
    window.table.selectRow(0)
    worst = window.current_uri()
    window.trigger("open_recording")
    review = window.reviews[worst]
    assert review.editor.document.audio.name == f"{worst}.flac"
    before = review.editor.live.score.der
    review.restart_corrected("reference")  # a perfect correction
    assert review.editor.live.score.der == 0 < before
    # the row is scored again once the edits are kept (a second after the last)
    with qtbot.waitSignal(window.corrections_kept, timeout=10_000):
        pass
    assert window.rows[worst].der == 0
    assert window.rows[worst].corrected
    window.set_note("speaker 3 laughs a lot")
    assert window.recordings.text(worst, "note") == "speaker 3 laughs a lot"
    # from the review window: mark done, open the next recording in its place
    review.trigger("done_next")
    assert worst not in window.reviews
    (second,) = window.reviews
    assert second == window.proxy.index(1, 0).data()
    assert window.project.entry(worst).status == "done"
    window.table.selectRow(5)
    window.reviews[second].trigger("show_corpus")
    assert window.current_uri() == second
    window.reviews[second].trigger("previous_recording")
    assert list(window.reviews) == [worst]
    assert window.reviews[worst].editor.live.score.der == 0  # its corrections came back
    window.close()
    controller.release()

    # quit, reopen, continue where the reviewer was
    project = Project.load(path)
    assert project.entry(worst).status == "done"
    assert project.entry(worst).note == "speaker 3 laughs a lot"
    assert project.entry(second).status == "in progress"
    assert project.current == worst
    again = _window(qtbot, project, path)
    assert again.current_uri() == worst
    assert again.rows[worst].der == 0 and again.rows[worst].status == "done"


def test_status_filter_notes_and_keys(corpus, qtbot):
    from PySide6.QtCore import Qt

    path = corpus / "review.reviewer-project.json"
    window = _window(qtbot, Project(discover(corpus)), path)
    window.table.selectRow(0)
    qtbot.keyClick(window.table, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)  # done
    first = window.current_uri()
    qtbot.keyClick(window.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert window.current_uri() != first
    qtbot.keyClick(window.table, Qt.Key.Key_4, Qt.KeyboardModifier.AltModifier)  # skipped
    window.status_filter.setCurrentText("done")
    assert window.proxy.rowCount() == 1 and window.proxy.index(0, 0).data() == first
    assert "shown: 1 recordings" in window.totals.text()
    window.status_filter.setCurrentText("all statuses")
    window.filter.setText(first[:3].upper())  # case does not matter
    assert all(first[:3] in uri for uri in window.recordings.shown())
    assert Project.load(path).entry(first).status == "done"


def test_compare_two_systems_in_the_window(corpus, qtbot):
    other = corpus / "other"
    shutil.copytree(corpus / "ref", other)  # a perfect second system
    window = _window(qtbot, Project(discover(corpus)), corpus / "p.reviewer-project.json")
    with qtbot.waitSignal(window.compared, timeout=60_000) as shown:
        window.compare_with(other)
    comparison = shown.args[0]
    assert window.comparison.comparison is comparison
    better, worse = comparison.changed()
    assert len(comparison.recordings) == RECORDINGS and worse == []
    assert comparison.total_b.der == 0
    assert window.comparison.recordings.rowCount() == RECORDINGS
    assert len(window.comparison.scatter.data) == RECORDINGS
    assert "worse on <b>0</b>" in window.comparison.summary.text()
    assert Project.load(corpus / "p.reviewer-project.json").other_system.name == "other"


def test_export_every_correction_from_the_window(corpus, qtbot):
    from reviewer.ui.app import Controller

    controller = Controller()
    window = _window(
        qtbot, Project(discover(corpus)), corpus / "p.reviewer-project.json", controller
    )
    uri = sorted(window.rows)[5]
    window.open_uri(uri).restart_corrected("reference")
    window.export(corpus / "out", one_file=False)  # keeps the edit made a moment ago
    window.export(corpus / "all.rttm", one_file=True)
    exported = read_rttm(corpus / "out")  # corrected, or the system output where there is one
    assert len(exported) == sum(
        e.system is not None or e.uri == uri for e in window.project.entries
    )
    assert exported[uri].turns == read_rttm(corpus / "ref" / f"{uri}.rttm")[uri].turns
    assert read_rttm(corpus / "all.rttm")[uri].turns == exported[uri].turns
    assert "1 corrected recordings" in window.statusBar().currentMessage()
    window.close()
    controller.release()


CHILD = textwrap.dedent(
    """
    import sys, threading
    from pathlib import Path
    from reviewer.corpus import Project, discover
    from reviewer.ui.app import Controller, application
    from reviewer.ui.corpus_window import CorpusWindow

    app = application()
    folder = Path(sys.argv[1])
    window = CorpusWindow(Project(discover(folder)), folder / "p.reviewer-project.json",
                          Controller())
    window.review.scoring.wait()  # the rows' pass has ended (the table needs no loop here)
    uri = window.project.entries[3].uri
    review = window.open_uri(uri)
    review.restart_corrected("reference")
    print("EDITED", uri, flush=True)
    threading.Event().wait()  # killed here: no event loop runs the project's autosave
    """
)


def test_a_crash_loses_no_correction(corpus):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(corpus)], env=env, stdout=subprocess.PIPE, text=True
    )
    line = next((line for line in child.stdout if line.startswith("EDITED")), "")
    child.send_signal(signal.SIGKILL)  # before the project was saved with the edit
    child.wait()
    assert line, "the child exited before editing"
    uri = line.split()[1]
    path = corpus / "p.reviewer-project.json"
    project = Project.load(path)
    assert project.entry(uri).corrected is None  # not in the project yet...
    assert restore_crashed_corrections(project, path) == [(uri, 1)]
    reference = read_rttm(corpus / "ref" / f"{uri}.rttm")[uri]
    assert project.entry(uri).corrected.turns == reference.turns  # ...but in the journal
    assert Project.load(path).entry(uri).corrected.turns == reference.turns
    assert restore_crashed_corrections(project, path) == []  # the journal is gone


def test_corpus_keys_are_one_table_without_clashes():
    from reviewer.ui.keymap import CORPUS_KEYMAP, KEYMAP, check_unique
    from reviewer.ui.shortcuts import shortcut_html

    check_unique(CORPUS_KEYMAP)
    check_unique(KEYMAP)
    assert "Mark the recording \u2018done\u2019" in shortcut_html(CORPUS_KEYMAP)
    assert "Mark this recording done and open the next" in shortcut_html()


def test_a_list_file_with_one_rttm_opens_the_recording_asked_for(corpus, qtbot):
    from reviewer.corpus import read_list
    from reviewer.model.document import CORRECTED, REFERENCE
    from reviewer.ui.app import Controller

    references = read_rttm(corpus / "ref")
    uris = sorted(references)[:3]
    from reviewer.io import write_rttm

    write_rttm(corpus / "all.rttm", {u: references[u] for u in uris})
    (corpus / "list.txt").write_text("".join(f"{u} - all.rttm -\n" for u in uris))
    controller = Controller()
    path = corpus / "list.reviewer-project.json"
    project = Project(read_list(corpus / "list.txt"))
    project.settings = ScoringSettings(collar=0.25)
    window = _window(qtbot, project, path, controller)
    review = window.open_uri(uris[1])
    assert review.editor.live.setup.collar == 0.25  # scored as in the table...
    assert review.metrics.collar_box.value() == 0.25  # ...and shown so
    document = review.editor.document
    assert document.uri == uris[1]
    assert document[REFERENCE].turns == references[uris[1]].turns
    assert len(document[CORRECTED]) == 0  # no system output: nothing found, as in the table
    assert window.rows[uris[1]].der == 1.0
    window.close()
    controller.release()


def test_a_note_stays_with_its_recording_and_a_failed_save_keeps_the_journal(
    corpus, qtbot, monkeypatch
):
    from PySide6.QtWidgets import QMessageBox

    from reviewer.io.journal import pending_journals
    from reviewer.ui.app import Controller

    path = corpus / "p.reviewer-project.json"
    controller = Controller()
    window = _window(qtbot, Project(discover(corpus)), path, controller)
    window.table.selectRow(0)
    first = window.current_uri()
    window.note.setText("half-typed note")  # not finished with Return...
    window.step(1)  # ...when the selection moves on
    assert window.project.entry(first).note == "half-typed note"
    assert window.note.text() == ""
    review = window.open_uri(window.current_uri())
    review.restart_corrected("reference")
    monkeypatch.setattr(window, "save", lambda: False)  # e.g. the disk went away
    asked = []
    monkeypatch.setattr(
        QMessageBox,
        "warning",
        lambda *args: asked.append(args[2]) or QMessageBox.StandardButton.Close,
    )
    review.close()
    assert asked and "could not be saved" in asked[0]
    assert review.journal is not None and not review.journal.closed  # the edits stay there
    review.journal.close()
    window.close()
    controller.release()
    assert pending_journals() == []


def test_a_failed_save_is_reported_in_the_status_bar_and_saved_with_the_next_change(corpus, qtbot):
    folder = corpus / "projects"
    folder.mkdir()
    path = folder / "p.reviewer-project.json"
    window = _window(qtbot, Project(discover(corpus)), path)
    shutil.rmtree(folder)  # e.g. the disk went away
    window.table.selectRow(0)
    uri = window.current_uri()
    window.set_status("done")
    assert window.statusBar().currentMessage().startswith(f"could not save {path}: ")
    assert window.project.entry(uri).status == "done"  # kept, not lost
    folder.mkdir()
    window.set_note("the disk is back")
    saved = Project.load(path).entry(uri)
    assert (saved.status, saved.note) == ("done", "the disk is back")
