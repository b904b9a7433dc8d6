"""Playback from the window: a real PortAudio stream on ALSA's null device, and no device."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

CHILD = textwrap.dedent(
    """
    import functools, json, threading, time
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    import reviewer.services.playback as playback
    from reviewer.model.time import frames_to_ticks
    from reviewer.resources import demo
    from reviewer.ui.app import application, build_window, prepare, release


    class ManualClock:  # the player's clock: seconds pass only when the child says so
        now = 1000.0

        def __call__(self):
            return self.now


    def wait_until(predicate, what, timeout=10.0):  # process events until it holds
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"gave up waiting for {what}")
            QTest.qWait(5)


    clock = ManualClock()
    playback.Player = functools.partial(playback.Player, clock=clock)  # what the window opens
    app = application()
    files = demo()
    review = prepare(files.audio, files.reference, files.system)
    window = build_window(review)
    window.confirm_close = False
    window.show()
    app.processEvents()
    player = window.player
    out = {"available": player.available, "reason": player.reason}
    review.editor.set_cursor(10 * 3528000000)
    QTest.keyClick(window.timeline, Qt.Key.Key_Space)
    cursors = []
    if player.is_playing:
        wait_until(lambda: player.pending_frames == 0, "the device to take the audio")
        rate = review.audio.sample_rate
        for _ in range(50):  # one second of the player's clock
            clock.now += 0.02
            heard = frames_to_ticks(int(player.position), rate)
            wait_until(lambda: review.editor.cursor == heard, "the cursor to follow")
            cursors.append(review.editor.cursor)
    out["playing"] = player.is_playing
    out["cursors"] = cursors
    out["status"] = window.statusBar().currentMessage()
    QTest.keyClick(window.timeline, Qt.Key.Key_Space)
    out["stopped"] = not player.is_playing
    turn = min(review.editor.track.turns[:12], key=lambda t: t.end - t.start)  # a short one
    review.editor.select(turn)
    QTest.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    before = (review.editor.cursor, window.timeline.view_range())
    QTest.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    replayed = player.is_playing
    if replayed:
        wait_until(lambda: player.pending_frames == 0, "the device to take the preview")
        clock.now += 1.5  # the whole second of preview is heard
        wait_until(lambda: not player.is_playing, "the preview to end")
    QTest.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    out["preview"] = {
        "replayed": replayed,
        "cursor_kept": review.editor.cursor == before[0],
        "view_kept": window.timeline.view_range() == before[1],
        "nudged_twice": review.editor.selected.end == turn.end + 2 * 35280000,
    }
    print(json.dumps(out), flush=True)
    release(window, review)
    """
)


def run_child(tmp_path, asoundrc: str) -> dict:
    home = tmp_path / "home"
    home.mkdir()
    (home / ".asoundrc").write_text(asoundrc)
    env = dict(
        os.environ,
        HOME=str(home),
        QT_QPA_PLATFORM="offscreen",
        XDG_STATE_HOME=str(tmp_path / "state"),
    )
    result = subprocess.run(
        [sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_space_plays_on_the_null_device_and_the_cursor_follows(tmp_path):
    out = run_child(tmp_path, "pcm.!default { type null }\n")
    if not out["available"]:
        pytest.skip(f"PortAudio unusable here: {out['reason']}")
    assert out["playing"]
    cursors = out["cursors"]
    assert cursors == sorted(cursors)
    assert cursors[-1] - cursors[0] > 0.5 * 3528000000  # about 1 s of sound went by
    assert out["stopped"]
    assert out["preview"] == {  # Ctrl+E on a turn, Ctrl+Right twice: a preview each time
        "replayed": True, "cursor_kept": True, "view_kept": True, "nudged_twice": True
    }  # fmt: skip


def test_no_output_device_keeps_the_app_working(tmp_path):
    out = run_child(tmp_path, "pcm.!default { type hw card 99 }\n")
    assert not out["available"]
    assert "Playback disabled" in out["reason"]
    assert not out["playing"]
    assert "Playback disabled" in out["status"]
