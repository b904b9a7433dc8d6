"""The corpus window's recordings table: cells of a row, sorting, filtering, selection.

Rows stay where they are while the reviewer works (a corrected recording's DER drops); they
are sorted as they arrive, and again on a header click or F5. Numbers sort by value with the
missing ones first; filtering is a :class:`~reviewer.app.corpus_review.RowFilter`.
"""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QTableView

from reviewer.app.corpus_review import RowFilter
from reviewer.corpus import STATUSES, RecordingRow
from reviewer.corpus.comparison import der_points
from reviewer.metrics.numbers import points

#: (header, tooltip) of each column.
COLUMNS = (
    ("recording", "The recording's file id (uri)"),
    ("duration s", "Audio duration (the reference's extent without audio)"),
    ("speakers", "Reference speakers"),
    ("DER %", "md-eval's diarization error rate"),
    ("missed %", "Missed speech, percent of scored speaker time"),
    ("false alarm %", "False alarm speech, percent of scored speaker time"),
    ("confusion %", "Speaker confusion, percent of scored speaker time"),
    ("structure pts", "DER points in overlap, near speaker changes and short turns"),
    ("speaker pts", "DER points in steady speech and non-speech: the voices, not the structure"),
    ("status", "Review status (Alt+1 to Alt+4)"),
    ("corrected", "Scored from the reviewer's corrections instead of the system output"),
    ("note", "The reviewer's note (F2)"),
    ("problem", "Why the recording could not be scored"),
)
HEADERS = tuple(name for name, _ in COLUMNS)


def _item(value, sort_value=None) -> QStandardItem:
    text = f"{value:.2f}" if isinstance(value, float) else "" if value is None else str(value)
    item = QStandardItem(text)
    item.setEditable(False)
    item.setData(sort_value if sort_value is not None else value, Qt.ItemDataRole.UserRole)
    return item


def _number(value: float | None) -> QStandardItem:
    """A number to two decimals, sorted by value; a missing one is empty and sorts first."""
    value = None if value is None else round(value, 2)
    return _item(value, -1.0 if value is None else value)


def row_items(row: RecordingRow, note: str) -> list[QStandardItem]:
    """The table cells of a recording (sorting by number, missing values first)."""
    score = row.score
    shares = (score.missed, score.false_alarm, score.confusion)
    return [
        _item(row.uri),
        _item(f"{row.duration:.1f}", row.duration),
        _item(row.speakers),
        _number(der_points(score)),
        *(_number(points(seconds, score.scored)) for seconds in shares),
        _number(row.structure_points),
        _number(row.speaker_points),
        _item(row.status, STATUSES.index(row.status)),
        _item("\u2713" if row.corrected else "", int(row.corrected)),
        _item(note),
        _item(row.problem, row.problem or ""),
    ]


class StatusFilter(QSortFilterProxyModel):
    """Shows the rows a :class:`~reviewer.app.corpus_review.RowFilter` accepts."""

    def __init__(self):
        super().__init__()
        self.row_filter = RowFilter()

    def set_filter(self, row_filter: RowFilter) -> None:
        """Show only the recordings ``row_filter`` accepts."""
        if hasattr(self, "endFilterChange"):  # Qt >= 6.9
            self.beginFilterChange()
            self.row_filter = row_filter
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.row_filter = row_filter
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, row, parent) -> bool:  # noqa: N802
        """Name and status both match."""
        model = self.sourceModel()
        uri = model.index(row, 0, parent).data()
        status = model.index(row, HEADERS.index("status"), parent).data()
        return self.row_filter.accepts(uri, status)


class RecordingsTable:
    """The rows (:attr:`model`), sorted and filtered (:attr:`proxy`), shown (:attr:`view`)."""

    def __init__(self) -> None:
        self.model = QStandardItemModel(0, len(COLUMNS))
        self.model.setHorizontalHeaderLabels(list(HEADERS))
        for column, (_, tip) in enumerate(COLUMNS):
            self.model.horizontalHeaderItem(column).setToolTip(tip)
        self.proxy = StatusFilter()
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(Qt.ItemDataRole.UserRole)
        self.proxy.setDynamicSortFilter(False)  # sorted on arrival, a header click or F5
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.source_rows: dict[str, int] = {}  # uri -> row of the (unsorted) model

    def put(self, row: RecordingRow, note: str) -> None:
        """Add a recording's row, or update it in place (no re-sorting)."""
        cells = row_items(row, note)
        if row.uri in self.source_rows:
            index = self.source_rows[row.uri]
            for column, item in enumerate(cells):
                cell = self.model.item(index, column)
                cell.setText(item.text())
                cell.setData(item.data(Qt.ItemDataRole.UserRole), Qt.ItemDataRole.UserRole)
            return
        self.source_rows[row.uri] = self.model.rowCount()
        self.model.appendRow(cells)

    def text(self, uri: str, column: str) -> str:
        """What a recording's cell in ``column`` (a header) shows."""
        return self.model.item(self.source_rows[uri], HEADERS.index(column)).text()

    def sort(self) -> None:
        """Sort again by the column and order the header shows."""
        header = self.view.horizontalHeader()
        self.proxy.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())

    def shown(self) -> list[str]:
        """The recordings shown, in the table's order."""
        return [self.proxy.index(r, 0).data() for r in range(self.proxy.rowCount())]

    def current(self) -> str | None:
        """The recording selected."""
        index = self.view.currentIndex()
        if not index.isValid():
            return None
        return self.proxy.index(index.row(), 0).data()

    def select(self, uri: str | None) -> bool:
        """Select a recording's row if it is there and shown; whether it was."""
        if uri is None or uri not in self.source_rows:
            return False
        index = self.proxy.mapFromSource(self.model.index(self.source_rows[uri], 0))
        if not index.isValid():
            return False
        self.view.selectRow(index.row())
        self.view.scrollTo(index)
        return True

    def step(self, delta: int) -> str | None:
        """Select the next (or previous) recording in the table's order; returns it."""
        row = self.view.currentIndex().row()
        self.view.selectRow(max(0, min(self.proxy.rowCount() - 1, row + delta)))
        return self.current()

    def fit_columns(self) -> None:
        """Columns as wide as their contents; room for notes and every status."""
        self.view.resizeColumnsToContents()
        self.view.setColumnWidth(HEADERS.index("note"), 260)
        status = self.view.fontMetrics().horizontalAdvance("in progress") + 16
        column = HEADERS.index("status")
        self.view.setColumnWidth(column, max(status, self.view.columnWidth(column)))
