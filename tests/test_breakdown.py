"""The error breakdown by cause: exact, exclusive, and adding up to md-eval's totals."""

from __future__ import annotations

import json

import pytest
from conftest import CONFORMANCE, needs_shared
from corpus_material import dev_cases

from reviewer.io import read_rttm, read_uem
from reviewer.metrics import score, score_corpus
from reviewer.metrics.breakdown import CLASSES, breakdown, breakdown_corpus
from reviewer.model.annotation import Track, Turn
from reviewer.model.time import TICKS_PER_SECOND as S

MS = S // 1000


def t(seconds: float) -> int:
    return round(seconds * 1000) * MS


def turns(*items):
    return Track([Turn(t(a), t(b), who) for a, b, who in items])


def test_hand_built_recording():
    ref = turns((0, 10, "A"), (20, 20.8, "B"), (30, 40, "A"), (35, 45, "B"))
    hyp = turns((0, 10, "x"), (30, 45, "y"))
    result = breakdown(ref, hyp)
    assert result.total == score(ref, hyp)
    c = result.classes
    assert c["overlap"].scored == pytest.approx(10) and c["overlap"].missed == pytest.approx(5)
    assert c["near_change"].scored == pytest.approx(1.0)
    assert c["near_change"].confusion == pytest.approx(0.5)
    assert c["short_turn"].scored == pytest.approx(0.8)
    assert c["short_turn"].missed == pytest.approx(0.8)
    assert c["steady"].scored == pytest.approx(19) and c["steady"].confusion == pytest.approx(4.5)
    assert c["non_speech"].exposure == pytest.approx(19.2)
    assert c["non_speech"].false_alarm == 0
    assert c["overlap"].rate == pytest.approx(0.5)
    assert result.mapping == {"A": "x", "B": "y"}
    a, b = result.speakers["A"], result.speakers["B"]
    assert a.scored == pytest.approx(20) and b.scored == pytest.approx(10.8)
    assert a.confusion == pytest.approx(5.0) and a.confused_with == {"y": pytest.approx(5.0)}
    assert a.missed + b.missed == pytest.approx(5.8)
    assert result.confusion_matrix["A"] == {"x": pytest.approx(10), "y": pytest.approx(10)}
    assert result.structure_points == pytest.approx(100 * 6.3 / 30.8)
    assert result.headline().startswith("Of 35.1 % DER, 20.5 points come from conversation")


def test_split_speaker_is_reported_unmapped():
    ref = turns((0, 10, "A"))
    hyp = turns((0, 5, "x"), (5, 10, "z"))
    result = breakdown(ref, hyp)
    assert result.unmapped_system == ("z",)
    assert result.speakers["A"].confused_with == {"z": pytest.approx(5)}


def _check_consistency(result, expected=None):
    total = result.total
    for field in ("scored", "missed", "false_alarm", "confusion"):
        summed = sum(getattr(result.classes[name], field) for name in CLASSES)
        assert summed == pytest.approx(getattr(total, field), abs=1e-6)
        if expected is not None:
            key = "falarm" if field == "false_alarm" else field
            assert summed == pytest.approx(expected[key], abs=1e-3)
    if result.speakers:
        assert sum(s.missed for s in result.speakers.values()) == pytest.approx(
            total.missed, abs=1e-6
        )
        assert sum(s.confusion for s in result.speakers.values()) == pytest.approx(
            total.confusion, abs=1e-6
        )
        for s in result.speakers.values():
            assert sum(s.confused_with.values()) == pytest.approx(s.confusion, abs=1e-6)
    curve = result.by_change_distance
    assert sum(curve.exposure) == pytest.approx(total.scored, abs=1e-6)
    assert sum(curve.errors) == pytest.approx(total.error, abs=1e-6)


def test_classes_add_up_on_every_edge_case():
    root = needs_shared(CONFORMANCE / "edge-cases")
    for line in (root / "expected.jsonl").read_text().splitlines():
        row = json.loads(line)
        folder = root / row["case"]
        uems = read_uem(folder / "uem.uem") if row["uem"] else None
        files, total = breakdown_corpus(
            read_rttm(folder / "ref.rttm"),
            read_rttm(folder / "hyp.rttm"),
            uems=uems,
            collar=row["collar"],
            skip_overlap=row["skip_overlap"],
        )
        for result in files.values():
            _check_consistency(result)
        _check_consistency(total, row)


def test_classes_add_up_on_voxconverse():
    cases = dev_cases()  # ../shared's, or a synthetic corpus laid out the same way
    refs = read_rttm(cases.ref)
    hyps = read_rttm(cases.hyp)
    uems = read_uem(cases.uem)
    for row in cases.rows:
        uri = row["uri"]
        result = breakdown(
            refs[uri],
            hyps.get(uri, Track()),
            uem=uems[uri] if row["uem"] else None,
            collar=row["collar"],
            skip_overlap=row["skip_overlap"],
        )
        _check_consistency(result, row)


def test_corpus_totals_equal_score_corpus():
    ref = {"a": turns((0, 10, "A"), (9, 12, "B")), "b": turns((0, 4, "C"))}
    hyp = {"a": turns((0, 11, "x"))}
    files, total = breakdown_corpus(ref, hyp, collar=0.25)
    expected = score_corpus(ref, hyp, collar=0.25).total
    assert total.total.der == pytest.approx(expected.der)
    assert set(files) == {"a", "b"}


def test_live_breakdown_equals_a_fresh_one_after_random_edits():
    import random

    from reviewer.metrics.live import LiveBreakdown, LiveScore
    from reviewer.model import commands as edit
    from reviewer.model.document import CORRECTED, REFERENCE, Document
    from reviewer.model.history import History
    from reviewer.model.scoring import ScoringSettings, ScoringSetup
    from reviewer.model.synthetic import meeting, system_output

    reference = meeting(hours=0.1, turns=80, speakers=3, seed=7)
    document = Document("m", {REFERENCE: reference, CORRECTED: system_output(reference, 8)})
    history = History(document)
    live = LiveBreakdown(
        LiveScore(document, ScoringSetup(settings=ScoringSettings(collar=0.25))), tau=0.4, short=1.5
    )
    rng = random.Random(0)
    for _ in range(40):
        turns = document[CORRECTED].turns
        turn = turns[rng.randrange(len(turns))]
        choice = rng.randrange(4)
        if choice == 0:
            history.push(edit.nudge(CORRECTED, turn, "end", rng.choice([-1, 1]) * 50 * MS))
        elif choice == 1 and turn.duration > 2 * MS:
            history.push(edit.split(CORRECTED, turn, turn.start + turn.duration // 2))
        elif choice == 2:
            history.push(edit.set_speaker(CORRECTED, turn, rng.choice(["sys00", "sys01", "z"])))
        else:
            history.undo()
        fresh = breakdown(document[REFERENCE], document[CORRECTED], collar=0.25, tau=0.4, short=1.5)
        assert live.result.classes == fresh.classes
        assert live.result.total == fresh.total
