"""The engine's data shapes: one array form of a track, one settings type, one error-region type.

The scorers share the engine's pieces rather than keeping copies: a track's arrays are used
as they are, every scorer takes the one ``ScoringSettings``, and the breakdown's error
intervals are the engine's error regions (joined, they are exactly the live error lane's).
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from reviewer.metrics import IncrementalScorer, score, score_corpus
from reviewer.metrics.breakdown import CLASSES, breakdown, breakdown_corpus
from reviewer.metrics.engine import ErrorRegions
from reviewer.metrics.inputs import columns
from reviewer.model.annotation import Track, Turn
from reviewer.model.scoring import ScoringSettings
from reviewer.model.synthetic import meeting, system_output
from reviewer.model.time import TICKS_PER_SECOND as S

MS = S // 1000


def turns(*items: tuple[float, float, str]) -> Track:
    return Track([Turn(round(a * 1000) * MS, round(b * 1000) * MS, who) for a, b, who in items])


@pytest.fixture(scope="module")
def pair() -> tuple[Track, Track]:
    reference = meeting(hours=0.05, turns=60, speakers=3, seed=11)
    return reference, system_output(reference, seed=12)


def test_a_track_is_scored_on_its_own_arrays_without_a_copy(pair):
    reference, _ = pair
    arrays = columns(reference)
    assert arrays is reference.arrays
    assert arrays.n_speakers == len(reference.labels) == 3
    assert arrays.starts.dtype == np.int64 and len(arrays.starts) == len(reference)


@pytest.mark.parametrize("settings", [ScoringSettings(), ScoringSettings(0.25, True)])
def test_every_scorer_takes_the_one_settings_type(pair, settings):
    reference, hypothesis = pair
    keywords = {"collar": settings.collar, "skip_overlap": settings.skip_overlap}
    expected = score(reference, hypothesis, **keywords)
    assert score(reference, hypothesis, settings=settings) == expected
    corpus = score_corpus({"m": reference}, {"m": hypothesis}, settings=settings)
    assert corpus.files["m"] == expected
    scorer = IncrementalScorer(reference, hypothesis, settings=settings)
    assert scorer.score == expected and scorer.settings == settings
    result = breakdown(reference, hypothesis, settings=settings)
    assert result.total == expected
    assert result.classes == breakdown(reference, hypothesis, **keywords).classes
    files, _ = breakdown_corpus({"m": reference}, {"m": hypothesis}, settings=settings)
    assert files["m"].classes == result.classes


def test_settings_and_loose_keywords_are_not_mixed(pair):
    reference, hypothesis = pair
    with pytest.raises(TypeError, match="either settings or collar"):
        score(reference, hypothesis, collar=0.25, settings=ScoringSettings(0.25))
    with pytest.raises(TypeError, match="either settings or collar"):
        breakdown(reference, hypothesis, skip_overlap=True, settings=ScoringSettings())
    with pytest.raises(TypeError, match="settings must be a ScoringSettings"):
        IncrementalScorer(reference, hypothesis, settings={"collar": 0.25})
    with pytest.raises(ValueError, match="collar must be a finite, non-negative"):
        score_corpus({"m": reference}, {"m": hypothesis}, collar=-1.0)


def _joined(regions: ErrorRegions) -> list[tuple[int, int, int, int, int]]:
    """Touching regions with the same error counts merged, as the error lane shows them."""
    rows: list[tuple[int, int, int, int, int]] = []
    for row in zip(
        regions.starts.tolist(),
        regions.ends.tolist(),
        regions.missed.tolist(),
        regions.false_alarm.tolist(),
        regions.confusion.tolist(),
        strict=True,
    ):
        if rows and rows[-1][1] == row[0] and rows[-1][2:] == row[2:]:
            rows[-1] = (rows[-1][0], *row[1:])
        else:
            rows.append(row)
    return rows


def test_the_breakdown_errors_are_the_engines_error_regions_after_edits(pair):
    reference, hypothesis = pair
    settings = ScoringSettings(0.25)
    scorer = IncrementalScorer(reference, hypothesis, settings=settings)
    current = hypothesis
    rng = random.Random(3)
    for _ in range(12):
        old = current.turns[rng.randrange(len(current))]
        new = Turn(
            old.start, old.end + rng.choice([-200, 300]) * MS, rng.choice(["x", old.speaker])
        )
        if new.end <= new.start:
            continue
        scorer.replace("hypothesis", old, new)
        current = current.edited([old], [new])
        result = breakdown(reference, current, settings=settings)
        lane = scorer.errors()
        assert lane.ref_active is None  # joined regions do not say who speaks
        assert _joined(result.errors) == _joined(lane)
        assert len(_joined(lane)) == len(lane)  # the lane is already joined
        errors = result.errors
        seconds = (errors.ends - errors.starts) / S
        counted = sum(
            float(seconds[errors.cls == i] @ errors.missed[errors.cls == i])
            for i in range(len(CLASSES))
        )
        assert counted == pytest.approx(result.total.missed, abs=1e-9)
        window = (int(errors.starts[0]), int(errors.ends[-1]))
        assert _joined(scorer.errors(window)) == _joined(lane)


def test_error_regions_select_joins_touching_regions():
    none = np.zeros(4, dtype=np.int64)
    regions = ErrorRegions(np.array([0, 5, 9, 12]), np.array([5, 9, 10, 14]), none + 1, none, none)
    assert regions.select(np.array([True, True, False, True])) == [(0, 9), (12, 14)]
    assert regions.select(np.array([False, True, True, True])) == [(5, 10), (12, 14)]
    assert len(regions) == 4


def test_confusion_matrix_cells_are_exact_tick_sums():
    ref = turns((0, 10, "A"), (20, 20.8, "B"), (30, 40, "A"), (35, 45, "B"))
    hyp = turns((0, 10, "x"), (30, 45, "y"))
    result = breakdown(ref, hyp)
    assert result.confusion_matrix == {"A": {"x": 10.0, "y": 10.0}, "B": {"y": 10.0}}


def test_nothing_scored_has_no_structure_points():
    result = breakdown(Track(), turns((0, 1, "x")))
    assert result.structure_points == 0.0
    assert result.total.der is None and result.unmapped_system == ("x",)
    assert result.headline() == "Nothing was scored."
