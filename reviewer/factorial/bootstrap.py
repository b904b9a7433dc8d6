"""Confidence intervals for the variance components: the crossed (pigeonhole) bootstrap.

Voice sources and structures are both samples from larger populations, so each replicate
resamples the voice sources with replacement *and*, independently, the structures with
replacement, and keeps every cell of the chosen rows and columns (McCullagh, "Resampling and
exchangeable arrays", Bernoulli 6(2), 2000; Owen, "The pigeonhole bootstrap", Annals of
Applied Statistics 1(2), 2007). The intervals are percentile intervals; the pigeonhole
bootstrap is known to be conservative (wide) for the voices and structure components. The
residual's interval, on the other hand, is biased downwards on small grids: a draw that picks
a voice source (or structure) twice repeats its cells, which adds no residual variation, so
the draws' residual variance sits below the estimate (about (I-1)(J-1)/(IJ) of it on an
I x J grid). No correction is applied; the reports say so.

A complete grid is resampled in one vectorised step with the ANOVA estimator. An incomplete
one (what a cancelled run leaves) refits each draw with Henderson's Method III estimator
(:func:`~reviewer.factorial.variance.henderson_estimates`, well under a millisecond a draw
where REML takes about 0.3 s); a draw it cannot fit (a factor left with one level, no
residual degree of freedom) is counted and left out, and the intervals rest on the others.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from reviewer.factorial.variance import (
    COMPONENTS,
    FactorialCells,
    anova_estimates,
    henderson_estimates,
)

MIN_FITTED = 10
"""Fewer fitted draws than this give no interval (NaN bounds)."""


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
        How many bootstrap draws it rests on (those that could be fitted).
    drawn
        How many were drawn (``drawn - replicates`` could not be fitted); 0 when all were.
    """

    low: float
    high: float
    level: float
    replicates: int
    drawn: int = 0

    @property
    def unfitted(self) -> int:
        """Draws that could not be fitted (left out)."""
        return max(self.drawn - self.replicates, 0)

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
    on_draws: Callable[[int], None] | None = None,
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
    on_draws
        Called with the number of draws made since its last call (for a progress bar).

    Returns
    -------
    dict
        ``{"variance": {component: Interval}, "share": {component: Interval}}``, components as
        in :data:`~reviewer.factorial.variance.COMPONENTS`.

    Raises
    ------
    ValueError
        For fewer than 10 replicates or a level outside (0, 1).
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
        if on_draws is not None:
            on_draws(replicates)
    else:
        table = _table(cells)
        rows_of_draws, reported = [], 0
        for k in range(1, replicates + 1):
            rows_of_draws.append(_moment_draw(table, rng))
            if on_draws is not None and (k % 50 == 0 or k == replicates):
                on_draws(k - reported)
                reported = k
        draws = np.maximum(np.array(rows_of_draws), 0.0)
    draws = draws[np.isfinite(draws).all(axis=1)]
    result: dict[str, dict[str, Interval]] = {"variance": {}, "share": {}}
    drawn = replicates if len(draws) < replicates else 0
    if len(draws) < MIN_FITTED:
        for key in result:
            for name in COMPONENTS:
                result[key][name] = Interval(np.nan, np.nan, level, len(draws), replicates)
        return result
    totals = draws.sum(axis=1, keepdims=True)
    shares = np.divide(draws, totals, out=np.zeros_like(draws), where=totals > 0)
    tail = (1 - level) / 2 * 100
    for key, values in (("variance", draws), ("share", shares)):
        low, high = np.percentile(values, [tail, 100 - tail], axis=0)
        for k, name in enumerate(COMPONENTS):
            result[key][name] = Interval(float(low[k]), float(high[k]), level, len(draws), drawn)
    return result


def _table(cells: FactorialCells) -> np.ndarray:
    """The cells as a voices x structures table, NaN where a cell is missing."""
    voice_of = {name: k for k, name in enumerate(cells.voice_levels)}
    structure_of = {name: k for k, name in enumerate(cells.structure_levels)}
    table = np.full((len(voice_of), len(structure_of)), np.nan)
    table[[voice_of[v] for v in cells.voices], [structure_of[s] for s in cells.structures]] = (
        cells.values
    )
    return table


def _moment_draw(table: np.ndarray, rng: np.random.Generator) -> tuple[float, ...]:
    """One draw of an incomplete design: resampled levels renamed apart, Henderson III."""
    rows = np.asarray(rng.integers(0, table.shape[0], size=table.shape[0]))
    columns = np.asarray(rng.integers(0, table.shape[1], size=table.shape[1]))
    drawn = table[rows[:, None], columns[None, :]]
    voices, structures = np.nonzero(np.isfinite(drawn))
    if len(voices) == 0:
        return (np.nan, np.nan, np.nan)
    _, voices = np.unique(voices, return_inverse=True)  # levels that kept no cell drop out
    _, structures = np.unique(structures, return_inverse=True)
    estimate = henderson_estimates(voices, structures, drawn[np.isfinite(drawn)])
    return estimate[:3]
