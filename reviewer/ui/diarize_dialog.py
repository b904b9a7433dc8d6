"""Diarize...: run a pyannote.audio pipeline in the background, with progress and Cancel.

The run is a :class:`~reviewer.services.diarization.DiarizationJob` on a worker thread; its
progress reports and its end reach the dialog as Qt signals (:attr:`DiarizeDialog.progressed`,
:attr:`DiarizeDialog.ended`), emitted on the worker thread and delivered, in order, on the
GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

DEFAULT_PIPELINE = "pyannote/speaker-diarization-community-1"


class DiarizeDialog(QDialog):
    """Choose a pipeline and speaker counts, run it, watch it, cancel it.

    ``finished_with`` is set to the :class:`~reviewer.services.diarization.DiarizationResult`
    when a run succeeds.
    """

    progressed = Signal(object)
    """A :class:`~reviewer.services.diarization.Progress` of the running job (from its thread)."""

    ended = Signal()
    """The running job has ended: with a result, an error or a cancel (from its thread)."""

    def __init__(self, audio_path, parent=None):
        super().__init__(parent)
        from reviewer.services.dependencies import (
            MissingExtra,
            reinstall_advice,
            require_diarize,
            requirement_problems,
        )
        from reviewer.services.diarization import load_token

        self.audio_path = audio_path
        self.job = None
        self._shown_end = None
        self.finished_with = None
        self.setWindowTitle("Diarize with pyannote.audio")
        self.resize(620, 300)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.pipeline = QComboBox()
        self.pipeline.setEditable(True)
        self.pipeline.addItem(DEFAULT_PIPELINE)
        self.pipeline.addItem("baseline")  # the offline baseline: no network, no token
        self.pipeline.addItem("baseline:0.75")
        browse = QPushButton("Local pipeline...")
        browse.clicked.connect(self._browse)
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.pipeline, 1)
        line.addWidget(browse)
        form.addRow("Pipeline", row)
        self.speakers = QSpinBox()
        self.speakers.setRange(0, 50)
        self.speakers.setSpecialValueText("unknown")
        self.min_speakers = QSpinBox()
        self.min_speakers.setRange(0, 50)
        self.min_speakers.setSpecialValueText("-")
        self.max_speakers = QSpinBox()
        self.max_speakers.setRange(0, 50)
        self.max_speakers.setSpecialValueText("-")
        form.addRow("Number of speakers", self.speakers)
        bounds = QWidget()
        bounds_line = QHBoxLayout(bounds)
        bounds_line.setContentsMargins(0, 0, 0, 0)
        bounds_line.addWidget(QLabel("at least"))
        bounds_line.addWidget(self.min_speakers)
        bounds_line.addWidget(QLabel("at most"))
        bounds_line.addWidget(self.max_speakers)
        form.addRow("or", bounds)
        self.token = QLineEdit(load_token() or "")
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText("Hugging Face token (hub pipelines only)")
        self.remember = QCheckBox("Remember the token (a file only you can read)")
        form.addRow("Token", self.token)
        form.addRow("", self.remember)
        self.telemetry = QCheckBox("Send pyannote.audio's usage telemetry (off by default)")
        form.addRow("Privacy", self.telemetry)
        layout.addLayout(form)
        try:  # nothing heavy is imported: module lookups and package metadata only
            require_diarize()
        except MissingExtra as error:  # the light install: say so, offer nothing to run
            self.step = QLabel(str(error))
            self.unavailable = True
        else:
            problems = requirement_problems()
            self.step = QLabel(
                f"Warning: {'; '.join(problems)}. Diarization will probably fail to load. "
                f"{reinstall_advice()}."
                if problems
                else "Ready."
            )
            self.unavailable = False
        self.step.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        layout.addWidget(self.step)
        layout.addWidget(self.bar)
        buttons = QHBoxLayout()
        self.start_button = QPushButton("Diarize")
        self.start_button.clicked.connect(self.start)
        self.start_button.setEnabled(not self.unavailable)
        self.cancel_button = QPushButton("Close")
        self.cancel_button.clicked.connect(self._cancel_or_close)
        buttons.addStretch(1)
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        self.progressed.connect(self._show)
        self.ended.connect(self._poll)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Pipeline folder (with config.yaml)")
        if folder:
            self.pipeline.setCurrentText(folder)

    def request(self):
        """The request the form describes."""
        from reviewer.services.diarization import DiarizationRequest

        def optional(box: QSpinBox):
            return box.value() or None

        return DiarizationRequest(
            audio=self.audio_path,
            pipeline=self.pipeline.currentText().strip() or DEFAULT_PIPELINE,
            num_speakers=optional(self.speakers),
            min_speakers=optional(self.min_speakers),
            max_speakers=optional(self.max_speakers),
            token=self.token.text().strip() or None,
            telemetry=self.telemetry.isChecked(),
        )

    def start(self) -> None:
        """Start the run in the background."""
        from reviewer.services.diarization import DiarizationJob, save_token

        if self.remember.isChecked() and self.token.text().strip():
            save_token(self.token.text().strip())
        self.start_button.setEnabled(False)
        self.cancel_button.setText("Cancel")
        self.step.setText("Loading the pipeline (torch and pyannote.audio load on first use)")
        self.job = DiarizationJob(self.request(), on_progress=self._emit_progress).start()
        self.job.add_done_callback(self._emit_ended)

    def _emit_progress(self, progress) -> None:
        """On the job's thread: hand a progress report to the GUI thread."""
        try:
            self.progressed.emit(progress)
        except RuntimeError:  # the dialog is gone; the run goes on until it sees the cancel
            pass

    def _emit_ended(self, job) -> None:
        """On the job's thread (or at once if it had ended): tell the GUI thread."""
        try:
            self.ended.emit()
        except RuntimeError:  # the dialog is gone
            pass

    def _cancel_or_close(self) -> None:
        if self.job is not None and not self.job.done:
            self.job.cancel()
            self.step.setText("Cancelling: the pipeline stops at its next progress step")
            self.cancel_button.setEnabled(False)
        else:
            self.reject()

    def _show(self, progress) -> None:
        """Show a progress report: the step, the time left and the bar."""
        left = progress.seconds_left
        eta = f", about {left:.0f} s left" if left is not None else ""
        self.step.setText(f"{progress.step}{eta}")
        self.bar.setValue(round(1000 * progress.overall))

    def _poll(self) -> None:
        """Show the job's state now; once it has ended, its result or why not (once)."""
        job = self.job
        if job is None or job is self._shown_end:
            return
        if job.progress is not None:
            self._show(job.progress)
        if not job.done:
            return
        self._shown_end = job
        self.start_button.setEnabled(True)
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Close")
        if job.result is not None:
            self.finished_with = job.result
            self.bar.setValue(1000)
            self.accept()
        else:
            self.step.setText(str(job.error) if job.error else "Stopped.")

    def reject(self) -> None:
        """Closing cancels a running job."""
        if self.job is not None and not self.job.done:
            self.job.cancel()
        super().reject()
