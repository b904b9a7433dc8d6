"""How much of a measure (DER) varies with the voices, the structure, or neither.

A factorial experiment scores one remix per cell (voices of recording *v* in the turn-and-pause
schedule of recording *s*). The measure is modelled with the voice source and the structure
source as crossed random factors (Seyfarth, Srinivasan & Kirchhoff, Interspeech 2021)::

    y[v, s] = mu + a[v] + b[s] + e[v, s],   a ~ N(0, var_voices), b ~ N(0, var_structure),
                                            e ~ N(0, var_residual)

With one value per cell the voices x structure interaction is part of the residual.

Two estimators, which agree on complete grids when no estimate is clipped:

- :func:`anova_components`: the closed-form two-way ANOVA (method-of-moments) estimator of a
  complete I x J grid (Searle, Casella & McCulloch, *Variance Components*, 1992, sec. 4.5):
  ``var_voices = (MS_voices - MS_residual) / J``, ``var_structure = (MS_structure -
  MS_residual) / I``, ``var_residual = MS_residual``; a negative estimate is clipped to 0.
- :func:`reml_components`: REML with statsmodels' ``MixedLM`` (variance components in a single
  group), for any design, complete or not.

For the bootstrap of an incomplete grid, where REML per replicate costs about 0.3 s,
:func:`henderson_estimates` gives Henderson's Method III (fitting constants) estimate in well
under a millisecond: the moment estimator for crossed random factors with missing cells
(Searle, Casella & McCulloch 1992, sec. 5.5), equal to the ANOVA estimate on a complete grid.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

COMPONENTS = ("voices", "structure", "residual")
"""The names of the variance components, in the order they are reported."""


@dataclass(frozen=True)
class FactorialCells:
    """The scored cells of a factorial experiment: one value per (voices, structure).

    Parameters
    ----------
    voices, structures
        Per cell, the voice source's and the structure source's names; shape (n,).
    values
        Per cell, the measure (DER in percentage points, or missed, false alarm, confusion);
        shape (n,), finite.

    Raises
    ------
    ValueError
        If the lengths differ, a value is not finite, or a (voices, structure) pair repeats.
    """

    voices: tuple[str, ...]
    structures: tuple[str, ...]
    values: np.ndarray = field(repr=False)

    def __post_init__(self) -> None:
        values = np.asarray(self.values, dtype=float)
        object.__setattr__(self, "values", values)
        if not len(self.voices) == len(self.structures) == len(values):
            raise ValueError(
                f"{len(self.voices)} voices, {len(self.structures)} structures and "
                f"{len(values)} values: one of each per cell"
            )
        if not np.all(np.isfinite(values)):
            bad = int(np.flatnonzero(~np.isfinite(values))[0])
            raise ValueError(
                f"cell ({self.voices[bad]}, {self.structures[bad]}) has no finite value"
            )
        seen: set[tuple[str, str]] = set()
        for pair in zip(self.voices, self.structures, strict=True):
            if pair in seen:
                raise ValueError(f"cell {pair} appears twice: one value per cell")
            seen.add(pair)

    @classmethod
    def from_grid(
        cls, grid: np.ndarray, voices: list[str] | None = None, structures: list[str] | None = None
    ) -> FactorialCells:
        """Cells of a complete grid, ``grid[i, j]`` for voices ``i`` and structure ``j``."""
        grid = np.asarray(grid, dtype=float)
        rows, columns = grid.shape
        voices = voices or [f"v{i}" for i in range(rows)]
        structures = structures or [f"s{j}" for j in range(columns)]
        return cls(
            tuple(np.repeat(voices, columns).tolist()),
            tuple(np.tile(structures, rows).tolist()),
            grid.ravel(),
        )

    def __len__(self) -> int:
        return len(self.values)

    @property
    def voice_levels(self) -> tuple[str, ...]:
        """The voice sources, in order of first appearance."""
        return tuple(dict.fromkeys(self.voices))

    @property
    def structure_levels(self) -> tuple[str, ...]:
        """The structure sources, in order of first appearance."""
        return tuple(dict.fromkeys(self.structures))

    def grid(self) -> np.ndarray | None:
        """The values as a voices x structures array, or None when a cell is missing."""
        rows = {name: i for i, name in enumerate(self.voice_levels)}
        columns = {name: j for j, name in enumerate(self.structure_levels)}
        if len(self) != len(rows) * len(columns):
            return None
        grid = np.empty((len(rows), len(columns)))
        for voices, structure, value in zip(self.voices, self.structures, self.values, strict=True):
            grid[rows[voices], columns[structure]] = value
        return grid


@dataclass(frozen=True)
class VarianceComponents:
    """Variance of a measure attributed to voices, structure and residual.

    Attributes
    ----------
    voices, structure, residual
        The variance components, in the measure's unit squared (DER points squared); >= 0.
    mean
        The grand mean (the model's intercept), in the measure's unit.
    method
        ``"anova"`` (closed form, complete grid) or ``"reml"`` (statsmodels MixedLM).
    clipped
        The components whose estimate was negative and is reported as 0.
    """

    voices: float
    structure: float
    residual: float
    mean: float
    method: str
    clipped: tuple[str, ...] = ()

    @property
    def total(self) -> float:
        """The sum of the three components."""
        return self.voices + self.structure + self.residual

    def as_dict(self) -> dict[str, float]:
        """``{component: variance}`` in :data:`COMPONENTS` order."""
        return {name: getattr(self, name) for name in COMPONENTS}

    @property
    def no_variance(self) -> bool:
        """Whether the measure does not vary at all: its shares are undefined (0 / 0)."""
        return self.total <= 1e-12

    def shares(self) -> dict[str, float]:
        """``{component: share of the total variance}`` (0 to 1).

        All 0 when nothing varies: see :attr:`no_variance`, and report those as undefined.
        """
        total = self.total
        return {name: (v / total if total > 0 else 0.0) for name, v in self.as_dict().items()}


def anova_components(grid: np.ndarray) -> VarianceComponents:
    """The closed-form two-way ANOVA estimate for a complete voices x structures grid.

    Parameters
    ----------
    grid
        Shape (I, J), I >= 2 voice sources by J >= 2 structures, one value per cell.

    Raises
    ------
    ValueError
        If the grid has fewer than 2 rows or 2 columns.
    """
    estimates = anova_estimates(np.asarray(grid, dtype=float)[None])
    voices, structure, residual, mean = (float(x[0]) for x in estimates)
    return _clipped(voices, structure, residual, mean, "anova")


def anova_estimates(grids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Unclipped ANOVA estimates of a stack of complete grids.

    Parameters
    ----------
    grids
        Shape (B, I, J): B grids of I voice sources by J structures.

    Returns
    -------
    tuple of four arrays of shape (B,)
        ``var_voices``, ``var_structure``, ``var_residual`` (possibly negative) and the mean.

    Raises
    ------
    ValueError
        If I < 2 or J < 2.
    """
    _, rows, columns = grids.shape
    if rows < 2 or columns < 2:
        raise ValueError(
            f"a {rows} x {columns} grid: the variance of voices and of structure needs at "
            "least 2 voice sources and 2 structures"
        )
    mean = grids.mean(axis=(1, 2))
    row_means = grids.mean(axis=2)
    column_means = grids.mean(axis=1)
    ms_voices = columns * ((row_means - mean[:, None]) ** 2).sum(axis=1) / (rows - 1)
    ms_structure = rows * ((column_means - mean[:, None]) ** 2).sum(axis=1) / (columns - 1)
    residuals = grids - row_means[:, :, None] - column_means[:, None, :] + mean[:, None, None]
    ms_residual = (residuals**2).sum(axis=(1, 2)) / ((rows - 1) * (columns - 1))
    return (
        (ms_voices - ms_residual) / columns,
        (ms_structure - ms_residual) / rows,
        ms_residual,
        mean,
    )


def _clipped(
    voices: float, structure: float, residual: float, mean: float, method: str
) -> VarianceComponents:
    raw = {"voices": voices, "structure": structure, "residual": residual}
    clipped = tuple(name for name, value in raw.items() if value < 0)
    return VarianceComponents(
        max(voices, 0.0), max(structure, 0.0), max(residual, 0.0), mean, method, clipped
    )


def reml_components(cells: FactorialCells) -> VarianceComponents:
    """REML estimate of the crossed random-effects model with statsmodels' ``MixedLM``.

    The two crossed factors are variance components of one all-embracing group, as the
    statsmodels documentation shows for crossed designs (``vc_formula``).

    Raises
    ------
    ValueError
        With fewer than 2 voice sources or 2 structures.
    """
    import warnings

    import pandas as pd
    from statsmodels.regression.mixed_linear_model import MixedLM

    if len(cells.voice_levels) < 2 or len(cells.structure_levels) < 2:
        raise ValueError("the variance of voices and of structure needs at least 2 of each")
    frame = pd.DataFrame({"y": cells.values, "voices": cells.voices, "structure": cells.structures})
    model = MixedLM.from_formula(
        "y ~ 1",
        groups=np.ones(len(frame)),
        vc_formula={"voices": "0 + C(voices)", "structure": "0 + C(structure)"},
        data=frame,
    )
    with warnings.catch_warnings():  # boundary fits (a component at 0) are expected here
        warnings.simplefilter("ignore")
        fit = model.fit(reml=True, method=["lbfgs", "powell"])
    names = list(model.exog_vc.names)
    vcomp = dict(zip(names, np.asarray(fit.vcomp, dtype=float), strict=True))
    return _clipped(
        float(vcomp["voices"]),
        float(vcomp["structure"]),
        float(fit.scale),
        float(fit.fe_params.iloc[0]),
        "reml",
    )


def henderson_estimates(
    voices: np.ndarray, structures: np.ndarray, values: np.ndarray
) -> tuple[float, float, float, float]:
    """Henderson's Method III estimate of the crossed model, with cells missing (unclipped).

    Each component is the expectation equation of a reduction in sums of squares fitted by
    least squares (Searle, Casella & McCulloch, *Variance Components*, 1992, sec. 5.5)::

        var_residual  = SSE(mu, a, b) / (n - rank(mu, a, b))
        R(b | mu, a)  = SSE(mu, a) - SSE(mu, a, b)
                      = (rank(mu, a, b) - I) var_residual + (n - I) var_structure
        R(a | mu, b)  = SSE(mu, b) - SSE(mu, a, b)
                      = (rank(mu, a, b) - J) var_residual + (n - J) var_voices

    (with one value per cell, ``tr(Z_b' M_a Z_b) = n - I``). On a complete grid it equals the
    two-way ANOVA estimate.

    Parameters
    ----------
    voices, structures
        Per cell, the index of its voice source (0..I-1) and of its structure (0..J-1);
        shape (n,), every index used.
    values
        Per cell, the measure; shape (n,).

    Returns
    -------
    tuple of float
        ``var_voices``, ``var_structure``, ``var_residual`` (possibly negative) and the mean;
        all NaN when the design cannot separate them (fewer than 2 levels of a factor, or
        no residual degree of freedom).
    """
    rows, columns, n = int(voices.max()) + 1, int(structures.max()) + 1, len(values)
    x = np.zeros((n, rows + columns))
    x[np.arange(n), voices] = 1.0
    x[np.arange(n), rows + structures] = 1.0
    solution, _, rank, _ = np.linalg.lstsq(x, values, rcond=None)
    if rows < 2 or columns < 2 or n - rank < 1:
        return (np.nan, np.nan, np.nan, np.nan)
    fitted = x @ solution
    sse_full = float(((values - fitted) ** 2).sum())
    sse_voices = _within(voices, rows, values)
    sse_structures = _within(structures, columns, values)
    residual = sse_full / (n - rank)
    structure = (sse_voices - sse_full - (rank - rows) * residual) / (n - rows)
    voice = (sse_structures - sse_full - (rank - columns) * residual) / (n - columns)
    return (voice, structure, residual, float(values.mean()))


def _within(groups: np.ndarray, count: int, values: np.ndarray) -> float:
    """The sum of squares of ``values`` about their group means."""
    sizes = np.bincount(groups, minlength=count)
    means = np.bincount(groups, weights=values, minlength=count) / np.maximum(sizes, 1)
    return float(((values - means[groups]) ** 2).sum())


def variance_components(cells: FactorialCells) -> VarianceComponents:
    """The ANOVA estimate for a complete grid, REML otherwise."""
    grid = cells.grid()
    return anova_components(grid) if grid is not None else reml_components(cells)
