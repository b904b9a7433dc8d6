"""Two systems on the same factorial design, and which one is more sensitive to structure.

Both experiments must hold the same cells (voice source x structure, matched by name); the
comparison then gives each system's variance shares with its own intervals, and for every
measure the difference A - B of each share and of the mean, with a **paired** crossed
bootstrap interval: each replicate draws the voice sources and, independently, the
structures with replacement once (as :mod:`reviewer.factorial.bootstrap` does) and uses the
*same* draw for both systems, so what the two systems have in common (they met the same
voices in the same structures) cancels out of the difference instead of widening its interval.

A share difference is in percentage points of the total variance (a structure share of 90 %
against 20 % is +70), a mean difference in DER points. The shares of a replicate are those
of its clipped ANOVA estimates, as in the single-system intervals, so the paired intervals
need a complete grid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reviewer.factorial.analysis import FactorialAnalysis, analyze
from reviewer.factorial.bootstrap import Interval
from reviewer.factorial.cells_file import MEASURES, CellRow, factorial_cells
from reviewer.factorial.variance import COMPONENTS, anova_estimates
from reviewer.model.annotation import Track

QUANTITIES = (*COMPONENTS, "mean")
"""What is compared for each measure: each component's share, then the mean."""

_SHOWN = 8
"""How many unmatched cells an error names before it counts the rest."""


@dataclass(frozen=True)
class Difference:
    """One quantity of one measure for both systems, and A - B with its paired interval.

    Attributes
    ----------
    measure
        ``"der"``, ``"missed"``, ``"false_alarm"`` or ``"confusion"``.
    quantity
        A component (``"voices"``, ``"structure"``, ``"residual"``: its share of the
        variance, in percent) or ``"mean"`` (DER points).
    a, b
        Each system's estimate (percent for a share, points for the mean).
    estimate
        ``a - b``: percentage points of variance share, or DER points.
    interval
        The paired crossed-bootstrap interval of ``a - b``.
    """

    measure: str
    quantity: str
    a: float
    b: float
    estimate: float
    interval: Interval

    def as_dict(self) -> dict:
        """JSON-ready: ``a``, ``b``, ``difference`` and its ``ci``."""
        return {
            "a": self.a,
            "b": self.b,
            "difference": self.estimate,
            "ci": self.interval.as_list(),
        }


@dataclass(frozen=True)
class SystemsComparison:
    """Two systems' analyses of the same cells and their paired differences.

    Attributes
    ----------
    names
        What the two systems are called (A, B).
    analyses
        Each system's :class:`~reviewer.factorial.analysis.FactorialAnalysis`.
    differences
        ``{(measure, quantity): Difference}`` for every measure and quantity.
    """

    names: tuple[str, str]
    analyses: tuple[FactorialAnalysis, FactorialAnalysis]
    differences: dict[tuple[str, str], Difference]

    def difference(self, measure: str = "der", quantity: str = "structure") -> Difference:
        """A - B of one measure's quantity (default: the DER's structure share)."""
        return self.differences[(measure, quantity)]

    def more_sensitive_to_structure(self) -> str | None:
        """The system whose DER's structure share is higher with an interval excluding 0.

        None too when either system's DER does not vary (its shares are undefined).
        """
        if any(a.der.components.no_variance for a in self.analyses):
            return None
        difference = self.difference()
        if difference.interval.low > 0:
            return self.names[0]
        if difference.interval.high < 0:
            return self.names[1]
        return None

    def verdict(self) -> str:
        """One sentence answering "which one is more sensitive to structure"."""
        still = [
            n
            for n, a in zip(self.names, self.analyses, strict=True)
            if a.der.components.no_variance
        ]
        if still:
            return (
                f"The DER of {' and '.join(still)} does not vary across the cells: its variance "
                "shares are undefined, so the systems' sensitivity cannot be compared."
            )
        d = self.difference()
        level = f"{100 * d.interval.level:g} %"
        span = f"[{d.interval.low:+.1f}, {d.interval.high:+.1f}]"
        winner = self.more_sensitive_to_structure()
        if winner is None:
            return (
                f"Neither system is clearly more sensitive to structure: the DER's structure "
                f"share differs by {d.estimate:+.1f} points (A - B), {level} interval {span} "
                "includes 0."
            )
        other = self.names[1] if winner == self.names[0] else self.names[0]
        return (
            f"{winner} is more sensitive to structure than {other}: the structure share of its "
            f"DER's variance is {abs(d.estimate):.1f} points higher (A - B {d.estimate:+.1f}, "
            f"{level} interval {span})."
        )

    def as_dict(self) -> dict:
        """JSON: each system's analysis, and per measure the paired differences (A - B)."""
        a, b = self.analyses
        return {
            "systems": {"a": self.names[0], "b": self.names[1]},
            "cells": a.cells,
            "a": a.as_dict(),
            "b": b.as_dict(),
            "difference": {
                measure: {
                    ("mean" if q == "mean" else f"{q}_share"): self.differences[
                        (measure, q)
                    ].as_dict()
                    for q in QUANTITIES
                }
                for measure in MEASURES
            },
            "more_sensitive_to_structure": self.more_sensitive_to_structure(),
            "verdict": self.verdict(),
        }


def check_same_cells(rows_a: list[CellRow], rows_b: list[CellRow], names: tuple[str, str]) -> None:
    """Refuse two experiments whose cells differ, naming the cells only one of them has.

    Raises
    ------
    ValueError
        When a (voices, structure) cell is in one experiment and not in the other.
    """
    cells_a = {(r.voices, r.structure) for r in rows_a}
    cells_b = {(r.voices, r.structure) for r in rows_b}
    if cells_a == cells_b:
        return
    parts = []
    for name, only in ((names[0], cells_a - cells_b), (names[1], cells_b - cells_a)):
        if only:
            listed = sorted(only)
            shown = ", ".join(f"{v} x {s}" for v, s in listed[:_SHOWN])
            more = f" and {len(listed) - _SHOWN} more" if len(listed) > _SHOWN else ""
            parts.append(f"only {name} has {shown}{more}")
    raise ValueError(
        f"the two experiments do not have the same cells ({'; '.join(parts)}): compare "
        "systems run on the same design (the same voices and structures)"
    )


def compare_systems(
    rows_a: list[CellRow],
    rows_b: list[CellRow],
    names: tuple[str, str] = ("A", "B"),
    replicates: int = 1000,
    level: float = 0.95,
    seed: int = 0,
    structures: dict[str, Track] | None = None,
) -> SystemsComparison:
    """Compare two systems run on the same design, with paired crossed-bootstrap intervals.

    Parameters
    ----------
    rows_a, rows_b
        The two experiments' cells (``cells.csv`` rows), the same (voices, structure) pairs.
    names
        What to call the systems in the report.
    replicates, level, seed
        The bootstrap's replicates (>= 10), coverage and seed; each system's own intervals
        use the same ones (:func:`~reviewer.factorial.analysis.analyze`).
    structures
        ``{structure name: reference}`` for the covariates, as for ``analyze``.

    Raises
    ------
    ValueError
        When the cells differ (naming them), the scored cells do not form a complete grid of
        at least 2 x 2, or for a bad number of replicates or level.
    """
    if names[0] == names[1]:
        names = (f"A ({names[0]})", f"B ({names[1]})")
    check_same_cells(rows_a, rows_b, names)
    analyses = (
        analyze(rows_a, replicates, level, seed, structures=structures),
        analyze(rows_b, replicates, level, seed, structures=structures),
    )
    rng = np.random.default_rng(seed)
    differences: dict[tuple[str, str], Difference] = {}
    picks = None
    for measure in MEASURES:
        grid_a, grid_b = _paired_grids(rows_a, rows_b, measure)
        if picks is None:  # one draw for every measure, as the single-system intervals
            rows, columns = grid_a.shape
            picks = (
                rng.integers(0, rows, size=(replicates, rows)),
                rng.integers(0, columns, size=(replicates, columns)),
            )
        draws_a = _draws(grid_a, *picks)
        draws_b = _draws(grid_b, *picks)
        full_a = _draws(grid_a, *_identity(grid_a))[0]
        full_b = _draws(grid_b, *_identity(grid_b))[0]
        tail = (1 - level) / 2 * 100
        for k, quantity in enumerate(QUANTITIES):
            low, high = np.percentile(draws_a[:, k] - draws_b[:, k], [tail, 100 - tail])
            differences[(measure, quantity)] = Difference(
                measure,
                quantity,
                float(full_a[k]),
                float(full_b[k]),
                float(full_a[k] - full_b[k]),
                Interval(float(low), float(high), level, replicates),
            )
    return SystemsComparison(names, analyses, differences)


def _paired_grids(
    rows_a: list[CellRow], rows_b: list[CellRow], measure: str
) -> tuple[np.ndarray, np.ndarray]:
    """Both systems' ``measure`` as voices x structures grids in the same order."""
    cells_a = factorial_cells(rows_a, measure)
    grid_a = cells_a.grid()
    if grid_a is None:
        missing = len(cells_a.voice_levels) * len(cells_a.structure_levels) - len(cells_a)
        raise ValueError(
            f"the paired comparison needs a complete grid ({missing} cells are missing or "
            "unscored): choose voices and structures that cross fully"
        )
    by_cell = {(r.voices, r.structure): r.points(measure) for r in rows_b if r.scored > 0}
    grid_b = np.array(
        [[by_cell[(v, s)] for s in cells_a.structure_levels] for v in cells_a.voice_levels]
    )
    if grid_a.shape[0] < 2 or grid_a.shape[1] < 2:
        raise ValueError(
            f"a {grid_a.shape[0]} x {grid_a.shape[1]} grid: comparing variance shares needs "
            "at least 2 voice sources and 2 structures"
        )
    return grid_a, grid_b


def _identity(grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The draw that keeps every row and column once (the estimate itself)."""
    return np.arange(grid.shape[0])[None], np.arange(grid.shape[1])[None]


def _draws(grid: np.ndarray, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """Per draw: voices, structure and residual shares (percent) and the mean (points).

    ``grid`` is (I, J); ``rows`` (B, I) and ``columns`` (B, J) pick the levels. Shape (B, 4).
    """
    stack = grid[rows[:, :, None], columns[:, None, :]]
    voices, structure, residual, mean = anova_estimates(stack)
    variances = np.maximum(np.stack([voices, structure, residual], axis=1), 0.0)
    totals = variances.sum(axis=1, keepdims=True)
    shares = 100 * np.divide(variances, totals, out=np.zeros_like(variances), where=totals > 0)
    return np.column_stack([shares, mean])
