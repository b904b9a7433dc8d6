"""The speaker actions that ask for a name: give a turn to a typed speaker, rename a speaker."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QWidget

from reviewer.app import actions
from reviewer.app.editor import Editor
from reviewer.model.commands import EditError


class SpeakerDialogs:
    """The ``do_*`` handlers of the key table's speaker actions that need a dialog.

    Parameters
    ----------
    editor
        The review state.
    parent
        The window the dialogs belong to.
    """

    def __init__(self, editor: Editor, parent: QWidget):
        self.editor = editor
        self.parent = parent

    def do_speaker_typed(self) -> None:
        """Give the selected turn to a speaker typed by name (an existing or a new one)."""
        if self.editor.selected is None:
            raise EditError("no turn selected")
        labels = list(self.editor.track.labels)
        current = labels.index(self.editor.selected.speaker)
        name, ok = QInputDialog.getItem(
            self.parent, "Speaker", "Give the turn to:", labels, current, True
        )
        if ok and name.strip():
            actions.assign_speaker(self.editor, name.strip())

    def do_rename_speaker(self) -> None:
        """Rename or merge a speaker everywhere in the edited track."""
        labels = list(self.editor.track.labels)
        if not labels:
            raise EditError("the edited track has no speaker")
        current = self.editor.selected.speaker if self.editor.selected else labels[0]
        old, ok = QInputDialog.getItem(
            self.parent, "Rename speaker", "Speaker:", labels, labels.index(current), False
        )
        if not ok:
            return
        new, ok = QInputDialog.getText(
            self.parent, "Rename speaker", f"New name for {old} (an existing name merges):"
        )
        if ok and new.strip():
            actions.rename_speaker(self.editor, old, new.strip())
