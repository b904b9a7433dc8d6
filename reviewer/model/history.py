"""Undo history: a stack of commands with merging and a saved-state marker.

Modelled on Sonic Visualiser's ``CommandHistory``: commands carry their own do and undo,
consecutive commands of one gesture merge into one undo step, and a saved marker tells
whether the document differs from what was last saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from reviewer.model.annotation import Span
from reviewer.model.document import Change, Document
from reviewer.model.events import event


@runtime_checkable
class Command(Protocol):
    """What :class:`History` holds: one undoable change of a document.

    ``EditTurns`` (turns of a track) and ``EditText`` (an utterance of the transcript),
    in :mod:`reviewer.model.commands`, are the commands reviewer has.
    """

    @property
    def name(self) -> str:
        """What the user did, for the Edit menu ("Move start", "Split turn", ...)."""
        ...

    @property
    def track(self) -> str:
        """The track it edits (``"transcript"`` for the transcript)."""
        ...

    @property
    def span(self) -> Span | None:
        """The time range it changes, or None if it changes no time range."""
        ...

    def bound(self, document: Document) -> Command:
        """It as it applies to ``document`` now (what :meth:`History.push` does and records).

        An ``EditTurns`` comes back settled by the well-formedness rule
        (:mod:`reviewer.model.wellformed`); a command with nothing to settle returns itself.
        Raises ``EditError`` (a ``ValueError``) for an edit the rule refuses.
        """
        ...

    def do(self, document: Document) -> Change:
        """Apply it; returns what changed."""
        ...

    def undo(self, document: Document) -> Change:
        """Revert it; returns what changed."""
        ...

    def merged(self, following: Command) -> Command | None:
        """One command doing this and then ``following``, or None if they do not merge."""
        ...

    def to_json(self) -> dict:
        """A JSON-ready dict, for the journal."""
        ...


StepKind = Literal["do", "undo", "redo"]
Recorded = Literal["appended", "merged", "cancelled", "moved"]


@dataclass(frozen=True, slots=True)
class HistoryStep:
    """One step of the history, as :attr:`History.stepped` reports it.

    Attributes
    ----------
    kind
        ``"do"`` (a new command), ``"undo"`` or ``"redo"``.
    command
        The command applied or reverted (for ``"do"``, the new one as bound to the document
        by :meth:`Command.bound`, before any merge).
    change
        What it did to the document.
    recorded
        What the undo stack did with it: ``"appended"`` as a new undo step, ``"merged"``
        into the previous step (which is now ``History.commands[-1]``), ``"cancelled"``
        (merged with the previous step into nothing, which was removed), or ``"moved"``
        between the undo and redo stacks (undo, redo).
    """

    kind: StepKind
    command: Command
    change: Change
    recorded: Recorded


class History:
    """The undo/redo history of one document.

    Pushing a command applies it. A command that merges with the previous one
    (:meth:`Command.merged`: repeated nudges, one drag) is merged into it, unless the user
    undid, redid or saved in between. The saved-state marker tells whether the document
    differs from what was last saved.

    Events (:mod:`reviewer.model.events`)
    -------------------------------------
    stepped(step: HistoryStep)
        After every do, undo and redo (the document's ``changed`` came first).
    saved()
        After :meth:`mark_saved`.
    """

    stepped = event(HistoryStep, description="a command was done, undone or redone")
    saved = event(description="the current state was marked as saved")

    def __init__(self, document: Document):
        self.document = document
        self._done: list[Command] = []
        self._undone: list[Command] = []
        self._saved: int | None = 0
        self._merge_barrier = True  # no merging into a command the user undid, redid or saved

    def push(self, command: Command) -> Change:
        """Apply ``command`` and record it (merged into the previous one when it can be).

        What is applied, recorded, reported in :attr:`stepped` (and so journaled) and undone
        is ``command.bound(document)``: the edit as the well-formedness rule settles it.

        Raises
        ------
        KeyError
            If the command does not apply (a removed turn is not there); nothing changes.
        reviewer.model.commands.EditError
            If the well-formedness rule refuses it; nothing changes.
        """
        command = command.bound(self.document)
        change = command.do(self.document)
        if self._saved is not None and self._saved > len(self._done):
            self._saved = None  # the saved state was on the redo branch this push discards
        self._undone.clear()
        previous = self._done[-1] if self._done else None
        merged = None
        if previous is not None and not self._merge_barrier:
            merged = previous.merged(command)
        self._merge_barrier = False
        recorded: Recorded
        if merged is None:
            self._done.append(command)
            recorded = "appended"
        elif merged.span is not None:
            self._done[-1] = merged
            recorded = "merged"
        else:
            self._done.pop()  # the merged edits cancel out
            recorded = "cancelled"
        self.stepped.emit(HistoryStep("do", command, change, recorded))
        return change

    def undo(self) -> Change | None:
        """Revert the last command; None if there is nothing to undo."""
        if not self._done:
            return None
        command = self._done[-1]
        change = command.undo(self.document)
        self._undone.append(self._done.pop())
        self._merge_barrier = True
        self.stepped.emit(HistoryStep("undo", command, change, "moved"))
        return change

    def redo(self) -> Change | None:
        """Re-apply the last undone command; None if there is nothing to redo."""
        if not self._undone:
            return None
        command = self._undone[-1]
        change = command.do(self.document)
        self._done.append(self._undone.pop())
        self._merge_barrier = True
        self.stepped.emit(HistoryStep("redo", command, change, "moved"))
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
    def commands(self) -> tuple[Command, ...]:
        """The applied commands, oldest first."""
        return tuple(self._done)

    @property
    def undone(self) -> tuple[Command, ...]:
        """The undone commands :meth:`redo` would re-apply, next first."""
        return tuple(reversed(self._undone))

    def mark_saved(self) -> None:
        """Record that the current state is the saved one."""
        self._saved = len(self._done)
        self._merge_barrier = True
        self.saved.emit()

    @property
    def is_saved(self) -> bool:
        """Whether the document is as it was last saved (or opened)."""
        return self._saved == len(self._done)
