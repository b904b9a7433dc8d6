"""The bar over the lanes that says a track other than the corrected one is open for editing."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from reviewer.app.editor import Editor

BANNER_STYLE = (
    "QFrame#lock_banner { background: #B3261E; }"
    "QFrame#lock_banner QLabel { color: white; font-weight: bold; }"
)
"""A red bar with white bold text: impossible to miss, as an edit of the ground truth is."""


def banner_text(unlocked: tuple[str, ...]) -> str:
    """What the banner says for the unlocked tracks (empty when there is none).

    >>> banner_text(("reference",))
    'Editing the REFERENCE: every edit changes what the scores are measured against.'
    """
    if not unlocked:
        return ""
    names = " and ".join(name.upper() for name in unlocked)
    return f"Editing the {names}: every edit changes what the scores are measured against."


class LockBanner(QFrame):
    """Shown while the editor has a track other than the corrected one unlocked.

    It follows :attr:`Editor.changed`; its Lock button locks every such track again.

    Parameters
    ----------
    editor
        The review state whose locks it shows.
    """

    def __init__(self, editor: Editor, parent: QWidget | None = None):
        super().__init__(parent)
        self.editor = editor
        self.setObjectName("lock_banner")
        self.setStyleSheet(BANNER_STYLE)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 10, 4)
        self.label = QLabel()
        self.lock_button = QPushButton("Lock")
        self.lock_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay on the timeline
        self.lock_button.setToolTip("Lock the track again: only the corrected track is edited")
        self.lock_button.clicked.connect(lambda: editor.lock())
        layout.addWidget(self.label, 1)
        layout.addWidget(self.lock_button)
        editor.changed.connect(self._follow)
        self._follow()

    def _follow(self) -> None:
        text = banner_text(self.editor.unlocked)
        self.label.setText(text)
        self.setVisible(bool(text))
