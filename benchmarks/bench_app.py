"""App benchmark: edit -> repainted numbers, lanes and error lane (JSON lines).

A synthetic 1-hour meeting (1,000 turns, 4 speakers) with a 1-hour 16 kHz WAV, shown in the
real window offscreen. Each timed step pushes one nudge through the history (incremental
rescoring, metrics panel, error lane) and repaints the whole window synchronously. Anchors
measured in the same run: a full rescoring of the pair, and a repaint with no edit.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")

import numpy as np  # noqa: E402
import soundfile as sf  # noqa: E402
from common import emit  # noqa: E402

from reviewer.io import write_rttm  # noqa: E402
from reviewer.metrics import score  # noqa: E402
from reviewer.model import commands  # noqa: E402
from reviewer.model.document import CORRECTED, REFERENCE, SYSTEM  # noqa: E402
from reviewer.model.synthetic import meeting, system_output  # noqa: E402
from reviewer.model.time import TICKS_PER_SECOND  # noqa: E402


def main() -> None:
    from reviewer.ui.app import application, build_window, prepare, release

    folder = Path(tempfile.mkdtemp(prefix="reviewer-bench-"))
    reference = meeting(hours=1, turns=1000, speakers=4, seed=0, uri="meeting")
    system = system_output(reference, seed=1)
    write_rttm(folder / "ref.rttm", [reference])
    write_rttm(folder / "sys.rttm", [system])
    rate = 16000
    rng = np.random.default_rng(0)
    with sf.SoundFile(folder / "meeting.wav", "w", rate, 1, "PCM_16") as out:
        for _ in range(60):
            out.write((rng.standard_normal(rate * 60) * 0.1).astype(np.float32))

    app = application()
    review = prepare(folder / "meeting.wav", folder / "ref.rttm", folder / "sys.rttm")
    review.builder._thread.join()
    window = build_window(review, with_player=False)
    window.resize(1600, 900)
    window.show()
    app.processEvents()
    editor = review.editor
    window.timeline.set_view(600.0, 660.0)
    app.processEvents()

    def repaint() -> None:
        window.repaint()
        app.processEvents()

    idle = []
    for _ in range(20):
        start = time.perf_counter()
        repaint()
        idle.append((time.perf_counter() - start) * 1000)

    full = []
    doc = editor.document
    for _ in range(20):
        start = time.perf_counter()
        score(doc[REFERENCE], doc[CORRECTED])
        full.append((time.perf_counter() - start) * 1000)

    times = []
    turns = [
        t for t in doc[CORRECTED].turns if 600 * TICKS_PER_SECOND < t.start < 650 * TICKS_PER_SECOND
    ]
    for turn in turns[:20]:
        editor.select(turn)
        for delta in (10, -10):
            current = editor.selected
            start = time.perf_counter()
            editor.push(commands.nudge(CORRECTED, current, "end", delta * TICKS_PER_SECOND // 1000))
            repaint()
            times.append((time.perf_counter() - start) * 1000)
    assert editor.live.score == score(doc[REFERENCE], doc[CORRECTED])
    assert SYSTEM in doc
    emit(
        "app_edit_to_repaint_1h_1000_turns",
        statistics.median(times),
        p95_ms=round(sorted(times)[int(0.95 * len(times))], 3),
        target_ms=50,
        anchor="repaint with no edit",
        anchor_value=round(statistics.median(idle), 3),
        full_rescore_ms=round(statistics.median(full), 3),
        edits=len(times),
    )
    release(window, review)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
