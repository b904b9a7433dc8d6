"""The Experiment window: a factorial experiment's grid, variance shares and effects.

The grid is a table of voices (rows) by structures (columns), each cell coloured by its DER
(or missed speech, false alarm, confusion), so it reads as a heatmap and is walked with the
arrow keys; Enter or a double-click opens that cell's remix in a review window (its audio,
its reference, the system's output), so the user hears where the system fails.

Run (Alt+R) makes an experiment from a corpus in the background
(:mod:`reviewer.ui.experiment_run`): the grid fills in as cells arrive, a cell the system
failed on shows "failed" (its message on hover and in the status bar), and the analysis
follows when the run ends. The analysis itself (a bootstrap) is computed in the background
too: the grid shows at once, with "computing intervals..." until it arrives. Compare with...
(Alt+W) sets another system's experiment on the same design beside this one in the
Comparison tab; a run that replaces the data clears it. Every key is in
:data:`reviewer.ui.keymap.EXPERIMENT_KEYMAP`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from reviewer.factorial.analysis import FactorialAnalysis, analyze
from reviewer.factorial.cells_file import MEASURES, CellRow, experiment_structures, read_cells
from reviewer.factorial.comparison import SystemsComparison
from reviewer.factorial.variance import COMPONENTS
from reviewer.metrics.numbers import format_points
from reviewer.reports import (
    NO_VARIANCE,
    factorial_comparison_rows,
    factorial_effect_rows,
    factorial_variance_rows,
)
from reviewer.services.keyed_tasks import Progress
from reviewer.ui.experiment_run import ExperimentRun, RunDialog, RunRequest, sibling_folder
from reviewer.ui.keymap import EXPERIMENT_KEYMAP

FAILED_COLOUR = QColor("#b8b8c8")
"""The background of a cell the system failed on (not a heat: no value)."""

MEASURE_TITLES = {
    "der": "DER",
    "missed": "Missed speech",
    "false_alarm": "False alarm",
    "confusion": "Confusion",
}


def _item(text: str, tip: str | None = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
    if tip:
        item.setToolTip(tip)
    return item


def _table(headers: list[str], rows: list[list[str]]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    _fill_table(table, rows)
    return table


def _fill_table(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, _item(text))
    table.resizeColumnsToContents()


def _duration(seconds: float) -> str:
    """``45 s``, ``3 min``, ``1 h 05 min``: a time left."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{int(seconds // 3600)} h {int(seconds % 3600 // 60):02d} min"


def heat(value: float, low: float, high: float) -> QColor:
    """A colour from pale yellow (``low``) to deep red (``high``)."""
    share = 0.0 if high <= low else min(max((value - low) / (high - low), 0.0), 1.0)
    return QColor.fromHsvF((60 - 60 * share) / 360, 0.15 + 0.75 * share, 1.0 - 0.25 * share)


class AnalysisJob(QObject):
    """The variance analysis of some cells, computed on a worker thread.

    Signals
    -------
    done(int, object, object)
        On the GUI thread: the request's number, the analysis (or None) and the error
        (a ``ValueError`` saying why there is none, or None).
    """

    done = Signal(int, object, object)

    def start(self, number: int, rows: list[CellRow], replicates: int, structures) -> None:
        """Analyse ``rows`` in the background; :attr:`done` follows with ``number``."""
        from reviewer.services.jobs import Job

        def work(stop):
            return analyze(rows, replicates=replicates, structures=structures)

        def finished(future) -> None:
            error = future.exception()
            try:
                self.done.emit(number, None if error else future.result(), error)
            except RuntimeError:  # the window is gone
                pass

        Job(work, name="reviewer-analysis").start().add_done_callback(finished)


class ExperimentWindow(QMainWindow):
    """An experiment folder's results, and a run that fills them in.

    Parameters
    ----------
    folder
        The experiment folder (``cells.csv``, ``remixes/``, ``systems/``, ``structures/``);
        None (or a folder without ``cells.csv``) for an empty window, to run one from a
        corpus (:meth:`start_run`).
    controller
        Opens review windows (:class:`reviewer.ui.app.Controller`); None to open none.
    replicates
        Bootstrap replicates of the intervals.

    Raises
    ------
    FormatError
        If the folder's ``cells.csv`` is malformed.
    """

    def __init__(self, folder: str | Path | None = None, controller=None, replicates: int = 1000):
        super().__init__()
        self.folder = Path(folder) if folder is not None else None
        self.controller = controller
        self.replicates = replicates
        self.run: ExperimentRun | None = None
        self.rows: list[CellRow] = []
        self.voices: list[str] = []
        self.structures: list[str] = []
        self.by_cell: dict[tuple[str, str], CellRow] = {}
        self.failed: dict[tuple[str, str], str] = {}
        self.analysis: FactorialAnalysis | None = None
        self.why_no_analysis = "no cell yet: run an experiment from a corpus"
        self.analysing = 0  # the number of the latest analysis asked for
        self.analysis_job = AnalysisJob(self)
        self.analysis_job.done.connect(self._analysed)
        self.refusal: QMessageBox | None = None

        self.measure = QComboBox()
        for name in MEASURES:
            self.measure.addItem(MEASURE_TITLES[name], name)
        self.measure.currentIndexChanged.connect(self._fill_grid)
        self.grid = QTableWidget(0, 0)
        self.grid.cellActivated.connect(self.open_cell)
        self.grid.cellDoubleClicked.connect(self.open_cell)
        self.grid.currentCellChanged.connect(self._say_cell)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.run_button = QPushButton("Run an experiment... (Alt+R)")
        self.run_button.setToolTip("Cross a corpus's voices and structures and run a system")
        self.run_button.clicked.connect(self.ask_run)
        self.progress = QProgressBar()
        self.progress_label = QLabel()
        self.compare_button = QPushButton("Compare with... (Alt+W)")
        self.compare_button.setToolTip(
            "Another system's experiment on the same design: which one is more sensitive "
            "to structure"
        )
        self.compare_button.clicked.connect(self.ask_compare)
        self.cancel_button = QPushButton("Cancel run (Alt+C)")
        self.cancel_button.clicked.connect(self.cancel_run)
        running = QHBoxLayout()
        running.addWidget(self.progress, 1)
        running.addWidget(self.progress_label)
        running.addWidget(self.cancel_button)
        self.running = QWidget()
        self.running.setLayout(running)
        self.running.hide()

        top = QWidget()
        layout = QVBoxLayout(top)
        header = QHBoxLayout()
        label = QLabel("Measure (points, Alt+M):")
        label.setBuddy(self.measure)
        header.addWidget(label)
        header.addWidget(self.measure)
        header.addStretch(1)
        header.addWidget(self.compare_button)
        header.addWidget(self.run_button)
        layout.addLayout(header)
        layout.addWidget(self.running)
        layout.addWidget(QLabel("Voices (rows) x structures (columns); Enter opens a cell"))
        layout.addWidget(self.grid, 1)
        layout.addWidget(self.summary)

        self.tabs = QTabWidget()
        self.variance_table = _table(
            ["Measure", "Component", "Variance (pt²)", "CI", "Share", "CI"], []
        )
        self.tabs.addTab(self.variance_table, "Variance")
        self.effects_table = _table(["Side", "Effect on DER", "Points", "CI"], [])
        self.tabs.addTab(self.effects_table, "Effects")
        self.comparison: SystemsComparison | None = None
        self.verdict = QLabel("Compare with another system's experiment on the same design.")
        self.verdict.setWordWrap(True)
        self.verdict.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.comparison_table = _table(
            ["Measure", "Quantity", "A", "CI", "B", "CI", "A - B", "CI (paired)"], []
        )
        compared = QWidget()
        compared_layout = QVBoxLayout(compared)
        compared_layout.addWidget(self.verdict)
        compared_layout.addWidget(self.comparison_table, 1)
        self.tabs.addTab(compared, "Comparison")
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(self.tabs)
        self.setCentralWidget(splitter)
        self._build_actions()
        if self.folder is not None and (self.folder / "cells.csv").exists():
            self._load(read_cells(self.folder))
        self._read_failed()
        if self.rows:
            self._analyse()
        self._show()
        self.grid.setCurrentCell(0, 0)
        self.resize(1100, 800)

    def _build_actions(self) -> None:
        """One action per binding of :data:`~reviewer.ui.keymap.EXPERIMENT_KEYMAP`."""
        handlers = {
            "run": self.ask_run,
            "cancel_run": self.cancel_run,
            "compare": self.ask_compare,
            "grid": self.grid.setFocus,
            "measure": self.measure.setFocus,
            "variance_tab": lambda: self.tabs.setCurrentIndex(0),
            "effects_tab": lambda: self.tabs.setCurrentIndex(1),
            "comparison_tab": lambda: self.tabs.setCurrentIndex(2),
            "close": self.close,
        }
        self.key_actions: dict[str, QAction] = {}
        for binding in EXPERIMENT_KEYMAP:
            action = QAction(binding.label, self)
            action.setShortcuts([QKeySequence(key) for key in binding.keys])
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda _=False, handle=handlers[binding.action]: handle())
            self.addAction(action)
            self.key_actions[binding.action] = action

    @property
    def measure_name(self) -> str:
        """The measure shown in the grid."""
        return self.measure.currentData()

    def _load(
        self,
        rows: list[CellRow],
        voices: list[str] | None = None,
        structures: list[str] | None = None,
    ) -> None:
        """Take these cells (on axes of these voices and structures, default: the rows')."""
        self.rows = rows
        self.voices = voices or list(dict.fromkeys(row.voices for row in rows))
        self.structures = structures or list(dict.fromkeys(row.structure for row in rows))
        self.by_cell = {(row.voices, row.structure): row for row in rows}

    def _read_failed(self) -> None:
        """The cells the system failed on (``failed/<cell>.log``): their one-line message."""
        self.failed = {}
        folder = self.folder / "failed" if self.folder is not None else None
        if folder is None or not folder.is_dir():
            return
        for voices in self.voices:
            for structure in self.structures:
                log = folder / f"{voices}__{structure}.log"
                if (voices, structure) not in self.by_cell and log.is_file():
                    lines = log.read_text(errors="replace").splitlines()
                    self.failed[(voices, structure)] = lines[0] if lines else "failed"

    def _analyse(self) -> None:
        """Ask for the variance analysis of the cells, computed in the background.

        Until it arrives (:meth:`_analysed`) the summary says "computing intervals...";
        an answer to an earlier request is dropped.
        """
        self.analysing += 1
        self.analysis, self.why_no_analysis = None, "computing intervals..."
        try:
            structures = experiment_structures(self.folder) if self.folder else None
        except ValueError as error:
            self.why_no_analysis = str(error)
            return
        self.analysis_job.start(self.analysing, list(self.rows), self.replicates, structures)

    def _analysed(self, number: int, analysis, error) -> None:
        if number != self.analysing:
            return  # the cells changed since it was asked for
        if error is not None and not isinstance(error, ValueError):
            self.why_no_analysis = f"the analysis failed: {error}"
        elif error is not None:
            self.why_no_analysis = str(error)
        self.analysis = analysis
        self._show()

    def _say_cell(self, row: int, column: int, *_) -> None:
        """The status bar says what the current cell is (its message when it failed)."""
        item = self.grid.item(row, column)
        if item is not None and item.toolTip():
            self.statusBar().showMessage(item.toolTip())

    def _show(self) -> None:
        title = self.folder.name if self.folder is not None else "(none)"
        self.setWindowTitle(f"Experiment {title} - reviewer")
        self.grid.setRowCount(len(self.voices))
        self.grid.setColumnCount(len(self.structures))
        self.grid.setHorizontalHeaderLabels(self.structures)
        self.grid.setVerticalHeaderLabels(self.voices)
        self._fill_grid()
        variance = factorial_variance_rows(self.analysis, MEASURE_TITLES) if self.analysis else []
        _fill_table(self.variance_table, [list(row) for row in variance])
        effects = factorial_effect_rows(self.analysis) if self.analysis else []
        _fill_table(self.effects_table, [list(row[:4]) for row in effects])

    def _fill_grid(self) -> None:
        name = self.measure_name
        values = [row.points(name) for row in self.rows if row.scored > 0]
        low, high = (min(values), max(values)) if values else (0.0, 0.0)
        for i, voices in enumerate(self.voices):
            for j, structure in enumerate(self.structures):
                row = self.by_cell.get((voices, structure))
                failure = self.failed.get((voices, structure))
                if row is None and failure is not None:
                    item = _item("failed", f"{voices} x {structure} failed: {failure}")
                    item.setBackground(FAILED_COLOUR)
                    item.setForeground(QColor("#000000"))
                elif row is None:
                    item = _item("-", "not computed (skipped, or still to run)")
                else:
                    value = row.points(name)
                    tip = (
                        f"voices {voices} in the structure of {structure}: "
                        f"{MEASURE_TITLES[name]} {format_points(value)} points of "
                        f"{row.scored:.1f} s scored"
                    )
                    item = _item(format_points(value), tip)
                    item.setBackground(heat(value, low, high))
                    item.setForeground(QColor("#000000"))
                    if voices == structure:
                        font = item.font()
                        font.setBold(True)  # the diagonal: resynthesis control
                        item.setFont(font)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.grid.setItem(i, j, item)
        self.grid.resizeColumnsToContents()
        for column in range(self.grid.columnCount()):
            self.grid.setColumnWidth(column, max(self.grid.columnWidth(column), 72))
        if self.analysis is None:
            self.summary.setText(f"No analysis yet: {self.why_no_analysis}")
            return
        measure = self.analysis.measures[name]
        shares = measure.components.shares()
        ci = measure.intervals["share"]
        parts = [
            f"{component} {100 * shares[component]:.1f} % "
            f"[{100 * ci[component].low:.1f}, {100 * ci[component].high:.1f}]"
            for component in COMPONENTS
        ]
        if measure.components.no_variance:
            parts = [NO_VARIANCE]
        self.summary.setText(
            f"{MEASURE_TITLES[name]}: mean {measure.components.mean:.2f} points over "
            f"{self.analysis.cells} cells. Variance shares ({100 * self.analysis.level:g} % "
            f"intervals): "
            + "; ".join(parts)
            + "".join(f"\nNote: {n}" for n in self.analysis.notes)
        )

    def ask_run(self) -> None:
        """Ask for a corpus, a system and a folder, then :meth:`start_run`."""
        if self.run is not None:
            self.statusBar().showMessage("an experiment is already running (Alt+C cancels it)")
            return
        dialog = RunDialog(self, sibling_folder(self.folder) if self.folder else None)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        request = dialog.request()
        if request is None:
            self.statusBar().showMessage("give a corpus folder, a system and a folder")
            return
        self.try_run(request)

    def try_run(self, request: RunRequest) -> ExperimentRun | None:
        """:meth:`start_run`; a refusal (another experiment in the folder) in a message box."""
        from reviewer.services.experiment import DesignConflict

        try:
            return self.start_run(request)
        except DesignConflict as error:
            self.refusal = QMessageBox(
                QMessageBox.Icon.Warning, "Another experiment - reviewer",
                f"{error.what}.\n\nChoose another experiment folder: the one proposed is new.",
                QMessageBox.StandardButton.Ok, self,
            )  # fmt: skip
            self.refusal.open()
        except (ValueError, OSError) as error:
            self.statusBar().showMessage(f"cannot run: {error}")
        return None

    def start_run(self, request: RunRequest) -> ExperimentRun:
        """Run an experiment from a corpus in the background; the grid fills in as it runs.

        Raises
        ------
        RuntimeError
            While another run is going on.
        ValueError, FormatError
            For a corpus that gives no design, or a system string that names no system.
        """
        from reviewer.factorial.corpus_design import corpus_design
        from reviewer.services.experiment import Experiment

        if self.run is not None:
            raise RuntimeError("an experiment is already running in this window")
        design = corpus_design(request.corpus, out=request.out)
        experiment = Experiment(request.out, design, request.system)
        experiment.check_folder()  # another experiment there: refused before anything changes
        self.folder = request.out
        self._forget_comparison()
        finished = experiment.finished()
        self._load(
            [finished[t.cell.name] for t in experiment.tasks if t.cell.name in finished],
            [voice.name for voice in design.voices],
            [structure.name for structure in design.structures],
        )
        self._read_failed()
        self.analysing += 1  # an analysis under way is of other cells
        self.analysis, self.why_no_analysis = None, "it follows when the run ends"
        self._show()
        self.run = ExperimentRun(experiment, request.workers, self)
        self.run.progressed.connect(self._progressed)
        self.run.ended.connect(self._ended)
        self.progress.setRange(0, len(experiment.tasks))
        self.progress.setValue(len(finished))
        self.progress_label.setText("starting the workers...")
        self.running.show()
        self.run_button.setEnabled(False)
        self.run.start()
        return self.run

    def ask_compare(self) -> None:
        """Choose another experiment folder and :meth:`compare_with` it."""
        folder = QFileDialog.getExistingDirectory(
            self, "Another system's experiment", str(self.folder or "")
        )
        if folder:
            self.compare_with(folder)

    def compare_with(self, other: str | Path) -> SystemsComparison | None:
        """Compare this experiment (A) with another system's on the same design (B).

        The Comparison tab shows both systems' shares with their intervals, A - B with its
        paired interval and which one is more sensitive to structure; a design that differs,
        or an unreadable folder, is said in the status bar (naming the cells).
        """
        from reviewer.factorial.comparison import compare_systems

        other = Path(other)
        names = (self.folder.name if self.folder else "A", other.name)
        try:
            comparison = compare_systems(
                self.rows, read_cells(other), names, replicates=self.replicates
            )
        except (ValueError, OSError) as error:
            self.statusBar().showMessage(f"cannot compare with {other}: {error}")
            return None
        self.comparison = comparison
        self.verdict.setText(f"A = {names[0]}, B = {names[1]}. {comparison.verdict()}")
        _fill_table(self.comparison_table, [list(r) for r in factorial_comparison_rows(comparison)])
        self.tabs.setCurrentIndex(self.tabs.count() - 1)
        return comparison

    def _forget_comparison(self) -> None:
        """The data under the Comparison tab is replaced: it shows nothing stale."""
        self.comparison = None
        self.verdict.setText("Compare with another system's experiment on the same design (Alt+W).")
        _fill_table(self.comparison_table, [])

    def cancel_run(self) -> None:
        """Stop the run: the finished cells are kept (run again to resume)."""
        if self.run is not None:
            self.run.cancel()
            self.progress_label.setText("stopping...")

    def _progressed(self, state: Progress) -> None:
        self.progress.setValue(state.done)
        left = "" if state.seconds_left is None else f", {_duration(state.seconds_left)} left"
        reused = f" ({state.reused} from before)" if state.reused else ""
        self.progress_label.setText(f"{state.done} of {state.total} cells{reused}{left}")
        if self.folder is not None and (self.folder / "cells.csv").exists():
            self._load(read_cells(self.folder), self.voices, self.structures)
        if state.failed or self.failed:
            self._read_failed()
        self._fill_grid()

    def _ended(self, error: object) -> None:
        run, self.run = self.run, None
        self.running.hide()
        self.run_button.setEnabled(True)
        if self.folder is not None and (self.folder / "cells.csv").exists():
            self._load(read_cells(self.folder), self.voices, self.structures)
        self._read_failed()
        self._analyse()
        self._show()
        total = len(self.voices) * len(self.structures)
        if error is not None:
            message = f"the run stopped: {error} ({len(self.rows)} cells kept)"
        elif run is not None and run.cancelled:
            message = f"cancelled: {len(self.rows)} cells kept; run again to resume"
        else:
            message = f"done: {len(self.rows)} cells of {total}"
        if self.failed:
            message += f"; {len(self.failed)} failed (hover them; run again to retry)"
        self.statusBar().showMessage(message)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """Closing stops a run (the finished cells are kept)."""
        if self.run is not None:
            self.run.cancel()
            self.run.job.wait(60)
        super().closeEvent(event)

    def cell_files(self, voices: str, structure: str) -> tuple[Path, Path, Path, Path]:
        """The remix's audio, reference and UEM, and the system's output, for a cell."""
        name = f"{voices}__{structure}"
        remixes = self.folder / "remixes"
        return (
            remixes / f"{name}.wav",
            remixes / f"{name}.rttm",
            self.folder / "systems" / f"{name}.rttm",
            remixes / f"{name}.uem",
        )

    def open_cell(self, row: int, column: int) -> None:
        """Open the cell's remix in a review window (audio, reference, system output)."""
        if self.controller is None or not (0 <= row < len(self.voices)):
            return
        voices, structure = self.voices[row], self.structures[column]
        if (voices, structure) not in self.by_cell:
            self.statusBar().showMessage(f"{voices} x {structure} has not been computed")
            return
        from reviewer.ui.opening import OpenRequest

        audio, reference, system, uem = self.cell_files(voices, structure)
        request = OpenRequest(
            audio=str(audio), reference=str(reference), system=str(system),
            uem=str(uem) if uem.exists() else None, uri=f"{voices}__{structure}",
        )  # fmt: skip
        self.controller.open(request, parent=self)


def run(folder: str | Path | None, other: str | Path | None = None) -> int:
    """Open the Experiment window (compared with ``other``) and run the event loop.

    Returns the exit status.

    Raises
    ------
    NoDisplay
        Without a display.
    FormatError
        If the folder's ``cells.csv`` is malformed.
    """
    from reviewer.ui.app import Controller, application, release, require_display

    require_display()
    app = application()
    controller = Controller()
    window = ExperimentWindow(folder, controller)
    if other is not None:
        window.compare_with(other)
    window.show()
    status = app.exec()
    controller.release()
    release(window)
    return status
