"""The waveform (drawn from the peak pyramid) and the optional spectrogram."""

from __future__ import annotations

import threading

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF

from reviewer.io.audio import AudioSource
from reviewer.io.peaks import PeakPyramid


class WaveformItem(pg.PlotCurveItem):
    """The visible range's min/max envelope, one stroke per pixel column.

    Zoomed in below four samples per pixel, the raw samples are drawn as a line.
    """

    def __init__(self, source: AudioSource, pyramid: PeakPyramid):
        super().__init__(pen=pg.mkPen("#8FB8DE", width=1))
        self.source = source
        self.pyramid = pyramid
        self._last: tuple[int, int, int, int] | None = None

    def peak(self) -> float:
        """The largest absolute sample value summarised so far (0 if none)."""
        positions, mins, maxs = self.pyramid.envelope(0, self.source.frames, 512)
        values = np.abs(np.concatenate([np.asarray(mins), np.asarray(maxs)]))
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
        mins = np.nan_to_num(np.asarray(mins, dtype=np.float64))
        maxs = np.nan_to_num(np.asarray(maxs, dtype=np.float64))
        if np.array_equal(mins, maxs):
            self.setData(x, mins, connect="all")
            return
        xs = np.repeat(x, 2)
        ys = np.empty(2 * len(x))
        ys[0::2], ys[1::2] = mins, maxs
        self.setData(xs, ys, connect="pairs")


class PyramidBuilder:
    """Builds a peak pyramid in a background thread; the view polls ``ready_frames``."""

    def __init__(self, source: AudioSource, pyramid: PeakPyramid):
        self._stop = threading.Event()
        self.error: str | None = None
        self._thread = threading.Thread(
            target=self._run, args=(source, pyramid), name="peak-pyramid", daemon=True
        )

    def start(self) -> None:
        """Start building."""
        self._thread.start()

    def _run(self, source: AudioSource, pyramid: PeakPyramid) -> None:
        try:
            pyramid.build(source, should_stop=self._stop.is_set)
        except Exception as error:  # shown in the status bar, never a crash
            self.error = str(error)

    @property
    def running(self) -> bool:
        """Whether the build is still going."""
        return self._thread.is_alive()

    def stop(self) -> None:
        """Ask the build to stop and wait for it."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)


class SpectrogramItem(pg.ImageItem):
    """Log-magnitude STFT of the visible range (up to two minutes), computed on demand."""

    MAX_SECONDS = 120.0

    def __init__(self, source: AudioSource):
        super().__init__()
        self.source = source
        self.setColorMap(pg.colormap.get("inferno"))
        self._last: tuple[int, int, int] | None = None

    def refresh(self, x0: float, x1: float, pixels: int) -> None:
        """Recompute for the view ``[x0, x1]`` seconds, about ``pixels`` columns."""
        rate = self.source.sample_rate
        first = max(0, int(x0 * rate))
        last = min(self.source.frames, int(x1 * rate) + 1)
        if last - first < 512 or (last - first) > self.MAX_SECONDS * rate:
            self.clear()
            self._last = None
            return
        key = (first, last, pixels)
        if key == self._last:
            return
        self._last = key
        samples = self.source.read(first, last - first).astype(np.float64)
        n_fft = 512 if rate <= 24000 else 1024
        hop = max(n_fft // 8, (len(samples) - n_fft) // max(pixels, 1) + 1)
        if len(samples) < n_fft:
            self.clear()
            return
        frames = np.lib.stride_tricks.sliding_window_view(samples, n_fft)[::hop]
        spectrum = np.abs(np.fft.rfft(frames * np.hanning(n_fft), axis=1))
        image = 20 * np.log10(spectrum + 1e-6)
        low, high = np.percentile(image, [5, 99.5]) if image.size else (0, 1)
        self.setImage(image, levels=(low, high), autoLevels=False)
        width = len(frames) * hop / rate
        self.setRect(QRectF(first / rate, 0.0, width, rate / 2))
