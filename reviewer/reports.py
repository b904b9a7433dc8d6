"""Text, CSV, JSON and figure reports of error breakdowns (for the command line)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from reviewer.model.metrics.breakdown import CLASSES, ErrorBreakdown

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
