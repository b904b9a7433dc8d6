"""The analysis of an experiment's cells: variance shares of each measure, with intervals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from reviewer.factorial.bootstrap import Interval, component_intervals
from reviewer.factorial.cells_file import (
    MEASURES,
    CellRow,
    factorial_cells,
    unscored_cells,
)
from reviewer.factorial.effects import Effect, attribute_effects, covariate_effects
from reviewer.factorial.variance import (
    COMPONENTS,
    FactorialCells,
    VarianceComponents,
    variance_components,
)
from reviewer.model.annotation import Track

RESIDUAL_NOTE = (
    "the residual's interval is biased downwards on small grids (a bootstrap draw that "
    "repeats a voice source or structure repeats its cells, adding no residual variation); "
    "it is not corrected"
)
"""Said with every analysis (see :mod:`reviewer.factorial.bootstrap`)."""

MIN_STRUCTURES_FOR_SLOPES = 4
"""Fewer structures than this give no covariate slopes (a line through 2 or 3 points, and
a bootstrap of them, says nothing)."""


@dataclass(frozen=True)
class MeasureAnalysis:
    """One measure's variance components and their bootstrap intervals.

    Attributes
    ----------
    measure
        ``"der"``, ``"missed"``, ``"false_alarm"`` or ``"confusion"``, in DER points.
    components
        The estimate (points squared; the mean in points).
    intervals
        ``{"variance": {component: Interval}, "share": {component: Interval}}``.
    """

    measure: str
    components: VarianceComponents
    intervals: dict[str, dict[str, Interval]]

    def as_dict(self) -> dict:
        """The JSON shape: mean, variance, share and ci (``[low, high]`` per component).

        A measure that does not vary (``no_variance``) has no shares: they and their
        intervals are ``null``, not 0.
        """
        undefined = self.components.no_variance
        return {
            "mean": self.components.mean,
            "method": self.components.method,
            "no_variance": undefined,
            "clipped": list(self.components.clipped),
            "variance": self.components.as_dict(),
            "share": (dict.fromkeys(COMPONENTS) if undefined else self.components.shares()),
            "ci": {
                "variance": {n: self.intervals["variance"][n].as_list() for n in COMPONENTS},
                "share": {
                    n: None if undefined else self.intervals["share"][n].as_list()
                    for n in COMPONENTS
                },
            },
        }


@dataclass(frozen=True)
class FactorialAnalysis:
    """Every measure's analysis, DER first.

    Attributes
    ----------
    cells
        How many cells entered the analysis.
    voices, structures
        How many voice sources and structures they cross.
    unscored
        The cells left out because they have no scored time.
    measures
        ``{measure: MeasureAnalysis}`` in :data:`~reviewer.factorial.cells_file.MEASURES` order.
    level, replicates, seed
        The bootstrap's coverage, replicates and seed.
    effects
        The attributes' effects on DER (:func:`~reviewer.factorial.effects.attribute_effects`)
        and the structure covariates' slopes, when attributes or structures were given.
    covariates
        ``{structure: {covariate: value}}`` when the structures' references were given.
    notes
        What was left out and why (effects of an incomplete grid).
    """

    cells: int
    voices: int
    structures: int
    unscored: tuple[tuple[str, str], ...]
    measures: dict[str, MeasureAnalysis]
    level: float
    replicates: int
    seed: int
    effects: tuple[Effect, ...] = ()
    covariates: dict[str, dict[str, float]] | None = None
    notes: tuple[str, ...] = ()

    @property
    def der(self) -> MeasureAnalysis:
        """The DER's analysis."""
        return self.measures["der"]

    def as_dict(self) -> dict:
        """JSON: the DER's ``variance``, ``share`` and ``ci`` at the top, every measure below.

        DER in percentage points, variances in points squared, shares as ratios.
        """
        der = self.der.as_dict()
        return {
            "cells": self.cells,
            "voices": self.voices,
            "structures": self.structures,
            "unscored_cells": [list(pair) for pair in self.unscored],
            "mean": der["mean"],
            "method": der["method"],
            "variance": der["variance"],
            "share": der["share"],
            "ci": der["ci"],
            "bootstrap": {"level": self.level, "replicates": self.replicates, "seed": self.seed},
            "measures": {name: m.as_dict() for name, m in self.measures.items()},
            "effects": [effect.as_dict() for effect in self.effects],
            "covariates": self.covariates,
            "notes": list(self.notes),
        }


def analyze(
    rows: list[CellRow],
    replicates: int = 1000,
    level: float = 0.95,
    seed: int = 0,
    attributes: dict[str, dict[str, str]] | None = None,
    structures: dict[str, Track] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> FactorialAnalysis:
    """Variance components of every measure of the cells, with crossed-bootstrap intervals.

    Parameters
    ----------
    rows
        The cells (``cells.csv`` rows).
    replicates, level, seed
        The bootstrap's replicates, coverage and seed
        (:func:`~reviewer.factorial.bootstrap.component_intervals`).
    attributes
        ``{recording: {attribute: value}}``: their effects on DER, on each side.
    structures
        ``{structure name: reference}``: the structure covariates and their slopes.
    on_progress
        Called as the bootstrap goes with ``(draws done, draws in all)`` over every measure.

    Raises
    ------
    ValueError
        With fewer than 2 voice sources or 2 structures among the scored cells; for effects,
        an incomplete grid or a recording without an attribute's value.
    """
    measures = {}
    total, done = replicates * len(MEASURES), 0

    def drew(count: int) -> None:
        nonlocal done
        done += count
        if on_progress is not None:
            on_progress(done, total)

    for measure in MEASURES:
        cells = factorial_cells(rows, measure)
        measures[measure] = MeasureAnalysis(
            measure,
            variance_components(cells),
            component_intervals(cells, replicates, level, seed, drew),
        )
    cells = factorial_cells(rows)
    effects: list[Effect] = []
    values = None
    notes = [*_bootstrap_notes(measures, cells.grid() is not None), RESIDUAL_NOTE]
    complete = cells.grid() is not None
    if (attributes or structures) and not complete:
        missing = len(cells.voice_levels) * len(cells.structure_levels) - len(cells)
        notes.append(
            f"attribute and covariate effects need a complete grid ({missing} cells are "
            "missing): choose voices and structures that cross fully"
        )
    elif attributes:
        effects += attribute_effects(cells, attributes, replicates, level, seed)
        notes += saturated_attributes(cells, attributes)
    if structures and complete:
        values, slopes = covariate_effects(cells, structures, replicates, level, seed)
        if len(cells.structure_levels) >= MIN_STRUCTURES_FOR_SLOPES:
            effects += slopes
        else:
            notes.append(
                f"covariate slopes need at least {MIN_STRUCTURES_FOR_SLOPES} structures "
                f"(there are {len(cells.structure_levels)}): their values are in the JSON"
            )
    return FactorialAnalysis(
        cells=len(cells),
        voices=len(cells.voice_levels),
        structures=len(cells.structure_levels),
        unscored=tuple(unscored_cells(rows)),
        measures=measures,
        level=level,
        replicates=replicates,
        seed=seed,
        effects=tuple(effects),
        covariates=values,
        notes=tuple(notes),
    )


def saturated_attributes(cells: FactorialCells, attributes: dict[str, dict[str, str]]) -> list[str]:
    """Warnings for attributes confounded with single voice sources or structures.

    A level held by one unit only (one voice source, or one structure) has an effect that
    is that unit against the others, indistinguishable from the unit's own random effect;
    an attribute with as many levels as a side has units is saturated (every level so).
    """
    notes = []
    sides = (("voice source", cells.voice_levels), ("structure", cells.structure_levels))
    for side, units in sides:
        names = sorted({name for unit in units for name in attributes.get(unit, {})})
        for name in names:
            holders: dict[str | None, list[str]] = {}
            for unit in units:
                holders.setdefault(attributes.get(unit, {}).get(name), []).append(unit)
            if len(holders) == len(units):
                notes.append(
                    f"attribute {name} has as many levels as there are {side}s "
                    f"({len(units)}): each level is one {side}, so its effects cannot be "
                    f"told from those {side}s' own"
                )
                continue
            alone = sorted(f"{level} ({held[0]})" for level, held in holders.items()
                           if len(held) == 1)  # fmt: skip
            if alone:
                notes.append(
                    f"attribute {name}: level{'s' if len(alone) > 1 else ''} "
                    f"{', '.join(alone)} held by one {side} only: an effect against "
                    f"{'them' if len(alone) > 1 else 'it'} is that {side}'s own against "
                    "the others, not the attribute's"
                )
    return notes


def _bootstrap_notes(measures: dict[str, MeasureAnalysis], complete: bool) -> list[str]:
    """What the reader must know of the intervals: how an incomplete grid's were drawn."""
    if complete:
        return []
    some = next(iter(measures.values())).intervals["variance"]["voices"]
    drawn = some.drawn or some.replicates
    notes = [
        f"incomplete grid: its {drawn} bootstrap draws are Henderson III moment estimates "
        "(the point estimate is REML)"
    ]
    counts = {m.intervals["variance"]["voices"].replicates for m in measures.values()}
    for name, measure in measures.items():
        interval = measure.intervals["variance"]["voices"]
        if len(counts) == 1 and name != next(iter(measures)):
            continue  # the same draws failed for every measure: said once
        if len(counts) == 1:
            name = "every measure"
        if not np.isfinite(interval.low):
            notes.append(
                f"{name}: only {interval.replicates} of {drawn} draws could be fitted: no "
                "interval (choose voices and structures that cross more fully)"
            )
        elif interval.unfitted:
            notes.append(
                f"{name}: {interval.unfitted} of {drawn} draws could not be fitted; the "
                f"intervals rest on the other {interval.replicates}"
            )
    return notes
