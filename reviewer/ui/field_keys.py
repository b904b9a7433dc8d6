"""Keys typed in a form field are the field's: the window's shortcuts wait until it lets go.

Qt offers a window's shortcuts every key first, unless the focused widget claims the key
(``QEvent.ShortcutOverride``). Text fields claim printable keys, but not Tab, Up or Down:
Tab in the collar box cycled the edited track and Up/Down jumped between turns. A
:class:`FieldKeys` filter on the window claims every key for a focused form field, except
the window's own keys of :data:`PASS_THROUGH` (save, quit, help...), and Escape gives the
focus back to the timeline.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

FIELDS = (QLineEdit, QAbstractSpinBox, QComboBox, QTextEdit, QPlainTextEdit, QCheckBox)
"""The widgets whose keys are their own while they have the focus: the form fields (Tab
from the collar box lands on the skip-overlap box, where Delete must not delete a turn).
Lists and tables are not: after a click in the Why? tab, a digit relabels the turn there."""


def is_field(widget: QWidget | None) -> bool:
    """Whether ``widget`` is (or is inside, like a combo box's line edit) a form field."""
    while widget is not None:
        if isinstance(widget, FIELDS):
            return True
        widget = widget.parentWidget() if not widget.isWindow() else None
    return False


class FieldKeys(QObject):
    """An event filter for a window: a focused form field keeps its keys.

    Parameters
    ----------
    window
        The window whose shortcuts it holds back; the filter is installed on it.
    home
        The widget Escape in a field gives the focus to (the timeline).
    pass_through
        Key sequences that still reach the window's shortcuts from a field (save, quit,
        the shortcut sheet): none of them edits or moves anything.
    """

    def __init__(self, window: QWidget, home: QWidget, pass_through: Iterable[str] = ()):
        super().__init__(window)
        self.window = window
        self.home = home
        self.pass_through = {QKeySequence(key) for key in pass_through}
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Claim a field's keys before the shortcuts see them; Escape goes home."""
        kind = event.type()
        if kind not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            return False
        focus = QApplication.focusWidget()
        if focus is None or focus.window() is not self.window or not is_field(focus):
            return False
        assert isinstance(event, QKeyEvent)
        if kind == QEvent.Type.ShortcutOverride:
            if QKeySequence(event.keyCombination()) not in self.pass_through:
                event.accept()  # the key goes to the field as a key press, not a shortcut
            return False
        if event.key() == Qt.Key.Key_Escape:  # fields leave Escape to their window
            self.home.setFocus()
            return True
        return False
