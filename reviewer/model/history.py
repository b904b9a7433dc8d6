"""Undo history: a stack of edit commands with merging and a saved-state marker."""

from __future__ import annotations

import logging
from collections.abc import Callable

from reviewer.model.commands import EditTurns
from reviewer.model.document import Change, Document

logger = logging.getLogger(__name__)

HistoryListener = Callable[[str, EditTurns, Change], None]
"""Called with ``("do" | "undo" | "redo", command, change)`` after each step."""


class History:
    """The undo/redo history of one document.

    Pushing a command applies it. A command whose ``merge_key`` matches the previous one's
    and edits what that one added is merged into it (repeated nudges, one drag), unless
    the document was saved in between. The saved-state marker tells whether the document
    differs from what was last saved.
    """

    def __init__(self, document: Document):
        self.document = document
        self._done: list[EditTurns] = []
        self._undone: list[EditTurns] = []
        self._saved: int | None = 0
        self._merge_barrier = True  # no merging into a command the user undid, redid or saved
        self._listeners: list[HistoryListener] = []

    def subscribe(self, listener: HistoryListener) -> None:
        """Call ``listener(kind, command, change)`` after every do, undo and redo."""
        self._listeners.append(listener)

    def push(self, command: EditTurns) -> Change:
        """Apply ``command`` and record it (merged into the previous one when it can be)."""
        change = command.do(self.document)
        if self._saved is not None and self._saved > len(self._done):
            self._saved = None  # the saved state was on the redo branch this push discards
        self._undone.clear()
        previous = self._done[-1] if self._done else None
        merged = None
        if previous is not None and not self._merge_barrier:
            merged = previous.merged(command)
        self._merge_barrier = False
        if merged is None:
            self._done.append(command)
        elif merged.removed or merged.added:
            self._done[-1] = merged
        else:
            self._done.pop()  # the merged edits cancel out
        self._notify("do", command, change)
        return change

    def undo(self) -> Change | None:
        """Revert the last command; None if there is nothing to undo."""
        if not self._done:
            return None
        command = self._done[-1]
        change = command.undo(self.document)
        self._undone.append(self._done.pop())
        self._merge_barrier = True
        self._notify("undo", command, change)
        return change

    def redo(self) -> Change | None:
        """Re-apply the last undone command; None if there is nothing to redo."""
        if not self._undone:
            return None
        command = self._undone[-1]
        change = command.do(self.document)
        self._done.append(self._undone.pop())
        self._merge_barrier = True
        self._notify("redo", command, change)
        return change

    @property
    def undo_name(self) -> str | None:
        """The name of the command :meth:`undo` would revert."""
        return self._done[-1].name if self._done else None

    @property
    def redo_name(self) -> str | None:
        """The name of the command :meth:`redo` would re-apply."""
        return self._undone[-1].name if self._undone else None

    @property
    def commands(self) -> tuple[EditTurns, ...]:
        """The applied commands, oldest first."""
        return tuple(self._done)

    def mark_saved(self) -> None:
        """Record that the current state is the saved one."""
        self._saved = len(self._done)
        self._merge_barrier = True

    @property
    def is_saved(self) -> bool:
        """Whether the document is as it was last saved (or opened)."""
        return self._saved == len(self._done)

    def _notify(self, kind: str, command: EditTurns, change: Change) -> None:
        for listener in list(self._listeners):
            try:
                listener(kind, command, change)
            except Exception:  # a broken view must not desynchronise the history
                logger.exception("history listener failed after %s %s", kind, command.name)
