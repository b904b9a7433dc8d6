"""The live metrics panel and the edit history with each edit's DER change."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QListWidget,
    QVBoxLayout,
    QWidget,
)

from reviewer.app.editor import Editor
from reviewer.metrics.der import DiarizationScore
from reviewer.metrics.live import ScoringSetup
from reviewer.model.commands import EditTurns
from reviewer.model.document import Change


def _percent(part: float, whole: float) -> str:
    return f"{100 * part / whole:.2f} %" if whole > 0 else "-"


class MetricsPanel(QWidget):
    """DER and its parts, the scoring settings, and the edit history."""

    def __init__(self, editor: Editor, note: str = "", parent=None):
        super().__init__(parent)
        self.editor = editor
        layout = QVBoxLayout(self)

        settings = QGroupBox("Scoring (md-eval-22)")
        form = QFormLayout(settings)
        names = list(editor.document.tracks)
        self.reference_box = QComboBox()
        self.reference_box.addItems(names)
        self.hypothesis_box = QComboBox()
        self.hypothesis_box.addItems(names)
        setup = editor.live.setup
        self.reference_box.setCurrentText(setup.reference)
        self.hypothesis_box.setCurrentText(setup.hypothesis)
        self.collar_box = QDoubleSpinBox()
        self.collar_box.setRange(0.0, 2.0)
        self.collar_box.setSingleStep(0.05)
        self.collar_box.setDecimals(3)
        self.collar_box.setSuffix(" s each side")
        self.collar_box.setValue(setup.collar)
        self.collar_box.setToolTip(
            "Seconds excluded on EACH side of every reference boundary (md-eval's -c). "
            "pyannote.metrics' collar is the total width: 0.25 here is collar=0.5 there."
        )
        self.skip_box = QCheckBox("Skip overlapped speech")
        self.skip_box.setChecked(setup.skip_overlap)
        form.addRow("Reference", self.reference_box)
        form.addRow("Scored track", self.hypothesis_box)
        form.addRow("Collar", self.collar_box)
        form.addRow("", self.skip_box)
        layout.addWidget(settings)
        for widget in (self.reference_box, self.hypothesis_box):
            widget.currentTextChanged.connect(self._configure)
        self.collar_box.valueChanged.connect(self._configure)
        self.skip_box.toggled.connect(self._configure)

        numbers = QGroupBox("Diarization error")
        grid = QFormLayout(numbers)
        self.der_label = QLabel()
        self.der_label.setStyleSheet("font-size: 22pt; font-weight: bold;")
        self.der_label.setObjectName("der")
        self.missed_label, self.false_alarm_label = QLabel(), QLabel()
        self.confusion_label, self.scored_label = QLabel(), QLabel()
        grid.addRow("DER", self.der_label)
        grid.addRow("Missed", self.missed_label)
        grid.addRow("False alarm", self.false_alarm_label)
        grid.addRow("Confusion", self.confusion_label)
        grid.addRow("Scored", self.scored_label)
        self.mapping_label = QLabel()
        self.mapping_label.setWordWrap(True)
        grid.addRow("Mapping", self.mapping_label)
        self.wder_label = QLabel("no transcript")
        self.wder_label.setWordWrap(True)
        grid.addRow("WDER", self.wder_label)
        self.attribution = None
        layout.addWidget(numbers)
        if note:
            note_label = QLabel(note)
            note_label.setWordWrap(True)
            note_label.setStyleSheet("color: #E0B050;")
            layout.addWidget(note_label)

        layout.addWidget(QLabel("Edit history (DER change)"))
        self.history_list = QListWidget()
        self.history_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout.addWidget(self.history_list, 1)
        self._entries: list[tuple[EditTurns, float | None, float | None]] = [
            (command, None, None) for command in editor.history.commands
        ]
        self._redo: list[tuple[EditTurns, float | None, float | None]] = []
        self._der_before: float | None = self._der()
        editor.history.subscribe(self._history_changed)
        editor.live.subscribe(self.refresh)
        self.refresh()
        self._show_history()

    def tracks_changed(self) -> None:
        """Offer tracks added since (a diarization's output) in the track choosers."""
        names = list(self.editor.document.tracks)
        for box in (self.reference_box, self.hypothesis_box):
            current = box.currentText()
            box.blockSignals(True)
            box.clear()
            box.addItems(names)
            box.setCurrentText(current)
            box.blockSignals(False)

    def _der(self) -> float | None:
        score = self.editor.live.score
        return None if score is None else score.der

    def _configure(self, *_) -> None:
        self.editor.live.configure(
            ScoringSetup(
                reference=self.reference_box.currentText(),
                hypothesis=self.hypothesis_box.currentText(),
                collar=self.collar_box.value(),
                skip_overlap=self.skip_box.isChecked(),
            )
        )
        self._der_before = self._der()

    def _show_setup(self) -> None:
        """Show the settings scored with, when set elsewhere (a corpus's collar)."""
        setup = self.editor.live.setup
        for widget, value in (
            (self.reference_box, setup.reference),
            (self.hypothesis_box, setup.hypothesis),
            (self.collar_box, setup.collar),
            (self.skip_box, setup.skip_overlap),
        ):
            widget.blockSignals(True)
            if widget is self.collar_box:
                widget.setValue(value)
            elif widget is self.skip_box:
                widget.setChecked(value)
            else:
                widget.setCurrentText(value)
            widget.blockSignals(False)

    def refresh(self) -> None:
        """Show the current numbers."""
        self._show_setup()
        score: DiarizationScore | None = self.editor.live.score
        if score is None:
            for label in (
                self.der_label,
                self.missed_label,
                self.false_alarm_label,
                self.confusion_label,
                self.scored_label,
            ):
                label.setText("-")
            self.mapping_label.setText("choose two tracks")
            return
        self.der_label.setText("-" if score.der is None else f"{100 * score.der:.2f} %")
        for label, value in (
            (self.missed_label, score.missed),
            (self.false_alarm_label, score.false_alarm),
            (self.confusion_label, score.confusion),
        ):
            label.setText(f"{value:.3f} s  ({_percent(value, score.scored)})")
        self.scored_label.setText(f"{score.scored:.3f} s of speaker time")
        mapping = self.editor.live.mapping
        self.mapping_label.setText(
            ", ".join(f"{r} \u2192 {h}" for r, h in sorted(mapping.items())) or "none"
        )

    def show_wder(self, errors) -> None:
        """Show the word-level diarization error rate, total and per speaker."""
        if errors is None or errors.wder is None:
            self.wder_label.setText("needs a transcript, a reference and a scored track")
            return
        per = ", ".join(
            f"{name} {100 * bad / n:.1f} %" for name, (n, bad) in errors.speakers.items() if n
        )
        self.wder_label.setText(f"{100 * errors.wder:.2f} % of {errors.words} words ({per})")

    def _history_changed(self, kind: str, command: EditTurns, change: Change) -> None:
        after = self._der()
        commands = self.editor.history.commands
        if kind == "do":
            self._redo.clear()
            if len(commands) == len(self._entries) and self._entries:
                first, before, _ = self._entries[-1]
                self._entries[-1] = (commands[-1], before, after)
            elif len(commands) < len(self._entries):  # merged edits cancelled out
                self._entries.pop()
            else:
                self._entries.append((command, self._der_before, after))
        elif kind == "undo" and self._entries:
            self._redo.append(self._entries.pop())
        elif kind == "redo" and self._redo:
            self._entries.append(self._redo.pop())
        self._der_before = after
        self._show_history()

    def _show_history(self) -> None:
        self.history_list.clear()
        for command, before, after in self._entries:
            if before is None or after is None:
                delta = ""
            else:
                delta = f"  {100 * (after - before):+.2f} pt"
            self.history_list.addItem(f"{command.name}{delta}")
        for command, _, _ in reversed(self._redo):
            self.history_list.addItem(f"(undone) {command.name}")
            item = self.history_list.item(self.history_list.count() - 1)
            item.setForeground(Qt.GlobalColor.gray)
        self.history_list.scrollToBottom()
