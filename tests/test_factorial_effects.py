"""Attribute effects and structure covariates: known effects recovered, covariates by hand."""

from __future__ import annotations

import numpy as np
import pytest

from reviewer.factorial.analysis import analyze
from reviewer.factorial.cells_file import CellRow, read_attributes
from reviewer.factorial.effects import attribute_effects, covariate_effects, covariates
from reviewer.factorial.variance import FactorialCells
from reviewer.io import FormatError
from reviewer.model.annotation import Track, Turn


def test_covariates_of_a_schedule_built_by_hand():
    track = Track([
        Turn.from_seconds(0, 10, "A"),   # 10 s
        Turn.from_seconds(9, 9.5, "B"),  # 0.5 s, overlaps A by 0.5 s
        Turn.from_seconds(10, 30, "B"),  # 20 s
        Turn.from_seconds(30, 30.5, "A"),
    ])  # fmt: skip
    values = covariates(track)
    assert values["turns_per_minute"] == pytest.approx(4 / (30.5 / 60))
    assert values["mean_turn"] == pytest.approx(31 / 4)
    assert values["median_turn"] == pytest.approx(5.25)
    assert values["short_turn_share"] == pytest.approx(0.5)
    assert values["overlap_ratio"] == pytest.approx(0.5 / 30.5)
    assert values["changes_per_minute"] == pytest.approx(2 / (30.5 / 60))  # A B B A
    shares = np.array([10.5, 20.5]) / 31  # A: 0-10 and 30-30.5; B: 9-9.5 and 10-30
    assert values["dominance_entropy"] == pytest.approx(-(shares * np.log2(shares)).sum())


def simulated_effects(seed: int, replicates: int = 300):
    """Effects on a grid where mixed voices lower DER by 4 and language b raises it by 6."""
    rng = np.random.default_rng(seed)
    rows, columns = 24, 20
    mixed = np.arange(rows) % 2 == 1  # every other voice source is mixed-gender
    language = np.arange(columns) % 2 == 1  # every other structure is language "b"
    grid = (
        30
        - 4.0 * mixed[:, None]  # mixed voices: 4 points lower, whatever the structure
        + 6.0 * language[None, :]  # language b: 6 points higher, whatever the voices
        + rng.normal(0, 1.5, (rows, 1))
        + rng.normal(0, 1.5, (1, columns))
        + rng.normal(0, 0.5, (rows, columns))
    )
    cells = FactorialCells.from_grid(grid)
    attributes = {f"v{i}": {"gender": "mixed" if mixed[i] else "same"} for i in range(rows)}
    attributes |= {f"s{j}": {"language": "b" if language[j] else "a"} for j in range(columns)}
    with pytest.raises(ValueError, match="has no value for attribute"):
        attribute_effects(cells, attributes, replicates=50)  # v0 has no language
    for i in range(rows):
        attributes[f"v{i}"]["language"] = "a"
    for j in range(columns):
        attributes[f"s{j}"]["gender"] = "same"
    effects = attribute_effects(cells, attributes, replicates, seed=seed)
    return {(e.side, e.name): e for e in effects}


def test_known_attribute_effects_are_recovered_and_their_intervals_cover_them():
    runs = [simulated_effects(seed) for seed in range(40)]
    gender = [run[("voices", "gender")] for run in runs]
    language = [run[("structure", "language")] for run in runs]
    assert {(e.level, e.baseline) for e in gender} == {("same", "mixed")}  # same - mixed: +4
    assert {(e.level, e.baseline) for e in language} == {("b", "a")}
    assert np.mean([e.estimate for e in gender]) == pytest.approx(4.0, abs=0.3)
    assert np.mean([e.estimate for e in language]) == pytest.approx(6.0, abs=0.4)
    # a 95 % interval should cover the truth in about 95 % of the grids (the pigeonhole
    # bootstrap errs wide, but a percentile interval of a small sample a little narrow)
    assert np.mean([4.0 in e.interval for e in gender]) >= 0.85
    assert np.mean([6.0 in e.interval for e in language]) >= 0.85
    assert all(("voices", "language") not in run for run in runs)  # one level: no effect


def test_a_covariate_that_drives_der_has_a_positive_slope():
    structures = {}
    for j in range(8):  # structure j has j short turns among long ones
        turns = [Turn.from_seconds(3 * k, 3 * k + 2.5, "AB"[k % 2]) for k in range(10)]
        turns += [Turn.from_seconds(30 + k, 30 + k + 0.4, "AB"[k % 2]) for k in range(j)]
        structures[f"s{j}"] = Track(turns)
    rng = np.random.default_rng(0)
    shares = np.array([covariates(structures[f"s{j}"])["short_turn_share"] for j in range(8)])
    grid = 10 + 50 * shares[None, :] + rng.normal(0, 0.3, (6, 8))
    values, effects = covariate_effects(FactorialCells.from_grid(grid), structures, 300)
    slope = {e.name: e for e in effects}["short_turn_share"]
    assert slope.estimate == pytest.approx(50, rel=0.05) and 50 in slope.interval
    assert values["s0"]["short_turn_share"] == 0.0


def test_analyze_reports_effects_in_its_json():
    rows = [
        CellRow(f"v{i}", f"s{j}", 100.0, 5.0 + i % 2, 2.0, 3.0 + j, (10.0 + i % 2 + j) / 100)
        for i in range(4)
        for j in range(3)
    ]
    attributes = {f"v{i}": {"gender": "mixed" if i % 2 else "same"} for i in range(4)}
    attributes |= {f"s{j}": {"gender": "same"} for j in range(3)}
    result = analyze(rows, replicates=100, attributes=attributes).as_dict()
    (effect,) = [e for e in result["effects"] if e["side"] == "voices"]
    assert effect["name"] == "gender" and effect["estimate"] == pytest.approx(-1.0)


def test_attribute_files_are_read_and_refused_with_their_line(tmp_path):
    path = tmp_path / "attrs.csv"
    path.write_text("recording,gender,language\nr1,mixed,en\nr2,same,fr\n")
    assert read_attributes(path) == {
        "r1": {"gender": "mixed", "language": "en"},
        "r2": {"gender": "same", "language": "fr"},
    }
    path.write_text("recording,gender\nr1,mixed\nr1,same\n")
    with pytest.raises(FormatError, match=r"attrs.csv:3: r1 was already on line 2"):
        read_attributes(path)
    path.write_text("name,gender\nr1,mixed\n")
    with pytest.raises(FormatError, match=r"attrs.csv:1: the header must be recording"):
        read_attributes(path)
