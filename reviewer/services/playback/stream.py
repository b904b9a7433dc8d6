"""The audio path of one play: the ring buffer, the stream callback, and what has been heard.

A :class:`Play` is shared by three threads: the caller's (which starts and stops it), the
feeder (which :func:`fill` s the ring buffer with the region's samples, resampled for
varispeed) and PortAudio's audio thread, which runs the callback made by
:func:`make_callback`: it only copies from the ring (no file access, no numpy allocation, no
lock), zero-fills when the feeder is behind or the region is over, and notes when each block
with audio will be heard. :func:`played_frames` turns those notes and the time now into the
output frames heard so far.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

RING_FRAMES = 1 << 16
"""Capacity of the ring buffer between the feeder and the callback, in output frames."""

CHUNK_FRAMES = 4096
"""Output frames produced by the feeder per step (and prefilled before the stream starts)."""


class Source(Protocol):
    """What the player needs from an audio source (see ``reviewer.io.audio``)."""

    @property
    def sample_rate(self) -> int: ...  # noqa: D102

    @property
    def frames(self) -> int: ...  # noqa: D102

    def read(self, start_frame: int, n_frames: int) -> np.ndarray: ...  # noqa: D102


@dataclass(eq=False)
class Play:
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
    anchor: tuple[float, int, int] | None = None  # (dac time, read before, frames) of a block
    first: tuple[float, int] | None = None  # (dac time, read) of the first audible block
    mono_clock: bool = False  # blocks timed on the player's clock, not PortAudio's DAC times
    latency: float = 0.0
    underflows: int = 0
    last_position: float = 0.0
    future: Future[None] | None = None  # the feeder's
    worker: int | None = None  # the feeder's thread ident, once it runs

    @classmethod
    def of(cls, start: int, end: int, speed: float, source_rate: int, output_rate: int) -> Play:
        """A play of ``[start, end)`` at ``speed``, from a source rate to an output rate."""
        step = source_rate * speed / output_rate
        return cls(
            start=start,
            end=end,
            speed=speed,
            step=step,
            total=max(1, math.ceil((end - start) / step - 1e-9)),
            rate=output_rate,
            ring=np.zeros(RING_FRAMES, dtype=np.float32),
            last_position=float(start),
        )


def make_callback(p: Play, clock: Callable[[], float]) -> Callable[..., None]:
    """The PortAudio stream callback of play ``p``.

    Each block with audio is noted with the time it will be heard: PortAudio's DAC time, or,
    when the backend reports none (or ``p.mono_clock`` says so), ``clock()`` plus the
    stream's latency.
    """
    ring = p.ring
    capacity = len(ring)

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
        if not n:  # silence: the last block with audio keeps telling when it is heard
            return
        dac = time_info.outputBufferDacTime
        if dac <= 0.0 or time_info.currentTime <= 0.0 or p.mono_clock:
            # Backend without DAC times: count frames on the player's clock instead.
            p.mono_clock = True
            dac = clock() + p.latency
        if p.first is None:
            p.first = (dac, read)
        p.anchor = (dac, read, n)
        p.read = read + n

    return callback


def played_frames(p: Play, now: float) -> float:
    """Output frames of play ``p`` heard at time ``now`` (on the clock of its block times).

    The frames of the last block with audio are heard from its time on, one per output
    sample period; and since no device plays faster than real time, no more than the time
    since the first audible block allows (this keeps the count right on devices that swallow
    data at once, such as ALSA's ``null``).
    """
    anchor, first = p.anchor, p.first
    if anchor is None or first is None:
        return 0.0
    dac, read_before, real = anchor
    latest = min(read_before + (now - dac) * p.rate, float(read_before + real))
    wall = first[1] + (now - first[0]) * p.rate
    return max(0.0, min(latest, wall, float(p.total)))


def fill(p: Play, source: Source, limit: int) -> int:
    """Write up to ``limit`` output frames of ``source`` into the ring (feeder side).

    Resamples by linear interpolation when ``p.step`` is not 1 (varispeed, or a device
    rate other than the file's); zero-pads where the source ends early.

    Returns
    -------
    int
        How many frames were written (0 when the ring is full or the region done).
    """
    capacity = len(p.ring)
    n = min(limit, p.total - p.written, capacity - (p.written - p.read))
    if n <= 0:
        return 0
    k = p.written
    if p.step == 1.0:
        block = np.asarray(source.read(p.start + k, n), dtype=np.float32)
    else:
        positions = p.start + (k + np.arange(n, dtype=np.float64)) * p.step
        i0 = int(positions[0])
        count = int(positions[-1]) + 2 - i0
        data = np.asarray(source.read(i0, count), dtype=np.float32)
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
