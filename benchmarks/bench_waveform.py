"""Waveform benchmark: the peak pyramid against naive pyqtgraph; one JSON object per line.

On a generated 1-hour 16 kHz mono int16 WAV: the time to build the pyramid (directly, and in
the background as the app does), the time of
``envelope`` for the whole file and for a 10 s window at 2000 points, the peak memory growth
of the build, and, measured in the same run, the anchor: the whole file read as float32 and
given to ``pyqtgraph.PlotDataItem`` with peak downsampling and clip-to-view, redrawn after
``setXRange``. Ours and the anchor each run in a fresh process, so their memory does not mix.

Each line: ``name``, ``value``, ``unit``, and the anchor measured in the same run
(``anchor``, ``anchor_value``). Run: ``.venv/bin/python benchmarks/bench_waveform.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf
from common import emit, timed

RATE = 16_000
WIDTH = 2000
"""Points asked of ``envelope``, and the plot's width in pixels for the drawn comparisons."""

WINDOW_SECONDS = 10


def write_recording(path: Path, hours: float, seed: int = 0) -> int:
    """Write a speech-like int16 WAV (noise bursts under a slow envelope), minute by minute."""
    rng = np.random.default_rng(seed)
    minutes = round(hours * 60)
    with sf.SoundFile(path, "w", RATE, 1, "PCM_16") as out:
        for _ in range(minutes):
            frames = 60 * RATE
            bursts = np.repeat(rng.random(60 * 4) < 0.6, frames // (60 * 4))
            level = np.repeat(rng.uniform(0.05, 0.7, 60 * 4), frames // (60 * 4))
            out.write((rng.normal(0, 0.25, frames) * bursts * level).clip(-1, 1))
    return minutes * 60 * RATE


def rss_mb() -> float:
    """Resident memory now, in MB."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def reset_peak_rss() -> float:
    """Reset the kernel's peak-RSS mark to the current RSS (Linux); return the RSS in MB."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        pass  # then the peak is the process's lifetime peak (fresh process: close enough)
    return rss_mb()


def peak_rss_mb() -> float:
    """Largest resident memory since the last reset, in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def plot_widget():
    """An offscreen pyqtgraph plot ``WIDTH`` pixels wide, and its QApplication."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    widget = pg.PlotWidget()
    widget.resize(WIDTH, 300)
    widget.show()
    app.processEvents()
    return app, widget


def redraw(app, widget, x0: float, x1: float) -> None:
    """Show ``[x0, x1]`` seconds and force a full repaint."""
    widget.setXRange(x0, x1, padding=0)
    app.processEvents()
    widget.grab()


def window_at(i: int, duration: float) -> tuple[float, float]:
    """A 10 s window that moves every call (so no layer can reuse the last answer)."""
    x0 = duration * 0.37 + (i % 7) * 0.5
    return x0, x0 + WINDOW_SECONDS


def full_at(i: int, duration: float) -> tuple[float, float]:
    """The whole file, alternating between two nearly equal ranges."""
    return (0.0, duration) if i % 2 == 0 else (0.0, duration * 0.9995)


def child_ours(path: Path) -> dict:
    """Build the pyramid, time ``envelope``, and draw its envelope like the app does."""
    from reviewer.io.audio import AudioSource
    from reviewer.io.peaks import PeakPyramid

    source = AudioSource.open(path)
    rate, frames = source.sample_rate, source.frames
    duration = frames / rate
    before = reset_peak_rss()
    pyramid = PeakPyramid.for_source(source)
    start = time.perf_counter()
    pyramid.build(source)
    build_ms = (time.perf_counter() - start) * 1000
    growth = peak_rss_mb() - before

    def frames_of(x0: float, x1: float) -> tuple[int, int]:
        return int(x0 * rate), int(x1 * rate)

    result = dict(
        build_ms=build_ms,
        build_rss_growth_mb=growth,
        pyramid_mb=pyramid.nbytes / 2**20,
        levels=pyramid.levels,
        full_ms=timed(lambda i: pyramid.envelope(*frames_of(*full_at(i, duration)), WIDTH), 201),
        full_points=len(pyramid.envelope(0, frames, WIDTH)[0]),
        window_ms=timed(
            lambda i: pyramid.envelope(*frames_of(*window_at(i, duration)), WIDTH), 201
        ),
        window_points=len(pyramid.envelope(*frames_of(*window_at(0, duration)), WIDTH)[0]),
    )
    minute = (
        frames_of(*window_at(0, duration))[0],
        frames_of(*window_at(0, duration))[0] + 60 * rate,
    )
    result["minute_ms"] = timed(
        lambda i: pyramid.envelope(minute[0] + i, minute[1] + i, WIDTH), 201
    )
    result["minute_points"] = len(pyramid.envelope(*minute, WIDTH)[0])

    from reviewer.ui.waveform import PyramidBuilder

    background = PeakPyramid.for_source(source)
    builder = PyramidBuilder(source, background)
    start = time.perf_counter()
    builder.start()
    builder.wait()  # as ui/app.py's render waits for it
    result["background_build_ms"] = (time.perf_counter() - start) * 1000
    result["background_complete"] = background.complete

    import pyqtgraph as pg

    app, widget = plot_widget()
    curve = pg.PlotCurveItem()
    widget.addItem(curve)

    def draw(x0: float, x1: float) -> None:
        # what reviewer.ui.waveform.WaveformItem does: one vertical stroke per point
        positions, mins, maxs = pyramid.envelope(*frames_of(x0, x1), WIDTH)
        x = positions / rate
        if np.array_equal(mins, maxs):
            curve.setData(x, np.nan_to_num(mins), connect="all")
        else:
            ys = np.empty(2 * len(x))
            ys[0::2], ys[1::2] = np.nan_to_num(mins), np.nan_to_num(maxs)
            curve.setData(np.repeat(x, 2), ys, connect="pairs")
        redraw(app, widget, x0, x1)

    result["draw_full_ms"] = timed(lambda i: draw(*full_at(i, duration)), 21)
    result["draw_window_ms"] = timed(lambda i: draw(*window_at(i, duration)), 21)
    return result


def child_anchor(path: Path) -> dict:
    """The naive way: the whole file as float32 in a downsampling, clip-to-view PlotDataItem."""
    import pyqtgraph as pg

    app, widget = plot_widget()
    before = reset_peak_rss()
    start = time.perf_counter()
    samples, rate = sf.read(path, dtype="float32")
    read_ms = (time.perf_counter() - start) * 1000
    duration = len(samples) / rate
    item = pg.PlotDataItem(np.arange(len(samples)) / rate, samples)
    widget.addItem(item)  # before clipToView: clipping while being added fails in pyqtgraph 0.14
    item.setDownsampling(auto=True, method="peak")
    item.setClipToView(True)
    redraw(app, widget, 0.0, duration)
    load_ms = (time.perf_counter() - start) * 1000
    full_ms = timed(lambda i: redraw(app, widget, *full_at(i + 1, duration)), 7)
    window_ms = timed(lambda i: redraw(app, widget, *window_at(i, duration)), 21)
    return dict(
        read_ms=read_ms,
        load_ms=load_ms,
        full_ms=full_ms,
        window_ms=window_ms,
        rss_growth_mb=peak_rss_mb() - before,
    )


def run_child(part: str, path: Path) -> dict:
    """Run one part in a fresh interpreter and return its result."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    command = [sys.executable, __file__, "--child", part, str(path)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{part} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=1.0, help="length of the test recording")
    parser.add_argument("--child", nargs=2, metavar=("PART", "WAV"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        part, path = args.child
        result = (child_ours if part == "ours" else child_anchor)(Path(path))
        print(json.dumps(result), flush=True)
        os._exit(0)  # skip interpreter teardown: PySide6 can abort while collecting Qt objects

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "meeting.wav"
        frames = write_recording(path, args.hours)
        ours = run_child("ours", path)
        anchor = run_child("anchor", path)
    label = f"{args.hours:g}h_16k"
    common = dict(frames=frames, width=WIDTH)
    naive = "pyqtgraph PlotDataItem(x, y), peak downsampling + clipToView"
    emit(
        f"waveform_pyramid_build_{label}",
        ours["build_ms"],
        anchor=f"naive load: soundfile.read float32 + {naive} + first draw",
        anchor_value=anchor["load_ms"],
        anchor_read_ms=anchor["read_ms"],
        levels=ours["levels"],
        **common,
    )
    emit(
        f"waveform_pyramid_build_background_{label}",
        ours["background_build_ms"],
        note="the same build as the app runs it: PyramidBuilder.start() until it has ended",
        complete=ours["background_complete"],
        **common,
    )
    emit(
        f"waveform_envelope_full_{label}",
        ours["full_ms"],
        points=ours["full_points"],
        anchor=f"{naive}: setXRange(full) + processEvents + grab",
        anchor_value=anchor["full_ms"],
        speedup_vs_anchor=anchor["full_ms"] / ours["full_ms"],
        **common,
    )
    emit(
        f"waveform_envelope_{WINDOW_SECONDS}s_{label}",
        ours["window_ms"],
        points=ours["window_points"],
        path=f"min/max of {WINDOW_SECONDS * RATE // WIDTH}-frame groups read from the file "
        "(4 to 256 frames per point)",
        anchor=f"{naive}: setXRange({WINDOW_SECONDS} s) + processEvents + grab",
        anchor_value=anchor["window_ms"],
        speedup_vs_anchor=anchor["window_ms"] / ours["window_ms"],
        **common,
    )
    emit(
        f"waveform_envelope_60s_{label}",
        ours["minute_ms"],
        points=ours["minute_points"],
        path="level 0 (480 frames per point)",
        **common,
    )
    emit(
        f"waveform_draw_full_{label}",
        ours["draw_full_ms"],
        note="envelope + PlotCurveItem.setData + setXRange + processEvents + grab",
        anchor=f"{naive}: setXRange(full) + processEvents + grab",
        anchor_value=anchor["full_ms"],
        speedup_vs_anchor=anchor["full_ms"] / ours["draw_full_ms"],
        **common,
    )
    emit(
        f"waveform_draw_{WINDOW_SECONDS}s_{label}",
        ours["draw_window_ms"],
        note="envelope + PlotCurveItem.setData + setXRange + processEvents + grab",
        anchor=f"{naive}: setXRange({WINDOW_SECONDS} s) + processEvents + grab",
        anchor_value=anchor["window_ms"],
        speedup_vs_anchor=anchor["window_ms"] / ours["draw_window_ms"],
        **common,
    )
    emit(
        f"waveform_build_rss_growth_{label}",
        ours["build_rss_growth_mb"],
        unit="MB",
        pyramid_mb=ours["pyramid_mb"],
        anchor=f"naive: peak RSS growth of read + {naive} + draws",
        anchor_value=anchor["rss_growth_mb"],
        anchor_unit="MB",
        **common,
    )


if __name__ == "__main__":
    main()
