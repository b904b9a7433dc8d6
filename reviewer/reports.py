"""Text, CSV, JSON and figure reports of error breakdowns and system comparisons (CLI)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from reviewer.corpus.corpus import RecordingRow, SystemComparison
from reviewer.metrics.breakdown import CLASSES, ErrorBreakdown

OVERALL = "*** OVERALL ***"


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
    header = ("File", "DER (%)", *(name for name in CLASSES))
    rows = []
    for uri, item in [*files.items(), (OVERALL, total)]:
        scored = item.total.scored
        der = "-" if item.total.der is None else f"{100 * item.total.der:.2f}"
        points = [
            f"{100 * item.classes[n].error / scored:.2f}" if scored > 0 else "-" for n in CLASSES
        ]
        rows.append((uri, der, *points))
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(
            [r[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)]
        )
        for r in [header, *rows]
    ]
    lines.insert(1, "-" * len(lines[0]))
    lines.insert(len(lines) - 1, "-" * len(lines[0]))
    rates = "  ".join(
        f"{n} {100 * total.classes[n].rate:.1f} %"
        for n in CLASSES
        if total.classes[n].rate is not None
    )
    return "\n".join(
        [
            *lines,
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
    scored = total.total.scored or 1.0
    points = [100 * total.classes[n].error / scored for n in CLASSES]
    axes[0].bar(CLASSES, points, color=["#7B2CBF", "#D62728", "#FF9F1C", "#0072B2", "#999999"])
    axes[0].set_ylabel("DER points (%)")
    der = 0 if total.total.der is None else 100 * total.total.der
    axes[0].set_title(f"DER {der:.2f} % by cause")
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
        rates = [100 * r if r is not None else 0 for r in curve.rates]
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

    def der(value: float | None) -> str:
        return "-" if value is None else f"{100 * value:.2f}"

    better, worse = comparison.changed()
    lines = [
        f"A = {a}",
        f"B = {b}",
        f"DER A {der(comparison.total_a.der)} %, B {der(comparison.total_b.der)} % "
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
        f"{'class':<12} {'A pts':>8} {'B pts':>8} {'B-A':>8} {'A rate %':>9} {'B rate %':>9}",
    ]
    for change in comparison.classes:
        rates = [change.a.rate, change.b.rate]
        lines.append(
            f"{change.name:<12} {change.points('a'):>8.2f} {change.points('b'):>8.2f} "
            f"{change.delta:>+8.2f} "
            + " ".join(f"{'-' if r is None else f'{100 * r:.2f}':>9}" for r in rates)
        )
    ranked = sorted(
        (r for r in comparison.recordings if r.delta is not None), key=lambda r: r.delta
    )
    width = max([len(r.uri) for r in ranked] + [9])
    for title, rows in (
        ("most improved by B", [r for r in ranked if r.delta < 0][:top]),
        ("most degraded by B", [r for r in reversed(ranked) if r.delta > 0][:top]),
    ):
        lines += ["", f"{title}:", f"{'recording':<{width}} {'DER A':>8} {'DER B':>8} {'B-A':>8}"]
        lines += [
            f"{r.uri:<{width}} {der(r.der_a):>8} {der(r.der_b):>8} {r.delta:>+8.2f}" for r in rows
        ] or ["(none)"]
    return "\n".join(lines)


def plot_comparison(comparison: SystemComparison, names: tuple[str, str], path: Path) -> None:
    """Draw two systems' comparison: DER per recording (B against A) and points per class."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    figure, axes = plt.subplots(1, 2, figsize=(13, 5), constrained_layout=True)
    pairs = [r for r in comparison.recordings if r.der_a is not None and r.der_b is not None]
    x = np.array([100 * r.der_a for r in pairs])
    y = np.array([100 * r.der_b for r in pairs])
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
    """The corpus window's table as text: one line per recording, then the corpus total."""
    from reviewer.corpus.corpus import corpus_totals

    width = max([len(r.uri) for r in rows] + [len(OVERALL)])
    head = ("dur s", "spk", "DER %", "miss %", "FA %", "conf %", "struct", "speak")
    lines = [f"{'recording':<{width}} " + " ".join(f"{h:>7}" for h in head) + "  status"]

    def pct(value: float, scored: float) -> str:
        return f"{100 * value / scored:7.2f}" if scored > 0 else f"{'-':>7}"

    for r in rows:
        if r.problem is not None:
            lines.append(f"{r.uri:<{width}} problem: {r.problem}")
            continue
        numbers = [pct(v, r.scored) for v in (r.error, r.missed, r.false_alarm, r.confusion)]
        lines.append(
            f"{r.uri:<{width}} {r.duration:7.1f} {r.speakers:7d} {' '.join(numbers)} "
            f"{r.structure_points:7.2f} {r.speaker_points:7.2f}  {r.status}"
        )
    totals = corpus_totals(rows)
    scored = totals["scored"] or 0.0
    numbers = [
        pct(totals["missed"] + totals["false_alarm"] + totals["confusion"], scored),
        *(pct(totals[k], scored) for k in ("missed", "false_alarm", "confusion")),
    ]
    lines.append(
        f"{OVERALL:<{width}} {sum(r.duration for r in rows):7.0f} {'':>7} {' '.join(numbers)}"
    )
    return "\n".join(lines)
