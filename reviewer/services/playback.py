"""Audio playback of a region of a file through a PortAudio output stream.

:class:`Player` plays ``[start_frame, end_frame)`` of an audio source (anything with
``sample_rate``, ``frames`` and a thread-safe ``read(start_frame, n_frames)`` returning mono
float32, such as :class:`reviewer.io.audio.AudioSource`) through a ``sounddevice``
callback stream, with varispeed (tape-like resampling: pitch follows speed).

Threads
-------
* The caller's thread (usually the GUI thread) calls :meth:`Player.play`, :meth:`Player.stop`,
  :attr:`Player.position` ... They only open, start and abort streams and never wait for audio.
* One *feeder* thread per play reads the source ahead of the stream, resamples it and writes
  it into a preallocated ring buffer. When everything has been handed to the stream it waits
  until the last frame has actually been played (by the stream clock), closes the stream and
  then calls :attr:`Player.on_finished` -- so ``on_finished`` runs on the feeder thread, never
  on the GUI thread: marshal it (e.g. emit a Qt signal) before touching widgets.
* PortAudio's audio thread runs the stream callback, which only copies from the ring buffer
  (no file access, no numpy allocation, no lock) and zero-fills when the feeder is behind or
  the region is over.

The cursor (:attr:`Player.position`) is derived from the DAC time that PortAudio reports for
each callback block (``time.outputBufferDacTime``) and the stream clock (``Stream.time``),
which share a clock; backends that report zero DAC times fall back to counting frames on the
monotonic clock. Because no device plays faster than real time, the cursor is also bounded by
the wall-clock time elapsed since the first audible block; this keeps it right on devices that
swallow data instantly (ALSA's ``null`` device) and it never goes backwards during a play.

``sounddevice`` (and with it PortAudio) is imported lazily, on the first :class:`Player`.
"""

from __future__ import annotations

import atexit
import math
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

MIN_SPEED = 0.5
"""Slowest playback speed (half speed, an octave lower)."""

MAX_SPEED = 2.0
"""Fastest playback speed (double speed, an octave higher)."""

_RING_FRAMES = 1 << 16
"""Capacity of the ring buffer between the feeder and the callback, in output frames."""

_CHUNK_FRAMES = 4096
"""Output frames produced by the feeder per step (and prefilled before the stream starts)."""

_POLL_SECONDS = 0.004
"""Feeder/monitor polling interval: bounds how late ``on_finished`` fires."""

_NO_DEVICE = "Playback disabled: no audio output device (PortAudio found none)."


class _Source(Protocol):
    """What the player needs from an audio source (see ``reviewer.io.audio``)."""

    @property
    def sample_rate(self) -> int: ...  # noqa: D102

    @property
    def frames(self) -> int: ...  # noqa: D102

    def read(self, start_frame: int, n_frames: int) -> np.ndarray: ...  # noqa: D102


@dataclass(frozen=True)
class OutputFormat:
    """The stream format negotiated with the device.

    Attributes
    ----------
    device
        The device as passed to sounddevice (``None`` for the default output).
    name
        The device's name as PortAudio reports it.
    sample_rate
        Output rate in Hz (the file's rate if the device accepts it).
    channels
        1 (mono) or 2 (the mono mix duplicated) if the device refuses mono.
    """

    device: int | str | None
    name: str
    sample_rate: int
    channels: int


@dataclass(eq=False)
class _Play:
    """State of one play, shared by the caller, the feeder and the callback."""

    start: int
    end: int
    speed: float
    step: float  # source frames per output frame
    total: int  # output frames of the whole region
    rate: int  # output rate
    ring: np.ndarray
    cancel: threading.Event = field(default_factory=threading.Event)
    written: int = 0  # output frames written by the feeder (only it increments)
    read: int = 0  # output frames copied by the callback (only it increments)
    anchor: tuple[float, int, int] | None = None  # (dac time, read before block, real frames)
    first: tuple[float, int] | None = None  # (dac time, read) of the first audible block
    mono_clock: bool = False  # backend reports no DAC times: use time.monotonic()
    latency: float = 0.0
    underflows: int = 0
    last_position: float = 0.0
    thread: threading.Thread | None = None


_sd: Any = None
_players: weakref.WeakSet[Player] = weakref.WeakSet()
_active_streams = 0


def _import_sounddevice() -> Any:
    """Import sounddevice once; register the exit hook that closes live players first.

    Raises
    ------
    OSError
        If the PortAudio library cannot be found or loaded.
    ImportError
        If the sounddevice package is not installed.
    """
    global _sd
    if _sd is None:
        import sounddevice

        _sd = sounddevice
        # atexit runs last-registered first: our hook runs before sounddevice terminates
        # PortAudio, so no stream calls back into a finalising interpreter.
        atexit.register(_close_all_players)
    return _sd


def _close_all_players() -> None:
    for player in list(_players):
        try:
            player.close()
        except Exception:  # best effort at exit
            pass


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
        source: _Source,
        *,
        device: int | str | None = None,
        sample_rate: int | None = None,
        channels: int | None = None,
        on_finished: Callable[[], None] | None = None,
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
        self._play: _Play | None = None
        self._stream: Any = None
        self._paused: _Play | None = None
        self._position = 0
        self._closed = False
        self._threads: list[threading.Thread] = []
        self.probe()
        _players.add(self)

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
            sd = _import_sounddevice()
        except OSError:
            self.reason = "Playback disabled: the PortAudio library was not found (libportaudio2)."
            return self.available, self.reason
        except ImportError:
            self.reason = "Playback disabled: the sounddevice package is not installed."
            return self.available, self.reason
        if rescan and _active_streams == 0:
            try:
                sd._terminate()
                sd._initialize()
            except Exception as error:
                self.reason = f"Playback disabled: PortAudio failed to start ({error})."
                return self.available, self.reason
        try:
            self.output = self._negotiate(sd)
        except (sd.PortAudioError, ValueError):
            self.reason = _NO_DEVICE
            return self.available, self.reason
        if self.output is None:
            self.reason = (
                f"Playback disabled: the output device accepts neither "
                f"{self.source.sample_rate} Hz nor its default rate."
            )
            return self.available, self.reason
        try:
            stream = self._open_stream(sd, lambda outdata, *_: outdata.fill(0))
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

    def _negotiate(self, sd: Any) -> OutputFormat | None:
        info = sd.query_devices(self._device, "output")
        max_channels = int(info["max_output_channels"])
        if max_channels < 1:
            raise ValueError("no output channels")
        rates = [self._force_rate] if self._force_rate else []
        rates += [int(self.source.sample_rate), int(round(info["default_samplerate"]))]
        if self._force_channels:
            channel_options = [self._force_channels]
        else:
            channel_options = [1, 2]
        for rate in dict.fromkeys(rates):  # de-duplicated, in order
            for channels in channel_options:
                if channels > max_channels:
                    continue
                try:
                    sd.check_output_settings(
                        device=self._device, channels=channels, dtype="float32", samplerate=rate
                    )
                except Exception:  # try the next format
                    continue
                return OutputFormat(self._device, str(info["name"]), int(rate), channels)
        return None

    def _open_stream(self, sd: Any, callback: Callable[..., None]) -> Any:
        out = self.output
        assert out is not None
        return sd.OutputStream(
            samplerate=out.sample_rate,
            channels=out.channels,
            dtype="float32",
            device=out.device,
            callback=callback,
        )

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
    def underflows(self) -> int:
        """Callback blocks of the current play that PortAudio flagged as output underflow."""
        p = self._play
        return 0 if p is None else p.underflows

    def _current(self, p: _Play) -> float:
        """Exact position of play ``p`` (call with the lock held, stream open)."""
        done = self._played_frames(p)
        pos = min(float(p.end), p.start + done * p.step)
        if pos > p.last_position:
            p.last_position = pos
        return p.last_position

    def _played_frames(self, p: _Play) -> float:
        """Output frames of play ``p`` heard so far (call with the lock held)."""
        anchor, first = p.anchor, p.first
        if anchor is None or first is None:
            return 0.0
        if p.mono_clock:
            now = time.monotonic()
        else:
            try:
                now = float(self._stream.time)
            except Exception:  # stream already closed: freeze at the last block
                now = anchor[0]
        dac, read_before, real = anchor
        latest = min(read_before + (now - dac) * p.rate, float(read_before + real))
        wall = first[1] + (now - first[0]) * p.rate
        return max(0.0, min(latest, wall, float(p.total)))

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
        sd = _import_sounddevice()
        out = self.output
        assert out is not None
        step = self.source.sample_rate * speed / out.sample_rate
        p = _Play(
            start=start,
            end=end,
            speed=speed,
            step=step,
            total=max(1, math.ceil((end - start) / step - 1e-9)),
            rate=out.sample_rate,
            ring=np.zeros(_RING_FRAMES, dtype=np.float32),
            last_position=float(start),
        )
        try:
            self._fill(p, limit=_CHUNK_FRAMES)  # prefill: the first block is not silence
            stream = self._open_stream(sd, self._make_callback(p))
            p.latency = float(stream.latency)
            stream.start()
        except Exception as error:  # report, never raise into the UI
            self.last_error = f"Playback failed: {error}"
            return False
        global _active_streams
        _active_streams += 1
        self.last_error = None
        self._stream, self._play = stream, p
        p.thread = threading.Thread(
            target=self._feed, args=(p,), name="reviewer-playback-feeder", daemon=True
        )
        self._threads = [t for t in self._threads if t.is_alive()] + [p.thread]
        p.thread.start()
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
            threads, self._threads = self._threads, []
        current = threading.current_thread()
        for thread in threads:
            if thread is not current:
                thread.join(timeout=1.0)

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
        global _active_streams
        stream, self._stream = self._stream, None
        if stream is None:
            return
        _active_streams -= 1
        try:
            stream.abort()
        except Exception:  # closing anyway
            pass
        try:
            stream.close()
        except Exception:
            pass

    # ------------------------------------------------------------------ audio path

    @staticmethod
    def _make_callback(p: _Play) -> Callable[..., None]:
        ring = p.ring
        capacity = len(ring)
        monotonic = time.monotonic

        def callback(outdata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
            # Runs on PortAudio's thread: copy from the ring, nothing else. It must not raise
            # (that would stop the stream silently); everything here is plain arithmetic.
            if status.output_underflow:
                p.underflows += 1
            read = p.read
            n = min(frames, p.written - read)
            if n > 0:
                i = read % capacity
                first = min(n, capacity - i)
                outdata[:first] = ring[i : i + first, None]
                if first < n:
                    outdata[first:n] = ring[: n - first, None]
            else:
                n = 0
            if n < frames:
                outdata[n:] = 0.0
            dac = time_info.outputBufferDacTime
            if dac <= 0.0 or time_info.currentTime <= 0.0 or p.mono_clock:
                # Backend without DAC times: count frames on the monotonic clock instead.
                p.mono_clock = True
                dac = monotonic() + p.latency
            if n and p.first is None:
                p.first = (dac, read)
            p.anchor = (dac, read, n)
            p.read = read + n

        return callback

    def _fill(self, p: _Play, limit: int) -> int:
        """Write up to ``limit`` output frames into the ring (feeder side); return how many."""
        capacity = len(p.ring)
        n = min(limit, p.total - p.written, capacity - (p.written - p.read))
        if n <= 0:
            return 0
        k = p.written
        if p.step == 1.0:
            block = np.asarray(self.source.read(p.start + k, n), dtype=np.float32)
        else:
            positions = p.start + (k + np.arange(n, dtype=np.float64)) * p.step
            i0 = int(positions[0])
            count = int(positions[-1]) + 2 - i0
            data = np.asarray(self.source.read(i0, count), dtype=np.float32)
            if len(data) == 0:
                block = np.zeros(0, dtype=np.float32)
            else:
                block = np.interp(
                    positions - i0, np.arange(len(data), dtype=np.float64), data, right=0.0
                ).astype(np.float32)
        if len(block) < n:  # the source ended early (clipped read)
            block = np.concatenate([block, np.zeros(n - len(block), dtype=np.float32)])
        i = k % capacity
        first = min(n, capacity - i)
        p.ring[i : i + first] = block[:first]
        p.ring[: n - first] = block[first:]
        p.written = k + n  # publish only after the data is in place
        return n

    def _feed(self, p: _Play) -> None:
        """Feeder thread: keep the ring full, then wait for the end and report it."""
        try:
            while p.written < p.total:
                if p.cancel.is_set():
                    return
                if self._fill(p, _CHUNK_FRAMES) == 0:
                    p.cancel.wait(_POLL_SECONDS)
            while True:
                if p.cancel.wait(_POLL_SECONDS):
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
