"""App benchmark: a nudge key to the repainted window, and a held key, at 1 h and 10 h.

Synthetic meetings (``material.py``): 1 hour with 1,000 turns (the anchor, measured in the
same run) and 10 hours with 10,000 turns, each with its WAV, opened in the real window
offscreen with the crash journal on (a temporary directory) and the waveform built.

For each recording:

- ``nudge``: Ctrl+Right sent to the window (the real key path: shortcut, action, command,
  history merge, journal, live score, views), then the event loop run until idle, so the
  deferred view refreshes and repaints are in: median and 95th percentile per nudge.
- ``live_breakdown``: the live breakdown read after each nudge (what the Why? tab
  costs per edit), median.
- ``held_key``: Ctrl+Right posted to the window at 30 Hz for 3 s from another thread, as
  a keyboard's auto-repeat does whatever the application is doing. Reported: how far
  behind the view is when the last key has been handled (from that key's posting to the
  first paint after it), how late the last key was handled, and that every key was applied
  (the turn's end moved by 10 ms per key).

Run: ``.venv/bin/python benchmarks/bench_app.py`` (``--hours 1`` for the anchor alone).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")

import material  # noqa: E402
from common import emit  # noqa: E402

from reviewer.model.document import CORRECTED, REFERENCE  # noqa: E402
from reviewer.model.time import TICKS_PER_SECOND  # noqa: E402

MS = TICKS_PER_SECOND // 1000
RATE_HZ = 30
HELD_SECONDS = 3


def open_window(hours: int):
    """The review window of the ``hours``-hour meeting, journaled, waveform built."""
    from reviewer.app.review import start_journal
    from reviewer.ui.app import application, build_window, prepare

    files = material.recording(hours, hours * 1000)
    app = application()
    review = prepare(files.audio, files.reference, files.system)
    if review.builder is not None:
        review.builder.wait()
    start_journal(review, directory=Path(tempfile.mkdtemp(prefix="reviewer-bench-journal-")))
    window = build_window(review, with_player=False)
    window.resize(1600, 900)
    window.show()
    settle(app)
    return app, review, window


def settle(app) -> None:
    """Run the event loop until nothing is left to do (deferred refreshes, repaints)."""
    from PySide6.QtCore import QEventLoop

    for _ in range(5):
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents)
        app.sendPostedEvents()


def select_turn(window, app, at_seconds: float):
    """Select a corrected turn near ``at_seconds`` and show a minute around it."""
    editor = window.editor
    at = at_seconds * TICKS_PER_SECOND
    turn = next(t for t in editor.document[CORRECTED].turns if t.start >= at)
    editor.set_active_track(CORRECTED)
    editor.select(turn)
    start = turn.start / TICKS_PER_SECOND
    window.timeline.set_view(start - 20, start + 40)
    window.activateWindow()
    window.timeline.setFocus()
    settle(app)
    return turn


def press(window, key, modifier) -> None:
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    for kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(window.focusWidget() or window, QKeyEvent(kind, key, modifier))


def nudges(app, window, count: int) -> tuple[list[float], list[float]]:
    """Milliseconds per nudge (key to idle) and per live-breakdown read after it."""
    from PySide6.QtCore import Qt

    from reviewer.metrics.live import LiveBreakdown

    breakdown = LiveBreakdown(window.editor.live)
    assert breakdown.result is not None
    per_nudge, per_breakdown = [], []
    for i in range(count):
        key = Qt.Key.Key_Right if i % 2 == 0 else Qt.Key.Key_Left
        start = time.perf_counter()
        press(window, key, Qt.KeyboardModifier.ControlModifier)
        settle(app)
        middle = time.perf_counter()
        assert breakdown.result is not None
        end = time.perf_counter()
        per_nudge.append((middle - start) * 1000)
        per_breakdown.append((end - middle) * 1000)
    return per_nudge, per_breakdown


class _Paints:
    """Times of the paint events any widget gets (an application-wide event filter)."""

    def __init__(self, app):
        from PySide6.QtCore import QEvent, QObject

        paint = QEvent.Type.Paint
        times = self.times = []

        class Filter(QObject):
            def eventFilter(self, _watched, event):  # noqa: N802 - Qt's name
                if event.type() == paint:
                    times.append(time.perf_counter())
                return False

        self._filter = Filter()
        app.installEventFilter(self._filter)
        self._app = app

    def remove(self) -> None:
        self._app.removeEventFilter(self._filter)


def held_key(app, window) -> dict:
    """Ctrl+Right posted at 30 Hz for 3 s from a thread; how far the view lags behind."""
    from PySide6.QtCore import QEvent, QEventLoop, Qt, QTimer
    from PySide6.QtGui import QKeyEvent

    editor = window.editor
    turn = editor.selected
    target = window.focusWidget() or window
    count = RATE_HZ * HELD_SECONDS
    posted: list[float] = []
    handled: list[float] = []
    editor.history.stepped.connect(lambda _step: handled.append(time.perf_counter()))
    paints = _Paints(app)
    done = threading.Event()

    def keyboard() -> None:
        start = time.perf_counter()
        for i in range(count):
            delay = start + i / RATE_HZ - time.perf_counter()
            if delay > 0:
                time.sleep(delay)  # the keyboard's own clock, not a wait in a test
            modifier = Qt.KeyboardModifier.ControlModifier
            posted.append(time.perf_counter())
            for kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
                event = QKeyEvent(kind, Qt.Key.Key_Right, modifier, "", True, 1)
                app.postEvent(target, event)
        done.set()

    wake = QTimer()  # so waiting for events never blocks past the last key
    wake.start(50)
    thread = threading.Thread(target=keyboard)
    thread.start()
    give_up = None
    while len(handled) < count:
        app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
        if done.is_set():
            give_up = give_up or time.perf_counter() + 10
            if time.perf_counter() > give_up:
                break  # some keys were not applied: reported below
    thread.join()
    wake.stop()
    settle(app)
    paints.remove()
    last_key = posted[-1]
    last_handled = handled[-1] if handled else float("nan")
    after = [t for t in paints.times if t >= last_handled]
    moved = editor.selected.end - turn.end if editor.selected is not None else None
    return {
        "keys": count,
        "applied": len(handled),
        "moved_ms": None if moved is None else moved / MS,
        "last_key_handled_after_ms": round((last_handled - last_key) * 1000, 3),
        "view_behind_ms": round(((after[0] if after else float("nan")) - last_key) * 1000, 3),
    }


def measure(hours: int, repeat: int) -> dict:
    from reviewer.metrics import score
    from reviewer.ui.app import release

    app, review, window = open_window(hours)
    select_turn(window, app, 600)
    per_nudge, per_breakdown = nudges(app, window, repeat)
    document = review.editor.document
    assert review.editor.live.score == score(document[REFERENCE], document[CORRECTED])
    select_turn(window, app, 1200)
    held = held_key(app, window)
    release(window, review)
    return {
        "nudge_ms": statistics.median(per_nudge),
        "nudge_p95_ms": sorted(per_nudge)[int(0.95 * len(per_nudge))],
        "breakdown_ms": statistics.median(per_breakdown),
        "held": held,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    results = {hours: measure(hours, args.repeat) for hours in args.hours}
    anchor = results.get(1)
    for hours, result in results.items():
        turns = hours * 1000
        common = {"edits": args.repeat, "anchor": "the same at 1 h, 1,000 turns"}
        emit(
            f"app_nudge_to_idle_{hours}h_{turns}_turns",
            result["nudge_ms"],
            p95_ms=round(result["nudge_p95_ms"], 3),
            target_ms=16,
            anchor_value=round(anchor["nudge_ms"], 3) if anchor else None,
            **common,
        )
        emit(
            f"live_breakdown_per_edit_{hours}h_{turns}_turns",
            result["breakdown_ms"],
            target_ms=10,
            anchor_value=round(anchor["breakdown_ms"], 3) if anchor else None,
            **common,
        )
        held = result["held"]
        emit(
            f"held_key_30hz_3s_view_behind_{hours}h_{turns}_turns",
            held["view_behind_ms"],
            anchor_value=anchor["held"]["view_behind_ms"] if anchor else None,
            anchor="the same at 1 h, 1,000 turns",
            **{k: v for k, v in held.items() if k != "view_behind_ms"},
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
