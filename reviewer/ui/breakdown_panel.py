"""The "Why?" panel: fixes first, then the live breakdown, the speakers and false alarms.

Every list follows the edits through one :class:`~reviewer.ui.deferred.Deferred` (a burst of
edits costs one refresh) and only while the panel is shown: the breakdown and the diagnosis
are computed when read.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reviewer.app.editor import Editor
from reviewer.app.fixes import Fixes
from reviewer.metrics.breakdown import CLASSES, ErrorBreakdown
from reviewer.metrics.diagnosis import Diagnosis
from reviewer.metrics.live import LiveBreakdown
from reviewer.metrics.numbers import format_percent, format_share
from reviewer.model.annotation import Span
from reviewer.model.time import TICKS_PER_SECOND
from reviewer.ui.deferred import Deferred
from reviewer.ui.fix_list import FixList
from reviewer.ui.time_axis import clock

QUIET_MS = 150
"""The Why? tab refreshes once edits pause this long (a held key repeats every ~40 ms)."""

CLASS_COLOURS = ("#7B2CBF", "#D62728", "#FF9F1C", "#0072B2", "#999999")


def _cell(text: str, bold: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if bold:
        font = QFont()
        font.setBold(True)
        item.setFont(font)
    return item


def _table(columns: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(columns)
    table.verticalHeader().setVisible(False)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
    table.verticalHeader().setDefaultSectionSize(20)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class BreakdownPanel(QWidget):
    """Fixes, headline, classes (table and chart), speakers, false alarms, confusions, regions.

    A fix (a speaker split or merge, :mod:`~reviewer.metrics.diagnosis`) says the DER it
    leads to; clicking it shows its first turn, double-clicking it (or Apply) makes it one
    undoable edit of the corrected track. Clicking a class, a speaker or a matrix cell lists
    its error regions (listed again after each edit); clicking a region selects it in the
    timeline (and plays it, through ``jump``).
    """

    def __init__(self, editor: Editor, jump=None, parent=None):
        super().__init__(parent)
        self.editor = editor
        self.jump = jump
        self.live = LiveBreakdown(editor.live)
        self.fixes = Fixes(editor)
        layout = QVBoxLayout(self)
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.headline.setObjectName("headline")
        layout.addWidget(self.headline)

        settings = QFormLayout()
        self.tau_box = QDoubleSpinBox()
        self.tau_box.setRange(0.05, 5.0)
        self.tau_box.setSingleStep(0.1)
        self.tau_box.setValue(self.live.tau)
        self.tau_box.setSuffix(" s around a change")
        self.short_box = QDoubleSpinBox()
        self.short_box.setRange(0.1, 10.0)
        self.short_box.setSingleStep(0.25)
        self.short_box.setValue(self.live.short)
        self.short_box.setSuffix(" s: a short turn")
        settings.addRow("Near change", self.tau_box)
        settings.addRow("Short turn", self.short_box)
        layout.addLayout(settings)
        self.tau_box.valueChanged.connect(self._configure)
        self.short_box.valueChanged.connect(self._configure)

        self.fix_list = FixList(self.fixes, self._go)
        layout.addWidget(self.fix_list)

        self.classes = _table(
            ["class", "exposure s", "missed", "false al.", "confusion", "rate %", "DER pts"]
        )
        self.classes.setRowCount(len(CLASSES))
        self.classes.setFixedHeight(
            self.classes.horizontalHeader().height() + 20 * len(CLASSES) + 4
        )
        self.classes.cellClicked.connect(lambda row, _: self._list_class(row))
        layout.addWidget(self.classes)

        self.chart = pg.PlotWidget(background="#1E1E1E")
        self.chart.setFixedHeight(110)
        self.chart.setMenuEnabled(False)
        self.chart.setMouseEnabled(x=False, y=False)
        self.chart.hideButtons()
        self.chart.getAxis("bottom").setTicks(
            [[(i, name.replace("_", " ")) for i, name in enumerate(CLASSES)]]
        )
        self.bars = pg.BarGraphItem(
            x=np.arange(len(CLASSES)),
            height=np.zeros(len(CLASSES)),
            width=0.7,
            brushes=[pg.mkBrush(c) for c in CLASS_COLOURS],
        )
        self.chart.addItem(self.bars)
        layout.addWidget(self.chart)

        layout.addWidget(QLabel("Reference speakers"))
        self.speakers = _table(
            ["speaker", "scored s", "missed", "confused", "mapped to", "confused with"]
        )
        self.speakers.cellClicked.connect(lambda row, _: self._list_speaker(row))
        layout.addWidget(self.speakers)
        layout.addWidget(QLabel("False alarm by system speaker"))
        self.false_alarms = _table(
            ["system speaker", "false alarm s", "of all false alarm", "of its speech"]
        )
        self.false_alarms.setToolTip(
            "md-eval's false alarm of each stretch, shared equally among the system speakers "
            "active there that are not mapped to an active reference speaker"
        )
        layout.addWidget(self.false_alarms)
        layout.addWidget(QLabel("Confusion matrix (seconds scored together; mapped in bold)"))
        self.matrix = _table([])
        self.matrix.cellClicked.connect(self._list_cell)
        layout.addWidget(self.matrix)
        self.regions_label = QLabel("Click a class, a speaker or a cell to list its errors")
        layout.addWidget(self.regions_label)
        self.regions = QListWidget()
        self.regions.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.regions.itemClicked.connect(self._region_clicked)
        layout.addWidget(self.regions, 1)
        self._listing: Callable[[], None] | None = None
        # its refresh costs 60-160 ms at 10 h: it waits for a held key to pause (at most 1 s)
        self.deferred = Deferred(self.refresh, self, quiet_ms=QUIET_MS)
        self.live.updated.connect(self.deferred.request)
        self.fixes.updated.connect(self.deferred.request)
        self.refresh()

    @property
    def result(self) -> ErrorBreakdown | None:
        """The current breakdown."""
        return self.live.result

    @property
    def diagnosis(self) -> Diagnosis | None:
        """The current diagnosis (splits, merges, false alarm by system speaker)."""
        return self.fixes.diagnosis

    def _configure(self, *_) -> None:
        self.live.configure(self.tau_box.value(), self.short_box.value())

    def showEvent(self, event) -> None:  # noqa: N802
        """Catch up with edits made while the panel was hidden."""
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        """Show the current state (only while visible: everything is computed on demand)."""
        if not self.isVisible():
            return
        self.fix_list.refresh()
        result = self.result
        if result is None:
            self.headline.setText("Choose a reference and a scored track.")
            return
        jaccard = self.live.jaccard
        jer_text = f" JER {100 * jaccard.jer:.2f} % (dscore)." if jaccard is not None else ""
        self.headline.setText(result.headline() + jer_text)
        self._show_classes(result)
        self._show_speakers(result)
        self._show_false_alarms()
        self._show_matrix(result)
        if self._listing is not None:
            self._listing()

    # --- tables ---------------------------------------------------------------------------

    def _show_classes(self, result: ErrorBreakdown) -> None:
        scored = result.total.scored
        points = []
        for row, name in enumerate(CLASSES):
            c = result.classes[name]
            point = 100 * c.error / scored if scored > 0 else 0.0
            points.append(point)
            values = [
                name.replace("_", " "),
                f"{c.exposure:.2f}",
                f"{c.missed:.2f}",
                f"{c.false_alarm:.2f}",
                f"{c.confusion:.2f}",
                "-" if c.rate is None else f"{100 * c.rate:.1f}",
                f"{point:.2f}",
            ]
            for column, text in enumerate(values):
                self.classes.setItem(row, column, _cell(text))
        self.classes.resizeColumnsToContents()
        self.bars.setOpts(height=np.array(points))
        self.chart.setYRange(0, max(max(points), 1.0) * 1.1, padding=0)

    def _show_speakers(self, result: ErrorBreakdown) -> None:
        self.speakers.setRowCount(len(result.speakers))
        for row, (name, s) in enumerate(sorted(result.speakers.items())):
            whom = ", ".join(
                f"{h} {t:.1f}s" for h, t in sorted(s.confused_with.items(), key=lambda kv: -kv[1])
            )
            for column, text in enumerate(
                [
                    name,
                    f"{s.scored:.2f}",
                    f"{s.missed:.2f}",
                    f"{s.confusion:.2f}",
                    s.mapped_to or "unmapped",
                    whom,
                ]
            ):
                self.speakers.setItem(row, column, _cell(text))
        self.speakers.resizeColumnsToContents()

    def _show_false_alarms(self) -> None:
        diagnosis = self.diagnosis
        rows = diagnosis.false_alarms if diagnosis is not None else ()
        self.false_alarms.setRowCount(len(rows))
        for row, alarm in enumerate(rows):
            for column, text in enumerate(
                [
                    alarm.speaker,
                    f"{alarm.seconds:.2f}",
                    format_percent(alarm.share, 1),
                    format_share(alarm.seconds, alarm.speech, 1),
                ]
            ):
                self.false_alarms.setItem(row, column, _cell(text))
        self.false_alarms.resizeColumnsToContents()

    def _show_matrix(self, result: ErrorBreakdown) -> None:
        refs, hyps = sorted(result.confusion_matrix), list(result.hyp_labels)
        self.matrix.clear()
        self.matrix.setRowCount(len(refs))
        self.matrix.setColumnCount(len(hyps))
        self.matrix.setHorizontalHeaderLabels(hyps)
        self.matrix.setVerticalHeaderLabels(refs)
        self.matrix.verticalHeader().setVisible(True)
        for row, r in enumerate(refs):
            for column, h in enumerate(hyps):
                seconds = result.confusion_matrix[r].get(h, 0.0)
                self.matrix.setItem(
                    row, column, _cell(f"{seconds:.1f}", bold=result.mapping.get(r) == h)
                )
        self.matrix.resizeColumnsToContents()

    # --- region lists (listed again after every edit) -------------------------------------

    def _show_regions(self, title: str, spans: list[tuple[int, int]]) -> None:
        self.regions_label.setText(f"{title}: {len(spans)} regions")
        self.regions.clear()
        for start, end in spans:
            text = (
                f"{clock(start / TICKS_PER_SECOND)} \u2013 {clock(end / TICKS_PER_SECOND)}"
                f"  ({(end - start) / TICKS_PER_SECOND:.2f} s)"
            )
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, (start, end))
            self.regions.addItem(item)

    def _list_class(self, row: int) -> None:
        self._listing = partial(self._list_class, row)
        errors = self.result.errors if self.result else None
        if errors is None:
            return
        self._show_regions(f"Errors in {CLASSES[row]}", errors.select(errors.cls == row))

    def _list_speaker(self, row: int) -> None:
        result = self.result
        if result is not None:
            self._list_speaker_named(sorted(result.speakers)[row])

    def _list_speaker_named(self, name: str) -> None:
        self._listing = partial(self._list_speaker_named, name)
        result = self.result
        if result is None or result.errors is None or name not in result.ref_labels:
            return
        errors = result.errors
        r = result.ref_labels.index(name)
        wrong = errors.ref_active[r] & ((errors.missed + errors.confusion) > 0)
        self._show_regions(f"Errors while {name} speaks", errors.select(wrong))

    def _list_cell(self, row: int, column: int) -> None:
        result = self.result
        if result is not None:
            self._list_pair(sorted(result.confusion_matrix)[row], result.hyp_labels[column])

    def _list_pair(self, ref_name: str, hyp_name: str) -> None:
        self._listing = partial(self._list_pair, ref_name, hyp_name)
        result = self.result
        if (
            result is None
            or result.errors is None
            or ref_name not in result.ref_labels
            or hyp_name not in result.hyp_labels
        ):
            return
        errors = result.errors
        r = result.ref_labels.index(ref_name)
        h = result.hyp_labels.index(hyp_name)
        both = errors.ref_active[r] & errors.hyp_active[h] & (errors.confusion > 0)
        self._show_regions(f"{ref_name} confused with {hyp_name}", errors.select(both))

    def _region_clicked(self, item: QListWidgetItem) -> None:
        start, end = item.data(Qt.ItemDataRole.UserRole)
        self._go(Span(start, end))

    def _go(self, span: Span) -> None:
        if self.jump is not None:
            self.jump(span)
        else:
            self.editor.focus(span)
