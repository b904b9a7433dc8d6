"""DER engine benchmark: prints one JSON object per line.

Each line: ``name``, ``value``, ``unit``, and the anchors measured in the same run
(``anchor``, ``anchor_value``). Run: ``.venv/bin/python benchmarks/bench_der.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")

from reviewer.model.annotation import Track, Turn  # noqa: E402
from reviewer.model.metrics import IncrementalScorer, score  # noqa: E402
from reviewer.model.synthetic import meeting, system_output  # noqa: E402
from reviewer.model.time import TICKS_PER_SECOND  # noqa: E402

PAIRS = {
    "1h": dict(hours=1, turns=1000, speakers=4, seed=0),
    "10h": dict(hours=10, turns=20000, speakers=8, seed=3),
}


def timed(function, repeat: int) -> float:
    """Median wall time of ``function()`` in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def emit(name: str, value: float, unit: str = "ms", **anchors) -> None:
    print(json.dumps({"name": name, "value": round(value, 4), "unit": unit, **anchors}), flush=True)


def cold(track: Track) -> Track:
    """The same turns with no cached columns, so conversion is timed too."""
    return Track(track.turns, uri=track.uri)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--pairs", nargs="*", default=list(PAIRS))
    args = parser.parse_args()

    import spyder
    from pyannote.metrics.diarization import DiarizationErrorRate

    for label in args.pairs:
        spec = PAIRS[label]
        reference = meeting(**spec, uri=label)
        hypothesis = system_output(reference, seed=spec["seed"] + 1)
        ref_ann, hyp_ann = reference.to_annotation(), hypothesis.to_annotation()
        s = TICKS_PER_SECOND

        def as_tuples(track):
            return [(t.speaker, t.start / s, t.end / s) for t in track]

        ref_tuples, hyp_tuples = as_tuples(reference), as_tuples(hypothesis)
        repeat = args.repeat if label == "1h" else max(3, args.repeat // 3)

        spy = timed(lambda: spyder.DER(ref_tuples, hyp_tuples), repeat)
        pm = timed(lambda: DiarizationErrorRate()(ref_ann, hyp_ann), max(3, repeat // 3))
        anchors = dict(spyder_ms=round(spy, 3), pyannote_metrics_ms=round(pm, 3))

        ours_tracks = timed(lambda: score(cold(reference), cold(hypothesis)), repeat)
        ours_ann = timed(lambda: score(ref_ann, hyp_ann), repeat)
        meta = dict(turns=len(reference), speakers=len(reference.labels))
        emit(f"der_full_tracks_{label}", ours_tracks, **anchors, **meta,
             speedup_vs_spyder=round(spy / ours_tracks, 2),
             speedup_vs_pyannote_metrics=round(pm / ours_tracks, 1))
        emit(f"der_full_annotations_{label}", ours_ann, **anchors, **meta,
             speedup_vs_spyder=round(spy / ours_ann, 2),
             speedup_vs_pyannote_metrics=round(pm / ours_ann, 1))

        scorer = IncrementalScorer(reference, hypothesis)
        turns = list(hypothesis)
        step = max(1, len(turns) // 200)
        times = []
        for turn in turns[::step]:
            moved = Turn(turn.start, turn.end + s // 100, turn.speaker)
            start = time.perf_counter()
            scorer.replace("hypothesis", turn, moved)
            _ = scorer.score
            times.append((time.perf_counter() - start) * 1000)
            scorer.replace("hypothesis", moved, turn)
        emit(f"der_incremental_move_boundary_{label}", statistics.median(times), **anchors,
             **meta, p95_ms=round(sorted(times)[int(0.95 * len(times))], 4),
             full_rescore_ms=round(ours_tracks, 3))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
