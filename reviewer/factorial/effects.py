"""What about the voices or the structure moves DER: attribute effects and structure covariates.

**Attributes** (per recording, from ``attrs.csv``: gender composition, language, ...) enter
as fixed effects on one side of the design. On the voices side, the effect of level *L* is how
much higher the DER of voice sources with *L* is than that of the baseline level, averaged
over every structure ("mixed-gender voices lower DER by X points whatever the structure");
on the structure side the same over every voice source. For a complete grid this is exactly
the generalised-least-squares estimate of the crossed random-effects model with that fixed
effect, since every voice source meets every structure: the difference of the means of the
row (or column) means. Intervals come from the same crossed bootstrap as the variances.

**Structure covariates** are computed from each structure's reference (:func:`covariates`);
their effects are slopes of the structures' mean DER (over all voices) on each covariate, one
at a time, with crossed-bootstrap intervals.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

from reviewer.factorial.bootstrap import Interval
from reviewer.factorial.variance import FactorialCells
from reviewer.model.annotation import Track, merge_spans
from reviewer.model.time import TICKS_PER_SECOND

COVARIATES = (
    "turns_per_minute",
    "mean_turn",
    "median_turn",
    "short_turn_share",
    "overlap_ratio",
    "changes_per_minute",
    "dominance_entropy",
)
"""The structure covariates, in the order they are reported."""


@dataclass(frozen=True)
class Effect:
    """An effect on DER, in points, with its interval.

    Attributes
    ----------
    side
        ``"voices"`` or ``"structure"``.
    name
        The attribute (or covariate).
    level, baseline
        For an attribute: the level compared and the baseline level; for a covariate, None.
    estimate
        DER points: level minus baseline (attribute) or per unit of the covariate (slope).
    interval
        The crossed-bootstrap interval.
    """

    side: str
    name: str
    level: str | None
    baseline: str | None
    estimate: float
    interval: Interval

    def as_dict(self) -> dict:
        """JSON-ready."""
        return {
            "side": self.side,
            "name": self.name,
            "level": self.level,
            "baseline": self.baseline,
            "estimate": self.estimate,
            "ci": self.interval.as_list(),
        }


def covariates(structure: Track) -> dict[str, float]:
    """A schedule's turn-taking numbers.

    Returns
    -------
    dict
        ``turns_per_minute`` (turns per minute of the span from first start to last end),
        ``mean_turn`` and ``median_turn`` (seconds), ``short_turn_share`` (turns under 1 s),
        ``overlap_ratio`` (time with 2+ speakers over speech time), ``changes_per_minute``
        (speaker changes between consecutive turns by start), ``dominance_entropy`` (bits:
        Shannon entropy of the speakers' talk-time shares).
    """
    turns = sorted(structure, key=lambda t: (t.start, t.end))
    if not turns:
        return dict.fromkeys(COVARIATES, 0.0)
    span_minutes = (max(t.end for t in turns) - turns[0].start) / TICKS_PER_SECOND / 60
    lengths = np.array([t.duration / TICKS_PER_SECOND for t in turns])
    speech = sum(s.duration for s in merge_spans(t.span for t in turns))
    overlap = _overlapped(structure)
    changes = sum(a.speaker != b.speaker for a, b in zip(turns, turns[1:], strict=False))
    talk = Counter[str]()
    for speaker in structure.labels:
        talk[speaker] = sum(
            s.duration for s in merge_spans(t.span for t in turns if t.speaker == speaker)
        )
    total = sum(talk.values())
    entropy = -sum((v / total) * math.log2(v / total) for v in talk.values() if v > 0)
    per_minute = 1 / span_minutes if span_minutes > 0 else 0.0
    return {
        "turns_per_minute": len(turns) * per_minute,
        "mean_turn": float(lengths.mean()),
        "median_turn": float(np.median(lengths)),
        "short_turn_share": float((lengths < 1.0).mean()),
        "overlap_ratio": overlap / speech if speech else 0.0,
        "changes_per_minute": changes * per_minute,
        "dominance_entropy": entropy,
    }


def _overlapped(track: Track) -> int:
    """Ticks where two or more speakers talk."""
    events = sorted([(t.start, 1) for t in track] + [(t.end, -1) for t in track])
    active, last, total = 0, 0, 0
    for time, change in events:
        if active >= 2:
            total += time - last
        active += change
        last = time
    return total


def attribute_effects(
    cells: FactorialCells,
    attributes: dict[str, dict[str, str]],
    replicates: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> list[Effect]:
    """Each attribute's effect on DER, on the voices side and on the structure side.

    Parameters
    ----------
    cells
        A complete grid (every voice source with every structure).
    attributes
        ``{recording: {attribute: value}}``; a recording is a voice source, a structure or
        both (its own voices and its own schedule).
    replicates, level, seed
        The crossed bootstrap's.

    Returns
    -------
    list of Effect
        For each side, attribute and non-baseline level (the baseline is the level first in
        sorted order), sides and attributes in sorted order.

    Raises
    ------
    ValueError
        If the grid is incomplete, or a voice source or structure has no value for an
        attribute that others have (naming it).
    """
    grid = cells.grid()
    if grid is None:
        raise ValueError("attribute effects need a complete grid: every voices x structure cell")
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, grid.shape[0], size=(replicates, grid.shape[0]))
    columns = rng.integers(0, grid.shape[1], size=(replicates, grid.shape[1]))
    means = {"voices": grid.mean(axis=1), "structure": grid.mean(axis=0)}
    boot = {
        "voices": grid[rows[:, :, None], columns[:, None, :]].mean(axis=2),
        "structure": grid[rows[:, :, None], columns[:, None, :]].mean(axis=1),
    }
    picks = {"voices": rows, "structure": columns}
    names = {"voices": cells.voice_levels, "structure": cells.structure_levels}
    effects = []
    tail = (1 - level) / 2 * 100
    for side in ("voices", "structure"):
        for attribute in sorted({a for values in attributes.values() for a in values}):
            values = []
            for name in names[side]:
                value = attributes.get(name, {}).get(attribute)
                if value is None:
                    raise ValueError(f"{side} {name!r} has no value for attribute {attribute!r}")
                values.append(value)
            labels = np.array(values)
            levels = sorted(set(values))
            baseline = levels[0]
            for other in levels[1:]:
                estimate = _difference(means[side], labels, other, baseline)
                draws = _boot_difference(boot[side], labels[picks[side]], other, baseline)
                low, high = np.nanpercentile(draws, [tail, 100 - tail])
                effects.append(
                    Effect(
                        side,
                        attribute,
                        other,
                        baseline,
                        estimate,
                        Interval(float(low), float(high), level, replicates),
                    )  # fmt: skip
                )
    return effects


def _difference(means: np.ndarray, labels: np.ndarray, level: str, baseline: str) -> float:
    return float(means[labels == level].mean() - means[labels == baseline].mean())


def _boot_difference(
    means: np.ndarray, labels: np.ndarray, level: str, baseline: str
) -> np.ndarray:
    """Per replicate (rows of ``means``), mean of ``level`` minus mean of ``baseline``.

    NaN when a replicate drew no member of one of them.
    """
    on, off = labels == level, labels == baseline
    with np.errstate(invalid="ignore", divide="ignore"):
        return (means * on).sum(1) / on.sum(1) - (means * off).sum(1) / off.sum(1)


def covariate_effects(
    cells: FactorialCells,
    structures: dict[str, Track],
    replicates: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[dict[str, dict[str, float]], list[Effect]]:
    """Every structure's covariates, and the slope of its mean DER on each.

    Returns
    -------
    tuple
        ``{structure: {covariate: value}}`` and one :class:`Effect` per covariate (DER
        points per unit; NaN when the covariate does not vary).

    Raises
    ------
    ValueError
        If the grid is incomplete or a structure's reference is missing.
    """
    grid = cells.grid()
    if grid is None:
        raise ValueError("covariate effects need a complete grid: every voices x structure cell")
    missing = [name for name in cells.structure_levels if name not in structures]
    if missing:
        raise ValueError(f"no reference for structure {', '.join(missing)}")
    values = {name: covariates(structures[name]) for name in cells.structure_levels}
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, grid.shape[0], size=(replicates, grid.shape[0]))
    columns = rng.integers(0, grid.shape[1], size=(replicates, grid.shape[1]))
    column_means = grid[rows[:, :, None], columns[:, None, :]].mean(axis=1)
    tail = (1 - level) / 2 * 100
    effects = []
    for covariate in COVARIATES:
        x = np.array([values[name][covariate] for name in cells.structure_levels])
        estimate = _slope(x, grid.mean(axis=0))
        draws = np.array([_slope(x[c], m) for c, m in zip(columns, column_means, strict=True)])
        low, high = (
            np.nanpercentile(draws, [tail, 100 - tail])
            if np.isfinite(draws).any()
            else (math.nan, math.nan)
        )
        effects.append(
            Effect(
                "structure",
                covariate,
                None,
                None,
                estimate,
                Interval(float(low), float(high), level, replicates),
            )  # fmt: skip
        )
    return values, effects


def _slope(x: np.ndarray, y: np.ndarray) -> float:
    """Least-squares slope of y on x; NaN when x does not vary."""
    dx = x - x.mean()
    denominator = float((dx**2).sum())
    return float((dx * (y - y.mean())).sum() / denominator) if denominator > 0 else math.nan
