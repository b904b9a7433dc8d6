"""Unlocking a track other than the corrected one, and the bar that shows while it is open."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMessageBox, QPushButton, QWidget

from reviewer.app.editor import Editor
from reviewer.model.commands import EditError
from reviewer.model.document import CORRECTED

BANNER_STYLE = (
    "QFrame#lock_banner { background: #B3261E; }"
    "QFrame#lock_banner QLabel { color: white; font-weight: bold; }"
)
"""A red bar with white bold text: impossible to miss, as an edit of the ground truth is."""


def banner_text(unlocked: tuple[str, ...]) -> str:
    """What the banner says for the unlocked tracks (empty when there is none).

    >>> banner_text(("reference",))
    'Editing the REFERENCE, not the corrected track: every edit changes what is scored.'
    """
    if not unlocked:
        return ""
    names = " and ".join(name.upper() for name in unlocked)
    return f"Editing the {names}, not the corrected track: every edit changes what is scored."


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


class TrackLocks:
    """The ``do_toggle_lock`` handler of the key table (Tracks > Unlock).

    Parameters
    ----------
    window
        The review window: its editor, and its status bar for what happened.
    """

    def __init__(self, window):
        self.window = window

    def do_toggle_lock(self) -> None:
        """Unlock the edited track for editing, after a confirmation; or lock it again.

        The corrected track is always editable; any other track (reference, system output)
        is locked until the reviewer confirms here, and the banner shows while it is open.

        Raises
        ------
        EditError
            When the corrected track is edited and nothing is unlocked.
        """
        editor, name = self.window.editor, self.window.editor.active_track
        if name == CORRECTED or not editor.is_locked(name):
            if not editor.unlocked:
                raise EditError(
                    "the corrected track is always editable: pick another track (Tab, or a "
                    "click on its lane) to unlock it"
                )
            editor.lock(None if name == CORRECTED else name)
            self.window.status("locked: only the corrected track is edited")
            return
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self.window,
            f"Edit the {name}?",
            f"The {name} track is what the corrected track is compared with or scored "
            f"against. Editing it changes the ground truth of every score.\n\nUnlock the "
            f"{name} for editing? A red banner shows until you lock it again.",
            buttons.Yes | buttons.Cancel,
            buttons.Cancel,
        )
        if answer == buttons.Yes:
            editor.unlock(name)
            self.window.status(f"the {name} is unlocked for editing")
