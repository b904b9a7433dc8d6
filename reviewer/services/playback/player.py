"""The player: play, pause, resume, stop, speed and the cursor, over one output stream per play.

:class:`Player` plays ``[start_frame, end_frame)`` of an audio source through a callback
stream (:mod:`reviewer.services.playback.stream`) on the device
(:mod:`reviewer.services.playback.device`), with varispeed. Each play's feeder runs on a
worker of a :class:`reviewer.services.jobs.DaemonExecutor` and stops through the play's
cancel event. See :mod:`reviewer.services.playback` for the threads and the cursor.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from concurrent import futures
from typing import Any

from reviewer.services.jobs import DaemonExecutor
from reviewer.services.playback import device as audio_out
from reviewer.services.playback.device import OutputFormat
from reviewer.services.playback.stream import (
    CHUNK_FRAMES,
    Play,
    Source,
    fill,
    make_callback,
    played_frames,
)

MIN_SPEED = 0.5
"""Slowest playback speed (half speed, an octave lower)."""

MAX_SPEED = 2.0
"""Fastest playback speed (double speed, an octave higher)."""

POLL_SECONDS = 0.004
"""Feeder polling interval: bounds how late ``on_finished`` fires."""


def _clamp_speed(speed: float) -> float:
    speed = float(speed)
    if not math.isfinite(speed):
        raise ValueError(f"speed must be a finite number, got {speed!r}")
    return min(MAX_SPEED, max(MIN_SPEED, speed))


class Player:
    """Plays regions of an audio source through the default (or a given) output device.

    Constructing a player probes the device (see :meth:`probe`); when playback is impossible
    nothing raises: :attr:`available` is False, :attr:`reason` says why, and :meth:`play`
    returns False.

    Parameters
    ----------
    source
        The audio: ``sample_rate``, ``frames`` and a thread-safe ``read(start, n)`` giving a
        mono float32 array (clipped at the end of the file).
    device
        A sounddevice output device (index or name substring); ``None`` for the default.
    sample_rate
        Force this output rate instead of negotiating (the file's rate, else the device's).
    channels
        Force 1 or 2 output channels instead of negotiating (mono, else stereo).
    on_finished
        Called with no argument, from the feeder thread, when a play reaches its end frame
        (not after :meth:`stop`, :meth:`pause` or a failure).
    clock
        Seconds on the clock by which a block handed to the device is heard ``latency``
        later, and on which :attr:`position` reads the time now. None (the default) uses the
        stream's own clock and PortAudio's DAC times, or ``time.monotonic`` on backends that
        report no DAC times. Tests pass a clock they advance themselves.

    Attributes
    ----------
    available : bool
        Whether playback works (as of the last :meth:`probe`).
    reason : str
        A short sentence for a status bar: why playback is disabled, or which output is used.
    on_finished : Callable[[], None] or None
        See the parameter of the same name; may be reassigned at any time.
    last_error : str or None
        Why the last :meth:`play` failed to start, or why the last play stopped early.
    output : OutputFormat or None
        The negotiated stream format, when available.
    """

    def __init__(
        self,
        source: Source,
        *,
        device: int | str | None = None,
        sample_rate: int | None = None,
        channels: int | None = None,
        on_finished: Callable[[], None] | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.source = source
        self.on_finished = on_finished
        self.available = False
        self.reason = ""
        self.last_error: str | None = None
        self.output: OutputFormat | None = None
        self._device = device
        self._force_rate = sample_rate
        self._force_channels = channels
        self._speed = 1.0
        self._lock = threading.RLock()
        self._play: Play | None = None
        self._stream: Any = None
        self._paused: Play | None = None
        self._position = 0
        self._closed = False
        self._clock = clock
        self._feeders = DaemonExecutor("reviewer-playback-feeder")
        self._plays: list[Play] = []  # plays whose feeder may still run
        self.probe()
        audio_out.register(self)

    # ------------------------------------------------------------------ probing

    def probe(self, rescan: bool = False) -> tuple[bool, str]:
        """Check that an output stream can be opened; set :attr:`available` and :attr:`reason`.

        Parameters
        ----------
        rescan
            Re-initialise PortAudio first so that devices plugged in (or an ALSA configuration
            changed) since the first probe are seen. Skipped while any player is playing.

        Returns
        -------
        tuple of (bool, str)
            ``(available, reason)``.
        """
        self.available, self.reason, self.output = False, "", None
        try:
            sd = audio_out.import_sounddevice()
        except OSError:
            self.reason = "Playback disabled: the PortAudio library was not found (libportaudio2)."
            return self.available, self.reason
        except ImportError:
            self.reason = "Playback disabled: the sounddevice package is not installed."
            return self.available, self.reason
        if rescan and audio_out.active_streams() == 0:
            try:
                sd._terminate()
                sd._initialize()
            except Exception as error:
                self.reason = f"Playback disabled: PortAudio failed to start ({error})."
                return self.available, self.reason
        try:
            self.output = audio_out.negotiate(
                sd, self._device, self.source.sample_rate, self._force_rate, self._force_channels
            )
        except (sd.PortAudioError, ValueError):
            self.reason = audio_out.NO_DEVICE
            return self.available, self.reason
        if self.output is None:
            self.reason = (
                f"Playback disabled: the output device accepts neither "
                f"{self.source.sample_rate} Hz nor its default rate."
            )
            return self.available, self.reason
        try:
            stream = audio_out.open_stream(sd, self.output, lambda outdata, *_: outdata.fill(0))
            stream.close()
        except Exception as error:  # any failure means "no playback"
            self.output = None
            self.reason = f"Playback disabled: could not open the audio output ({error})."
            return self.available, self.reason
        out = self.output
        layout = "mono" if out.channels == 1 else "stereo"
        self.available = True
        self.reason = f"Playback: {out.name}, {out.sample_rate} Hz {layout}."
        return self.available, self.reason

    # ------------------------------------------------------------------ properties

    @property
    def speed(self) -> float:
        """The speed used by plays that do not give one (see :meth:`set_speed`)."""
        return self._speed

    @property
    def is_playing(self) -> bool:
        """Whether a play is running (False when paused, stopped or finished)."""
        return self._play is not None

    @property
    def is_paused(self) -> bool:
        """Whether a play is paused (and :meth:`resume` would continue it)."""
        return self._paused is not None and self._play is None

    @property
    def position(self) -> int:
        """The frame (in the file's numbering) being heard now, or where playback stopped.

        During a play it advances with the output clock at ``speed`` file frames per output
        frame and never goes backwards; when paused or stopped it stays where playback stopped;
        after a play finished it is that play's end frame. Safe to poll from any thread.
        """
        with self._lock:
            p = self._play
            if p is None:
                return self._position
            return int(self._current(p))

    @property
    def latency(self) -> float:
        """Seconds from handing a block to the device to hearing it (0.0 when not playing).

        The current stream's output latency, as PortAudio reports it.
        """
        p = self._play
        return 0.0 if p is None else p.latency

    @property
    def pending_frames(self) -> int:
        """Output frames of the current play not yet handed to the device (0 if none)."""
        p = self._play
        return 0 if p is None else p.total - p.read

    @property
    def underflows(self) -> int:
        """Callback blocks of the current play that PortAudio flagged as output underflow."""
        p = self._play
        return 0 if p is None else p.underflows

    def _current(self, p: Play) -> float:
        """Exact position of play ``p`` (call with the lock held, stream open)."""
        done = self._played_frames(p)
        pos = min(float(p.end), p.start + done * p.step)
        if pos > p.last_position:
            p.last_position = pos
        return p.last_position

    def _played_frames(self, p: Play) -> float:
        """Output frames of play ``p`` heard so far (call with the lock held)."""
        if p.anchor is None:
            return 0.0
        if p.mono_clock:
            now = (self._clock or time.monotonic)()
        else:
            try:
                now = float(self._stream.time)
            except Exception:  # stream already closed: freeze at the last block
                now = p.anchor[0]
        return played_frames(p, now)

    # ------------------------------------------------------------------ control

    def play(
        self, start_frame: int, end_frame: int | None = None, speed: float | None = None
    ) -> bool:
        """Play ``[start_frame, end_frame)`` of the source, stopping any current play.

        Parameters
        ----------
        start_frame
            First frame to play (clipped to the file).
        end_frame
            Frame after the last one to play; ``None`` for the end of the file.
        speed
            Varispeed factor, clamped to [0.5, 2.0] (pitch follows, like tape); ``None`` for
            :attr:`speed`. Applies to this play only.

        Returns
        -------
        bool
            True if playback started; False if unavailable, closed, the region is empty or
            the stream could not be started (see :attr:`last_error`).
        """
        speed = self._speed if speed is None else _clamp_speed(speed)
        with self._lock:
            self._stop_locked()
            self._paused = None
            if self._closed or not self.available or self.output is None:
                return False
            frames = int(self.source.frames)
            start = min(max(int(start_frame), 0), frames)
            end = frames if end_frame is None else min(max(int(end_frame), start), frames)
            if end <= start:
                return False
            return self._start_locked(start, end, speed)

    def _start_locked(self, start: int, end: int, speed: float) -> bool:
        sd = audio_out.import_sounddevice()
        out = self.output
        assert out is not None
        p = Play.of(start, end, speed, self.source.sample_rate, out.sample_rate)
        p.mono_clock = self._clock is not None
        try:
            fill(p, self.source, limit=CHUNK_FRAMES)  # prefill: the first block is not silence
            callback = make_callback(p, self._clock or time.monotonic)
            stream = audio_out.open_stream(sd, out, callback)
            p.latency = float(stream.latency)
            stream.start()
        except Exception as error:  # report, never raise into the UI
            self.last_error = f"Playback failed: {error}"
            return False
        audio_out.stream_opened()
        self.last_error = None
        self._stream, self._play = stream, p
        self._plays = [q for q in self._plays if q.future is None or not q.future.done()]
        self._plays.append(p)
        p.future = self._feeders.submit(self._feed, p)
        return True

    def play_around(
        self, frame: int, seconds_before: float = 0.5, seconds_after: float = 0.5
    ) -> bool:
        """Play from ``seconds_before`` before ``frame`` to ``seconds_after`` after it.

        Returns
        -------
        bool
            As :meth:`play`.
        """
        rate = self.source.sample_rate
        start = int(frame) - int(round(seconds_before * rate))
        end = int(frame) + int(round(seconds_after * rate))
        return self.play(max(0, start), max(0, end))

    def stop(self) -> None:
        """Stop playing at once (no ``on_finished``); :attr:`position` keeps where it stopped."""
        with self._lock:
            self._stop_locked()
            self._paused = None

    def pause(self) -> None:
        """Stop playing but remember the play so that :meth:`resume` continues it."""
        with self._lock:
            p = self._play
            if p is not None:
                self._stop_locked()
                self._paused = p

    def resume(self) -> bool:
        """Continue a paused play from where it was paused.

        Returns
        -------
        bool
            True if playback restarted.
        """
        with self._lock:
            p = self._paused
            if p is None or self._play is not None:
                return False
            self._paused = None
            if self._closed or not self.available or self._position >= p.end:
                return False
            return self._start_locked(self._position, p.end, p.speed)

    def toggle(self) -> bool:
        """Pause if playing, resume if paused, else play from :attr:`position` to the end.

        Playing from the end of the file starts again from the beginning.

        Returns
        -------
        bool
            Whether the player is playing afterwards.
        """
        with self._lock:
            if self._play is not None:
                self.pause()
            elif self._paused is not None:
                self.resume()
            else:
                start = self._position
                if start >= self.source.frames:
                    start = 0
                self.play(start)
            return self.is_playing

    def set_speed(self, speed: float) -> float:
        """Set the speed of later plays and of the current (or paused) one.

        A running play restarts at the current position with the new speed (a few ms gap).

        Parameters
        ----------
        speed
            Varispeed factor, clamped to [0.5, 2.0].

        Returns
        -------
        float
            The speed actually set.
        """
        speed = _clamp_speed(speed)
        with self._lock:
            self._speed = speed
            if self._paused is not None:
                self._paused.speed = speed
            p = self._play
            if p is not None and p.speed != speed:
                self._stop_locked()
                if self._position < p.end:
                    self._start_locked(self._position, p.end, speed)
        return speed

    def close(self) -> None:
        """Stop and release the device; the player is unusable afterwards. Idempotent."""
        with self._lock:
            self._closed = True
            self._stop_locked()
            self._paused = None
            plays, self._plays = self._plays, []
        here = threading.get_ident()
        feeders = [p.future for p in plays if p.future is not None and p.worker != here]
        futures.wait(feeders, timeout=1.0)

    def __enter__(self) -> Player:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _stop_locked(self) -> None:
        """End the current play (if any) without ``on_finished``; keep its position."""
        p = self._play
        if p is None:
            return
        self._position = int(self._current(p))
        p.cancel.set()
        self._play = None
        self._close_stream()

    def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is None:
            return
        audio_out.stream_closed()
        try:
            stream.abort()
        except Exception:  # closing anyway
            pass
        try:
            stream.close()
        except Exception:
            pass

    def _feed(self, p: Play) -> None:
        """Feeder (on its worker): keep the ring full, then wait for the end and report it."""
        p.worker = threading.get_ident()
        try:
            while p.written < p.total:
                if p.cancel.is_set():
                    return
                if fill(p, self.source, CHUNK_FRAMES) == 0:
                    p.cancel.wait(POLL_SECONDS)
            while True:
                if p.cancel.wait(POLL_SECONDS):
                    return
                with self._lock:
                    if self._play is not p:
                        return
                    stream = self._stream
                    if stream is not None and not stream.active:
                        self.last_error = "Playback stopped: the audio stream ended unexpectedly."
                        self._stop_locked()
                        return
                    if p.read >= p.total and self._played_frames(p) >= p.total:
                        self._position = p.end
                        self._play = None
                        self._close_stream()
                        callback = self.on_finished
                        break
        except Exception as error:  # a reading error ends the play, visibly
            with self._lock:
                if self._play is p:
                    self.last_error = f"Playback stopped: {error}"
                    self._stop_locked()
            return
        if callback is not None:
            callback()
