"""Crash recovery of the app: a real process editing from the keyboard, killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

from reviewer.metrics import score
from reviewer.model.document import CORRECTED, REFERENCE

CHILD = textwrap.dedent(
    """
    import sys, time
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from reviewer.resources import demo
    from reviewer.ui.app import application, build_window, prepare, start_journal

    app = application()
    files = demo()
    review = prepare(None, files.reference, files.system)
    start_journal(review)
    window = build_window(review, with_player=False)
    window.show()
    app.processEvents()
    alt, ctrl = Qt.KeyboardModifier.AltModifier, Qt.KeyboardModifier.ControlModifier
    keys = [(Qt.Key.Key_Right, alt), (Qt.Key.Key_Right, ctrl), (Qt.Key.Key_Right, ctrl),
            (Qt.Key.Key_Right, alt), (Qt.Key.Key_Delete, Qt.KeyboardModifier.NoModifier),
            (Qt.Key.Key_1, Qt.KeyboardModifier.NoModifier)]
    for key, modifiers in keys:
        QTest.keyClick(window.timeline, key, modifiers)
        app.processEvents()
    track = review.editor.document["corrected"]
    print("TRACK", [(t.start, t.end, t.speaker) for t in track], flush=True)
    print("EDITS", len(review.editor.history.commands), flush=True)
    app.exec()  # the window stays up, journal open, until the test kills this process
    """
)


def test_sigkill_loses_no_edit(tmp_path):
    env = dict(os.environ, XDG_STATE_HOME=str(tmp_path / "state"), QT_QPA_PLATFORM="offscreen")
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD], env=env, stdout=subprocess.PIPE, text=True
    )
    lines = {}
    deadline = time.monotonic() + 60
    while len(lines) < 2 and time.monotonic() < deadline:
        line = child.stdout.readline()
        if not line:
            break
        name, _, value = line.partition(" ")
        lines[name] = eval(value)  # noqa: S307 - our own child's output
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert lines["EDITS"] == 3  # the nudges merged; a delete; a relabel

    os.environ["XDG_STATE_HOME"] = env["XDG_STATE_HOME"]
    try:
        from reviewer.io.journal import pending_journals
        from reviewer.ui.app import prepare_recovered

        (info,) = pending_journals()
        review = prepare_recovered(info.path)
    finally:
        del os.environ["XDG_STATE_HOME"]
    document = review.editor.document
    assert [(t.start, t.end, t.speaker) for t in document[CORRECTED]] == lines["TRACK"]
    assert len(review.editor.history.commands) == 3
    assert review.editor.live.score == score(document[REFERENCE], document[CORRECTED])
    review.editor.history.undo()
    assert review.editor.history.redo_name.startswith("Set speaker")
    review.journal.close()
