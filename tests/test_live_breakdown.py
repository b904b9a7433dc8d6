"""The live breakdown recounts only around an edit and equals a fresh one bit for bit."""

from __future__ import annotations

import random

import numpy as np
import pytest

from reviewer.metrics.breakdown import ErrorBreakdown, breakdown
from reviewer.metrics.incremental_breakdown import IncrementalBreakdown
from reviewer.metrics.live import LiveBreakdown, LiveScore
from reviewer.model import commands as edit
from reviewer.model.annotation import Span
from reviewer.model.document import CORRECTED, REFERENCE, Document
from reviewer.model.history import History
from reviewer.model.scoring import ScoringSettings, ScoringSetup
from reviewer.model.synthetic import meeting, system_output
from reviewer.model.time import TICKS_PER_SECOND

MS = TICKS_PER_SECOND // 1000


def assert_identical(live: ErrorBreakdown, fresh: ErrorBreakdown) -> None:
    """Every number equal (floats bit for bit), and the same error intervals."""
    assert live.as_dict() == fresh.as_dict()
    assert live.ref_labels == fresh.ref_labels and live.hyp_labels == fresh.hyp_labels
    for name in ("starts", "ends", "missed", "false_alarm", "confusion", "cls"):
        assert np.array_equal(getattr(live.errors, name), getattr(fresh.errors, name)), name
    assert np.array_equal(live.errors.ref_active, fresh.errors.ref_active)
    assert np.array_equal(live.errors.hyp_active, fresh.errors.hyp_active)


def random_edit(history: History, track: str, rng: random.Random) -> None:
    turns = history.document[track].turns
    turn = turns[rng.randrange(len(turns))]
    choice = rng.randrange(6)
    if choice == 0:
        edge = rng.choice(["start", "end"])
        delta = rng.choice([-1, 1]) * rng.choice([10, 50, 400]) * MS
        command = edit.nudge(track, turn, edge, delta)
    elif choice == 1 and turn.duration > 2 * MS:
        command = edit.split(track, turn, turn.start + turn.duration // 2)
    elif choice == 2:
        speakers = history.document[track].labels
        command = edit.set_speaker(track, turn, rng.choice(speakers))
    elif choice == 3 and len(turns) > 5:
        command = edit.delete(track, (turn,))
    elif choice == 4:
        history.undo()
        return
    else:
        command = edit.nudge(track, turn, "start", rng.choice([-1, 1]) * 30 * MS)
    try:
        history.push(command)
    except (KeyError, ValueError):
        pass  # an edit the model refuses (a turn squeezed to nothing): nothing changed


SETTINGS = [
    pytest.param(ScoringSettings(), None, id="plain"),
    pytest.param(ScoringSettings(collar=0.25), None, id="collar"),
    pytest.param(ScoringSettings(skip_overlap=True), None, id="skip-overlap"),
    pytest.param(ScoringSettings(collar=0.1), (Span(0, 200 * TICKS_PER_SECOND),), id="uem"),
]


@pytest.mark.parametrize(("settings", "uem"), SETTINGS)
def test_many_random_edits_of_both_tracks_equal_a_fresh_breakdown(settings, uem):
    reference = meeting(hours=0.1, turns=120, speakers=4, seed=3)
    document = Document(
        "m", {REFERENCE: reference, CORRECTED: system_output(reference, 4)}, uem=uem
    )
    history = History(document)
    live = LiveBreakdown(LiveScore(document, ScoringSetup(settings=settings)), tau=0.4, short=1.5)
    rng = random.Random(1)
    windows = 0
    for step in range(120):
        track = REFERENCE if step % 5 == 4 else CORRECTED
        random_edit(history, track, rng)
        fresh = breakdown(
            document[REFERENCE],
            document[CORRECTED],
            uem=uem,
            settings=settings,
            tau=0.4,
            short=1.5,
        )
        assert_identical(live.result, fresh)
        windows += isinstance(live._counter[1].recounted, tuple)
    assert windows > 60  # most edits were recounted in a stretch, not in full


def test_a_nudge_recounts_a_stretch_around_it_only():
    reference = meeting(hours=1, turns=1000, speakers=4, seed=0)
    hypothesis = system_output(reference, seed=1)
    counter = IncrementalBreakdown(settings=ScoringSettings(collar=0.25))
    counter.update(reference.arrays, hypothesis.arrays)
    assert counter.recounted == "all"
    turn = hypothesis.turns[500]
    document = Document("m", {REFERENCE: reference, CORRECTED: hypothesis})
    History(document).push(edit.nudge(CORRECTED, turn, "end", 10 * MS))
    result = counter.update(reference.arrays, document[CORRECTED].arrays)
    lo, hi = counter.recounted
    assert lo <= turn.start and hi >= turn.end + 10 * MS
    assert hi - lo < 60 * TICKS_PER_SECOND  # a minute at most of a one-hour recording
    assert_identical(result, breakdown(reference, document[CORRECTED], collar=0.25))
    assert counter.update(reference.arrays, document[CORRECTED].arrays) is result
    assert counter.recounted is None


def test_a_new_speaker_and_a_reference_edit_at_the_start_recount_all_and_stay_exact():
    reference = meeting(hours=0.05, turns=40, speakers=3, seed=5)
    document = Document("m", {REFERENCE: reference, CORRECTED: system_output(reference, 6)})
    history = History(document)
    live = LiveBreakdown(LiveScore(document))
    assert live.result is not None
    first = document[CORRECTED].turns[3]
    history.push(edit.set_speaker(CORRECTED, first, "brand-new"))
    assert live._counter[1].recounted == "all"
    assert_identical(live.result, breakdown(document[REFERENCE], document[CORRECTED]))
    history.push(edit.nudge(REFERENCE, document[REFERENCE].turns[0], "start", 100 * MS))
    assert_identical(live.result, breakdown(document[REFERENCE], document[CORRECTED]))
