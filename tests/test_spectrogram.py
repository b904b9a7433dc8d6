"""The spectrogram lines up with the waveform and the lanes at every zoom and fills the view.

A real WAV with a 3 kHz burst at 10.200-10.250 s, read by the real item: before, each column
showed the window starting at its time (drawn 16 ms early) and the last 32 ms of every view
stayed black; at sub-window zooms nothing was drawn.
"""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import QPointF

from reviewer.io.audio import AudioSource
from reviewer.ui.waveform import SpectrogramItem

RATE = 16000
BURST = (10.200, 10.250)


@pytest.fixture
def item(tmp_path, qtbot):
    samples = np.zeros(12 * RATE)
    a, b = (round(t * RATE) for t in BURST)
    samples[a:b] = 0.5 * np.sin(2 * np.pi * 3000 * np.arange(b - a) / RATE)
    path = tmp_path / "burst.wav"
    sf.write(path, samples, RATE, subtype="PCM_16")
    return SpectrogramItem(AudioSource.open(path))


def column_times(item: SpectrogramItem) -> np.ndarray:
    """The time (seconds) at the middle of each column, as the item is placed."""
    n = item.image.shape[0]
    return np.array([item.mapToParent(QPointF(k + 0.5, 0)).x() for k in range(n)])


@pytest.mark.parametrize(("x0", "x1", "pixels"), [(10.1, 10.3, 400), (9.0, 11.0, 1500)])
def test_a_burst_is_drawn_where_it_sounds(item, x0, x1, pixels):
    item.refresh(x0, x1, pixels)
    times = column_times(item)
    band = item.image[:, round(3000 / (RATE / 512))]  # the 3 kHz bin
    energy = 10 ** (band / 10)
    centre = float(np.sum(times * energy) / np.sum(energy))
    assert centre == pytest.approx(sum(BURST) / 2, abs=0.003)  # was 16 ms early


@pytest.mark.parametrize(("x0", "x1"), [(10.1, 10.3), (10.2, 10.201), (0.0, 2.0), (11.9, 12.0)])
def test_the_columns_cover_the_whole_view(item, x0, x1):
    item.refresh(x0, x1, 800)
    assert item.image is not None and item.image.shape[0] > 0
    rect = item.mapRectToParent(item.boundingRect())
    assert rect.left() <= x0 + 1 / RATE
    assert rect.right() >= min(x1, 12.0) - 1 / RATE
