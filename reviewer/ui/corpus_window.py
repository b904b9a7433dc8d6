"""The corpus window: every recording with its scores and review status.

It presents a :class:`~reviewer.app.corpus_review.CorpusReview` (the project, its rows,
background scoring, totals, the filter) and dispatches to it. Rows are scored on a worker
thread and reach the table through queued signals, as they are scored. A recording opens in
a review window; its corrections flow back into the project (saved a second after the last
edit, journaled before that) and its row is scored again.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
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
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from reviewer.app.corpus_review import ROWS, CorpusReview, RowFilter, ScoringPass
from reviewer.corpus import STATUSES, Project, RecordingRow
from reviewer.io import FormatError
from reviewer.model.scoring import ScoringSettings
from reviewer.ui.corpus_reviews import CorpusReviews
from reviewer.ui.corpus_table import RecordingsTable
from reviewer.ui.keymap import CORPUS_KEYMAP

ALL_STATUSES = "all statuses"
REFRESH_MS = 100  # rows arriving within this are sorted and totalled together


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

    Signals
    -------
    scored
        Every row of a scoring pass is in the table.
    compared
        A comparison of two systems is shown (the :class:`SystemComparison`).
    corrections_kept
        The open recordings' corrections were put in the project and their rows rescored.
    """

    scored = Signal()
    compared = Signal(object)
    corrections_kept = Signal()
    _rows_waiting = Signal()  # emitted on the worker thread
    _pass_done = Signal(object)  # (pass,), emitted on the worker thread

    def __init__(self, project: Project, path: Path, controller=None):
        super().__init__()
        self._rows_waiting.connect(self._take_rows, Qt.ConnectionType.QueuedConnection)
        self._pass_done.connect(self._end_pass, Qt.ConnectionType.QueuedConnection)
        self.review = CorpusReview(project, path, self._rows_waiting.emit, self._pass_done.emit)
        self.path, self.controller = Path(path), controller
        self._note_uri: str | None = None  # the recording the note field shows
        self._wanted: str | None = None  # the recording to select once its row is in
        self._finished = False
        self.setWindowTitle(f"reviewer \u2014 corpus {self.path.name}")
        self.resize(1400, 820)
        self._build_table()
        self._build_controls(project.settings)
        self._build_actions()
        self.reviewing = CorpusReviews(self, controller)
        self.refresh_timer = QTimer(self)
        self.refresh_timer.setSingleShot(True)
        self.refresh_timer.setInterval(REFRESH_MS)
        self.refresh_timer.timeout.connect(self._refresh)
        self.rescore()
        if project.other_system is not None:
            self.compare_with(project.other_system)

    @property
    def project(self) -> Project:
        """The project under review."""
        return self.review.project

    @property
    def rows(self) -> dict[str, RecordingRow]:
        """The rows scored so far, by uri."""
        return self.review.rows

    # --- building ---------------------------------------------------------------------------

    def _build_table(self) -> None:
        self.recordings = RecordingsTable()
        self.model, self.proxy, self.table = (
            self.recordings.model,
            self.recordings.proxy,
            self.recordings.view,
        )
        self.table.doubleClicked.connect(lambda _index: self.open_current())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._selected())

    def _build_controls(self, settings: ScoringSettings) -> None:
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
        self.collar.setValue(settings.collar)
        self.collar.editingFinished.connect(self._settings_changed)
        bar.addWidget(self.collar)
        self.skip_overlap = QCheckBox("skip overlap")
        self.skip_overlap.setChecked(settings.skip_overlap)
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
        menus = {name: self.menuBar().addMenu(f"&{name}") for name in ("File", "Review", "Help")}
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
            "about": self._about,
        }
        handlers[name]()

    # --- scoring ----------------------------------------------------------------------------

    def rescore(self) -> None:
        """Score every recording in the background; rows appear as they are scored."""
        self.review.rescore()
        self._scoring_started()

    def _scoring_started(self) -> None:
        self._wanted = self.current_uri() or self.project.current
        self._finished = False  # rows already shown are updated in place
        self._taken = 0
        self.progress.setRange(0, max(len(self.project.entries), 1))
        self.progress.setValue(0)
        self.progress.show()

    @property
    def is_scored(self) -> bool:
        """Whether every row of the current scoring pass is in the table."""
        return self._finished

    def _take_rows(self) -> None:
        """Rows are waiting (UI thread): the first at once, the others every REFRESH_MS."""
        if self._taken == 0:
            self._refresh()
        elif not self.refresh_timer.isActive():
            self.refresh_timer.start()

    def _refresh(self) -> None:
        """Put the rows scored since the last time in the table, sorted, and total them."""
        self.refresh_timer.stop()
        rows = self.review.take_rows()
        for row in rows:
            self._add(row)
        self._taken += len(rows)
        self.progress.setValue(self._taken)
        if rows:
            self.recordings.sort()
            self._show_totals()
        self._select_start()

    def _end_pass(self, run: ScoringPass) -> None:
        """A pass ended (UI thread; after its rows): finish the table, or compare."""
        if run.role != ROWS:
            comparison = self.review.comparison()
            if comparison is not None:
                other = self.project.other_system
                name = f"B: {other.name}" if other else "B"
                self.comparison.show_comparison(comparison, "A: system output", name)
                self.compared.emit(comparison)
            return
        if run is not self.review.scoring:
            return  # replaced by a newer pass
        self._finished = True
        self._refresh()  # the last rows were waiting before the pass ended
        if run.error is not None:
            QMessageBox.warning(self, "Scoring stopped", str(run.error))
        self.recordings.fit_columns()
        self.progress.hide()
        self.scored.emit()

    def _select_start(self) -> None:
        """Select where the reviewer was once its row is in (the first row if it is gone)."""
        if self.table.currentIndex().row() >= 0:
            return  # the reviewer has moved already
        if self._wanted is not None and not self.select(self._wanted):
            if not self.is_scored:
                return  # its row may still come
        if self.table.currentIndex().row() < 0:
            self.table.selectRow(0)
        self._wanted = None
        if self.focusWidget() is None:
            self.table.setFocus()

    def _add(self, row: RecordingRow) -> None:
        self.recordings.put(row, self.review.note(row.uri))

    def _show_totals(self) -> None:
        self.totals.setText(self.review.summary(self.recordings.shown()))

    def _settings_changed(self) -> None:
        settings = ScoringSettings(self.collar.value(), self.skip_overlap.isChecked())
        if not self.review.change_settings(settings):
            return
        self._scoring_started()
        self.save()
        self.reviewing.configure_all()
        if self.project.other_system is not None:
            self.comparison.waiting(self.project.other_system.name)

    # --- selection and review ---------------------------------------------------------------

    def current_uri(self) -> str | None:
        """The recording selected in the table."""
        return self.recordings.current()

    def select(self, uri: str | None) -> bool:
        """Select a recording in the table, if it is shown; whether it was."""
        return self.recordings.select(uri)

    def _selected(self) -> None:
        self._commit_note()  # a note being typed belongs to the recording it was begun on
        uri = self.current_uri()
        self._note_uri = uri
        if uri is None:
            self.current_label.setText("No recording selected")
            self.note.clear()
            return
        self.current_label.setText(f"<b>{uri}</b>")
        self.status_box.setCurrentText(self.review.status(uri))
        self.note.setText(self.review.note(uri))

    def _commit_note(self) -> None:
        uri = self._note_uri
        if uri is not None:
            self.set_note(self.note.text(), uri)

    def step(self, delta: int) -> str | None:
        """Select the next (or previous) recording in the table's order; returns it."""
        return self.recordings.step(delta)

    def _filtered(self) -> None:
        status = self.status_filter.currentText()
        self.review.filter = RowFilter(
            self.filter.text(), None if status == ALL_STATUSES else status
        )
        self.proxy.set_filter(self.review.filter)
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
        self.review.set_status(uri, status)
        self.save()
        self.refresh_row(uri)

    def set_note(self, note: str, uri: str | None = None) -> None:
        """Set a recording's note (the selected one by default); autosaved."""
        uri = uri or self.current_uri()
        if uri is not None and uri == self.current_uri() and note != self.note.text():
            self.note.setText(note)
        if uri is None or not self.review.set_note(uri, note):
            return
        self.save()
        self.refresh_row(uri)

    def refresh_row(self, uri: str) -> None:
        """Show a recording's row and status again after its review record changed."""
        if uri in self.rows:
            self._add(self.rows[uri])
            self._show_totals()
        if uri == self.current_uri():
            self.status_box.setCurrentText(self.review.status(uri))

    def save(self) -> bool:
        """Save the project; a failure is reported in the status bar (False then)."""
        problem = self.review.save()
        if problem is not None:
            self.statusBar().showMessage(problem, 10000)
        return problem is None

    # --- opening recordings (:mod:`reviewer.ui.corpus_reviews`) ---------------------------

    def open_current(self) -> None:
        """Open the selected recording in a review window."""
        uri = self.current_uri()
        if uri is not None:
            self.open_uri(uri)

    def open_uri(self, uri: str, replacing=None):
        """Open a recording for review (see :meth:`CorpusReviews.open`); the window or None."""
        return self.reviewing.open(uri, replacing)

    @property
    def reviews(self) -> dict:
        """The open review windows, by uri."""
        return self.reviewing.windows

    def advance(self, window, delta: int, status: str | None = None) -> None:
        """From a review window: open the next (previous) recording in its place."""
        self.reviewing.advance(window, delta, status)

    def show_recording(self, window) -> None:
        """From a review window: raise the table with its recording selected."""
        self.select(self.reviewing.uri_of(window))
        self.raise_()
        self.activateWindow()
        self.table.setFocus()

    def keep_corrections(self) -> None:
        """Put the open recordings' edited corrections in the project, save it, rescore."""
        rows = self.reviewing.keep_corrections()
        if rows is None:
            return
        for row in rows:
            self._add(row)
        self.save()
        self._show_totals()
        self.corrections_kept.emit()

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
            summary = self.review.export(target, one_file)
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
        try:
            self.review.compare_with(Path(other))
        except FormatError as error:
            QMessageBox.warning(self, "Cannot compare", str(error))
            return
        self.save()
        self.comparison.waiting(Path(other).name)

    def stop_background(self, timeout: float | None = 10.0) -> None:
        """Stop the scoring passes and wait for them (before the window is deleted)."""
        self.review.stop(timeout)
        self.refresh_timer.stop()

    def _shortcuts(self) -> None:
        from reviewer.ui.shortcuts import ShortcutSheet

        ShortcutSheet(self, CORPUS_KEYMAP).exec()

    def _about(self) -> None:
        from reviewer.ui.about_dialog import AboutDialog

        AboutDialog(self).exec()

    def closeEvent(self, event) -> None:  # noqa: N802
        """Keep every open recording's corrections, close their windows, save the project."""
        self.keep_corrections()
        if not self.reviewing.close_all():
            event.ignore()
            return
        self._commit_note()
        if not self.save():
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
