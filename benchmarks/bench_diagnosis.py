"""Diagnosis benchmark (JSON lines): naming splits and merges and rescoring each fix exactly.

Per recording (synthetic meetings, a split and a merge made by relabelling, 4 and 20
speakers): :func:`reviewer.metrics.diagnosis.diagnose` and the Why? tab's whole refresh after
one edit (offscreen: breakdown, diagnosis and every table). Anchor measured in the same run:
a plain md-eval scoring of the same pair (``reviewer.score``), and the 1-hour figures.

Run: ``.venv/bin/python benchmarks/bench_diagnosis.py`` (``--hours 1`` for the anchor alone).
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from common import emit, timed  # noqa: E402

from reviewer.metrics import score  # noqa: E402
from reviewer.metrics.diagnosis import diagnose  # noqa: E402
from reviewer.model.annotation import Track, Turn  # noqa: E402
from reviewer.model.synthetic import meeting, system_output  # noqa: E402


def material(hours: int, speakers: int) -> tuple[Track, Track]:
    """A meeting and a system output whose first speaker is split and next two merged."""
    reference = meeting(hours=hours, turns=1000 * hours, speakers=speakers, seed=0)
    system = system_output(reference, seed=1)
    labels = system.labels
    half = (reference.extent.end if reference.extent else 0) // 2
    turns = [
        Turn(
            t.start,
            t.end,
            "split"
            if t.speaker == labels[0] and t.start >= half
            else labels[2]
            if t.speaker == labels[1]
            else t.speaker,
        )
        for t in system
    ]
    return reference, Track(turns, uri=reference.uri)


def panel_refresh(reference: Track, system: Track, repeat: int) -> float:
    """Median ms of the Why? tab's refresh after one edit (its whole work, shown)."""
    from reviewer.app.editor import Editor
    from reviewer.model import commands
    from reviewer.model.document import CORRECTED, REFERENCE, Document
    from reviewer.ui.app import application
    from reviewer.ui.breakdown_panel import BreakdownPanel

    application()
    editor = Editor(Document("meeting", {REFERENCE: reference, CORRECTED: system}))
    panel = BreakdownPanel(editor)
    panel.show()
    turns = list(editor.document[CORRECTED].turns)[:: max(1, len(system) // repeat)]

    def edit_and_refresh(i: int) -> None:
        turn = next(t for t in editor.document[CORRECTED] if t.start == turns[i].start)
        editor.push(commands.nudge(CORRECTED, turn, "end", -1))
        panel.refresh()

    result = timed(edit_and_refresh, min(repeat, len(turns)))
    panel.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=int, nargs="*", default=[1, 10])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    anchor: dict[int, float] = {}
    for speakers in (4, 20):
        for hours in sorted(set(args.hours) | {1}):
            reference, system = material(hours, speakers)
            found = diagnose(reference, system)
            plain = timed(lambda _, r=reference, s=system: score(r, s), args.repeat)
            ms = timed(lambda _, r=reference, s=system: diagnose(r, s), args.repeat)
            if hours == 1:
                anchor[speakers] = ms
            emit(
                f"diagnose_{hours}h_{speakers}spk",
                ms,
                fixes=len(found.fixes),
                score_ms=round(plain, 3),
                anchor="reviewer.score of the same pair (score_ms); diagnose at 1 h",
                anchor_value=round(anchor[speakers], 3),
            )
            emit(
                f"why_tab_refresh_{hours}h_{speakers}spk",
                panel_refresh(reference, system, args.repeat),
                anchor="diagnose alone (same run)",
                anchor_value=round(ms, 3),
            )


if __name__ == "__main__":
    main()
