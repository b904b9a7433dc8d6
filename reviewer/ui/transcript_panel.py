"""The transcript side list: follows playback, seeks on click, edits text, shows WDER."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reviewer.app.editor import Editor
from reviewer.metrics.attribution import LiveAttribution
from reviewer.metrics.numbers import format_percent, format_share
from reviewer.model import commands
from reviewer.model.annotation import Span
from reviewer.model.time import TICKS_PER_SECOND
from reviewer.ui.time_axis import clock


class TranscriptPanel(QWidget):
    """Utterances with their attributed speakers; the one at the cursor is highlighted."""

    def __init__(self, editor: Editor, attribution: LiveAttribution, parent=None):
        super().__init__(parent)
        self.editor = editor
        self.attribution = attribution
        layout = QVBoxLayout(self)
        self.wder_label = QLabel()
        self.wder_label.setWordWrap(True)
        layout.addWidget(self.wder_label)
        hint = QLabel("Click a line to go there; double-click to edit its text.")
        hint.setStyleSheet("color: #999999;")
        layout.addWidget(hint)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.list.itemClicked.connect(self._clicked)
        self.list.itemDoubleClicked.connect(self._edit)
        layout.addWidget(self.list, 1)
        attribution.updated.connect(self.refresh)
        editor.changed.connect(self.follow)
        self.refresh()

    def _utterances(self):
        transcript = self.editor.document.transcript
        return transcript.utterances if transcript is not None else ()

    def refresh(self) -> None:
        """Rebuild the list and the WDER line."""
        utterances = self._utterances()
        speakers = self.attribution.speakers
        with QSignalBlocker(self.list):
            self.list.clear()
            for i, utterance in enumerate(utterances):
                speaker = speakers[i] if i < len(speakers) else None
                label = speaker or "?"
                item = QListWidgetItem(
                    f"{clock(utterance.start / TICKS_PER_SECOND, 1)}  {label}: {utterance.text}"
                )
                item.setData(Qt.ItemDataRole.UserRole, i)
                if utterance.speaker and speaker and utterance.speaker != speaker:
                    item.setToolTip(f"the transcript says {utterance.speaker}")
                self.list.addItem(item)
        errors = self.attribution.errors
        if errors is None or errors.wder is None:
            self.wder_label.setText("WDER: needs a reference and a scored track")
        else:
            per = ", ".join(
                f"{name} {format_share(bad, n, 1)}" for name, (n, bad) in errors.speakers.items()
            )
            untimed = sum(1 for u in utterances if not u.words)
            how = (
                f" The words of the {untimed} utterances without word times take their "
                f"utterance's speaker."
                if untimed
                else ""
            )
            self.wder_label.setText(
                f"WDER {format_percent(errors.wder)} ({errors.errors} of {errors.words} words "
                f"attributed to the wrong speaker).{how} Per speaker: {per}"
            )
        self.follow()

    def follow(self) -> None:
        """Highlight the utterance at the cursor (during playback too)."""
        cursor = self.editor.cursor
        for i, utterance in enumerate(self._utterances()):
            if utterance.start <= cursor < utterance.end:
                if self.list.currentRow() != i:
                    with QSignalBlocker(self.list):
                        self.list.setCurrentRow(i)
                    self.list.scrollToItem(self.list.item(i))
                return

    def _clicked(self, item: QListWidgetItem) -> None:
        utterance = self._utterances()[item.data(Qt.ItemDataRole.UserRole)]
        self.editor.focus(Span(utterance.start, utterance.end))

    def _edit(self, item: QListWidgetItem) -> None:
        utterance = self._utterances()[item.data(Qt.ItemDataRole.UserRole)]
        text, ok = QInputDialog.getMultiLineText(self, "Edit text", "Text:", utterance.text)
        if ok and text.strip() and text.strip() != utterance.text:
            self.editor.push(commands.edit_text(utterance, text.strip()))
