"""What the playback keys do in a review window: play parts of the recording, follow it."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from reviewer.app.editor import Editor
from reviewer.model.commands import EditError
from reviewer.model.time import TICKS_PER_SECOND, frames_to_ticks, ticks_to_frames

SPEEDS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
"""The playback speeds the speed keys step through."""

FOLLOW_INTERVAL_MS = 33
"""How often the cursor follows the playing position (about 30 times a second)."""


class PlaybackControl(QObject):
    """Plays ranges of a recording through the playback service; the cursor follows.

    Its ``do_*`` methods are the playback actions of the key table
    (:mod:`reviewer.ui.keymap`); they raise :class:`EditError` when there is nothing to play.

    Parameters
    ----------
    editor
        The review state (cursor, selection, selected turn).
    audio
        The audio source (for its sample rate), or None.
    player
        The playback service, or None when playback is unavailable.
    """

    message = Signal(str)
    """A sentence for the status bar."""
    speed_changed = Signal(float)

    def __init__(self, editor: Editor, audio=None, player=None, parent: QObject | None = None):
        super().__init__(parent)
        self.editor = editor
        self.audio = audio
        self.player = player
        self.speed = 1.0
        self.replay_after_nudge = True
        self.last_boundary: int | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(FOLLOW_INTERVAL_MS)
        self.timer.timeout.connect(self._follow)

    def playable(self) -> bool:
        """Whether playback can run; says why not on :attr:`message`."""
        if self.player is None or self.audio is None:
            self.message.emit("Playback disabled: no audio")
            return False
        if not self.player.available:
            self.message.emit(self.player.reason)
            return False
        return True

    def play(self, start: int, end: int | None = None, cursor_follows: bool = True) -> None:
        """Play from ``start`` to ``end`` (ticks; to the end of the recording when None).

        ``cursor_follows``: the cursor (and with it the view) follows what is heard.
        """
        if not self.playable():
            return
        rate = self.audio.sample_rate
        last = None if end is None else ticks_to_frames(end, rate)
        self.player.play(ticks_to_frames(start, rate), last, self.speed)
        if cursor_follows:
            self.timer.start()
        else:
            self.timer.stop()

    def play_around(self, ticks: int) -> None:
        """Play one second centred on ``ticks``: a preview, so the cursor and view stay put.

        A held nudge key replays after every step; if the cursor followed, the view would
        scroll past the turn being edited and the next press would only bring it back.
        """
        half = TICKS_PER_SECOND // 2
        self.play(max(0, ticks - half), ticks + half, cursor_follows=False)

    def nudged(self, boundary: int) -> None:
        """A boundary moved to ``boundary``: remember it, and replay around it if asked."""
        self.last_boundary = boundary
        if self.replay_after_nudge:
            self.play_around(boundary)

    def do_play_pause(self) -> None:
        """Play from the cursor, or pause."""
        if self.player is not None and self.player.is_playing:
            self.player.stop()
            return
        self.play(self.editor.cursor)

    def do_play_selection(self) -> None:
        """Play the time selection."""
        if self.editor.selection is None:
            raise EditError("no selection to play")
        self.play(self.editor.selection.start, self.editor.selection.end)

    def do_play_turn(self) -> None:
        """Play the selected turn."""
        if self.editor.selected is None:
            raise EditError("no turn selected")
        self.play(self.editor.selected.start, self.editor.selected.end)

    def do_play_boundary(self) -> None:
        """Play one second around the last moved boundary."""
        if self.last_boundary is None:
            raise EditError("no boundary moved yet")
        self.play_around(self.last_boundary)

    def do_speed_down(self) -> None:
        """Slow playback down."""
        self._set_speed(-1)

    def do_speed_up(self) -> None:
        """Speed playback up."""
        self._set_speed(+1)

    def do_toggle_replay(self) -> None:
        """Turn replay-after-nudge on or off."""
        self.replay_after_nudge = not self.replay_after_nudge
        self.message.emit(f"replay after nudge {'on' if self.replay_after_nudge else 'off'}")

    def _set_speed(self, step: int) -> None:
        index = min(range(len(SPEEDS)), key=lambda i: abs(SPEEDS[i] - self.speed))
        self.speed = SPEEDS[max(0, min(len(SPEEDS) - 1, index + step))]
        if self.player is not None and hasattr(self.player, "set_speed"):
            self.player.set_speed(self.speed)
        self.message.emit(f"playback speed {self.speed:g}x")
        self.speed_changed.emit(self.speed)

    def _follow(self) -> None:
        if self.player is None or not self.player.is_playing:
            self.timer.stop()
            return
        self.editor.set_cursor(frames_to_ticks(int(self.player.position), self.audio.sample_rate))
