"""Two systems side by side: which recordings and which error classes got better or worse."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QGridLayout, QLabel, QTableView, QWidget

from reviewer.corpus.comparison import SystemComparison, der_points
from reviewer.metrics.breakdown import CLASSES
from reviewer.metrics.numbers import format_percent, format_points

#: DER points a recording must move by to count as better or worse.
THRESHOLD = 0.5
A_COLOUR, B_COLOUR = "#56B4E9", "#E69F00"
BETTER, WORSE, SAME = "#2CA02C", "#D62728", "#999999"


def _cell(value: float | str | None, signed: bool = False) -> QStandardItem:
    """A cell sorting by value (a missing number last, shown empty)."""
    if isinstance(value, float):
        text, sort = format_points(value, signed=signed), value
    else:
        text, sort = ("" if value is None else str(value)), value
    item = QStandardItem(text)
    item.setEditable(False)
    item.setData(float("inf") if sort is None else sort, Qt.ItemDataRole.UserRole)  # last
    return item


def _table(headers: tuple[str, ...]) -> tuple[QStandardItemModel, QTableView]:
    model = QStandardItemModel(0, len(headers))
    model.setHorizontalHeaderLabels(list(headers))
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setSortRole(Qt.ItemDataRole.UserRole)
    view = QTableView()
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.verticalHeader().setVisible(False)
    return model, view


class ComparisonView(QWidget):
    """Per recording and per error class: system A against system B, as tables and plots.

    Double-clicking a recording (or clicking its point) emits :attr:`open_requested`.
    """

    open_requested = Signal(str)

    def __init__(self):
        super().__init__()
        self.comparison: SystemComparison | None = None
        layout = QGridLayout(self)
        self.summary = QLabel("Compare with another system: File \u2192 Compare (Ctrl+Shift+C).")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary, 0, 0, 1, 2)
        self.recordings, self.recordings_view = _table(
            ("recording", "DER A %", "DER B %", "B \u2212 A pts")
        )
        self.recordings_view.doubleClicked.connect(
            lambda index: self.open_requested.emit(index.sibling(index.row(), 0).data())
        )
        layout.addWidget(self.recordings_view, 1, 0, 2, 1)
        self.classes, self.classes_view = _table(
            ("class", "A pts", "B pts", "B \u2212 A pts", "A rate %", "B rate %")
        )
        self.classes_view.setSortingEnabled(False)  # in the breakdown's order
        layout.addWidget(self.classes_view, 1, 1)
        plots = pg.GraphicsLayoutWidget()
        self.scatter_plot = plots.addPlot(title="DER per recording (%)")
        self.scatter_plot.setLabel("bottom", "system A")
        self.scatter_plot.setLabel("left", "system B")
        self.scatter_plot.showGrid(x=True, y=True, alpha=0.2)
        self.diagonal = pg.PlotCurveItem(pen=pg.mkPen("#777777", style=Qt.PenStyle.DashLine))
        self.scatter_plot.addItem(self.diagonal)
        self.scatter = pg.ScatterPlotItem(size=7, hoverable=True)
        self.scatter.sigClicked.connect(self._clicked)
        self.scatter_plot.addItem(self.scatter)
        self.bar_plot = plots.addPlot(title="DER points per error class")
        self.bar_plot.getAxis("bottom").setTicks(
            [[(i, name.replace("_", " ")) for i, name in enumerate(CLASSES)]]
        )
        self.bar_plot.addLegend(offset=(-10, 10))
        x = np.arange(len(CLASSES), dtype=float)
        self.bars_a = pg.BarGraphItem(
            x=x - 0.2, height=np.zeros(len(x)), width=0.38, brush=A_COLOUR, name="A"
        )
        self.bars_b = pg.BarGraphItem(
            x=x + 0.2, height=np.zeros(len(x)), width=0.38, brush=B_COLOUR, name="B"
        )
        self.bar_plot.addItem(self.bars_a)
        self.bar_plot.addItem(self.bars_b)
        self.bar_plot.setMouseEnabled(x=False, y=False)
        layout.addWidget(plots, 2, 1)
        layout.setRowStretch(1, 1)
        layout.setRowStretch(2, 2)
        layout.setColumnStretch(0, 2)
        layout.setColumnStretch(1, 3)

    def waiting(self, name: str) -> None:
        """Say that a comparison with ``name`` is being scored."""
        self.summary.setText(f"Scoring {name} against the references\u2026")

    def show_comparison(self, comparison: SystemComparison, name_a: str, name_b: str) -> None:
        """Fill the tables and plots."""
        self.comparison = comparison
        better, worse = comparison.changed(THRESHOLD)

        self.summary.setText(
            f"<b>{name_a}</b>: DER {format_percent(comparison.total_a.der)} &nbsp; "
            f"<b>{name_b}</b>: DER {format_percent(comparison.total_b.der)} (time-weighted over "
            f"{len(comparison.recordings) - len(comparison.unscored)} recordings). B is better "
            f"on <b>{len(better)}</b> and worse on <b>{len(worse)}</b> recordings "
            f"(by more than {THRESHOLD} DER points)."
        )
        if comparison.unscored:
            names = ", ".join(comparison.unscored[:5]) + (
                "…" if len(comparison.unscored) > 5 else ""
            )
            self.summary.setText(
                self.summary.text() + f" <b>{len(comparison.unscored)} recordings could not be "
                f"scored under A or B</b> and are left out of the totals: {names}."
            )
        self.recordings.setRowCount(0)
        for change in comparison.recordings:
            self.recordings.appendRow(
                [
                    _cell(change.uri),
                    _cell(der_points(change.a)),
                    _cell(der_points(change.b)),
                    _cell(change.delta, signed=True),
                ]
            )
        self.recordings_view.sortByColumn(3, Qt.SortOrder.AscendingOrder)
        self.recordings_view.resizeColumnsToContents()
        self.classes.setRowCount(0)
        for change in comparison.classes:
            self.classes.appendRow(
                [
                    _cell(change.name.replace("_", " ")),
                    _cell(change.points("a")),
                    _cell(change.points("b")),
                    _cell(change.delta, signed=True),
                    _cell(change.rate_points("a")),
                    _cell(change.rate_points("b")),
                ]
            )
        self.classes_view.resizeColumnsToContents()
        self._plot(comparison, set(better), set(worse))

    def _plot(self, comparison: SystemComparison, better: set, worse: set) -> None:
        pairs = [(r.uri, der_points(r.a), der_points(r.b)) for r in comparison.recordings]
        points = [(uri, a, b) for uri, a, b in pairs if a is not None and b is not None]
        spots = [
            {
                "pos": (a, b),
                "data": uri,
                "brush": BETTER if uri in better else WORSE if uri in worse else SAME,
                "pen": None,
            }
            for uri, a, b in points
        ]
        self.scatter.setData(spots)
        top = max([max(a, b) for _, a, b in points], default=1.0)
        self.diagonal.setData([0, top], [0, top])
        self.bars_a.setOpts(height=[c.points("a") for c in comparison.classes])
        self.bars_b.setOpts(height=[c.points("b") for c in comparison.classes])

    def _clicked(self, _item, points, *_) -> None:
        if len(points):
            self.open_requested.emit(points[0].data())
