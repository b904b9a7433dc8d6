"""Min/max summaries of a recording at several zoom levels, for drawing its waveform.

Level 0 holds the minimum and maximum of the mono mix over every block of 256 frames; each
next level summarises blocks 4 times longer (1024, 4096, 16384, ... frames), up to the first
level with at most about a thousand blocks. A 10-hour 16 kHz recording (576 M frames) takes
about 24 MB, so any view of it is drawn from a few thousand precomputed values. Views finer
than one level-0 block per point read just their own frames: from 4 frames per point, their
minimum and maximum are computed on the fly; below that, the samples themselves are drawn.

The pyramid is built in one sequential pass over the file (:meth:`PeakPyramid.build`, meant
for a background thread) while the GUI thread draws what is ready (:meth:`PeakPyramid.envelope`).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from reviewer.io.audio import AudioSource

BASE_BLOCK = 256
"""Frames per block at level 0; finer views are summarised on the fly from the samples."""

RAW_FRAMES_PER_POINT = 4
"""Below this many frames per point, :meth:`PeakPyramid.envelope` returns the raw samples."""

LEVEL_FACTOR = 4
"""How many blocks of one level make a block of the next."""

TOP_BLOCKS = 1000
"""The coarsest level is the first with at most this many blocks."""


class PeakPyramid:
    """Per-block minimum and maximum of a recording's mono mix, at several block sizes.

    Every value :meth:`envelope` returns is either final or NaN. From the pyramid (256 or
    more frames per point), it is NaN until :meth:`build` has summarised that part at every
    level (``ready_frames``); finer views are computed from the source's samples, so they do
    not depend on the build (and are NaN only without a source). One thread may run
    :meth:`build` while others call :meth:`envelope`: the arrays are only ever written past
    ``ready_frames``, which advances once a chunk is done at every level, and
    :meth:`envelope` masks whatever lies past the value it read; fine views only call
    :meth:`AudioSource.read <reviewer.io.audio.AudioSource.read>`, which is thread-safe
    and does not share the build's file handle.

    Parameters
    ----------
    frames
        Length of the recording in frames.
    sample_rate
        Its frames per second.
    source
        The recording, read for views finer than 256 frames per point; :meth:`build` sets it
        too.

    Attributes
    ----------
    ready_frames : int
        Frames from the start summarised at every level (``frames`` when complete).
    mins, maxs : list of numpy.ndarray
        Per level, the float32 minimum and maximum of each block (NaN where not built yet;
        the finer levels may run a little ahead of ``ready_frames``).
    """

    def __init__(self, frames: int, sample_rate: int, source: AudioSource | None = None):
        frames = operator.index(frames)
        if frames < 0:
            raise ValueError(f"frames must not be negative, not {frames}")
        self.frames = frames
        self.sample_rate = sample_rate
        self.source = source
        sizes = [BASE_BLOCK]
        while _blocks(frames, sizes[-1]) > TOP_BLOCKS:
            sizes.append(sizes[-1] * LEVEL_FACTOR)
        self.block_sizes: tuple[int, ...] = tuple(sizes)
        self.mins = [np.full(_blocks(frames, size), np.nan, np.float32) for size in sizes]
        self.maxs = [np.full(_blocks(frames, size), np.nan, np.float32) for size in sizes]
        self._done = [0] * len(sizes)  # complete blocks per level (only build touches it)
        self._pending = np.zeros(0, dtype=np.float32)  # read frames not yet a whole block
        self.ready_frames = 0

    @classmethod
    def for_source(cls, source: AudioSource) -> PeakPyramid:
        """An empty pyramid sized for ``source`` (call :meth:`build` to fill it)."""
        return cls(source.frames, source.sample_rate, source)

    @property
    def levels(self) -> int:
        """Number of levels (at least 1)."""
        return len(self.block_sizes)

    @property
    def complete(self) -> bool:
        """Whether every block of every level is summarised."""
        return self.ready_frames >= self.frames

    @property
    def nbytes(self) -> int:
        """Memory held by the summaries, in bytes."""
        return sum(a.nbytes for a in self.mins) + sum(a.nbytes for a in self.maxs)

    def build(
        self,
        source: AudioSource,
        chunk_frames: int = 2**18,
        should_stop: Callable[[], bool] | None = None,
        on_progress: Callable[[int], None] | None = None,
    ) -> bool:
        """Summarise ``source`` in one sequential pass, chunk by chunk.

        After each chunk, the blocks it completed are written at level 0, the coarser
        levels are derived from the finer ones for the finished part, and only then is
        ``ready_frames`` advanced. Calling it again after a stop resumes where it left off.
        Run one build at a time per pyramid.

        Parameters
        ----------
        source
            The recording (its length and rate must match the pyramid's).
        chunk_frames
            Frames read per step (rounded up to a multiple of 256).
        should_stop
            Checked before each chunk; returning True ends the build early.
        on_progress
            Called with ``ready_frames`` after each chunk.

        Returns
        -------
        bool
            Whether the pyramid is complete.

        Raises
        ------
        ValueError
            If ``source`` is not the recording the pyramid was sized for.
        """
        if (source.frames, source.sample_rate) != (self.frames, self.sample_rate):
            raise ValueError(
                f"{source!r} does not match a pyramid of {self.frames} frames "
                f"at {self.sample_rate} Hz"
            )
        self.source = source
        chunk = BASE_BLOCK * max(1, -(-chunk_frames // BASE_BLOCK))
        read_to = self._done[0] * BASE_BLOCK + len(self._pending)
        chunks = source.blocks(read_to, chunk)
        try:
            while not self.complete and not (should_stop is not None and should_stop()):
                item = next(chunks, None)
                if item is None:  # the file ended before its announced length
                    break
                offset, samples = item
                if offset != read_to:
                    raise ValueError(f"{source!r} skipped from frame {read_to} to {offset}")
                read_to += len(samples)
                self._summarise(samples, at_end=read_to >= self.frames)
                self.ready_frames = self._covered()
                if on_progress is not None:
                    on_progress(self.ready_frames)
        finally:
            chunks.close()
        return self.complete

    def level_for(self, frames_per_point: float) -> int | None:
        """The coarsest level whose blocks are at most ``frames_per_point`` frames.

        Returns
        -------
        int or None
            The level, or None below one level-0 block per point (then :meth:`envelope`
            works from the samples).
        """
        if not frames_per_point >= BASE_BLOCK:
            return None
        return max(k for k, size in enumerate(self.block_sizes) if size <= frames_per_point)

    def envelope(
        self, start_frame: int, end_frame: int, max_points: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Min/max envelope of ``[start_frame, end_frame)`` in about ``max_points`` points.

        With ``(end - start) / max_points`` frames per point, the level is the coarsest whose
        blocks are no longer than that (:meth:`level_for`). When a point spans two or more
        of its blocks, that many neighbouring blocks are merged into one point (groups start
        at multiples of the group size, so panning does not make the drawing shimmer). The
        points cover every block overlapping the range: at least ``max_points`` of them and
        fewer than ``2 * max_points + 2``.

        Below 256 frames per point, the frames of the range are read from the source
        instead, and do not depend on the build's progress. From 4 frames per point, each
        point is the minimum and maximum of ``int(frames_per_point)`` frames, computed on the
        fly, with groups again starting at multiples of their size (the same bounds on the
        number of points hold). Below 4, the raw samples are returned: one point per frame,
        fewer than ``4 * max_points``, with ``mins`` and ``maxs`` equal. Without a source,
        these values are NaN.

        Parameters
        ----------
        start_frame, end_frame
            The range, in frames (clipped to the recording).
        max_points
            Roughly how many points to return (e.g. the view's width in pixels).

        Returns
        -------
        tuple of numpy.ndarray
            ``(frame_positions, mins, maxs)``: each point's first frame (float64), and
            its float32 minimum and maximum (NaN where not built yet).
        """
        if max_points < 1:
            raise ValueError(f"max_points must be at least 1, not {max_points}")
        start = max(operator.index(start_frame), 0)
        end = min(operator.index(end_frame), self.frames)
        if end <= start:
            empty = np.zeros(0, dtype=np.float32)
            return np.zeros(0, dtype=np.float64), empty, empty.copy()
        frames_per_point = (end - start) / max_points
        level = self.level_for(frames_per_point)
        if level is None:
            if frames_per_point < RAW_FRAMES_PER_POINT:
                return self._raw(start, end)
            return self._grouped(start, end, int(frames_per_point))
        ready = self.ready_frames  # read once: everything before it is final
        size = self.block_sizes[level]
        group = max(1, int(frames_per_point // size))
        span = size * group
        first = start // span * group
        last = min(-(-end // span) * group, len(self.mins[level]))
        mins = self.mins[level][first:last].copy()
        maxs = self.maxs[level][first:last].copy()
        if ready < self.frames:
            valid = max(0, ready // size - first)
            mins[valid:] = np.nan
            maxs[valid:] = np.nan
        positions = np.arange(first, last, group, dtype=np.float64) * size
        if group > 1:
            starts = np.arange(0, last - first, group)
            mins = np.minimum.reduceat(mins, starts)
            maxs = np.maximum.reduceat(maxs, starts)
        return positions, mins, maxs

    def _raw(self, start: int, end: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The samples of ``[start, end)`` as points (NaN without a source)."""
        source = self.source  # read once: build may set it meanwhile
        if source is None:
            samples = np.full(end - start, np.nan, dtype=np.float32)
        else:
            samples = source.read(start, end - start)
        positions = np.arange(start, start + len(samples), dtype=np.float64)
        return positions, samples, samples.copy()

    def _grouped(
        self, start: int, end: int, group: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Min/max of every ``group`` frames overlapping ``[start, end)``, from the samples.

        Groups start at multiples of ``group``; the last one of the file may be short. Points
        the source has no samples for (none at all, or a file shorter than announced) are NaN.
        """
        first, last = start // group, -(-end // group)
        positions = np.arange(first, last, dtype=np.float64) * group
        mins = np.full(last - first, np.nan, dtype=np.float32)
        maxs = mins.copy()
        source = self.source  # read once: build may set it meanwhile
        if source is None:
            return positions, mins, maxs
        lo = first * group
        samples = source.read(lo, min(last * group, self.frames) - lo)
        whole = len(samples) // group
        blocks = samples[: whole * group].reshape(whole, group)
        mins[:whole] = blocks.min(axis=1)
        maxs[:whole] = blocks.max(axis=1)
        tail = samples[whole * group :]
        if len(tail):
            mins[whole] = tail.min()
            maxs[whole] = tail.max()
        return positions, mins, maxs

    def _summarise(self, samples: np.ndarray, at_end: bool) -> None:
        """Fold freshly read frames into level 0, then derive the coarser levels."""
        if len(self._pending):
            samples = np.concatenate((self._pending, samples))
        whole = len(samples) // BASE_BLOCK * BASE_BLOCK
        blocks = samples[:whole].reshape(-1, BASE_BLOCK)
        done = self._done[0]
        self.mins[0][done : done + len(blocks)] = blocks.min(axis=1)
        self.maxs[0][done : done + len(blocks)] = blocks.max(axis=1)
        done += len(blocks)
        tail = samples[whole:]
        if at_end and len(tail):
            self.mins[0][done] = tail.min()
            self.maxs[0][done] = tail.max()
            done += 1
            tail = tail[:0]
        self._pending = tail.copy()
        self._done[0] = done
        for level in range(1, self.levels):
            self._derive(level)

    def _derive(self, level: int) -> None:
        """Summarise the blocks of ``level`` whose finer blocks are all done."""
        finer_done, finer_total = self._done[level - 1], len(self.mins[level - 1])
        if finer_done >= finer_total:
            target = len(self.mins[level])
        else:
            target = finer_done // LEVEL_FACTOR
        done = self._done[level]
        if target <= done:
            return
        lo, hi = done * LEVEL_FACTOR, min(target * LEVEL_FACTOR, finer_total)
        starts = np.arange(0, hi - lo, LEVEL_FACTOR)
        self.mins[level][done:target] = np.minimum.reduceat(self.mins[level - 1][lo:hi], starts)
        self.maxs[level][done:target] = np.maximum.reduceat(self.maxs[level - 1][lo:hi], starts)
        self._done[level] = target

    def _covered(self) -> int:
        """Frames from the start summarised at every level."""
        covered = self.frames
        for level, size in enumerate(self.block_sizes):
            if self._done[level] < len(self.mins[level]):
                covered = min(covered, self._done[level] * size)
        return covered


def _blocks(frames: int, size: int) -> int:
    """Number of blocks of ``size`` frames covering ``frames`` (the last may be short)."""
    return -(-frames // size)


SKETCH_COLUMNS = 320
"""Columns of a :class:`Sketch`: a coarse waveform for a first paint."""

SKETCH_FRAMES = 256
"""Frames a sketch reads in each column of a long recording (one level-0 block)."""


class Sketch:
    """A coarse waveform, ready at once: what is drawn where the pyramid is not built yet.

    The recording is cut into :data:`SKETCH_COLUMNS` equal columns. A short recording
    (at most ``SKETCH_COLUMNS * SKETCH_FRAMES * 8`` frames, 41 s at 16 kHz) is read whole,
    so each column's minimum and maximum are exact; a longer one is sampled, one
    :data:`SKETCH_FRAMES`-frame read in the middle of each column (320 reads: 20 to
    60 ms for a 10-hour file in the page cache), so its extremes are those of the samples
    read, an underestimate the pyramid's build replaces as it goes.

    Parameters
    ----------
    source
        The recording.
    columns
        How many columns.

    Attributes
    ----------
    starts : numpy.ndarray
        ``int64`` first frame of each column, shape ``(columns,)``, increasing.
    mins, maxs : numpy.ndarray
        ``float32`` minimum and maximum of what was read in each column.
    exact : bool
        Whether the whole recording was read (the columns' extremes are exact).
    """

    def __init__(self, source: AudioSource, columns: int = SKETCH_COLUMNS):
        frames = source.frames
        columns = max(1, min(columns, frames))
        self.starts = np.arange(columns, dtype=np.int64) * frames // columns
        self.exact = frames <= columns * SKETCH_FRAMES * 8
        if self.exact:
            samples = source.read(0, frames)
            pieces = np.split(samples, self.starts[1:]) if len(samples) else []
            self.mins = np.array([p.min() if len(p) else np.nan for p in pieces], np.float32)
            self.maxs = np.array([p.max() if len(p) else np.nan for p in pieces], np.float32)
            return
        ends = np.append(self.starts[1:], frames)
        reads = [
            source.read(int(a + b - SKETCH_FRAMES) // 2, SKETCH_FRAMES)
            for a, b in zip(self.starts, ends, strict=True)
        ]
        self.mins = np.array([r.min() if len(r) else np.nan for r in reads], np.float32)
        self.maxs = np.array([r.max() if len(r) else np.nan for r in reads], np.float32)

    def fill(self, positions: np.ndarray, mins: np.ndarray, maxs: np.ndarray) -> None:
        """Put the sketch's values where ``mins`` is NaN (in place).

        Parameters
        ----------
        positions
            The frame of each point, shape ``(n,)``.
        mins, maxs
            ``float64`` envelope values of shape ``(n,)`` (NaN where not built yet).
        """
        missing = np.isnan(mins)
        if not missing.any():
            return
        at = np.searchsorted(self.starts, np.asarray(positions)[missing], side="right") - 1
        at = np.clip(at, 0, len(self.starts) - 1)
        mins[missing] = self.mins[at]
        maxs[missing] = self.maxs[at]
