"""Running a factorial experiment from the Experiment window, in the background.

:class:`ExperimentRun` runs :meth:`reviewer.services.experiment.Experiment.run` (the Dask
runner) as a :class:`~reviewer.services.jobs.Job` on a worker thread and turns its progress
and its end into Qt signals, delivered on the GUI thread; :class:`RunDialog` asks for the
corpus, the system, the experiment folder and the local workers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

SYSTEMS = ("baseline", "baseline:0.75")
"""The systems offered in the dialog's list (any pipeline or command template can be typed)."""


@dataclass(frozen=True)
class RunRequest:
    """What to run: a corpus's recordings crossed, ``system`` on every cell, into ``out``."""

    corpus: Path
    system: str
    out: Path
    workers: int = 2


class ExperimentRun(QObject):
    """An experiment running on Dask in a background thread.

    Signals
    -------
    progressed(Progress)
        After each finished cell (and once at the start), on the GUI thread.
    ended(object)
        Once, when the run is over: None when every cell finished or the run was cancelled,
        else the exception that stopped it.

    Parameters
    ----------
    experiment
        The :class:`~reviewer.services.experiment.Experiment` to run.
    workers
        Local worker processes.
    """

    progressed = Signal(object)
    ended = Signal(object)

    def __init__(self, experiment, workers: int = 2, parent: QObject | None = None):
        super().__init__(parent)
        from reviewer.services.jobs import Job

        self.experiment = experiment
        self.workers = workers
        self.job = Job(self._work, name="reviewer-experiment")

    def _work(self, stop):
        return self.experiment.run(
            workers=self.workers, on_progress=self.progressed.emit, stop=stop
        )

    def start(self) -> None:
        """Start the run; :attr:`ended` follows."""
        future = self.job.start()
        future.add_done_callback(lambda done: self.ended.emit(done.exception()))

    def cancel(self) -> None:
        """Stop: no further cell is kept, the cells not yet finished are cancelled."""
        self.job.cancel()

    @property
    def cancelled(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self.job.cancelled


def sibling_folder(folder: Path) -> Path:
    """A new folder beside ``folder`` for another experiment: ``<name>-2``, ``-3``, ..."""
    number = 2
    while (candidate := folder.with_name(f"{folder.name}-{number}")).exists():
        number += 1
    return candidate


def _label(text: str, buddy: QWidget) -> QLabel:
    """A label whose mnemonic focuses ``buddy`` (a form row's widget may hold more)."""
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


class RunDialog(QDialog):
    """Asks for a corpus folder, a system, the experiment folder and the workers."""

    def __init__(self, parent: QWidget | None = None, out: Path | None = None):
        """``out``: the experiment folder proposed (a new one: never the one open)."""
        super().__init__(parent)
        self.setWindowTitle("Run an experiment - reviewer")
        self.corpus = QLineEdit()
        self.system = QComboBox()
        self.system.setEditable(True)
        self.system.addItems(SYSTEMS)
        self.system.setToolTip(
            "baseline[:S], a pyannote pipeline (folder or Hugging Face id), or a command "
            "template holding {audio} and {rttm}"
        )
        self.out = QLineEdit(str(out) if out else "")
        self.workers = QSpinBox()
        self.workers.setRange(1, 64)
        self.workers.setValue(2)
        form = QFormLayout(self)
        form.addRow(_label("&Corpus folder:", self.corpus), self._with_browse(self.corpus))
        form.addRow("&System:", self.system)
        form.addRow(_label("&Experiment folder:", self.out), self._with_browse(self.out))
        form.addRow("Local &workers:", self.workers)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Run")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.setMinimumWidth(720)  # a command template is long

    def _with_browse(self, field: QLineEdit) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(field, 1)
        browse = QPushButton("Browse...")
        browse.clicked.connect(lambda: self._browse(field))
        layout.addWidget(browse)
        return row

    def _browse(self, field: QLineEdit) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose a folder", field.text())
        if folder:
            field.setText(folder)

    def request(self) -> RunRequest | None:
        """What the fields ask for, or None while a field is empty."""
        corpus, system, out = (
            self.corpus.text().strip(),
            self.system.currentText().strip(),
            (self.out.text().strip()),
        )
        if not (corpus and system and out):
            return None
        return RunRequest(Path(corpus), system, Path(out), self.workers.value())
