"""Confidence intervals for the variance components: the crossed (pigeonhole) bootstrap.

Voice sources and structures are both samples from larger populations, so each replicate
resamples the voice sources with replacement *and*, independently, the structures with
replacement, and keeps every cell of the chosen rows and columns (McCullagh, "Resampling and
exchangeable arrays", Bernoulli 6(2), 2000; Owen, "The pigeonhole bootstrap", Annals of
Applied Statistics 1(2), 2007). The intervals are percentile intervals; the pigeonhole
bootstrap is known to be conservative (wide), which errs on the safe side.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reviewer.factorial.variance import (
    COMPONENTS,
    FactorialCells,
    anova_estimates,
    reml_components,
)


@dataclass(frozen=True)
class Interval:
    """A percentile bootstrap interval.

    Attributes
    ----------
    low, high
        The bounds, in the estimate's unit.
    level
        The coverage asked for (0.95 for a 95 % interval).
    replicates
        How many bootstrap replicates it rests on.
    """

    low: float
    high: float
    level: float
    replicates: int

    def __contains__(self, value: float) -> bool:
        return self.low <= value <= self.high

    def as_list(self) -> list[float]:
        """``[low, high]``."""
        return [self.low, self.high]


def component_intervals(
    cells: FactorialCells,
    replicates: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> dict[str, dict[str, Interval]]:
    """Intervals for the variance of each component and for its share of the total.

    Parameters
    ----------
    cells
        The experiment's cells. A complete grid is resampled in one vectorised step; an
        incomplete design refits REML per replicate (slow: ask for fewer replicates).
    replicates
        Number of bootstrap replicates (>= 10). For an incomplete design, a draw REML cannot
        fit (a singular matrix, or one factor left with one level) is left out; the
        intervals' ``replicates`` says how many draws they rest on.
    level
        Coverage, strictly between 0 and 1.
    seed
        Seed of numpy's default generator, so that a report can be reproduced.

    Returns
    -------
    dict
        ``{"variance": {component: Interval}, "share": {component: Interval}}``, components as
        in :data:`~reviewer.factorial.variance.COMPONENTS`.

    Raises
    ------
    ValueError
        For fewer than 10 replicates or a level outside (0, 1), or when fewer than 10 draws
        of an incomplete design can be fitted.
    """
    if replicates < 10:
        raise ValueError(f"{replicates} bootstrap replicates: ask for at least 10")
    if not 0 < level < 1:
        raise ValueError(f"coverage {level}: it must be strictly between 0 and 1")
    rng = np.random.default_rng(seed)
    grid = cells.grid()
    if grid is not None:
        rows, columns = grid.shape
        pick_rows = rng.integers(0, rows, size=(replicates, rows))
        pick_columns = rng.integers(0, columns, size=(replicates, columns))
        stack = grid[pick_rows[:, :, None], pick_columns[:, None, :]]
        voices, structure, residual, _ = anova_estimates(stack)
        draws = np.maximum(np.stack([voices, structure, residual], axis=1), 0.0)
    else:
        draws = np.array([_reml_draw(cells, rng) for _ in range(replicates)])
    draws = draws[np.isfinite(draws).all(axis=1)]
    if len(draws) < 10:
        raise ValueError(
            f"only {len(draws)} of {replicates} bootstrap draws of this incomplete design could "
            "be fitted: analyse a complete grid (choose voices and structures that cross fully)"
        )
    totals = draws.sum(axis=1, keepdims=True)
    shares = np.divide(draws, totals, out=np.zeros_like(draws), where=totals > 0)
    tail = (1 - level) / 2 * 100
    result: dict[str, dict[str, Interval]] = {"variance": {}, "share": {}}
    for key, values in (("variance", draws), ("share", shares)):
        low, high = np.percentile(values, [tail, 100 - tail], axis=0)
        for k, name in enumerate(COMPONENTS):
            result[key][name] = Interval(float(low[k]), float(high[k]), level, len(draws))
    return result


def _reml_draw(cells: FactorialCells, rng: np.random.Generator) -> list[float]:
    """One replicate of an incomplete design: resampled levels renamed apart, refitted."""
    voice_levels = cells.voice_levels
    structure_levels = cells.structure_levels
    chosen_voices = rng.choice(len(voice_levels), size=len(voice_levels))
    chosen_structures = rng.choice(len(structure_levels), size=len(structure_levels))
    by_pair = {
        (v, s): value
        for v, s, value in zip(cells.voices, cells.structures, cells.values, strict=True)
    }
    voices, structures, values = [], [], []
    for i, v in enumerate(chosen_voices):
        for j, s in enumerate(chosen_structures):
            value = by_pair.get((voice_levels[v], structure_levels[s]))
            if value is not None:
                voices.append(f"{i}")
                structures.append(f"{j}")
                values.append(value)
    if len(set(voices)) < 2 or len(set(structures)) < 2:
        return [np.nan, np.nan, np.nan]  # a draw that cannot separate the factors
    try:
        fit = reml_components(FactorialCells(tuple(voices), tuple(structures), np.array(values)))
    except (np.linalg.LinAlgError, ValueError):
        return [np.nan, np.nan, np.nan]  # a degenerate draw (REML's matrix is singular)
    return [fit.voices, fit.structure, fit.residual]
