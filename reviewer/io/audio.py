"""Read-only access to an audio file as a mono float32 mix, by sample frame.

Any format libsndfile reads (WAV, FLAC, OGG, MP3, AIFF, ...), at any sample rate and
channel count. Nothing here reads a whole file at once unless asked to: :meth:`AudioSource.read`
returns the frames requested and :meth:`AudioSource.blocks` walks the file chunk by chunk.
"""

from __future__ import annotations

import operator
import threading
from collections.abc import Generator
from pathlib import Path

import numpy as np
import soundfile as sf

from reviewer.model.time import frames_to_ticks

AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".mp3", ".aiff", ".aif", ".au", ".opus", ".caf", ".w64")
"""Audio file extensions (lower case) reviewer opens: formats libsndfile reads."""

_MIX_FRAMES = 2**16
"""Frames decoded per step when mixing down several channels (bounds the scratch buffer)."""


class AudioError(ValueError):
    """An audio file that cannot be used, named with what is wrong with it.

    Parameters
    ----------
    path
        The file at fault.
    problem
        What is wrong, in words a user can act on.
    """

    def __init__(self, path: str | Path, problem: str):
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class AudioSource:
    """A read-only view of one audio file, presented as a mono mix of float32 samples.

    Create it with :meth:`open`. Positions are sample frames (one frame holds one sample
    per channel); a multichannel file is mixed down to the mean of its channels. Samples
    are scaled to ``[-1, 1)`` as libsndfile does for integer formats.

    :meth:`read` may be called from several threads at once (it serialises access to one
    shared file handle); every :meth:`blocks` generator has its own handle, so a background
    scan never waits for, or disturbs, reads from the GUI thread.

    Parameters
    ----------
    path
        The audio file.
    sample_rate
        Frames per second.
    frames
        Length of the file in frames (at least 1).
    channels
        Channels in the file (the mix has one).
    """

    def __init__(self, path: Path, sample_rate: int, frames: int, channels: int):
        self._path = path
        self._sample_rate = sample_rate
        self._frames = frames
        self._channels = channels
        self._lock = threading.Lock()
        self._handle: sf.SoundFile | None = None

    @classmethod
    def open(cls, path: str | Path) -> AudioSource:
        """Open an audio file for reading.

        Parameters
        ----------
        path
            The file to read.

        Returns
        -------
        AudioSource
            A view of the file (its handle is opened on the first :meth:`read`).

        Raises
        ------
        AudioError
            If the file is missing, is not audio libsndfile can decode, or has no frames.
        """
        path = Path(path)
        if not path.exists():
            raise AudioError(path, "no such file")
        if path.is_dir():
            raise AudioError(path, "is a directory, not an audio file")
        try:
            with sf.SoundFile(path) as handle:
                sample_rate, frames, channels = handle.samplerate, handle.frames, handle.channels
        except (sf.SoundFileError, RuntimeError, OSError) as error:
            detail = getattr(error, "error_string", None) or str(error)
            raise AudioError(path, f"not a readable audio file ({detail})") from error
        if sample_rate <= 0 or channels <= 0:
            raise AudioError(path, f"invalid format ({sample_rate} Hz, {channels} channels)")
        if frames <= 0:
            raise AudioError(path, "the file holds no audio (0 frames)")
        return cls(path, sample_rate, frames, channels)

    @property
    def path(self) -> Path:
        """The audio file."""
        return self._path

    @property
    def sample_rate(self) -> int:
        """Frames per second."""
        return self._sample_rate

    @property
    def frames(self) -> int:
        """Length of the file in frames."""
        return self._frames

    @property
    def channels(self) -> int:
        """Channels in the file (the samples returned are always their mono mix)."""
        return self._channels

    @property
    def duration_ticks(self) -> int:
        """Length of the file in ticks."""
        return frames_to_ticks(self._frames, self._sample_rate)

    def read(self, start_frame: int, n_frames: int) -> np.ndarray:
        """Read the mono mix of ``n_frames`` frames from ``start_frame``.

        The range is clipped to the file: past the end (or before the start) fewer frames
        come back, possibly none. Thread-safe.

        Parameters
        ----------
        start_frame
            First frame to read (may be negative or past the end).
        n_frames
            How many frames to read.

        Returns
        -------
        numpy.ndarray
            1-D float32 samples of ``[start_frame, start_frame + n_frames)`` within the file.
        """
        start = operator.index(start_frame)
        stop = start + operator.index(n_frames)
        start, stop = max(start, 0), min(stop, self._frames)
        if stop <= start:
            return np.zeros(0, dtype=np.float32)
        with self._lock:
            if self._handle is None or self._handle.closed:
                self._handle = self._open_handle()
            self._handle.seek(start)
            return _read_mono(self._handle, stop - start)

    def blocks(
        self, start_frame: int = 0, block_frames: int = 2**18
    ) -> Generator[tuple[int, np.ndarray], None, None]:
        """Walk the file sequentially from ``start_frame`` in chunks of ``block_frames``.

        The generator has its own file handle (closed when it finishes or is closed), so it
        can run in a background thread while other threads call :meth:`read`.

        Parameters
        ----------
        start_frame
            Frame to start at (clipped to the file).
        block_frames
            Frames per chunk; the last chunk may be shorter.

        Yields
        ------
        tuple of (int, numpy.ndarray)
            The chunk's first frame and its 1-D float32 mono samples.
        """
        if block_frames <= 0:
            raise ValueError(f"block_frames must be positive, not {block_frames}")
        position = min(max(operator.index(start_frame), 0), self._frames)
        with self._open_handle() as handle:
            handle.seek(position)
            while position < self._frames:
                chunk = _read_mono(handle, min(block_frames, self._frames - position))
                if len(chunk) == 0:  # the file is shorter than its header claims
                    return
                yield position, chunk
                position += len(chunk)

    def close(self) -> None:
        """Close the handle used by :meth:`read` (a later read opens it again)."""
        with self._lock:
            if self._handle is not None:
                self._handle.close()
                self._handle = None

    def __enter__(self) -> AudioSource:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"AudioSource({str(self._path)!r}, {self._sample_rate} Hz, "
            f"{self._frames} frames, {self._channels} channels)"
        )

    def _open_handle(self) -> sf.SoundFile:
        try:
            return sf.SoundFile(self._path)
        except (sf.SoundFileError, RuntimeError, OSError) as error:
            detail = getattr(error, "error_string", None) or str(error)
            raise AudioError(self._path, f"cannot be read any more ({detail})") from error


def _read_mono(handle: sf.SoundFile, n_frames: int) -> np.ndarray:
    """Read up to ``n_frames`` from the handle's position as a float32 mono mix.

    Several channels are decoded ``_MIX_FRAMES`` at a time into a scratch buffer, so the
    only large allocation is the mono result.
    """
    out = np.empty(n_frames, dtype=np.float32)
    if handle.channels == 1:
        got = len(handle.read(n_frames, dtype="float32", out=out))
        return out[:got]
    scratch = np.empty((min(n_frames, _MIX_FRAMES), handle.channels), dtype=np.float32)
    got = 0
    while got < n_frames:
        step = min(n_frames - got, _MIX_FRAMES)
        decoded = handle.read(step, dtype="float32", out=scratch[:step])
        if len(decoded) == 0:
            break
        np.mean(decoded, axis=1, dtype=np.float32, out=out[got : got + len(decoded)])
        got += len(decoded)
    return out[:got]
