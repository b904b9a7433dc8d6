"""Text, CSV, JSON and figure reports of scores, error breakdowns and corpora (for the CLI).

Tables are laid out by :mod:`tabulate`; every DER, DER point and rate is computed from
seconds by :func:`reviewer.metrics.numbers.points` and written by
:func:`~reviewer.metrics.numbers.format_points` ("-" where nothing was scored).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from pathlib import Path

from tabulate import SEPARATING_LINE, tabulate

from reviewer.corpus.comparison import SystemComparison, der_points
from reviewer.corpus.scoring import RecordingRow, corpus_totals
from reviewer.factorial.analysis import FactorialAnalysis
from reviewer.factorial.cells_file import MEASURES, CellRow
from reviewer.factorial.comparison import QUANTITIES, SystemsComparison
from reviewer.factorial.effects import Effect
from reviewer.factorial.variance import COMPONENTS as FACTORIAL_COMPONENTS
from reviewer.metrics.breakdown import CLASSES, ErrorBreakdown
from reviewer.metrics.der import CorpusScore, DiarizationScore
from reviewer.metrics.numbers import format_percent, format_points, percent, points

OVERALL = "*** OVERALL ***"


def text_table(
    headers: Sequence[str], rows: Iterable[Sequence[str] | str], align: str | None = None
) -> str:
    """Cells already written as text, in columns aligned by ``align`` (``"l"`` or ``"r"`` each).

    By default the first column is to the left and the others, numbers, to the right. A row
    may be :data:`tabulate.SEPARATING_LINE` (a rule before the totals).
    """
    align = align or "l" + "r" * (len(headers) - 1)
    sides = tuple({"l": "left", "r": "right"}[side] for side in align)
    return tabulate(list(rows), headers, tablefmt="simple", disable_numparse=True, colalign=sides)


def format_table(
    result: CorpusScore, jer: dict[str, float] | None = None, overall: float | None = None
) -> str:
    """``reviewer score``: a per-recording table and the total, like dscore's (JER when given)."""
    jer = jer or {}
    header = (
        "File",
        "Scored (s)",
        "Missed (s)",
        "False alarm (s)",
        "Confusion (s)",
        "DER (%)",
        "JER (%)",
    )

    def row(name: str, item: DiarizationScore, jer: float | None) -> tuple[str, ...]:
        seconds = (item.scored, item.missed, item.false_alarm, item.confusion)
        return (
            name,
            *(f"{value:.3f}" for value in seconds),
            format_points(der_points(item)),
            format_points(percent(jer)),
        )

    rows = [row(uri, item, jer.get(uri)) for uri, item in result.files.items()]
    return text_table(header, [*rows, SEPARATING_LINE, row(OVERALL, result.total, overall)])


def breakdown_json(files: dict[str, ErrorBreakdown], total: ErrorBreakdown) -> dict:
    """``{"files": {uri: {...}}, "total": {"total", "classes", ...}}``, times in seconds."""
    corpus = total.as_dict()
    for key in ("speakers", "confusion_matrix", "mapping", "unmapped_reference", "unmapped_system"):
        corpus.pop(key)
    return {"files": {uri: item.as_dict() for uri, item in files.items()}, "total": corpus}


def breakdown_csv(files: dict[str, ErrorBreakdown], total: ErrorBreakdown) -> str:
    """One row per recording and class, then the corpus rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["file", "class", "scored", "missed", "false_alarm", "confusion", "exposure", "rate"]
    )
    for uri, item in [*files.items(), (OVERALL, total)]:
        for name in CLASSES:
            c = item.classes[name]
            writer.writerow(
                [
                    uri,
                    name,
                    *(
                        f"{v:.3f}"
                        for v in (c.scored, c.missed, c.false_alarm, c.confusion, c.exposure)
                    ),
                    "" if c.rate is None else f"{c.rate:.6f}",
                ]
            )
        t = item.total
        writer.writerow(
            [
                uri,
                "total",
                f"{t.scored:.3f}",
                f"{t.missed:.3f}",
                f"{t.false_alarm:.3f}",
                f"{t.confusion:.3f}",
                f"{t.scored:.3f}",
                "" if t.der is None else f"{t.der:.6f}",
            ]
        )
    return out.getvalue()


def breakdown_table(files: dict[str, ErrorBreakdown], total: ErrorBreakdown) -> str:
    """DER and its points per class, per recording and overall, then the headline."""

    def row(uri: str, item: ErrorBreakdown) -> tuple[str, ...]:
        scored = item.total.scored
        return (
            uri,
            format_points(der_points(item.total)),
            *(format_points(points(item.classes[n].error, scored)) for n in CLASSES),
        )

    rows = [row(uri, item) for uri, item in files.items()]
    table = text_table(("File", "DER (%)", *CLASSES), [*rows, SEPARATING_LINE, row(OVERALL, total)])
    rates = "  ".join(
        f"{n} {format_percent(total.classes[n].rate, 1)}"
        for n in CLASSES
        if total.classes[n].rate is not None
    )
    return "\n".join(
        [
            table,
            "",
            "Points of DER per class (above); error rate within each class: " + rates,
            total.headline(),
        ]
    )


def plot_breakdown(files: dict[str, ErrorBreakdown], total: ErrorBreakdown, path: Path) -> None:
    """Draw a figure for a paper: DER points per class and two error-rate curves.

    The curves show the error rate against reference turn duration and against the
    distance to the nearest speaker change.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 3, figsize=(15, 4.2), constrained_layout=True)
    heights = [points(total.classes[n].error, total.total.scored) or 0.0 for n in CLASSES]
    axes[0].bar(CLASSES, heights, color=["#7B2CBF", "#D62728", "#FF9F1C", "#0072B2", "#999999"])
    axes[0].set_ylabel("DER points (%)")
    axes[0].set_title(f"DER {format_points(der_points(total.total) or 0.0)} % by cause")
    axes[0].tick_params(axis="x", rotation=20)
    for ax, curve, xlabel in (
        (axes[1], total.by_turn_duration, "reference turn duration (s)"),
        (axes[2], total.by_change_distance, "distance to the nearest speaker change (s)"),
    ):
        if curve is None:
            continue
        labels = [
            f"{a:g}-{b:g}" if b != float("inf") else f">{a:g}"
            for a, b in zip(curve.edges[:-1], curve.edges[1:], strict=True)
        ]
        rates = [percent(rate) or 0.0 for rate in curve.rates]
        ax.bar(labels, rates, color="#0072B2")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("error rate (%)")
        ax.tick_params(axis="x", rotation=20)
    axes[1].set_title("Error rate by turn duration")
    axes[2].set_title("Error rate by distance to a change")
    figure.suptitle(f"{len(files)} recording(s): {total.headline()}", fontsize=9)
    figure.savefig(path, dpi=120)
    plt.close(figure)


def comparison_table(comparison: SystemComparison, names: tuple[str, str], top: int = 10) -> str:
    """Text report of two systems: corpus DER, the error classes, the most changed recordings."""
    a, b = names
    better, worse = comparison.changed()
    lines = [
        f"A = {a}",
        f"B = {b}",
        f"DER A {format_points(der_points(comparison.total_a))} %, "
        f"B {format_points(der_points(comparison.total_b))} % "
        f"({len(comparison.recordings) - len(comparison.unscored)} recordings, time-weighted "
        "like md-eval); "
        f"B is better on {len(better)} and worse on {len(worse)} recordings "
        "(by more than 0.5 DER points)",
        *(
            [f"not scored under A or B, left out: {', '.join(comparison.unscored)}"]
            if comparison.unscored
            else []
        ),
        "",
        text_table(
            ("class", "A pts", "B pts", "B-A", "A rate %", "B rate %"),
            [
                (
                    change.name,
                    format_points(change.points("a")),
                    format_points(change.points("b")),
                    format_points(change.delta, signed=True),
                    format_points(change.rate_points("a")),
                    format_points(change.rate_points("b")),
                )
                for change in comparison.classes
            ],
        ),
    ]
    ranked = sorted(
        (r for r in comparison.recordings if r.delta is not None), key=lambda r: r.delta or 0.0
    )
    for title, changes in (
        ("most improved by B", [r for r in ranked if (r.delta or 0.0) < 0][:top]),
        ("most degraded by B", [r for r in reversed(ranked) if (r.delta or 0.0) > 0][:top]),
    ):
        rows = [
            (
                r.uri,
                format_points(der_points(r.a)),
                format_points(der_points(r.b)),
                format_points(r.delta, signed=True),
            )
            for r in changes
        ]
        lines += ["", f"{title}:", text_table(("recording", "DER A", "DER B", "B-A"), rows)]
        lines += [] if rows else ["(none)"]
    return "\n".join(lines)


def plot_comparison(comparison: SystemComparison, names: tuple[str, str], path: Path) -> None:
    """Draw two systems' comparison: DER per recording (B against A) and points per class."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    figure, axes = plt.subplots(1, 2, figsize=(13, 5), constrained_layout=True)
    pairs = [
        (a, b)
        for a, b in ((der_points(r.a), der_points(r.b)) for r in comparison.recordings)
        if a is not None and b is not None
    ]
    x = np.array([a for a, _ in pairs])
    y = np.array([b for _, b in pairs])
    colours = np.where(y < x - 0.5, "#2CA02C", np.where(y > x + 0.5, "#D62728", "#999999"))
    axes[0].scatter(x, y, c=colours, s=14)
    top = max([*x, *y, 1.0])
    axes[0].plot([0, top], [0, top], "--", color="#777777", linewidth=1)
    axes[0].set_xlabel(f"DER % of A ({names[0]})")
    axes[0].set_ylabel(f"DER % of B ({names[1]})")
    axes[0].set_title("Per recording (below the diagonal: B is better)")
    positions = np.arange(len(comparison.classes))
    axes[1].bar(positions - 0.2, [c.points("a") for c in comparison.classes], 0.38, label="A")
    axes[1].bar(positions + 0.2, [c.points("b") for c in comparison.classes], 0.38, label="B")
    axes[1].set_xticks(positions, [c.name.replace("_", " ") for c in comparison.classes])
    axes[1].set_ylabel("DER points (%)")
    axes[1].set_title("Per error class")
    axes[1].legend()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def recordings_table(rows: list[RecordingRow]) -> str:
    """The corpus window's table as text: one line per recording, then the corpus total.

    A recording that could not be scored has a row of ``-`` and its problem (file, line and
    what is wrong) on a line of its own after the table.
    """

    def shares(score: DiarizationScore) -> list[str]:
        errors = (score.error, score.missed, score.false_alarm, score.confusion)
        return [format_points(points(value, score.scored)) for value in errors]

    lines: list[Sequence[str] | str] = []
    problems = [f"{r.uri}  problem: {r.problem}" for r in rows if r.problem is not None]
    for r in rows:
        if r.problem is not None:  # its message follows the table, so columns stay narrow
            lines.append((r.uri, *["-"] * 8, "problem (below)"))
            continue
        lines.append(
            (
                r.uri,
                f"{r.duration:.1f}",
                str(r.speakers),
                *shares(r.score),
                format_points(r.structure_points),
                format_points(r.speaker_points),
                r.status,
            )
        )
    totals = corpus_totals(rows)
    total = (OVERALL, f"{totals.duration:.0f}", "", *shares(totals.score), "", "", "")
    headers = ("recording", "dur s", "spk", "DER %", "miss %", "FA %", "conf %", "struct")
    table = text_table(
        (*headers, "speak", "status"), [*lines, SEPARATING_LINE, total], "l" + "r" * 8 + "l"
    )
    return "\n".join([table, *problems])


_MEASURE_NAMES = {
    "der": "DER",
    "missed": "Missed",
    "false_alarm": "False alarm",
    "confusion": "Confusion",
}


def factorial_table(analysis: FactorialAnalysis) -> str:
    """``reviewer factorial analyze``: each measure's variance shares with their intervals."""
    level = f"{100 * analysis.level:g} %"
    used = analysis.der.intervals["variance"]["voices"].replicates
    draws = f"{used} of {analysis.replicates}" if used != analysis.replicates else f"{used}"
    lines = [
        f"{analysis.cells} cells: {analysis.voices} voice sources x {analysis.structures} "
        f"structures; {_MEASURE_NAMES['der']} mean {analysis.der.components.mean:.2f} points "
        f"({analysis.der.components.method}; {level} intervals from "
        f"{draws} crossed-bootstrap replicates)",
    ]
    if analysis.unscored:
        pairs = ", ".join(f"({v}, {s})" for v, s in analysis.unscored)
        lines.append(f"left out, no scored time: {pairs}")
    lines += [f"note: {note}" for note in analysis.notes]
    header = ("Measure", "Component", "Variance (pt²)", f"{level} CI", "Share", f"{level} CI")
    rows: list[Sequence[str] | str] = []
    previous = None
    for row in factorial_variance_rows(analysis):
        if rows and row[0] != previous:
            rows.append(SEPARATING_LINE)
        rows.append(("" if rows and row[0] == previous else row[0], *row[1:]))
        previous = row[0]
    text = "\n".join([*lines, "", text_table(header, rows, "llrrrr")])
    if not analysis.effects:
        return text
    effects = text_table(
        ("Side", "Effect on DER", "Points", f"{level} CI", "Unit"),
        factorial_effect_rows(analysis),
        "llrrl",
    )
    return f"{text}\n\n{effects}"


NO_VARIANCE = "undefined (no variance)"
"""A share of a measure that does not vary at all (0 / 0)."""


def factorial_variance_rows(
    analysis: FactorialAnalysis, names: dict[str, str] | None = None
) -> list[tuple[str, ...]]:
    """Per measure and component: name, component, variance, its CI, share, its CI (text).

    ``names``: how each measure is called (default: as the command line calls them).
    """
    names = names or _MEASURE_NAMES
    rows: list[tuple[str, ...]] = []
    for name, measure in analysis.measures.items():
        shares = measure.components.shares()
        for component in FACTORIAL_COMPONENTS:
            variance = measure.intervals["variance"][component]
            share = measure.intervals["share"][component]
            clipped = " (clipped)" if component in measure.components.clipped else ""
            undefined = measure.components.no_variance
            rows.append(
                (
                    names[name],
                    component,
                    f"{getattr(measure.components, component):.3f}{clipped}",
                    f"[{variance.low:.3f}, {variance.high:.3f}]",
                    NO_VARIANCE if undefined else f"{100 * shares[component]:.1f} %",
                    "" if undefined else f"[{100 * share.low:.1f}, {100 * share.high:.1f}] %",
                )
            )
    return rows


def factorial_effect_rows(analysis: FactorialAnalysis) -> list[tuple[str, ...]]:
    """Per effect: side, what, DER points, its CI and the unit (text; '-' when it cannot vary)."""
    rows: list[tuple[str, ...]] = []
    for effect in analysis.effects:
        finite = math.isfinite(effect.estimate)
        what = effect.name
        if effect.level is not None:
            what = f"{effect.name}: {effect.level} vs {effect.baseline}"
        rows.append(
            (
                effect.side,
                what,
                format_points(effect.estimate if finite else None, signed=True),
                f"[{effect.interval.low:+.2f}, {effect.interval.high:+.2f}]"
                if finite
                else "(the same for every structure)",
                "points" if effect.level is not None else "points per unit",
            )
        )
    return rows


def factorial_csv(analysis: FactorialAnalysis) -> str:
    """``reviewer factorial analyze --csv``: one row per measure and component."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ("measure", "component", "variance", "variance_low", "variance_high",
         "share", "share_low", "share_high", "mean", "method")
    )  # fmt: skip
    for name, measure in analysis.measures.items():
        shares = measure.components.shares()
        for component in FACTORIAL_COMPONENTS:
            variance = measure.intervals["variance"][component]
            share = measure.intervals["share"][component]
            writer.writerow(
                (name, component, getattr(measure.components, component), variance.low,
                 variance.high, shares[component], share.low, share.high,
                 measure.components.mean, measure.components.method)
            )  # fmt: skip
    return out.getvalue()


def factorial_comparison_rows(comparison: SystemsComparison) -> list[tuple[str, ...]]:
    """The comparison's rows as text, one per measure and quantity.

    Columns: measure (on its first row only), quantity, A, its CI, B, its CI, A - B and its
    paired CI; shares in percent, means in DER points.
    """
    a, b = comparison.analyses
    rows: list[tuple[str, ...]] = []
    for measure in MEASURES:
        for k, quantity in enumerate(QUANTITIES):
            item = comparison.difference(measure, quantity)
            cells: list[str] = []
            left_out = False
            for analysis, value in ((a, item.a), (b, item.b)):
                if quantity == "mean":
                    cells += [f"{value:.2f}", ""]
                elif analysis.measures[measure].components.no_variance:
                    cells += [NO_VARIANCE, ""]
                    left_out = True  # a share of nothing: no difference to take
                else:
                    ci = analysis.measures[measure].intervals["share"][quantity]
                    cells += [f"{value:.1f} %", f"[{100 * ci.low:.1f}, {100 * ci.high:.1f}] %"]
            rows.append(
                (
                    _MEASURE_NAMES[measure] if k == 0 else "",
                    "mean (points)" if quantity == "mean" else f"{quantity} share",
                    *cells,
                    "left out" if left_out else f"{item.estimate:+.1f}",
                    "" if left_out else f"[{item.interval.low:+.1f}, {item.interval.high:+.1f}]",
                )
            )
    return rows


def factorial_comparison_table(comparison: SystemsComparison) -> str:
    """``analyze EXP_A EXP_B``: each system's shares with intervals, A - B paired, a verdict."""
    a, b = comparison.analyses
    d = comparison.difference()
    level = f"{100 * d.interval.level:g} %"
    lines = [
        f"A = {comparison.names[0]}, B = {comparison.names[1]}",
        f"{a.cells} cells in both: {a.voices} voice sources x {a.structures} structures; "
        f"{level} intervals from {d.interval.replicates} crossed-bootstrap replicates, "
        "paired (the same draw for A and B) for A - B",
        "",
    ]
    header = ("Measure", "Quantity", "A", f"{level} CI", "B", f"{level} CI", "A - B",
              f"{level} CI (paired)")  # fmt: skip
    rows: list[Sequence[str] | str] = []
    for row in factorial_comparison_rows(comparison):
        if rows and row[0]:
            rows.append(SEPARATING_LINE)
        rows.append(row)
    notes = [f"note ({name}): {n}" for name, x in zip(comparison.names, (a, b), strict=True)
             for n in x.notes]  # fmt: skip
    table = text_table(header, rows, "llrrrrrr")
    return "\n".join([*lines, table, "", *notes, comparison.verdict()])


FACTORIAL_DPI = 120
"""Resolution of the factorial figures (``--plot``), dots per inch."""

_PANEL = (5.2, 4.6)
"""Width and height of one panel of a factorial figure, inches."""

_COMPONENT_COLOURS = {"voices": "#0072B2", "structure": "#D55E00", "residual": "#999999"}


def factorial_figure_size(panels: int) -> tuple[int, int]:
    """The pixel size (width, height) of a factorial figure of ``panels`` panels in a row."""
    return round(_PANEL[0] * panels * FACTORIAL_DPI), round(_PANEL[1] * FACTORIAL_DPI)


def plot_factorial(analysis: FactorialAnalysis, rows: list[CellRow], path: Path) -> int:
    """Draw an experiment for a paper: the DER grid, the variance shares, the effects.

    Panels, left to right: the voices x structures heatmap of DER (points; the diagonal,
    the resynthesis control, outlined; a missing cell blank), every measure's variance
    shares with their bootstrap intervals, and, when there are any, the attribute and
    covariate effects on DER with their intervals (a forest plot).

    Returns
    -------
    int
        How many panels were drawn (2, or 3 with effects); the image is
        :func:`factorial_figure_size` pixels.
    """
    effects = [e for e in analysis.effects if math.isfinite(e.estimate)]
    figure, axes = _figure(3 if effects else 2)
    _heatmap(axes[0], rows, "DER (%) of each cell")
    _share_bars(axes[1], [(None, analysis)], list(analysis.measures))
    axes[1].set_title(f"Variance shares ({100 * analysis.level:g} % bootstrap intervals)")
    if effects:
        _forest(
            axes[2],
            [_effect_label(e) for e in effects],
            [e.estimate for e in effects],
            [(e.interval.low, e.interval.high) for e in effects],
            "effect on DER (points; covariates per unit)",
        )
        axes[2].set_title("Effects on DER")
    figure.suptitle(
        f"{analysis.cells} cells ({analysis.voices} voice sources x {analysis.structures} "
        f"structures), DER mean {analysis.der.components.mean:.1f} points",
        fontsize=10,
    )
    return _save(figure, path, len(axes))


def plot_factorial_comparison(
    comparison: SystemsComparison, rows: tuple[list[CellRow], list[CellRow]], path: Path
) -> int:
    """Draw two systems on one design: both DER grids, their shares, the paired differences.

    Panels: A's and B's heatmaps on one colour scale, DER's variance shares of both systems
    with their intervals, and A - B of each measure's structure share with its paired
    bootstrap interval. Returns the number of panels (4).
    """
    figure, axes = _figure(4)
    names = comparison.names
    values = [row.points("der") for pair in rows for row in pair if row.scored > 0]
    scale = (min(values), max(values))
    for ax, name, cells in zip(axes[:2], names, rows, strict=True):
        _heatmap(ax, cells, f"{name}: DER (%)", scale)
    _share_bars(axes[2], list(zip(names, comparison.analyses, strict=True)), ["der"])
    axes[2].set_title("DER variance shares")
    differences = [comparison.difference(measure, "structure") for measure in MEASURES]
    _forest(
        axes[3],
        [_MEASURE_NAMES[d.measure] for d in differences],
        [d.estimate for d in differences],
        [(d.interval.low, d.interval.high) for d in differences],
        "A - B structure share (points)",
    )
    axes[3].set_title("Sensitivity to structure, A - B (paired)")
    figure.suptitle(f"A = {names[0]}, B = {names[1]}: {comparison.verdict()}", fontsize=9)
    return _save(figure, path, len(axes))


def _figure(panels: int):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    size = (_PANEL[0] * panels, _PANEL[1])
    figure, axes = plt.subplots(1, panels, figsize=size, constrained_layout=True)
    return figure, list(axes)


def _save(figure, path: Path, panels: int) -> int:
    import matplotlib.pyplot as plt

    figure.savefig(path, dpi=FACTORIAL_DPI)
    plt.close(figure)
    return panels


def _heatmap(ax, rows: list[CellRow], title: str, scale: tuple[float, float] | None = None) -> None:
    """Voices (rows) x structures (columns), coloured pale yellow to red as in the app."""
    import numpy as np

    voices = list(dict.fromkeys(row.voices for row in rows))
    structures = list(dict.fromkeys(row.structure for row in rows))
    grid = np.full((len(voices), len(structures)), np.nan)
    for row in rows:
        if row.scored > 0:
            grid[voices.index(row.voices), structures.index(row.structure)] = row.points("der")
    low, high = scale or (float(np.nanmin(grid)), float(np.nanmax(grid)))
    image = ax.imshow(grid, cmap="YlOrRd", vmin=low, vmax=max(high, low + 1e-9), aspect="auto")
    ax.figure.colorbar(image, ax=ax, shrink=0.85, label="DER (%)")
    ax.set_xticks(range(len(structures)), structures, rotation=35, ha="right", fontsize=8)
    ax.set_yticks(range(len(voices)), voices, fontsize=8)
    ax.set_xlabel("structure")
    ax.set_ylabel("voices")
    ax.set_title(title)
    if len(voices) * len(structures) <= 144:  # numbers stay legible up to 12 x 12
        middle = (low + high) / 2
        for (i, j), value in np.ndenumerate(grid):
            if math.isfinite(value):
                colour = "white" if value > middle else "black"
                ax.text(j, i, f"{value:.1f}", ha="center", va="center", fontsize=7, color=colour)
    for i, name in enumerate(voices):
        if name in structures:  # the resynthesis control: a recording's own structure
            j = structures.index(name)
            ax.add_patch(_outline(j, i))


def _outline(x: float, y: float):
    from matplotlib.patches import Rectangle

    return Rectangle((x - 0.5, y - 0.5), 1, 1, fill=False, edgecolor="black", linewidth=1.5)


def _share_bars(ax, systems: list[tuple[str | None, FactorialAnalysis]], measures: list[str]):
    """Horizontal bars of each component's share (percent) with its interval as error bars.

    One group per measure (and per system when ``systems`` holds two).
    """
    import numpy as np

    labels: list[tuple[float, str]] = []
    y = 0.0
    height = 0.8 / len(FACTORIAL_COMPONENTS)
    for measure in measures:
        for name, analysis in systems:
            item = analysis.measures[measure]
            shares = item.components.shares()
            for k, component in enumerate(FACTORIAL_COMPONENTS):
                share = 100 * shares[component]
                interval = item.intervals["share"][component]
                error = np.array([[share - 100 * interval.low], [100 * interval.high - share]])
                ax.barh(
                    -(y + k * height), share, height * 0.9, xerr=np.maximum(error, 0),
                    color=_COMPONENT_COLOURS[component], capsize=2,
                    label=component if not labels else None,
                )  # fmt: skip
            title = _MEASURE_NAMES[measure] + (f" {name}" if name else "")
            title += " (constant)" if item.components.total == 0 else ""
            labels.append((-(y + height), title))
            y += 1.0
    ax.set_yticks([p for p, _ in labels], [t for _, t in labels], fontsize=8)
    ax.set_xlim(0, 105)
    ax.set_xlabel("share of the variance (%)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3, fontsize=8)


def _forest(
    ax, labels: list[str], estimates: list[float], intervals: list[tuple[float, float]], x: str
) -> None:
    """Estimates with their intervals, one line each, and a line at 0."""
    positions = list(range(len(labels)))[::-1]
    low = [e - a for e, (a, _) in zip(estimates, intervals, strict=True)]
    high = [b - e for e, (_, b) in zip(estimates, intervals, strict=True)]
    ax.errorbar(estimates, positions, xerr=[low, high], fmt="o", color="#333333", capsize=3)
    ax.axvline(0, color="#999999", linewidth=1, linestyle="--")
    ax.set_yticks(positions, labels, fontsize=8)
    ax.set_xlabel(x)


def _effect_label(effect: Effect) -> str:
    if effect.level is not None:
        return f"{effect.side}: {effect.name} {effect.level} vs {effect.baseline}"
    return f"{effect.side}: {effect.name}"
