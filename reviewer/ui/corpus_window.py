"""The corpus window: every recording with its scores and review status.

Scoring runs in the background; opening a recording reviews it in its own window.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QSortFilterProxyModel, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QMainWindow,
    QProgressBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from reviewer.model.corpus import STATUSES, Project, RecordingRow, corpus_totals, score_entries

COLUMNS = (
    "recording",
    "duration s",
    "speakers",
    "DER %",
    "missed s",
    "false alarm s",
    "confusion s",
    "structure pts",
    "status",
    "problem",
)


def _item(value, sort_value=None) -> QStandardItem:
    item = QStandardItem("" if value is None else str(value))
    item.setEditable(False)
    item.setData(sort_value if sort_value is not None else value, Qt.ItemDataRole.UserRole)
    return item


class CorpusWindow(QMainWindow):
    """A sortable, filterable table of a corpus's recordings.

    Parameters
    ----------
    project
        The recordings and their review records.
    path
        The project file, autosaved after every status change and correction.
    controller
        Opens recordings in review windows.
    """

    def __init__(self, project: Project, path: Path, controller=None):
        super().__init__()
        self.project, self.path, self.controller = project, path, controller
        self.rows: list[RecordingRow] = []
        self.setWindowTitle(f"reviewer \u2014 corpus {path.name}")
        self.resize(1300, 800)
        central = QWidget()
        layout = QVBoxLayout(central)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter recordings by name")
        layout.addWidget(self.filter)
        self.model = QStandardItemModel(0, len(COLUMNS))
        self.model.setHorizontalHeaderLabels(list(COLUMNS))
        self.proxy = QSortFilterProxyModel()
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(Qt.ItemDataRole.UserRole)
        self.proxy.setFilterKeyColumn(0)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.doubleClicked.connect(lambda index: self.open_current())
        layout.addWidget(self.table, 1)
        self.status_box = QComboBox()
        self.status_box.addItems(STATUSES)
        self.status_box.activated.connect(lambda _: self.set_status(self.status_box.currentText()))
        layout.addWidget(self.status_box)
        self.totals = QLabel()
        layout.addWidget(self.totals)
        self.progress = QProgressBar()
        layout.addWidget(self.progress)
        self.setCentralWidget(central)
        for text, keys, slot in (
            ("Open the recording", ("Return",), self.open_current),
            ("Next recording", ("Ctrl+Down",), lambda: self.step(1)),
            ("Previous recording", ("Ctrl+Up",), lambda: self.step(-1)),
        ):
            action = QAction(text, self)
            action.setShortcuts([QKeySequence(k) for k in keys])
            action.triggered.connect(slot)
            self.addAction(action)
        self._done = threading.Event()
        self._scored: list[RecordingRow] = []
        self._count = (0, len(project.entries))
        self.timer = QTimer(self)
        self.timer.setInterval(100)
        self.timer.timeout.connect(self._poll)
        self.rescore()

    def rescore(self) -> None:
        """Score every recording in a background thread; the table fills when done."""
        self._done.clear()
        self.progress.setRange(0, max(len(self.project.entries), 1))
        self.progress.setValue(0)

        def progress(done: int, total: int) -> None:
            self._count = (done, total)

        def work() -> None:
            self._scored = score_entries(self.project.entries, self.project, on_progress=progress)
            self._done.set()

        threading.Thread(target=work, name="corpus-scoring", daemon=True).start()
        self.timer.start()

    def wait_scored(self, timeout: float = 60) -> bool:
        """Block until scoring is done (for tests and rendering)."""
        return self._done.wait(timeout)

    def _poll(self) -> None:
        self.progress.setValue(self._count[0])
        if not self._done.is_set():
            return
        self.timer.stop()
        self.rows = self._scored
        self._fill()

    def _fill(self) -> None:
        self.model.setRowCount(0)
        for row in self.rows:
            der = None if row.der is None else round(100 * row.der, 2)
            self.model.appendRow(
                [
                    _item(row.uri),
                    _item(round(row.duration, 1)),
                    _item(row.speakers),
                    _item(der, -1 if der is None else der),
                    _item(round(row.missed, 2)),
                    _item(round(row.false_alarm, 2)),
                    _item(round(row.confusion, 2)),
                    _item(round(row.structure_points, 2)),
                    _item(row.status),
                    _item(row.problem),
                ]
            )
        self.table.resizeColumnsToContents()
        totals = corpus_totals(self.rows)
        der = "-" if totals["der"] is None else f"{100 * totals['der']:.2f} %"
        done = sum(r.status == "done" for r in self.rows)
        self.totals.setText(
            f"{totals['recordings']} recordings, corpus DER {der} "
            f"(time-weighted, like md-eval); {done} reviewed"
        )

    def current_uri(self) -> str | None:
        """The recording selected in the table."""
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.proxy.index(index.row(), 0).data()

    def step(self, delta: int) -> None:
        """Select the next (or previous) recording in the table's order."""
        row = self.table.currentIndex().row()
        row = max(0, min(self.proxy.rowCount() - 1, row + delta))
        self.table.selectRow(row)

    def set_status(self, status: str) -> None:
        """Set the selected recording's review status (autosaved)."""
        uri = self.current_uri()
        if uri is None:
            return
        self.project.entry(uri).status = status
        self.project.save(self.path)
        self.rows = [r if r.uri != uri else _with_status(r, status) for r in self.rows]
        for row in range(self.model.rowCount()):  # in place: sorting and selection stay
            if self.model.item(row, 0).text() == uri:
                self.model.setItem(row, COLUMNS.index("status"), _item(status))

    def open_current(self) -> None:
        """Open the selected recording; its corrections flow back into the project."""
        uri = self.current_uri()
        if uri is None or self.controller is None:
            return
        from reviewer.ui.opening import OpenRequest

        entry = next(e for e in self.project.entries if e.uri == uri)
        request = OpenRequest(
            audio=str(entry.audio) if entry.audio else None,
            reference=str(entry.reference) if entry.reference else None,
            system=str(entry.system) if entry.system else None,
            uem=str(entry.uem) if entry.uem else None,
        )
        window = self.controller.open(request, self)
        if window is None:
            return
        record = self.project.entry(uri)
        document = window.editor.document
        if record.corrected is not None:
            window.restart_from_track(record.corrected)
        if record.status == STATUSES[0]:
            record.status = "in progress"

        def keep(*_) -> None:
            record.corrected = document["corrected"]
            self.project.save(self.path)

        window.editor.history.subscribe(keep)
        self.project.save(self.path)


def _with_status(row: RecordingRow, status: str) -> RecordingRow:
    from dataclasses import replace

    return replace(row, status=status)
