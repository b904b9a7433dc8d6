"""The live metrics panel and the edit history with each edit's DER change."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFont
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

from reviewer.app.edit_log import EditLog
from reviewer.app.editor import Editor
from reviewer.metrics.der import DiarizationScore
from reviewer.metrics.numbers import format_percent, format_points, format_share
from reviewer.model.scoring import ScoringSettings, ScoringSetup
from reviewer.ui.deferred import Deferred

DER_SCALE = 2.0
"""The DER's size, in multiples of the panel's font: it grows with the desktop's font."""

COLLAR_DECIMALS = 3
"""The collar box's precision: milliseconds, as md-eval's ``-c`` is usually given."""


MAPPING_SHOWN = 4
"""Speaker pairs of the mapping shown in the panel; the rest are in its tooltip (a
VoxConverse recording's 20 pairs pushed the edit history off the panel)."""


class MetricsPanel(QWidget):
    """DER and its parts, the scoring settings, and the edit history.

    The numbers and the history follow the live score and the edit log through
    :class:`~reviewer.ui.deferred.Deferred` refreshes: a burst of edits (a held nudge key)
    costs one refresh, from the latest state. The collar box applies a typed value when
    it is committed (Enter, or the focus leaving it), exactly as typed (to the
    millisecond): md-eval's collar is seconds on EACH side.
    """

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
        self.collar_box.setDecimals(COLLAR_DECIMALS)
        self.collar_box.setKeyboardTracking(False)  # typing 0.25 is not applied as 0, 0.2, ...
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
        self.der_label.setObjectName("der")
        self._size_der()
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
        self.edit_log = EditLog(editor.history, editor.live)
        self.history_refresh = Deferred(self._show_history, self)
        self.numbers_refresh = Deferred(self.refresh, self)
        self.edit_log.changed.connect(self.history_refresh.request)
        editor.live.updated.connect(self.numbers_refresh.request)
        editor.live.configured.connect(self._show_setup)  # at once: settings change rarely
        editor.document.track_added.connect(self.tracks_changed)
        self.refresh()
        self._show_history()

    def flush(self) -> None:
        """Show the latest numbers and history now, if a refresh is pending."""
        self.numbers_refresh.flush()
        self.history_refresh.flush()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        """Follow the desktop's font: the DER stays :data:`DER_SCALE` times the text."""
        if event.type() == QEvent.Type.FontChange:
            self._size_der()
        super().changeEvent(event)

    def _size_der(self) -> None:
        font = QFont(self.font())
        if font.pointSizeF() > 0:
            font.setPointSizeF(DER_SCALE * font.pointSizeF())
        else:  # a font sized in pixels
            font.setPixelSize(round(DER_SCALE * font.pixelSize()))
        font.setBold(True)
        self.der_label.setFont(font)

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

    def _configure(self, *_) -> None:
        self.editor.configure(
            ScoringSetup(
                reference=self.reference_box.currentText(),
                hypothesis=self.hypothesis_box.currentText(),
                settings=ScoringSettings(self._collar(), self.skip_box.isChecked()),
            )
        )

    def _collar(self) -> float:
        """The collar as shown (``0.250``): the nearest tick to it is the exact value."""
        return round(self.collar_box.value(), COLLAR_DECIMALS)

    def _show_setup(self) -> None:
        """Show the settings scored with, when set elsewhere (a corpus's collar)."""
        setup = self.editor.live.setup
        widgets = (self.reference_box, self.hypothesis_box, self.collar_box, self.skip_box)
        for widget in widgets:
            widget.blockSignals(True)
        self.reference_box.setCurrentText(setup.reference)
        self.hypothesis_box.setCurrentText(setup.hypothesis)
        if round(self.collar_box.value(), COLLAR_DECIMALS) != round(setup.collar, COLLAR_DECIMALS):
            self.collar_box.setValue(setup.collar)  # never while it shows it: no retyping
        self.skip_box.setChecked(setup.skip_overlap)
        for widget in widgets:
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
        self.der_label.setText(format_percent(score.der))
        for label, value in (
            (self.missed_label, score.missed),
            (self.false_alarm_label, score.false_alarm),
            (self.confusion_label, score.confusion),
        ):
            label.setText(f"{value:.3f} s  ({format_share(value, score.scored)})")
        self.scored_label.setText(f"{score.scored:.3f} s of speaker time")
        pairs = [f"{r} \u2192 {h}" for r, h in sorted(self.editor.live.mapping.items())]
        more = len(pairs) - MAPPING_SHOWN
        text = ", ".join(pairs[:MAPPING_SHOWN]) or "none"
        if more > 0:
            text += f", and {more} more (hover for all)"
        self.mapping_label.setText(text)
        self.mapping_label.setToolTip("\n".join(pairs))

    def show_wder(self, errors) -> None:
        """Show the word-level diarization error rate, total and per speaker."""
        if errors is None or errors.wder is None:
            self.wder_label.setText("needs a transcript, a reference and a scored track")
            return
        per = ", ".join(
            f"{name} {100 * bad / n:.1f} %" for name, (n, bad) in errors.speakers.items() if n
        )
        self.wder_label.setText(f"{format_percent(errors.wder)} of {errors.words} words ({per})")

    def _show_history(self) -> None:
        self.history_list.clear()
        for entry in self.edit_log.done:
            change = entry.der_change
            delta = "" if change is None else f"  {format_points(100 * change, signed=True)} pt"
            self.history_list.addItem(f"{entry.name}{delta}")
        for entry in self.edit_log.undone:
            self.history_list.addItem(f"(undone) {entry.name}")
            item = self.history_list.item(self.history_list.count() - 1)
            item.setForeground(Qt.GlobalColor.gray)
        self.history_list.scrollToBottom()
