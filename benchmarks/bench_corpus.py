"""Corpus benchmark: a 200+-recording corpus opens in the corpus window (JSON lines).

The corpus is the shared VoxConverse dev set (216 references and system outputs from
``../shared/conformance/voxconverse``, copied to a temporary ``ref/`` and ``sys/``), or,
without ``../shared``, 200 synthetic recordings. ``--audio`` adds silent 8 kHz FLAC files of
matching length, so durations come from audio headers.

Model level: scoring every recording (DER and breakdown, files read included); anchor in
the same run: pyannote.metrics' ``DiarizationErrorRate`` over the same pairs, scoring only,
given md-eval's default UEM and each speaker's turns merged like md-eval (so the DERs agree).
App level, real Qt offscreen: the window shown, its first row, the whole table scored, and
the gaps between the ticks of a 10 ms timer while scoring runs in the background (the "UI
does not freeze" figure). Keeping corrections: the project autosave with corrections in every
recording, and one recording's row rescored.
Run: ``.venv/bin/python benchmarks/bench_corpus.py [--audio]``.
"""

from __future__ import annotations

import argparse
import collections
import gc
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")

import numpy as np  # noqa: E402
from common import emit, timed  # noqa: E402

from reviewer.corpus import (  # noqa: E402
    Project,
    TrackCache,
    corpus_totals,
    discover,
    score_entries,
    score_entry,
)
from reviewer.io import write_rttm  # noqa: E402
from reviewer.model.annotation import Track  # noqa: E402
from reviewer.model.synthetic import meeting, system_output  # noqa: E402
from reviewer.model.time import TICKS_PER_SECOND  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("REVIEWER_SHARED", ROOT.parent / "shared"))
VOXCONVERSE = SHARED / "conformance" / "voxconverse"
TICK_MS = 10
SLOW_TICK_MS = 35  # a gap this long is blamed on something (Clocks.blame)


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (nearest rank, like the other benchmarks' p95)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# --- the corpus -------------------------------------------------------------------------------


def build_corpus(folder: Path, synthetic: bool) -> str:
    """Fill ``folder`` with ``ref/`` and ``sys/``; returns where the corpus came from."""
    if not synthetic and (VOXCONVERSE / "ref-dev").is_dir():
        shutil.copytree(VOXCONVERSE / "ref-dev", folder / "ref")
        shutil.copytree(VOXCONVERSE / "dev-cases" / "hyp", folder / "sys")
        return "voxconverse-dev"
    rng = np.random.default_rng(0)
    (folder / "ref").mkdir()
    (folder / "sys").mkdir()
    for i in range(200):
        minutes = float(rng.uniform(2, 15))
        reference = meeting(
            hours=minutes / 60,
            turns=max(10, int(minutes * 12)),
            speakers=int(rng.integers(2, 9)),
            seed=i,
            uri=f"rec{i:03d}",
        )
        write_rttm(folder / "ref" / f"{reference.uri}.rttm", [reference])
        write_rttm(folder / "sys" / f"{reference.uri}.rttm", [system_output(reference, i + 1000)])
    return "synthetic"


def write_audio(folder: Path) -> None:
    """Silent 8 kHz int16 FLAC per recording, as long as its reference."""
    import soundfile as sf

    rate = 8000
    chunk = np.zeros(rate * 60, dtype=np.int16)
    cache = TrackCache()
    (folder / "audio").mkdir()
    for entry in discover(folder):
        reference = cache.track(entry.reference, entry.uri)
        extent = reference.extent if reference else None
        frames = int(np.ceil((extent.end if extent else 0) / TICKS_PER_SECOND * rate)) + rate
        with sf.SoundFile(folder / "audio" / f"{entry.uri}.flac", "w", rate, 1, "PCM_16") as out:
            while frames > 0:
                out.write(chunk[: min(frames, len(chunk))])
                frames -= len(chunk)


# --- model level ------------------------------------------------------------------------------


def bench_model(folder: Path, repeat: int, context: dict) -> None:
    """``score_entries(discover(folder))`` and the pyannote.metrics anchor."""
    from pyannote.core import Timeline
    from pyannote.metrics.diarization import DiarizationErrorRate

    rows = []
    ours = timed(lambda _: rows.append(score_entries(discover(folder))), repeat)
    rows = rows[-1]

    entries = discover(folder)
    start = time.perf_counter()
    cache = TrackCache()
    pairs = [
        (
            cache.track(e.reference, e.uri) or Track(uri=e.uri),
            cache.track(e.system, e.uri) or Track(uri=e.uri),
        )
        for e in entries
    ]
    read_ms = (time.perf_counter() - start) * 1000
    # md-eval merges a speaker's overlapping turns (180 of the VoxConverse system outputs
    # have some: ~890 s counted twice as false alarm by pyannote.metrics), and without a UEM
    # scores the reference's extent (pyannote.metrics: the union with the system's). Both
    # prepared here, outside the timing, so that the anchor computes the same DER.
    annotations = [(r.to_annotation().support(), h.to_annotation().support()) for r, h in pairs]
    uems = [Timeline([r.get_timeline().extent()], uri=r.uri) for r, _ in annotations]
    metric = DiarizationErrorRate()
    start = time.perf_counter()
    for (reference, hypothesis), uem in zip(annotations, uems, strict=True):
        metric(reference, hypothesis, uem=uem)
    anchor = (time.perf_counter() - start) * 1000
    der = corpus_totals(rows).score.der
    emit(
        "corpus_score_entries",
        ours,
        **context,
        anchor="pyannote.metrics DiarizationErrorRate (md-eval UEM, merged turns), scoring only",
        anchor_value=round(anchor, 3),
        speedup_vs_pyannote_metrics=round(anchor / ours, 1),
        read_rttm_ms=round(read_ms, 3),
        der_percent=round(100 * der, 3) if der is not None else None,
        anchor_der_percent=round(100 * abs(metric), 3),
        unscored=sum(r.problem is not None for r in rows),
    )


# --- app level --------------------------------------------------------------------------------


class Clocks:
    """When the main thread ran the window's row and pass slots and when the GC ran (any thread).

    A gap between timer ticks is blamed on whichever overlaps it: the window's own work, a
    garbage collection (which holds the GIL, whichever thread triggered it), or else the
    scoring thread (named with the frame it is in right after the gap).
    """

    def __init__(self, window_class):
        self.polls: list[tuple[float, float]] = []
        self.collections: list[tuple[float, float, int, str]] = []
        self._started: dict[int, float] = {}
        for name in ("_take_rows", "_refresh", "_end_pass"):  # the window's work on the UI thread
            setattr(window_class, name, self._timed(getattr(window_class, name)))
        gc.callbacks.append(self._collection)

    def _timed(self, slot):
        def timed(window, *args) -> None:
            start = time.perf_counter()
            slot(window, *args)
            self.polls.append((start, time.perf_counter()))

        return timed

    def _collection(self, phase: str, info: dict) -> None:
        now = time.perf_counter()
        thread = threading.current_thread()
        if phase == "start":
            self._started[thread.ident] = now
        elif thread.ident in self._started:
            start = self._started.pop(thread.ident)
            self.collections.append((start, now, info["generation"], thread.name))

    def blame(self, start: float, end: float) -> str:
        """What most likely held the main thread between two ticks."""
        for c_start, c_end, generation, thread in self.collections:
            if c_start < end and c_end > start and (c_end - c_start) > (end - start) / 3:
                return f"gc generation {generation} on {thread}"
        for p_start, p_end in self.polls:
            if p_start < end and p_end > start and (p_end - p_start) > (end - start) / 3:
                return "CorpusWindow rows and totals (main thread)"
        return "scoring thread"


def scoring_frame() -> str | None:
    """Where the scoring thread is now: its innermost frame in ``reviewer``, else any."""
    threads = {t.ident: t.name for t in threading.enumerate()}
    for ident, frame in sys._current_frames().items():
        if threads.get(ident) != "corpus-scoring":
            continue
        innermost = frame
        while frame is not None:
            if "/reviewer/" in frame.f_code.co_filename:
                name = frame.f_code.co_filename.split("/reviewer/", 1)[1]
                return f"reviewer/{name}:{frame.f_lineno} {frame.f_code.co_name}"
            frame = frame.f_back
        code = innermost.f_code
        return f"{Path(code.co_filename).name}:{innermost.f_lineno} {code.co_name}"
    return None


def open_once(app, folder: Path, clocks: Clocks, blamed: collections.Counter) -> dict:
    """Open the corpus window and run the event loop until every row is scored."""
    from PySide6.QtCore import QEvent, QEventLoop, QObject, Qt, QTimer

    from reviewer.ui.corpus_window import CorpusWindow

    loop = QEventLoop()
    ticks: list[float] = []
    frames: dict[int, str | None] = {}  # tick index -> scoring thread's frame after a gap
    marks: dict[str, float] = {}
    window = None

    def tick() -> None:
        now = time.perf_counter()
        if ticks and (now - ticks[-1]) * 1000 > SLOW_TICK_MS:
            frames[len(ticks)] = scoring_frame()
        ticks.append(now)
        if window is None:
            return
        if "first_row" not in marks and window.model.rowCount() > 0:
            marks["first_row"] = now
        if window.is_scored:
            marks["scored"] = now
            loop.quit()

    class FirstPaint(QObject):
        def eventFilter(self, watched, event) -> bool:  # noqa: N802
            if event.type() == QEvent.Type.Paint and "painted" not in marks:
                marks["painted"] = time.perf_counter()
            return False

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(TICK_MS)
    timer.timeout.connect(tick)
    timer.start()
    clocks.polls.clear()
    clocks.collections.clear()
    start = time.perf_counter()
    window = CorpusWindow(Project(discover(folder)), folder / "bench.reviewer-project.json")
    painter = FirstPaint()
    window.installEventFilter(painter)
    window.show()
    shown = time.perf_counter()
    window.model.rowsInserted.connect(lambda *_: marks.setdefault("first_row", time.perf_counter()))
    QTimer.singleShot(120_000, loop.quit)
    ticks.append(shown)  # the first gap: from show() to the loop's first tick
    loop.exec()
    timer.stop()
    if "scored" not in marks:
        raise RuntimeError("the corpus was not scored within 120 s")
    rows = window.model.rowCount()
    window.removeEventFilter(painter)
    window.close()
    window.deleteLater()
    # destroy it now, not in the next run's event loop (~100 ms of the next run's first gap)
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    app.processEvents()
    gaps = [(b - a) * 1000 for a, b in zip(ticks, ticks[1:], strict=False)]
    for index, gap in enumerate(gaps, start=1):
        if gap > SLOW_TICK_MS:
            cause = clocks.blame(ticks[index - 1], ticks[index])
            if cause == "scoring thread" and frames.get(index):
                cause += f" ({frames[index]})"
            blamed[cause] += 1
    polls = [(b - a) * 1000 for a, b in clocks.polls]
    full = [(b - a) * 1000 for a, b, generation, _ in clocks.collections if generation == 2]
    return {
        "shown": (shown - start) * 1000,
        "painted": (marks.get("painted", shown) - start) * 1000,
        "first_row": (marks["first_row"] - start) * 1000,
        "scored": (marks["scored"] - start) * 1000,
        "max_gap": max(gaps),
        "p95_gap": percentile(gaps, 0.95),
        "median_gap": statistics.median(gaps),
        "ticks": len(gaps),
        "poll_max": max(polls, default=0.0),
        "poll_total": sum(polls),
        "gc_full": len(full),
        "gc_full_max": max(full, default=0.0),
        "rows": rows,
    }


def bench_app(folder: Path, runs: int, context: dict, no_freeze: bool = False) -> None:
    """Median over ``runs`` fresh windows of the opening times and the UI tick gaps."""
    from reviewer.ui.app import application, freeze_startup_objects
    from reviewer.ui.corpus_window import CorpusWindow

    app = application()
    if not no_freeze:
        freeze_startup_objects()  # as `reviewer corpus` does before its event loop
    clocks = Clocks(CorpusWindow)
    blamed: collections.Counter = collections.Counter()
    results = [open_once(app, folder, clocks, blamed) for _ in range(runs)]

    def median(key: str) -> float:
        return statistics.median(r[key] for r in results)

    assert all(r["rows"] == context["recordings"] for r in results), results
    emit("corpus_window_shown", median("shown"), **context, first_paint_ms=median("painted"))
    emit("corpus_window_first_row", median("first_row"), **context, poll_interval_ms=100)
    emit(
        "corpus_window_scored",
        median("scored"),
        **context,
        runs=runs,
        runs_ms=[round(r["scored"], 1) for r in results],
    )
    emit(
        "corpus_window_ui_max_gap",
        median("max_gap"),
        **context,
        timer_interval_ms=TICK_MS,
        p95_gap_ms=round(median("p95_gap"), 3),
        median_gap_ms=round(median("median_gap"), 3),
        ticks=round(median("ticks")),
        runs_max_gap_ms=[round(r["max_gap"], 1) for r in results],
        poll_max_ms=round(median("poll_max"), 3),
        poll_total_ms=round(median("poll_total"), 3),
        full_gc_per_run=[r["gc_full"] for r in results],
        full_gc_max_ms=round(max(r["gc_full_max"] for r in results), 3),
        slow_gaps_over_ms=SLOW_TICK_MS,
        slow_gaps_blamed_on=dict(blamed.most_common(5)),
    )
    emit(
        "corpus_window_ui_p95_gap",
        median("p95_gap"),
        **context,
        timer_interval_ms=TICK_MS,
    )


# --- keeping corrections ----------------------------------------------------------------------


def bench_corrections(folder: Path, repeat: int, context: dict) -> None:
    """Project autosave with corrections in every recording; one row rescored."""
    project = Project(discover(folder))
    cache = TrackCache()
    turns = 0
    for entry in project.entries:
        corrected = cache.track(entry.system, entry.uri) or Track(uri=entry.uri)
        project.entry(entry.uri).corrected = corrected
        turns += len(corrected)
    path = folder / "bench.reviewer-project.json"
    save = timed(lambda _: project.save(path), repeat)
    emit(
        "corpus_project_save_all_corrected",
        save,
        **context,
        corrected_recordings=len(project.entries),
        corrected_turns=turns,
        file_mb=round(path.stat().st_size / 1e6, 3),
    )

    settings = project.settings
    single = []
    for entry in project.entries:
        start = time.perf_counter()
        score_entry(entry, project.entry(entry.uri), settings)
        single.append((time.perf_counter() - start) * 1000)
    largest = max(
        project.entries, key=lambda e: len(cache.track(e.reference, e.uri) or Track(uri=e.uri))
    )
    record = project.entry(largest.uri)
    worst = timed(lambda _: score_entry(largest, record, settings), repeat)
    emit(
        "corpus_rescore_one_row",
        statistics.median(single),
        **context,
        p95_ms=round(percentile(single, 0.95), 3),
        largest_recording=largest.uri,
        largest_reference_turns=len(cache.track(largest.reference, largest.uri)),
        largest_ms=round(worst, 3),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3, help="fresh corpus windows opened")
    parser.add_argument("--audio", action="store_true", help="silent FLAC per recording")
    parser.add_argument("--synthetic", action="store_true", help="even with ../shared")
    parser.add_argument(
        "--no-freeze", action="store_true", help="without gc.freeze() (the app freezes startup)"
    )
    parser.add_argument("--skip", nargs="*", default=[], choices=["model", "app", "corrections"])
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="reviewer-bench-corpus-"))
    os.environ["XDG_STATE_HOME"] = str(folder / "state")  # journals, not the user's
    os.environ["XDG_CONFIG_HOME"] = str(folder / "config")
    corpus = folder / "corpus"
    corpus.mkdir()
    try:
        source = build_corpus(corpus, args.synthetic)
        if args.audio:
            write_audio(corpus)
        rows = score_entries(discover(corpus))
        context = dict(
            corpus=source,
            recordings=len(rows),
            hours=round(sum(r.duration for r in rows) / 3600, 2),
            audio=args.audio,
        )
        if "model" not in args.skip:
            bench_model(corpus, args.repeat, context)
        if "app" not in args.skip:
            bench_app(
                corpus, args.runs, {**context, "gc_freeze": not args.no_freeze}, args.no_freeze
            )
        if "corrections" not in args.skip:
            bench_corrections(corpus, args.repeat, context)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
