"""Variance components of a factorial grid: ANOVA and REML agree, known truths are recovered."""

from __future__ import annotations

import numpy as np
import pytest

from reviewer.factorial.bootstrap import component_intervals
from reviewer.factorial.variance import (
    FactorialCells,
    anova_components,
    reml_components,
    variance_components,
)

TRUTH = {"voices": 16.0, "structure": 4.0, "residual": 1.0}


def simulated_grid(rows: int, columns: int, seed: int, truth=TRUTH) -> np.ndarray:
    """DER points: 30 + voice effect + structure effect + noise, with known variances."""
    rng = np.random.default_rng(seed)
    return (
        30.0
        + rng.normal(0, np.sqrt(truth["voices"]), (rows, 1))
        + rng.normal(0, np.sqrt(truth["structure"]), (1, columns))
        + rng.normal(0, np.sqrt(truth["residual"]), (rows, columns))
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_anova_and_reml_agree_on_a_complete_grid(seed):
    grid = simulated_grid(8, 10, seed)
    anova = anova_components(grid)
    reml = reml_components(FactorialCells.from_grid(grid))
    assert anova.method == "anova" and reml.method == "reml"
    assert not anova.clipped
    for name, value in anova.as_dict().items():
        assert getattr(reml, name) == pytest.approx(value, rel=2e-3), name
    assert reml.mean == pytest.approx(anova.mean, rel=1e-9)


def test_anova_on_a_grid_built_by_hand():
    # rows differ by 2 and 4, columns by 1; no residual: every deviation is a main effect
    grid = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]])
    result = anova_components(grid)
    # MS_voices = 2 * var(row means 0.5, 2.5, 4.5) = 2 * 4 = 8 -> 8 / 2 = 4
    # MS_structure = 3 * 0.5 = 1.5 -> 1.5 / 3 = 0.5 ; MS_residual = 0
    assert result.as_dict() == pytest.approx({"voices": 4.0, "structure": 0.5, "residual": 0.0})
    assert result.mean == pytest.approx(2.5)
    assert result.shares() == pytest.approx(
        {"voices": 4 / 4.5, "structure": 0.5 / 4.5, "residual": 0}
    )


@pytest.mark.parametrize("seed", [3, 4, 5, 6])
def test_known_variances_lie_inside_their_intervals(seed):
    cells = FactorialCells.from_grid(simulated_grid(30, 30, seed))
    intervals = component_intervals(cells, replicates=500, seed=seed)
    for name, value in TRUTH.items():
        assert value in intervals["variance"][name], (name, intervals["variance"][name])
    total = sum(TRUTH.values())
    for name, value in TRUTH.items():
        assert value / total in intervals["share"][name], name


def test_a_grid_without_voice_effect_is_attributed_to_structure():
    truth = {"voices": 0.0, "structure": 9.0, "residual": 0.25}
    grid = simulated_grid(20, 20, 7, truth)
    result = variance_components(FactorialCells.from_grid(grid))
    shares = result.shares()
    assert shares["structure"] > 0.9 and shares["voices"] < 0.05
    assert sum(shares.values()) == pytest.approx(1.0)


def test_a_negative_estimate_is_clipped_and_said():
    grid = np.array([[0.0, 1.0], [1.0, 0.0]])  # all interaction: both main effects negative
    result = anova_components(grid)
    assert set(result.clipped) == {"voices", "structure"}
    assert result.voices == 0.0 and result.structure == 0.0 and result.residual > 0


def test_an_incomplete_design_is_fitted_with_reml():
    grid = simulated_grid(8, 8, 11)
    full = FactorialCells.from_grid(grid)
    keep = [k for k in range(len(full)) if k not in (3, 17, 40)]
    cells = FactorialCells(
        tuple(full.voices[k] for k in keep),
        tuple(full.structures[k] for k in keep),
        full.values[keep],
    )
    assert cells.grid() is None
    result = variance_components(cells)
    complete = variance_components(full)
    assert result.method == "reml"
    assert result.voices == pytest.approx(complete.voices, rel=0.25)
    intervals = component_intervals(cells, replicates=10, seed=0)
    assert intervals["variance"]["voices"].replicates == 10


def test_bad_cells_are_refused_with_what_is_wrong():
    with pytest.raises(ValueError, match="appears twice"):
        FactorialCells(("a", "a"), ("x", "x"), np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="no finite value"):
        FactorialCells(("a",), ("x",), np.array([np.nan]))
    with pytest.raises(ValueError, match="at least 2 voice sources"):
        anova_components(np.ones((1, 4)))
    with pytest.raises(ValueError, match="at least 10"):
        component_intervals(FactorialCells.from_grid(np.eye(3)), replicates=5)
