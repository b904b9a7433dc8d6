"""The waveform (drawn from the peak pyramid), the pyramid's background build, the spectrogram."""

from __future__ import annotations

import math
import threading
from concurrent.futures import Future

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QRectF, Signal

from reviewer.io.audio import AudioSource
from reviewer.io.peaks import PeakPyramid, Sketch
from reviewer.services.jobs import Job


class WaveformItem(pg.PlotCurveItem):
    """The visible range's min/max envelope, one stroke per pixel column.

    Where the pyramid is not built yet (the first paint of a long recording), the
    :class:`~reviewer.io.peaks.Sketch` is drawn instead, replaced as the build advances.

    Zoomed in below four samples per pixel, the raw samples are drawn as a line.
    """

    def __init__(self, source: AudioSource, pyramid: PeakPyramid):
        super().__init__(pen=pg.mkPen("#8FB8DE", width=1))
        self.source = source
        self.pyramid = pyramid
        self._sketch: Sketch | None = None
        self._last: tuple[int, int, int, int] | None = None

    @property
    def sketch(self) -> Sketch | None:
        """The coarse waveform drawn where the pyramid is not built yet (made when needed).

        None once the pyramid is complete (or when the recording cannot be read).
        """
        if self.pyramid.complete:
            self._sketch = None
        elif self._sketch is None:
            try:
                self._sketch = Sketch(self.source)
            except (OSError, RuntimeError, ValueError):  # unreadable: the build will say so
                return None
        return self._sketch

    def peak(self) -> float:
        """The largest absolute sample value summarised or sketched so far (0 if none)."""
        positions, mins, maxs = self.pyramid.envelope(0, self.source.frames, 512)
        values = np.abs(np.concatenate([np.asarray(mins), np.asarray(maxs)]))
        sketch = self.sketch
        if sketch is not None:
            values = np.concatenate([values, np.abs(sketch.mins), np.abs(sketch.maxs)])
        values = values[np.isfinite(values)]
        return float(values.max()) if len(values) else 0.0

    def refresh(self, x0: float, x1: float, pixels: int, force: bool = False) -> None:
        """Redraw for the view ``[x0, x1]`` seconds, ``pixels`` wide."""
        rate = self.source.sample_rate
        first = int(np.clip(np.floor(x0 * rate), 0, self.source.frames))
        last = int(np.clip(np.ceil(x1 * rate) + 1, 0, self.source.frames))
        key = (first, last, pixels, self.pyramid.ready_frames)
        if (key == self._last and not force) or last <= first:
            return
        self._last = key
        positions, mins, maxs = self.pyramid.envelope(first, last, max(pixels, 16))
        if len(positions) == 0:
            self.setData([], [])
            return
        x = np.asarray(positions, dtype=np.float64) / rate
        mins = np.array(mins, dtype=np.float64)
        maxs = np.array(maxs, dtype=np.float64)
        sketch = self.sketch if np.isnan(mins).any() else None
        if sketch is not None:  # not built yet there: the sketch until the build gets there
            sketch.fill(np.asarray(positions), mins, maxs)
        mins, maxs = np.nan_to_num(mins), np.nan_to_num(maxs)
        if np.array_equal(mins, maxs):
            self.setData(x, mins, connect="all")
            return
        xs = np.repeat(x, 2)
        ys = np.empty(2 * len(x))
        ys[0::2], ys[1::2] = mins, maxs
        self.setData(xs, ys, connect="pairs")


class PyramidBuilder(QObject):
    """Builds a peak pyramid in the background; says how far it is and when it ends by signals.

    The work is Qt-free: :meth:`reviewer.io.peaks.PeakPyramid.build` run as a
    :class:`reviewer.services.jobs.Job`, which polls the job's stop event before each chunk.
    Its progress and its end are emitted as :attr:`progressed` and :attr:`finished` from the
    worker thread; Qt delivers them on the thread of whatever slot receives them (the GUI's).

    Parameters
    ----------
    source
        The recording (read on the worker thread).
    pyramid
        The pyramid to fill; ``pyramid.ready_frames`` says how much of it is drawn from.
    """

    progressed = Signal(int)
    """``pyramid.ready_frames`` after each chunk (from the worker thread)."""

    finished = Signal(str)
    """The build has ended: ``""``, or why it failed (also :attr:`error`), from the worker."""

    def __init__(self, source: AudioSource, pyramid: PeakPyramid):
        super().__init__()
        self.error: str | None = None
        self.pyramid = pyramid

        def build(stop: threading.Event) -> bool:
            return pyramid.build(source, should_stop=stop.is_set, on_progress=self._progressed)

        self._job: Job[bool] = Job(build, "peak-pyramid")

    def start(self) -> None:
        """Start building (once).

        Raises
        ------
        RuntimeError
            If it was already started.
        """
        self._job.start().add_done_callback(self._ended)

    @property
    def running(self) -> bool:
        """Whether the build has started and not yet ended."""
        return self._job.started and not self._job.done

    def cancel(self) -> None:
        """Ask the build to stop before its next chunk; returns at once."""
        self._job.cancel()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the build ends or ``timeout`` seconds pass; return whether it ended."""
        return self._job.wait(timeout)

    def stop(self) -> None:
        """Ask the build to stop and wait for it (at most 5 s)."""
        self.cancel()
        self.wait(timeout=5)

    def _progressed(self, ready_frames: int) -> None:
        self._emit("progressed", ready_frames)

    def _ended(self, future: Future[bool]) -> None:
        error = future.exception()
        if error is not None:  # shown in the status bar, never a crash
            self.error = str(error)
        self._emit("finished", self.error or "")

    def _emit(self, signal: str, value: object) -> None:
        """Emit ``signal`` from the worker thread, unless the Qt object is gone."""
        try:
            getattr(self, signal).emit(value)
        except RuntimeError:  # the builder's Qt object is gone: nobody listens any more
            pass


class SpectrogramItem(pg.ImageItem):
    """Log-magnitude STFT of the visible range (up to two minutes), computed on demand.

    Column ``k`` covers the samples ``[first + k * hop, first + (k + 1) * hop)`` of the view
    and is the spectrum of the Hann-windowed ``n_fft`` samples centred on them (zeros
    beyond the recording's ends), so a sound is drawn where the waveform and the lanes show
    it, at every zoom, and the columns cover the whole view.
    """

    MAX_SECONDS = 120.0

    def __init__(self, source: AudioSource):
        super().__init__()
        self.source = source
        self.setColorMap(pg.colormap.get("inferno"))
        self._last: tuple[int, int, int] | None = None

    def refresh(self, x0: float, x1: float, pixels: int) -> None:
        """Recompute for the view ``[x0, x1]`` seconds, about ``pixels`` columns."""
        rate = self.source.sample_rate
        first = max(0, math.floor(x0 * rate))
        last = min(self.source.frames, math.ceil(x1 * rate))
        if last <= first or (last - first) > self.MAX_SECONDS * rate:
            self.clear()
            self._last = None
            return
        key = (first, last, pixels)
        if key == self._last:
            return
        self._last = key
        n_fft = 512 if rate <= 24000 else 1024
        hop = max(1, math.ceil((last - first) / max(pixels, 1)))
        columns = math.ceil((last - first) / hop)
        start = first + hop // 2 - n_fft // 2  # the first window's first sample
        stop = first + (columns - 1) * hop + hop // 2 + n_fft - n_fft // 2
        inside = slice(max(start, 0), min(stop, self.source.frames))
        samples = np.zeros(stop - start)
        samples[inside.start - start : inside.stop - start] = self.source.read(
            inside.start, inside.stop - inside.start
        )
        frames = np.lib.stride_tricks.sliding_window_view(samples, n_fft)[::hop][:columns]
        spectrum = np.abs(np.fft.rfft(frames * np.hanning(n_fft), axis=1))
        image = 20 * np.log10(spectrum + 1e-6)
        low, high = np.percentile(image, [5, 99.5])
        self.setImage(image, levels=(low, high), autoLevels=False)
        self.setRect(QRectF(first / rate, 0.0, columns * hop / rate, rate / 2))
