"""The first paint shows the waveform: a sketch until the pyramid is built (issue 16, item 7)."""

from __future__ import annotations

import numpy as np
import soundfile as sf

from reviewer.io.audio import AudioSource
from reviewer.io.peaks import SKETCH_COLUMNS, SKETCH_FRAMES, PeakPyramid, Sketch

pytest_plugins = ["launch_helpers"]  # the clean_home fixture

RATE = 16000


def _wav(path, seconds: float, rng) -> AudioSource:
    """Noise whose loudness changes every second (so columns differ), as a 16-bit WAV."""
    frames = int(seconds * RATE)
    loudness = np.repeat(rng.uniform(0.05, 0.9, int(seconds) + 1), RATE)[:frames]
    sf.write(path, (rng.uniform(-1, 1, frames) * loudness).astype(np.float32), RATE, "PCM_16")
    return AudioSource.open(path)


def test_a_short_recording_is_sketched_exactly(tmp_path):
    source = _wav(tmp_path / "short.wav", 30, np.random.default_rng(1))
    sketch = Sketch(source)
    samples = source.read(0, source.frames)
    assert sketch.exact and len(sketch.starts) == SKETCH_COLUMNS
    for column in (0, 1, 100, SKETCH_COLUMNS - 1):
        end = sketch.starts[column + 1] if column + 1 < SKETCH_COLUMNS else source.frames
        piece = samples[sketch.starts[column] : end]
        assert (sketch.mins[column], sketch.maxs[column]) == (piece.min(), piece.max())


def test_a_long_recording_is_sampled_within_its_true_range(tmp_path):
    source = _wav(tmp_path / "long.wav", 120, np.random.default_rng(2))
    sketch = Sketch(source)
    assert not sketch.exact and len(sketch.starts) == SKETCH_COLUMNS
    pyramid = PeakPyramid.for_source(source)
    pyramid.build(source)
    samples = source.read(0, source.frames)
    ends = np.append(sketch.starts[1:], source.frames)
    for column in range(SKETCH_COLUMNS):
        piece = samples[sketch.starts[column] : ends[column]]
        assert piece.min() <= sketch.mins[column] <= sketch.maxs[column] <= piece.max()
    middle = (sketch.starts[7] + ends[7] - SKETCH_FRAMES) // 2
    read = samples[middle : middle + SKETCH_FRAMES]
    assert (sketch.mins[7], sketch.maxs[7]) == (read.min(), read.max())


def test_fill_puts_the_sketch_only_where_nothing_is_built(tmp_path):
    source = _wav(tmp_path / "short.wav", 10, np.random.default_rng(3))
    sketch = Sketch(source, columns=4)
    positions = np.array([0, source.frames // 2, source.frames - 1])
    mins = np.array([np.nan, -0.01, np.nan])
    maxs = np.array([np.nan, 0.01, np.nan])
    sketch.fill(positions, mins, maxs)
    assert mins.tolist() == [sketch.mins[0], -0.01, sketch.mins[3]]
    assert maxs.tolist() == [sketch.maxs[0], 0.01, sketch.maxs[3]]


def test_the_first_paint_shows_the_waveform_the_lanes_and_the_der(clean_home, qtbot):
    """At the first paint of a 2-minute recording: its sketch drawn, no pyramid yet."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication, QLabel

    from reviewer.io.rttm import write_rttm
    from reviewer.model.annotation import Track, Turn
    from reviewer.ui.app import Controller, application, prepare

    source = _wav(clean_home / "talk.wav", 120, np.random.default_rng(4))
    turns = [
        Turn(i * 10 * 3_528_000_000, (i * 10 + 6) * 3_528_000_000, f"s{i % 2}") for i in range(12)
    ]
    write_rttm(clean_home / "ref.rttm", {"talk": Track(turns)})
    write_rttm(clean_home / "sys.rttm", {"talk": Track(turns[1:])})
    application()
    review = prepare(source.path, clean_home / "ref.rttm", clean_home / "sys.rttm", start=False)
    controller = Controller()
    seen: dict = {}

    class FirstPaint(QObject):
        def eventFilter(self, watched, event):  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint and not seen and controller.windows:
                window = controller.windows[0]
                waveform = window.timeline.waveform
                seen.update(
                    built=review.builder.pyramid.ready_frames,
                    drawn=float(np.abs(waveform.yData).max()) if waveform.yData is not None else 0,
                    der=[label.text() for label in window.metrics.findChildren(QLabel)],
                )
            return False

    paints = FirstPaint()
    QApplication.instance().installEventFilter(paints)
    try:
        window = controller.show(review)
        with qtbot.waitSignal(window.completed, timeout=60_000):
            pass
        qtbot.waitUntil(lambda: bool(seen))
        assert seen["built"] == 0  # the pyramid's build starts after the first paint
        assert seen["drawn"] > 0.05  # but the waveform is drawn: the sketch
        assert any(text.endswith(" %") for text in seen["der"])  # the DER, computed
        assert window.timeline.lane_area.isVisible()
        qtbot.waitUntil(lambda: review.builder.pyramid.complete, timeout=60_000)
        window.timeline.refresh_waveform()
        assert window.timeline.waveform.sketch is None  # built: the sketch is gone
    finally:
        QApplication.instance().removeEventFilter(paints)
        controller.release()
