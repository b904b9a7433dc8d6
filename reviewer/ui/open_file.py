"""Opening a file from the file manager: the questions :mod:`reviewer.app.file_types` asks.

``reviewer open-file FILE...`` (the desktop entry's ``Exec``) runs :func:`run`: a session or
a project opens at once, audio with its annotations too; audio alone shows the Open dialog
with the annotations found beside it; an RTTM, a transcript or a UEM alone shows the
:class:`AudioQuestion` (which recording is it of? and, for an RTTM, is it the system output
or the reference?).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QWidget,
)

from reviewer.app.file_types import Action, FilePlan, plan
from reviewer.ui.opening import AUDIO_FILTER, OpenDialog, OpenRequest


def request_of(chosen: FilePlan) -> OpenRequest:
    """The files of a plan as an :class:`~reviewer.ui.opening.OpenRequest`."""

    def name(path: Path | None) -> str | None:
        return str(path) if path is not None else None

    return OpenRequest(
        audio=name(chosen.audio),
        reference=name(chosen.reference),
        system=name(chosen.system),
        uem=name(chosen.uem),
        transcript=name(chosen.transcript),
    )


class AudioQuestion(OpenDialog):
    """Which recording an RTTM, a transcript or a UEM is of, and an RTTM's role.

    The Open dialog showing only its audio row, under the question: the audio field starts
    with the recording of the same name found beside the file
    (:func:`~reviewer.app.file_types.audio_beside`); Browse... starts there, or in the
    file's folder. An RTTM is the system output unless "the reference" is chosen. Open is
    enabled once something can be opened (an RTTM opens without audio; a transcript or a
    UEM needs it); More files... shows the Open dialog's other rows, filled in so far.
    """

    HIDDEN = ("reference", "system", "uem", "transcript")
    plan: FilePlan | None = None  # None while the Open dialog builds itself

    def __init__(self, chosen: FilePlan, parent: QWidget | None = None):
        super().__init__(parent, request_of(chosen))
        about = chosen.about
        assert about is not None
        self.setWindowTitle(f"Open {about.name}")
        form = self.layout()
        assert isinstance(form, QFormLayout)
        self.form = form
        what = "speaker turns" if chosen.rttm else "annotations of a recording"
        if chosen.transcript and not chosen.rttm:
            what = "a transcript"
        self.question = QLabel(f"<b>{about.name}</b> holds {what}. Which recording is it of?")
        self.question.setWordWrap(True)
        form.insertRow(0, self.question)
        self.audio = self.fields["audio"]
        self.audio.setPlaceholderText("the audio file (optional for an RTTM)")
        for key in self.HIDDEN:
            form.setRowVisible(self._row(key), False)
        self.as_system = QRadioButton("the system output")
        self.as_reference = QRadioButton("the reference")
        self.as_system.setChecked(True)
        self.roles = QButtonGroup(self)
        for button in (self.as_system, self.as_reference):
            self.roles.addButton(button)
            button.toggled.connect(self._enable)
        self.plan = chosen  # from here on, request() answers with the RTTM's role
        if chosen.rttm is not None:
            roles = QWidget()
            line = QHBoxLayout(roles)
            line.setContentsMargins(0, 0, 0, 0)
            line.addWidget(self.as_system)
            line.addWidget(self.as_reference)
            line.addStretch(1)
            form.insertRow(2, f"{chosen.rttm.name} is", roles)
        buttons = self.findChild(QDialogButtonBox)
        assert buttons is not None
        self.more = buttons.addButton("More files...", QDialogButtonBox.ButtonRole.ActionRole)
        self.more.setToolTip("Name the reference, system output, UEM and transcript too")
        self.more.clicked.connect(self.show_all)
        self.resize(640, self.sizeHint().height())

    def _row(self, key: str) -> QWidget:
        """The form row (the field and its Browse... button) of one of the dialog's files."""
        row = self.fields[key].parentWidget()
        assert row is not None
        return row

    def show_all(self) -> None:
        """Show every file's row, the RTTM in the role chosen; the role question goes."""
        request = self.request()
        for key in self.HIDDEN:
            self.fields[key].setText(getattr(request, key) or "")
            self.form.setRowVisible(self._row(key), True)
        if self.plan is not None and self.plan.rttm is not None:
            self.form.setRowVisible(self.as_system.parentWidget(), False)
            self.plan = replace(self.plan, rttm=None)
        self.more.hide()

    def browse_start(self) -> str:
        """Where the audio's Browse... starts: the audio named so far, else the file's folder."""
        start = self.plan.start if self.plan is not None else None
        return self.audio.text().strip() or str(start or "")

    def _browse(self, edit: QLineEdit, title: str, pattern: str) -> None:
        if edit is not self.audio:
            return super()._browse(edit, title, pattern)
        about = self.plan.about if self.plan is not None else None
        path, _ = QFileDialog.getOpenFileName(
            self, f"The audio of {about.name if about else ''}", self.browse_start(), AUDIO_FILTER
        )
        if path:
            edit.setText(path)

    def request(self) -> OpenRequest:
        """What the answers name: the audio, and the RTTM in its chosen role."""
        request = super().request()
        rttm = self.plan.rttm if self.plan is not None else None
        if rttm is not None and self.as_reference.isChecked():
            return replace(request, reference=str(rttm), system=None)
        return request


def question_for(chosen: FilePlan, parent: QWidget | None = None) -> QDialog | None:
    """The dialog a plan asks (an :class:`AudioQuestion` or the Open dialog), or None."""
    if chosen.action is Action.ASK_AUDIO:
        return AudioQuestion(chosen, parent)
    if chosen.action is Action.ASK_FILES:
        dialog = OpenDialog(parent, request_of(chosen))
        dialog.setWindowTitle(f"Open {chosen.audio.name if chosen.audio else 'a recording'}")
        return dialog
    return None


def answer(dialog: QDialog) -> OpenRequest | None:
    """What an accepted question (either dialog) chose."""
    return dialog.request() if isinstance(dialog, OpenDialog) else None


def run(paths: Sequence[str | Path]) -> int:
    """``reviewer open-file``: open files as the file manager hands them over.

    Returns the exit status: 0 (opened, or a question cancelled), 2 for a file reviewer
    does not open or a project that cannot be opened (said in a message box too: nobody
    sees the file manager's stderr). A recording that does not open is reported by the
    window's own message box.
    """
    from reviewer.ui import app as ui_app

    chosen = plan(paths)
    if chosen.action is Action.SESSION:
        return ui_app.run(OpenRequest(session=str(chosen.session)))
    ui_app.require_display()
    ui_app.application()
    if chosen.action is Action.PROJECT:
        assert chosen.project is not None
        return _run_project(chosen.project)
    if chosen.action is Action.REFUSE:
        return refuse(chosen.problem)
    if chosen.action is Action.OPEN:
        return ui_app.run(request_of(chosen))
    dialog = question_for(chosen)
    assert dialog is not None
    if not dialog.exec():
        return 0
    request = answer(dialog)
    return ui_app.run(request) if request is not None else 0


def refuse(problem: str) -> int:
    """Say why nothing opens, on stderr and in a message box; returns 2."""
    from PySide6.QtWidgets import QMessageBox

    print(f"reviewer: error: {problem}", file=sys.stderr)
    QMessageBox.warning(None, "reviewer cannot open this", problem)
    return 2


def _run_project(path: Path) -> int:
    """Open a corpus project's window (held, its crashed edits restored)."""
    from reviewer.corpus import Project, ProjectBusy
    from reviewer.io import FormatError
    from reviewer.ui.app import run_corpus

    try:
        project = Project.load(path)
    except (FormatError, OSError) as error:
        return refuse(str(error))
    try:
        return run_corpus(project, path)
    except ProjectBusy as error:  # raised before the window opens
        return refuse(str(error))
