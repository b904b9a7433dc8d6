"""The corpus window: every recording with its scores and review status.

Scoring runs in a background thread and rows arrive as they are scored. A recording opens in
a review window; its corrections flow back into the project (saved a second after the last
edit, journaled before that) and its row is scored again.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QSortFilterProxyModel, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from reviewer.corpus.corpus import (
    STATUSES,
    Project,
    RecordingRow,
    ScoringSettings,
    TrackCache,
    compare_systems,
    corpus_totals,
    export_corrections,
    score_entries,
    score_entry,
)
from reviewer.io import FormatError
from reviewer.metrics.breakdown import CLASSES, STRUCTURE
from reviewer.model.document import CORRECTED
from reviewer.ui.keymap import CORPUS_KEYMAP

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
ALL_STATUSES = "all statuses"
OTHER = tuple(name for name in CLASSES if name not in STRUCTURE)
SAVE_DELAY_MS = 1000


def _item(value, sort_value=None) -> QStandardItem:
    text = f"{value:.2f}" if isinstance(value, float) else "" if value is None else str(value)
    item = QStandardItem(text)
    item.setEditable(False)
    item.setData(sort_value if sort_value is not None else value, Qt.ItemDataRole.UserRole)
    return item


def _percent(value: float, scored: float) -> float | None:
    return round(100 * value / scored, 2) if scored > 0 else None


def row_items(row: RecordingRow, note: str) -> list[QStandardItem]:
    """The table cells of a recording (sorting by number, missing values last)."""
    der = None if row.der is None else round(100 * row.der, 2)
    numbers = [
        der,
        _percent(row.missed, row.scored),
        _percent(row.false_alarm, row.scored),
        _percent(row.confusion, row.scored),
    ]
    speaker = None if row.der is None else round(row.speaker_points, 2)
    structure = None if row.der is None else round(row.structure_points, 2)
    return [
        _item(row.uri),
        _item(f"{row.duration:.1f}", row.duration),
        _item(row.speakers),
        *(_item(n, -1.0 if n is None else n) for n in numbers),
        _item(structure, -1.0 if structure is None else structure),
        _item(speaker, -1.0 if speaker is None else speaker),
        _item(row.status, STATUSES.index(row.status)),
        _item("\u2713" if row.corrected else "", int(row.corrected)),
        _item(note),
        _item(row.problem, row.problem or ""),
    ]


class BackgroundScoring:
    """One scoring pass in a thread; ``rows`` grows as recordings are scored.

    Parameters
    ----------
    work
        ``work(on_row, should_stop)`` scores and returns the rows.
    total
        How many rows to expect.
    """

    def __init__(self, work, total: int):
        self.rows: list[RecordingRow] = []
        self.total = total
        self.error: Exception | None = None
        self.done = threading.Event()
        self._stop = False

        def run() -> None:
            try:
                work(lambda _i, _n, row: self.rows.append(row), lambda: self._stop)
            except Exception as error:  # shown in the window, not lost in a thread
                self.error = error
            finally:
                self.done.set()

        threading.Thread(target=run, name="corpus-scoring", daemon=True).start()

    def cancel(self) -> None:
        """Stop after the recording being scored."""
        self._stop = True


class StatusFilter(QSortFilterProxyModel):
    """Filters by recording name (column 0) and by review status."""

    def __init__(self):
        super().__init__()
        self.status: str | None = None

    def set_status(self, status: str | None) -> None:
        """Show only recordings with this status (None: all)."""
        if hasattr(self, "endFilterChange"):  # Qt >= 6.9
            self.beginFilterChange()
            self.status = status
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.status = status
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, row, parent) -> bool:  # noqa: N802
        """Name and status both match."""
        if not super().filterAcceptsRow(row, parent):
            return False
        if self.status is None:
            return True
        column = HEADERS.index("status")
        return self.sourceModel().index(row, column, parent).data() == self.status


class CorpusWindow(QMainWindow):
    """A sortable, filterable table of a corpus's recordings.

    Parameters
    ----------
    project
        The recordings and their review records.
    path
        The project file, autosaved after every status change, note and correction.
    controller
        Opens recordings in review windows (:class:`reviewer.ui.app.Controller`).
    """

    def __init__(self, project: Project, path: Path, controller=None):
        super().__init__()
        self.project, self.path, self.controller = project, Path(path), controller
        self.rows: dict[str, RecordingRow] = {}
        self.reviews: dict[str, object] = {}  # uri -> open review window
        self._pending: set[str] = set()
        self._source_rows: dict[str, int] = {}  # uri -> row of the (unsorted) model
        self._taken = 0  # rows of the current scoring pass already in the table
        self._note_uri: str | None = None  # the recording the note field shows
        self.cache = TrackCache()  # the files rows are rescored from after an edit
        self._finished = False
        self.setWindowTitle(f"reviewer \u2014 corpus {self.path.name}")
        self.resize(1400, 820)
        self._build_table()
        self._build_controls()
        self._build_actions()
        self.save_timer = QTimer(self)
        self.save_timer.setSingleShot(True)
        self.save_timer.setInterval(SAVE_DELAY_MS)
        self.save_timer.timeout.connect(self.keep_corrections)
        self.poll_timer = QTimer(self)
        self.poll_timer.setInterval(100)
        self.poll_timer.timeout.connect(self._poll)
        self.scoring: BackgroundScoring | None = None
        self.comparing: tuple[BackgroundScoring, BackgroundScoring] | None = None
        self.rescore()
        if project.other_system is not None:
            self.compare_with(project.other_system)

    # --- building ---------------------------------------------------------------------------

    def _build_table(self) -> None:
        self.model = QStandardItemModel(0, len(COLUMNS))
        self.model.setHorizontalHeaderLabels(list(HEADERS))
        for column, (_, tip) in enumerate(COLUMNS):
            self.model.horizontalHeaderItem(column).setToolTip(tip)
        self.proxy = StatusFilter()
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(Qt.ItemDataRole.UserRole)
        # rows stay where they are while the reviewer works (a corrected recording's DER
        # drops); they are sorted as they arrive, and again on a header click or F5
        self.proxy.setDynamicSortFilter(False)
        self.proxy.setFilterKeyColumn(0)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.doubleClicked.connect(lambda _index: self.open_current())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._selected())

    def _build_controls(self) -> None:
        central = QWidget()
        layout = QVBoxLayout(central)
        bar = QHBoxLayout()
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter recordings by name (Ctrl+F)")
        self.filter.textChanged.connect(self._filtered)
        bar.addWidget(self.filter, 2)
        self.status_filter = QComboBox()
        self.status_filter.addItems([ALL_STATUSES, *STATUSES])
        self.status_filter.currentTextChanged.connect(self._filtered)
        bar.addWidget(self.status_filter)
        bar.addWidget(QLabel("collar"))
        self.collar = QDoubleSpinBox()
        self.collar.setRange(0.0, 2.0)
        self.collar.setSingleStep(0.05)
        self.collar.setDecimals(3)
        self.collar.setSuffix(" s each side")
        self.collar.setToolTip(
            "md-eval's -c: seconds excluded on EACH side of reference boundaries"
        )
        self.collar.setValue(self.project.settings.collar)
        self.collar.editingFinished.connect(self._settings_changed)
        bar.addWidget(self.collar)
        self.skip_overlap = QCheckBox("skip overlap")
        self.skip_overlap.setChecked(self.project.settings.skip_overlap)
        self.skip_overlap.toggled.connect(self._settings_changed)
        bar.addWidget(self.skip_overlap)
        layout.addLayout(bar)

        from reviewer.ui.comparison_view import ComparisonView

        self.tabs = QTabWidget()
        recordings = QWidget()
        inner = QVBoxLayout(recordings)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(self.table, 1)
        review = QHBoxLayout()
        self.current_label = QLabel("No recording selected")
        review.addWidget(self.current_label)
        self.status_box = QComboBox()
        self.status_box.addItems(STATUSES)
        self.status_box.activated.connect(lambda _: self.set_status(self.status_box.currentText()))
        review.addWidget(self.status_box)
        self.note = QLineEdit()
        self.note.setPlaceholderText("Note on this recording (F2), kept in the project")
        self.note.editingFinished.connect(self._commit_note)
        self.note.returnPressed.connect(self.table.setFocus)
        review.addWidget(self.note, 1)
        inner.addLayout(review)
        self.tabs.addTab(recordings, "Recordings")
        self.comparison = ComparisonView()
        self.comparison.open_requested.connect(self.open_uri)
        self.tabs.addTab(self.comparison, "Compare systems")
        layout.addWidget(self.tabs, 1)
        self.totals = QLabel()
        self.totals.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.totals)
        self.progress = QProgressBar()
        self.progress.setFormat("scoring %v of %m recordings")
        layout.addWidget(self.progress)
        self.setCentralWidget(central)

    def _build_actions(self) -> None:
        menus = {"File": self.menuBar().addMenu("&File"), "Review": None, "Help": None}
        menus["Review"] = self.menuBar().addMenu("&Review")
        menus["Help"] = self.menuBar().addMenu("&Help")
        self.actions: dict[str, QAction] = {}
        for binding in CORPUS_KEYMAP:
            action = QAction(binding.label, self)
            action.setShortcuts([QKeySequence(key) for key in binding.keys])
            action.triggered.connect(lambda _=False, name=binding.action: self.trigger(name))
            menus[binding.group].addAction(action)
            self.actions[binding.action] = action
        # Return opens a recording from the table only: in the note field it ends the note
        opening = self.actions["open_recording"]
        opening.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.table.addAction(opening)

    def trigger(self, name: str) -> None:
        """Run an action of the corpus key table by its id."""
        if name.startswith("status_"):
            self.set_status(STATUSES[int(name.split("_")[1]) - 1])
            return
        handlers = {
            "open_recording": self.open_current,
            "next_recording": lambda: self.step(1),
            "previous_recording": lambda: self.step(-1),
            "edit_note": self._edit_note,
            "find": self._find,
            "export_folder": lambda: self.export_dialog(one_file=False),
            "export_file": lambda: self.export_dialog(one_file=True),
            "compare": self.compare_dialog,
            "rescore": self.rescore,
            "quit": self.close,
            "shortcuts": self._shortcuts,
        }
        handlers[name]()

    # --- scoring ----------------------------------------------------------------------------

    def rescore(self) -> None:
        """Score every recording in a background thread; rows appear as they are scored."""
        if self.scoring is not None:
            self.scoring.cancel()
        entries, project, settings = self.project.entries, self.project, self.project.settings
        self._wanted = self.current_uri() or self.project.current
        self._taken, self._finished = 0, False  # rows already shown are updated in place
        self.progress.setRange(0, max(len(entries), 1))
        self.progress.setValue(0)
        self.progress.show()
        self.scoring = BackgroundScoring(
            lambda on_row, stop: score_entries(
                entries, project, settings, on_row=on_row, should_stop=stop
            ),
            len(entries),
        )
        self.poll_timer.start()

    def wait_scored(self, timeout: float = 60) -> bool:
        """Block until scoring is done (for tests and rendering)."""
        return self.scoring is None or self.scoring.done.wait(timeout)

    @property
    def is_scored(self) -> bool:
        """Whether every row is in the table."""
        scoring = self.scoring
        return scoring is not None and scoring.done.is_set() and self._taken == len(scoring.rows)

    def _poll(self) -> None:
        scoring = self.scoring
        if scoring is not None:
            new = scoring.rows[self._taken :]
            self._taken += len(new)
            for row in new:
                self._add(row)
            self.progress.setValue(self._taken)
            if new:
                header = self.table.horizontalHeader()
                self.proxy.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
                self._show_totals()
                self._select_start()
            if self.is_scored and not self._finished:
                self._finished = True
                self._select_start()
                if scoring.error is not None:
                    QMessageBox.warning(self, "Scoring stopped", str(scoring.error))
                self.table.resizeColumnsToContents()
                self.table.setColumnWidth(HEADERS.index("note"), 260)
                status = self.table.fontMetrics().horizontalAdvance("in progress") + 16
                column = HEADERS.index("status")
                self.table.setColumnWidth(column, max(status, self.table.columnWidth(column)))
                self.progress.hide()
        if self.comparing is not None and all(s.done.is_set() for s in self.comparing):
            first, second = self.comparing
            self.comparing = None
            self.comparison.show_comparison(
                compare_systems(first.rows, second.rows),
                "A: system output",
                f"B: {self.project.other_system.name}" if self.project.other_system else "B",
            )
        if self.is_scored and self.comparing is None:
            self.poll_timer.stop()

    def _select_start(self) -> None:
        """Select where the reviewer was once its row is in (the first row if it is gone)."""
        if self.table.currentIndex().row() >= 0:
            return  # the reviewer has moved already
        if self._wanted is not None and not self._select(self._wanted):
            if not self.is_scored:
                return  # its row may still come
        if self.table.currentIndex().row() < 0:
            self.table.selectRow(0)
        self._wanted = None
        if self.focusWidget() is None:
            self.table.setFocus()

    def _add(self, row: RecordingRow) -> None:
        self.rows[row.uri] = row
        note = self.project.review[row.uri].note if row.uri in self.project.review else ""
        if row.uri in self._source_rows:
            index = self._source_rows[row.uri]
            for column, item in enumerate(row_items(row, note)):  # in place: no re-sorting
                cell = self.model.item(index, column)
                cell.setText(item.text())
                cell.setData(item.data(Qt.ItemDataRole.UserRole), Qt.ItemDataRole.UserRole)
            return
        self._source_rows[row.uri] = self.model.rowCount()
        self.model.appendRow(row_items(row, note))

    def _show_totals(self) -> None:
        rows = list(self.rows.values())
        shown = [self.rows[uri] for uri in self._shown_uris() if uri in self.rows]
        text = self._totals_text(rows, "corpus")
        if len(shown) != len(rows):
            text += "<br>" + self._totals_text(shown, "shown")
        self.totals.setText(text)

    def _totals_text(self, rows: list[RecordingRow], what: str) -> str:
        totals = corpus_totals(rows)
        scored = totals["scored"] or 0.0
        if totals["der"] is None:
            return f"{len(rows)} recordings, nothing scored"
        problems = sum(r.problem is not None for r in rows)
        unscored = f" {problems} could not be scored (see 'problem')." if problems else ""

        def pts(names) -> float:
            errors = sum(r.classes[n].error for r in rows for n in names if n in r.classes)
            return 100 * errors / scored

        counts = {status: sum(r.status == status for r in rows) for status in STATUSES}
        hours = sum(r.duration for r in rows) / 3600
        return (
            f"<b>{what}: {len(rows)} recordings, {hours:.1f} h, DER {100 * totals['der']:.2f} %</b>"
            f" (missed {100 * totals['missed'] / scored:.2f}, false alarm "
            f"{100 * totals['false_alarm'] / scored:.2f}, confusion "
            f"{100 * totals['confusion'] / scored:.2f}; structure "
            f"{pts(STRUCTURE):.2f} pts, speakers "
            f"{pts(OTHER):.2f} pts), time-weighted like md-eval, collar "
            f"{self.project.settings.collar:g} s each side"
            f"{', overlap skipped' if self.project.settings.skip_overlap else ''}. "
            f"Reviewed: {counts['done']} done, {counts['in progress']} in progress, "
            f"{counts['skipped']} skipped.{unscored}"
        )

    def _settings_changed(self) -> None:
        settings = ScoringSettings(self.collar.value(), self.skip_overlap.isChecked())
        if settings == self.project.settings:
            return
        self.project.settings = settings
        self._save()
        for window in self.reviews.values():
            self._configure(window)
        self.rescore()
        if self.project.other_system is not None:
            self.compare_with(self.project.other_system)

    def _configure(self, window) -> None:
        live = window.editor.live
        settings = self.project.settings
        live.configure(
            replace(live.setup, collar=settings.collar, skip_overlap=settings.skip_overlap)
        )

    # --- selection and review ---------------------------------------------------------------

    def _shown_uris(self) -> list[str]:
        return [self.proxy.index(r, 0).data() for r in range(self.proxy.rowCount())]

    def current_uri(self) -> str | None:
        """The recording selected in the table."""
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.proxy.index(index.row(), 0).data()

    def _select(self, uri: str | None) -> bool:
        if uri is None or uri not in self._source_rows:
            return False
        source = self.model.index(self._source_rows[uri], 0)
        index = self.proxy.mapFromSource(source)
        if not index.isValid():
            return False
        self.table.selectRow(index.row())
        self.table.scrollTo(index)
        return True

    def _selected(self) -> None:
        self._commit_note()  # a note being typed belongs to the recording it was begun on
        uri = self.current_uri()
        self._note_uri = uri
        if uri is None:
            self.current_label.setText("No recording selected")
            self.note.clear()
            return
        record = self.project.review.get(uri)
        self.current_label.setText(f"<b>{uri}</b>")
        self.status_box.setCurrentText(record.status if record else STATUSES[0])
        self.note.setText(record.note if record else "")

    def _commit_note(self) -> None:
        uri = self._note_uri
        if uri is not None:
            self.set_note(self.note.text(), uri)

    def step(self, delta: int) -> str | None:
        """Select the next (or previous) recording in the table's order; returns it."""
        row = self.table.currentIndex().row()
        row = max(0, min(self.proxy.rowCount() - 1, row + delta))
        self.table.selectRow(row)
        return self.current_uri()

    def _filtered(self) -> None:
        self.proxy.setFilterFixedString(self.filter.text())
        status = self.status_filter.currentText()
        self.proxy.set_status(None if status == ALL_STATUSES else status)
        self._show_totals()

    def _find(self) -> None:
        self.filter.setFocus()
        self.filter.selectAll()

    def _edit_note(self) -> None:
        self.note.setFocus()
        self.note.selectAll()

    def set_status(self, status: str, uri: str | None = None) -> None:
        """Set a recording's review status (the selected one by default); autosaved."""
        uri = uri or self.current_uri()
        if uri is None:
            return
        self.project.entry(uri).status = status
        self._save()
        self._update(uri, status=status)

    def set_note(self, note: str, uri: str | None = None) -> None:
        """Set a recording's note (the selected one by default); autosaved."""
        uri = uri or self.current_uri()
        if uri is not None and uri == self.current_uri() and note != self.note.text():
            self.note.setText(note)
        if uri is None or self.project.entry(uri).note == note:
            return
        self.project.entry(uri).note = note
        self._save()
        self._update(uri)

    def _update(self, uri: str, **changes) -> None:
        if uri in self.rows:
            self._add(replace(self.rows[uri], **changes))
            self._show_totals()
        if uri == self.current_uri():
            self.status_box.setCurrentText(self.project.entry(uri).status)

    def _save(self) -> bool:
        try:
            self.project.save(self.path)
        except OSError as error:
            self.statusBar().showMessage(f"could not save {self.path}: {error.strerror}", 10000)
            return False
        return True

    # --- opening recordings -----------------------------------------------------------------

    def open_current(self) -> None:
        """Open the selected recording in a review window."""
        uri = self.current_uri()
        if uri is not None:
            self.open_uri(uri)

    def open_uri(self, uri: str, replacing=None):
        """Open a recording with its saved corrections; edits flow back into the project.

        ``replacing``: a review window to close once the recording is open (next/previous).
        Returns the window, or None.
        """
        if self.controller is None:
            return None
        if uri in self.reviews:
            window = self.reviews[uri]
            window.raise_()
            window.activateWindow()
            return window
        from reviewer.ui.opening import OpenRequest

        entry = self.project.find(uri)
        request = OpenRequest(
            audio=str(entry.audio) if entry.audio else None,
            reference=str(entry.reference) if entry.reference else None,
            system=str(entry.system) if entry.system else None,
            uem=str(entry.uem) if entry.uem else None,
            uri=uri,
            correct="system",  # as scored in the table: no system output, nothing found
        )
        window = self.controller.open(request, self, project=self.path)
        if window is None:
            return None
        record = self.project.entry(uri)
        if record.corrected is not None and CORRECTED in window.editor.document:
            if window.editor.document[CORRECTED].turns != record.corrected.turns:
                window.restart_from_track(record.corrected)
            window.editor.history.mark_saved()
        if record.status == STATUSES[0]:
            record.status = "in progress"
        self._configure(window)
        window.corpus = self
        window.confirm_close = False
        window.on_close = lambda: self._closing(uri)
        window.editor.history.subscribe(lambda *_: self._edited(uri))
        window.setWindowTitle(f"{window.windowTitle()} \u2014 {self.path.name}")
        self.reviews[uri] = window
        self.project.current = uri
        self._save()
        self._update(uri, status=record.status)
        self._select(uri)
        if replacing is not None:
            window.setGeometry(replacing.geometry())
            replacing.close()
        return window

    def advance(self, window, delta: int, status: str | None = None) -> None:
        """From a review window: open the next (previous) recording in its place."""
        uri = next((u for u, w in self.reviews.items() if w is window), None)
        if uri is None:
            return
        if status is not None:
            self.set_status(status, uri)
        self._select(uri)
        target = self.step(delta)
        if target is None or target == uri:
            window.status("no more recordings in that direction (table order and filter)")
            return
        self.open_uri(target, replacing=window)

    def show_recording(self, window) -> None:
        """From a review window: raise the table with its recording selected."""
        uri = next((u for u, w in self.reviews.items() if w is window), None)
        self._select(uri)
        self.raise_()
        self.activateWindow()
        self.table.setFocus()

    def _edited(self, uri: str) -> None:
        self._pending.add(uri)
        self.save_timer.start()

    def keep_corrections(self) -> None:
        """Put the open recordings' edited corrections in the project, save it, rescore."""
        self.save_timer.stop()
        pending, self._pending = self._pending, set()
        for uri in pending:
            window = self.reviews.get(uri)
            if window is None or CORRECTED not in window.editor.document:
                continue
            record = self.project.entry(uri)
            record.corrected = window.editor.document[CORRECTED]
            row = score_entry(
                self.project.find(uri), record, self.project.settings, cache=self.cache
            )
            self._add(row)
        if pending:
            self._save()
            self._show_totals()

    def _closing(self, uri: str) -> bool:
        """A review window closes: keep its edits; True when the project holds them."""
        if uri in self.reviews:
            self.keep_corrections()
            del self.reviews[uri]
        return self._save()

    # --- export and comparison --------------------------------------------------------------

    def export_dialog(self, one_file: bool) -> None:
        """Ask where, then export every recording's corrections (system output otherwise)."""
        if one_file:
            target, _ = QFileDialog.getSaveFileName(
                self, "Export corrections to one RTTM", str(self.path.parent), "RTTM (*.rttm)"
            )
        else:
            target = QFileDialog.getExistingDirectory(
                self, "Export corrections to a folder", str(self.path.parent)
            )
        if target:
            self.export(Path(target), one_file)

    def export(self, target: Path, one_file: bool) -> None:
        """Export every recording's corrections (or system output) as RTTM."""
        self.keep_corrections()
        try:
            summary = export_corrections(self.project, target, one_file=one_file)
        except (FormatError, OSError) as error:
            QMessageBox.warning(self, "Could not export", str(error))
            return
        self.statusBar().showMessage(
            f"wrote {target}: {summary.corrected} corrected recordings, "
            f"{summary.from_system} as the system output, {len(summary.skipped)} without any",
            15000,
        )

    def compare_dialog(self) -> None:
        """Ask for a second system's output folder, then compare."""
        folder = QFileDialog.getExistingDirectory(
            self, "Second system's RTTM folder", str(self.path.parent)
        )
        if folder:
            self.compare_with(Path(folder))

    def compare_with(self, other: Path) -> None:
        """Score a second system in the background and show how it differs."""
        from reviewer.corpus.corpus import system_files

        try:
            system_files(other)
        except FormatError as error:
            QMessageBox.warning(self, "Cannot compare", str(error))
            return
        self.project.other_system = Path(other)
        self._save()
        for scoring in self.comparing or ():
            scoring.cancel()  # an earlier comparison's threads stop
        entries, settings = self.project.entries, self.project.settings
        self.comparing = (
            BackgroundScoring(
                lambda on_row, stop: score_entries(
                    entries, None, settings, on_row=on_row, should_stop=stop
                ),
                len(entries),
            ),
            BackgroundScoring(
                lambda on_row, stop: score_entries(
                    entries, None, settings, system=other, on_row=on_row, should_stop=stop
                ),
                len(entries),
            ),
        )
        self.comparison.waiting(Path(other).name)
        self.poll_timer.start()

    def stop_background(self, timeout: float = 10.0) -> None:
        """Stop the scoring threads and wait for them (before the window is deleted)."""
        runs = [run for run in (self.scoring, *(self.comparing or ())) if run is not None]
        for run in runs:
            run.cancel()
        for run in runs:
            run.done.wait(timeout)
        self.poll_timer.stop()

    def _shortcuts(self) -> None:
        from reviewer.ui.shortcuts import ShortcutSheet

        ShortcutSheet(self, CORPUS_KEYMAP).exec()

    def closeEvent(self, event) -> None:  # noqa: N802
        """Keep every open recording's corrections, close their windows, save the project."""
        self.keep_corrections()
        for window in list(self.reviews.values()):
            if not window.close():
                event.ignore()
                return
        self._commit_note()
        if not self._save():
            answer = QMessageBox.warning(
                self,
                "Project not saved",
                f"{self.path} could not be saved. Close anyway? Review status and notes "
                "changed since the last save would be lost (corrections stay in the crash "
                "journal).",
                QMessageBox.StandardButton.Close | QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Close:
                event.ignore()
                return
        self.stop_background()
        event.accept()
