"""The digit legend: which speaker each of the keys 1-9 gives the selected turn, right now."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from reviewer.app import actions
from reviewer.app.editor import Editor
from reviewer.model.commands import EditError
from reviewer.ui.colors import SpeakerColors
from reviewer.ui.deferred import Deferred
from reviewer.ui.time_axis import elide_names

NAME_PIXELS = 140
"""The most a speaker name may take in the legend; less when the chips share less room."""
_CHIP_EXTRA = 34  # pixels of a chip besides its name: the digit, the swatch, the spacing


class SpeakerLegend(QWidget):
    """One chip per digit key: the digit, the speaker's colour and (elided) name.

    It follows the edited track and its edits (a new speaker shifts the digits), through a
    :class:`~reviewer.ui.deferred.Deferred`, so a burst of edits redraws it once. The
    digits are :func:`reviewer.app.actions.speaker_for_digit`'s, the keys' own rule.

    Parameters
    ----------
    editor
        What is edited.
    colors
        The timeline's speaker colours.
    """

    def __init__(self, editor: Editor, colors: SpeakerColors, parent=None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.colors = colors
        self.setStyleSheet("QLabel { color: #DDDDDD; }")  # on the timeline's dark ground
        # the chips take what room there is: a long legend never widens the window
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.setSpacing(10)
        self.title = QLabel()
        layout.addWidget(self.title)
        self.chips = [QLabel() for _ in range(9)]
        for chip in self.chips:
            chip.setTextFormat(Qt.TextFormat.RichText)
            layout.addWidget(chip)
        layout.addStretch(1)
        self.deferred = Deferred(self.refresh, self)
        editor.changed.connect(self.deferred.request)
        editor.document.changed.connect(self.deferred.request)
        editor.live.updated.connect(self.deferred.request)
        self.refresh()

    def resizeEvent(self, event) -> None:  # noqa: N802
        """Elide the names anew to the room there is."""
        super().resizeEvent(event)
        self.deferred.request()

    def entries(self) -> list[tuple[int, str, bool]]:
        """``(digit, speaker, new)`` for each digit that does something now."""
        labels = set(self.editor.track.labels)
        found = []
        for digit in range(1, 10):
            try:
                speaker = actions.speaker_for_digit(self.editor, digit)
            except EditError:
                break
            found.append((digit, speaker, speaker not in labels))
        return found

    def refresh(self) -> None:
        """Show the digits of the edited track as it is now."""
        self.title.setText(f"Keys on {self.editor.active_track}:")
        metrics = QFontMetrics(self.font())
        entries = self.entries()
        room = self.width() - self.title.sizeHint().width() - 20
        width = min(NAME_PIXELS, room // max(len(entries), 1) - _CHIP_EXTRA)
        names = [speaker for _, speaker, _ in entries]
        shorts = elide_names(names, metrics.horizontalAdvance, max(width, 24))
        for i, chip in enumerate(self.chips):
            if i >= len(entries):
                chip.hide()
                continue
            digit, speaker, new = entries[i]
            short = shorts[i]
            if new:
                swatch, name = "+", f"new: {html.escape(short)}"
            else:
                color = self.colors[speaker].name()
                swatch = f'<span style="color:{color}">\u25a0</span>'
                name = html.escape(short)
            chip.setText(f"<b>{digit}</b> {swatch} {name}")
            chip.setToolTip(f"{digit}: {'a new speaker, ' if new else ''}{speaker}")
            chip.show()
