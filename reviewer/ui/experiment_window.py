"""The Experiment window: a factorial experiment's grid, variance shares and effects.

The grid is a table of voices (rows) by structures (columns), each cell coloured by its DER
(or missed speech, false alarm, confusion), so it reads as a heatmap and is walked with the
arrow keys; Enter or a double-click opens that cell's remix in a review window (its audio,
its reference, the system's output), so the user hears where the system fails.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from reviewer.factorial.analysis import FactorialAnalysis, analyze
from reviewer.factorial.cells_file import MEASURES, CellRow, experiment_structures, read_cells
from reviewer.factorial.variance import COMPONENTS
from reviewer.metrics.numbers import format_points
from reviewer.reports import factorial_effect_rows, factorial_variance_rows

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
    table = QTableWidget(len(rows), len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, _item(text))
    table.resizeColumnsToContents()
    return table


def heat(value: float, low: float, high: float) -> QColor:
    """A colour from pale yellow (``low``) to deep red (``high``)."""
    share = 0.0 if high <= low else min(max((value - low) / (high - low), 0.0), 1.0)
    return QColor.fromHsvF((60 - 60 * share) / 360, 0.15 + 0.75 * share, 1.0 - 0.25 * share)


class ExperimentWindow(QMainWindow):
    """An experiment folder's results.

    Parameters
    ----------
    folder
        The experiment folder (``cells.csv``, ``remixes/``, ``systems/``, ``structures/``).
    controller
        Opens review windows (:class:`reviewer.ui.app.Controller`); None to open none.
    replicates
        Bootstrap replicates of the intervals.
    """

    def __init__(self, folder: str | Path, controller=None, replicates: int = 1000):
        super().__init__()
        self.folder = Path(folder)
        self.controller = controller
        self.rows: list[CellRow] = read_cells(self.folder)
        self.analysis: FactorialAnalysis = analyze(
            self.rows, replicates=replicates, structures=experiment_structures(self.folder)
        )
        self.voices = list(dict.fromkeys(row.voices for row in self.rows))
        self.structures = list(dict.fromkeys(row.structure for row in self.rows))
        self.by_cell = {(row.voices, row.structure): row for row in self.rows}
        self.setWindowTitle(f"Experiment {self.folder.name} - reviewer")

        self.measure = QComboBox()
        for name in MEASURES:
            self.measure.addItem(MEASURE_TITLES[name], name)
        self.measure.currentIndexChanged.connect(self._fill_grid)
        self.grid = QTableWidget(len(self.voices), len(self.structures))
        self.grid.setHorizontalHeaderLabels(self.structures)
        self.grid.setVerticalHeaderLabels(self.voices)
        self.grid.cellActivated.connect(self.open_cell)
        self.grid.cellDoubleClicked.connect(self.open_cell)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        top = QWidget()
        layout = QVBoxLayout(top)
        header = QHBoxLayout()
        label = QLabel("&Measure (points):")
        label.setBuddy(self.measure)
        header.addWidget(label)
        header.addWidget(self.measure)
        header.addStretch(1)
        layout.addLayout(header)
        layout.addWidget(QLabel("Voices (rows) x structures (columns); Enter opens a cell"))
        layout.addWidget(self.grid, 1)
        layout.addWidget(self.summary)

        self.tabs = QTabWidget()
        self.variance_table = self._variance_table()
        self.tabs.addTab(self.variance_table, "&Variance")
        self.effects_table = self._effects_table()
        self.tabs.addTab(self.effects_table, "&Effects")
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(self.tabs)
        self.setCentralWidget(splitter)
        QShortcut(QKeySequence("Ctrl+G"), self, self.grid.setFocus)
        self._fill_grid()
        self.grid.setCurrentCell(0, 0)
        self.resize(1100, 800)

    @property
    def measure_name(self) -> str:
        """The measure shown in the grid."""
        return self.measure.currentData()

    def _fill_grid(self) -> None:
        name = self.measure_name
        values = [row.points(name) for row in self.rows]
        low, high = min(values), max(values)
        for i, voices in enumerate(self.voices):
            for j, structure in enumerate(self.structures):
                row = self.by_cell.get((voices, structure))
                if row is None:
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
        measure = self.analysis.measures[name]
        shares = measure.components.shares()
        ci = measure.intervals["share"]
        parts = [
            f"{component} {100 * shares[component]:.1f} % "
            f"[{100 * ci[component].low:.1f}, {100 * ci[component].high:.1f}]"
            for component in COMPONENTS
        ]
        self.summary.setText(
            f"{MEASURE_TITLES[name]}: mean {measure.components.mean:.2f} points over "
            f"{self.analysis.cells} cells. Variance shares ({100 * self.analysis.level:g} % "
            f"intervals): "
            + "; ".join(parts)
            + "".join(f"\nNote: {n}" for n in self.analysis.notes)
        )

    def _variance_table(self) -> QTableWidget:
        rows = factorial_variance_rows(self.analysis, MEASURE_TITLES)
        headers = ["Measure", "Component", "Variance (pt²)", "CI", "Share", "CI"]
        return _table(headers, [list(row) for row in rows])

    def _effects_table(self) -> QTableWidget:
        rows = [list(row[:4]) for row in factorial_effect_rows(self.analysis)]
        return _table(["Side", "Effect on DER", "Points", "CI"], rows)

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


def run(folder: str | Path) -> int:
    """Open the Experiment window and run the event loop; returns the exit status.

    Raises
    ------
    NoDisplay
        Without a display.
    FormatError
        If the folder has no readable ``cells.csv``.
    """
    from reviewer.ui.app import Controller, application, release, require_display

    require_display()
    app = application()
    controller = Controller()
    window = ExperimentWindow(folder, controller)
    window.show()
    status = app.exec()
    controller.release()
    release(window)
    return status
