"""A held key: every repeat is applied and journaled, the views refresh once per burst."""

from __future__ import annotations

from collections import Counter

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from reviewer.io.journal import recover
from reviewer.model.document import CORRECTED
from reviewer.model.time import TICKS_PER_SECOND
from reviewer.ui.deferred import Deferred

MS = TICKS_PER_SECOND // 1000
REPEATS = 30


@pytest.fixture
def runs(monkeypatch):
    """How many times each view's deferred refresh ran, by the work's name."""
    counts: Counter[str] = Counter()
    original = Deferred._run

    def counted(self):
        counts[getattr(self._work, "__qualname__", repr(self._work))] += 1
        original(self)

    monkeypatch.setattr(Deferred, "_run", counted)
    return counts


@pytest.fixture
def window(qtbot, tmp_path, runs):
    from reviewer.app.review import start_journal
    from reviewer.resources import demo
    from reviewer.ui.app import application, build_window, prepare, release

    application()
    files = demo()
    review = prepare(files.audio, files.reference, files.system, transcript=files.transcript)
    start_journal(review, directory=tmp_path)
    window = build_window(review, with_player=False)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    window.timeline.setFocus()
    yield window, review
    release(window, review)


def test_a_burst_of_repeats_is_all_applied_and_the_views_refresh_once(window, qtbot, runs):
    window, review = window
    editor = review.editor
    turn = editor.document[CORRECTED].turns[2]
    editor.set_active_track(CORRECTED)
    editor.select(turn)
    qtbot.waitUntil(lambda: not any(d.pending for d in window.findChildren(Deferred)))
    runs.clear()
    target = window.focusWidget() or window
    for _ in range(REPEATS):  # what the keyboard queued while the app was busy
        for kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            event = QKeyEvent(kind, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier, "", True)
            QApplication.postEvent(target, event)
    qtbot.waitUntil(lambda: editor.selected.end == turn.end + REPEATS * 10 * MS)
    qtbot.waitUntil(lambda: not any(d.pending for d in window.findChildren(Deferred)))

    assert editor.history.undo_name is not None
    assert len(editor.history.commands) == 1  # one undo step for the whole hold
    assert runs, "the views refresh through Deferred"
    assert max(runs.values()) <= 3, runs  # once per burst, not once per repeat
    seconds = (turn.end + REPEATS * 10 * MS) / TICKS_PER_SECOND
    clock = f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{seconds % 60:06.3f}"
    assert f"\u2013{clock}" in _status_text(window)  # the status bar shows the turn as it is now

    review.journal.sync()
    _, document, history = recover(review.journal.path)
    assert document[CORRECTED] == editor.document[CORRECTED]  # every repeat journaled
    assert len(history.commands) == 1


def _status_text(window) -> str:
    from PySide6.QtWidgets import QLabel

    return " ".join(label.text() for label in window.statusBar().findChildren(QLabel))


def test_deferred_runs_once_for_many_requests_and_flush_runs_it_now(qtbot):
    from PySide6.QtCore import QObject

    owner = QObject()
    done = []
    deferred = Deferred(lambda: done.append(1), owner)
    for _ in range(50):
        deferred.request("ignored", 1)
    assert deferred.pending and done == []
    qtbot.waitUntil(lambda: not deferred.pending)
    assert done == [1]
    deferred.request()
    deferred.flush()
    assert done == [1, 1] and not deferred.pending
    deferred.flush()  # nothing pending: nothing runs
    assert done == [1, 1]


def test_a_quiet_deferred_waits_for_requests_to_pause_within_its_bound(qtbot):
    """A costly view (the Why? tab) refreshes when a held key pauses, not once per repeat."""
    from PySide6.QtCore import QObject

    from reviewer.ui.breakdown_panel import QUIET_MS

    owner = QObject()
    done = []
    deferred = Deferred(lambda: done.append(1), owner, quiet_ms=200, at_most_ms=100_000)
    deferred.request()
    qtbot.waitUntil(lambda: deferred._timer.remainingTime() < 150)
    before = deferred._timer.remainingTime()
    deferred.request()  # another key: the refresh waits for the pause again
    assert deferred._timer.remainingTime() > before and done == []
    qtbot.waitUntil(lambda: done == [1])
    bounded = Deferred(lambda: done.append(2), owner, quiet_ms=200, at_most_ms=0)
    bounded.request()
    qtbot.waitUntil(lambda: bounded._timer.remainingTime() < 150)
    before = bounded._timer.remainingTime()
    bounded.request()  # past its bound: not postponed
    assert bounded._timer.remainingTime() <= before
    assert QUIET_MS > 40  # longer than the gap between two auto-repeated keys
