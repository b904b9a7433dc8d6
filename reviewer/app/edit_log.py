"""The edit history as the reviewer sees it: each undo step with the DER change it made."""

from __future__ import annotations

from dataclasses import dataclass, replace

from reviewer.metrics.live import LiveScore
from reviewer.model.document import Document
from reviewer.model.events import event
from reviewer.model.history import Command, History, HistoryStep
from reviewer.model.scoring import ScoringSetup


@dataclass(frozen=True, slots=True)
class LoggedEdit:
    """One undo step and the DER before and after it (ratios; None when unknown).

    Edits made before the log started (restored from a journal) get theirs from
    :func:`replayed_edits`.
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
    measured with the settings it was made under. A history that already has steps (a
    session restored from the crash journal) starts with their DER changes measured now,
    with the current settings (:func:`replayed_edits`), undone steps included.

    Events (:mod:`reviewer.model.events`)
    -------------------------------------
    changed()
        After every step of the history.
    """

    changed = event(description="the log changed")

    def __init__(self, history: History, live: LiveScore):
        self.history = history
        self.live = live
        self.done, self.undone = replayed_edits(history, live.setup)
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


def replayed_edits(
    history: History, setup: ScoringSetup
) -> tuple[list[LoggedEdit], list[LoggedEdit]]:
    """The DER change of every step already in ``history``: its done and its undone steps.

    The steps are replayed on a scratch copy of the document, scored as ``setup`` says
    (:class:`LiveScore`, incrementally): undone one by one from the current state for the
    done steps, redone one by one for the undone ones. The history's document is not
    touched and no event of it fires.

    Returns
    -------
    tuple
        ``(done, undone)``: lists of :class:`LoggedEdit` in the order of
        :attr:`History.commands` and :attr:`History.undone` (next to redo first).
    """
    done, undone = history.commands, history.undone
    if not done and not undone:
        return [], []
    reverted = _scored_walk(history.document, setup, done[::-1], undo=True)
    redone = _scored_walk(history.document, setup, undone, undo=False)
    return reverted[::-1], redone


def _scored_walk(
    document: Document, setup: ScoringSetup, commands: tuple[Command, ...], undo: bool
) -> list[LoggedEdit]:
    """Revert (``undo``) or apply ``commands`` in turn on a copy of ``document``, scoring."""
    scratch = Document(
        document.uri,
        document.tracks,
        uem=document.uem,
        transcript=document.transcript,
        exclusions=document.exclusions,
    )
    live = LiveScore(scratch, setup)

    def der() -> float | None:
        return None if live.score is None else live.score.der

    logged = []
    for command in commands:
        first = der()
        (command.undo if undo else command.do)(scratch)
        before, after = (der(), first) if undo else (first, der())
        logged.append(LoggedEdit(command.name, before, after))
    return logged
