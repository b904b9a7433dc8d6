"""Error breakdown benchmark (JSON lines): full breakdown and live update after one edit.

Anchor measured in the same run: the full md-eval scoring of the same pair
(``reviewer.score``) and pyannote.metrics' ``IdentificationErrorAnalysis.difference``
(the error regions pyannote offers, about 0.4 s per hour).
"""

from __future__ import annotations

import json
import os
import statistics
import time

os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")

from common import timed  # noqa: E402

from reviewer.metrics import score  # noqa: E402
from reviewer.metrics.breakdown import breakdown  # noqa: E402
from reviewer.metrics.live import LiveBreakdown, LiveScore  # noqa: E402
from reviewer.model import commands  # noqa: E402
from reviewer.model.document import CORRECTED, REFERENCE, Document  # noqa: E402
from reviewer.model.history import History  # noqa: E402
from reviewer.model.synthetic import meeting, system_output  # noqa: E402
from reviewer.model.time import TICKS_PER_SECOND  # noqa: E402


def main() -> None:
    from pyannote.metrics.errors.identification import IdentificationErrorAnalysis

    reference = meeting(hours=1, turns=1000, speakers=4, seed=0)
    system = system_output(reference, seed=1)
    full = timed(lambda _: breakdown(reference, system), 15)
    plain = timed(lambda _: score(reference, system), 15)
    ref_ann, sys_ann = reference.to_annotation(), system.to_annotation()
    analysis = IdentificationErrorAnalysis()
    anchor = timed(lambda _: analysis.difference(ref_ann, sys_ann), 3)
    print(
        json.dumps(
            {
                "name": "breakdown_full_1h",
                "value": round(full, 3),
                "unit": "ms",
                "target_ms": 20,
                "anchor": "pyannote.metrics IdentificationErrorAnalysis.difference",
                "anchor_value": round(anchor, 3),
                "score_only_ms": round(plain, 3),
            }
        ),
        flush=True,
    )

    document = Document("meeting", {REFERENCE: reference, CORRECTED: system})
    history = History(document)
    live = LiveBreakdown(LiveScore(document))
    times = []
    for turn in list(document[CORRECTED].turns)[::25]:
        current = turn
        start = time.perf_counter()
        history.push(commands.nudge(CORRECTED, current, "end", TICKS_PER_SECOND // 100))
        _ = live.result.headline()
        times.append((time.perf_counter() - start) * 1000)
    print(
        json.dumps(
            {
                "name": "breakdown_live_update_1h",
                "value": round(statistics.median(times), 3),
                "unit": "ms",
                "target_ms": 10,
                "p95_ms": round(sorted(times)[int(0.95 * len(times))], 3),
                "anchor": "full breakdown",
                "anchor_value": round(full, 3),
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
