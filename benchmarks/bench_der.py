"""DER engine benchmark: prints one JSON object per line.

Each line: ``name``, ``value``, ``unit``, and the anchors measured in the same run
(``anchor``, ``anchor_value``). Run: ``.venv/bin/python benchmarks/bench_der.py``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")

from common import emit, timed  # noqa: E402

from reviewer.metrics import IncrementalScorer, score  # noqa: E402
from reviewer.model.annotation import Track, Turn  # noqa: E402
from reviewer.model.synthetic import meeting, system_output  # noqa: E402
from reviewer.model.time import TICKS_PER_SECOND  # noqa: E402

PAIRS = {
    "1h": dict(hours=1, turns=1000, speakers=4, seed=0),
    "10h": dict(hours=10, turns=20000, speakers=8, seed=3),
}


def cold(track: Track) -> Track:
    """The same turns with no cached columns, so conversion is timed too."""
    return Track(track.turns, uri=track.uri)


def as_tuples(track: Track) -> list[tuple[str, float, float]]:
    """spy-der's input: ``(speaker, start, end)`` in seconds."""
    return [(t.speaker, t.start / TICKS_PER_SECOND, t.end / TICKS_PER_SECOND) for t in track]


def bench_pair(label: str, spec: dict, repeat: int) -> None:
    """Full scoring (tracks, Annotations), incremental update, and the anchors, on one pair."""
    import spyder
    from pyannote.metrics.diarization import DiarizationErrorRate

    reference = meeting(**spec, uri=label)
    hypothesis = system_output(reference, seed=spec["seed"] + 1)
    ref_ann, hyp_ann = reference.to_annotation(), hypothesis.to_annotation()
    ref_tuples, hyp_tuples = as_tuples(reference), as_tuples(hypothesis)

    spy = timed(lambda _: spyder.DER(ref_tuples, hyp_tuples), repeat)
    pm = timed(lambda _: DiarizationErrorRate()(ref_ann, hyp_ann), 3 if label == "1h" else 1)
    anchors = dict(spyder_ms=round(spy, 3), pyannote_metrics_ms=round(pm, 3))
    meta = dict(turns=len(reference), speakers=len(reference.labels))

    ours_tracks = timed(lambda _: score(cold(reference), cold(hypothesis)), repeat)
    ours_ann = timed(lambda _: score(ref_ann, hyp_ann), repeat)
    for kind, value in (("tracks", ours_tracks), ("annotations", ours_ann)):
        emit(
            f"der_full_{kind}_{label}",
            value,
            **anchors,
            **meta,
            speedup_vs_spyder=round(spy / value, 2),
            speedup_vs_pyannote_metrics=round(pm / value, 1),
        )

    scorer = IncrementalScorer(reference, hypothesis)
    turns = list(hypothesis)
    times = []
    for turn in turns[:: max(1, len(turns) // 200)]:
        moved = Turn(turn.start, turn.end + TICKS_PER_SECOND // 100, turn.speaker)
        start = time.perf_counter()
        scorer.replace("hypothesis", turn, moved)
        _ = scorer.score
        times.append((time.perf_counter() - start) * 1000)
        scorer.replace("hypothesis", moved, turn)
    emit(
        f"der_incremental_move_boundary_{label}",
        statistics.median(times),
        **anchors,
        **meta,
        p95_ms=round(sorted(times)[int(0.95 * len(times))], 4),
        full_rescore_ms=round(ours_tracks, 3),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--pairs", nargs="*", default=list(PAIRS))
    args = parser.parse_args()
    for label in args.pairs:
        repeat = args.repeat if label == "1h" else max(3, args.repeat // 3)
        bench_pair(label, PAIRS[label], repeat)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
