"""The edit history as the reviewer sees it: each undo step with the DER change it made."""

from __future__ import annotations

from dataclasses import dataclass, replace

from reviewer.metrics.live import LiveScore
from reviewer.model.events import event
from reviewer.model.history import History, HistoryStep


@dataclass(frozen=True, slots=True)
class LoggedEdit:
    """One undo step and the DER before and after it (ratios; None when unknown).

    Edits restored from a journal or made before the log started have no DER.
    """

    name: str
    der_before: float | None = None
    der_after: float | None = None

    @property
    def der_change(self) -> float | None:
        """After minus before (a ratio), or None."""
        if self.der_before is None or self.der_after is None:
            return None
        return self.der_after - self.der_before


class EditLog:
    """The history's undo steps, each with the live DER change it made, kept in step.

    It follows :attr:`History.stepped` (merges and cancelled merges included, from the
    step's ``recorded``) and the live score's settings: the DER change of an edit is
    measured with the settings it was made under.

    Events (:mod:`reviewer.model.events`)
    -------------------------------------
    changed()
        After every step of the history.
    """

    changed = event(description="the log changed")

    def __init__(self, history: History, live: LiveScore):
        self.history = history
        self.live = live
        self.done: list[LoggedEdit] = [LoggedEdit(c.name) for c in history.commands]
        self.undone: list[LoggedEdit] = [LoggedEdit(c.name) for c in history.undone]
        self._der_before = self._der()
        history.stepped.connect(self._stepped)
        live.configured.connect(self._configured)

    def _der(self) -> float | None:
        score = self.live.score
        return None if score is None else score.der

    def _configured(self) -> None:
        """Other tracks or settings: the next edit's DER change starts from the score now."""
        self._der_before = self._der()

    def _stepped(self, step: HistoryStep) -> None:
        after = self._der()
        if step.kind == "do":
            self.undone.clear()
            if step.recorded == "merged" and self.done:
                merged = self.history.commands[-1]
                self.done[-1] = replace(self.done[-1], name=merged.name, der_after=after)
            elif step.recorded == "cancelled" and self.done:
                self.done.pop()
            else:
                self.done.append(LoggedEdit(step.command.name, self._der_before, after))
        elif step.kind == "undo" and self.done:
            self.undone.insert(0, self.done.pop())
        elif step.kind == "redo" and self.undone:
            self.done.append(self.undone.pop(0))
        self._der_before = after
        self.changed.emit()
