"""The review state behind the window, without Qt: document, history, score, selection."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from reviewer.metrics.live import LiveScore, ScoringSetup
from reviewer.model.annotation import Span, Track, Turn
from reviewer.model.commands import EditTurns
from reviewer.model.document import CORRECTED, REFERENCE, SYSTEM, Change, Document
from reviewer.model.history import History

if TYPE_CHECKING:
    from reviewer.io.audio import AudioSource


class Editor:
    """What a reviewer is working on and where they are in it.

    Parameters
    ----------
    document
        The recording's tracks.
    audio
        Its audio, if any (used to snap boundaries to quiet points).
    setup
        Which tracks are scored, and how.
    history
        The document's history, when it comes with one (a recovered session).
    """

    def __init__(
        self,
        document: Document,
        audio: AudioSource | None = None,
        setup: ScoringSetup | None = None,
        history: History | None = None,
    ):
        self.document = document
        self.audio = audio
        self.history = history or History(document)
        if setup is None:
            hypothesis = next((n for n in (CORRECTED, SYSTEM) if n in document), CORRECTED)
            setup = ScoringSetup(reference=REFERENCE, hypothesis=hypothesis)
        self.live = LiveScore(document, setup)
        self.active_track = next(
            (n for n in (CORRECTED, SYSTEM, REFERENCE) if n in document),
            next(iter(document.tracks), CORRECTED),
        )
        self.selected: Turn | None = None
        self.cursor = 0
        self.selection: Span | None = None
        self.last_speaker: str | None = None
        self._listeners: list[Callable[[], None]] = []
        document.subscribe(self._follow)

    # --- state -------------------------------------------------------------------------

    @property
    def track(self) -> Track:
        """The active (edited) track."""
        return self.document[self.active_track]

    def subscribe(self, listener: Callable[[], None]) -> None:
        """Call ``listener()`` when the cursor, selection or selected turn change."""
        self._listeners.append(listener)

    def changed(self) -> None:
        """Tell listeners the state changed."""
        for listener in list(self._listeners):
            listener()

    def select(self, turn: Turn | None, move_cursor: bool = True) -> None:
        """Select a turn of the active track (and put the cursor at its start)."""
        self.selected = turn
        if turn is not None:
            self.last_speaker = turn.speaker
            if move_cursor:
                self.cursor = turn.start
        self.changed()

    def set_cursor(self, ticks: int) -> None:
        """Move the cursor."""
        self.cursor = max(0, ticks)
        self.changed()

    def set_selection(self, span: Span | None) -> None:
        """Set (or clear) the time selection."""
        self.selection = span if span is None or span.end > span.start else None
        self.changed()

    def set_active_track(self, name: str) -> None:
        """Edit another track; the selected turn is dropped."""
        if name not in self.document:
            raise KeyError(name)
        self.active_track = name
        self.selected = None
        self.changed()

    def push(self, command: EditTurns) -> Change:
        """Apply an edit through the history (the only way the UI edits)."""
        return self.history.push(command)

    # --- following edits ----------------------------------------------------------------

    def _follow(self, change: Change) -> None:
        """Keep the selection on the turn an edit produced."""
        if change.track != self.active_track or self.selected is None:
            return
        if self.selected not in change.removed:
            return
        anchor = self.selected
        candidates = [t for t in change.added if t.speaker == anchor.speaker] or list(change.added)
        if not candidates:
            self.selected = None
            return
        self.selected = min(
            candidates, key=lambda t: abs(t.start - anchor.start) + abs(t.end - anchor.end)
        )
