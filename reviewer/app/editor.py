"""The review state behind the window, without Qt: document, history, score, selection."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from reviewer.metrics.live import LiveScore
from reviewer.model.annotation import Span, Track, Turn
from reviewer.model.commands import EditError
from reviewer.model.document import CORRECTED, REFERENCE, SYSTEM, Change, Document
from reviewer.model.events import event
from reviewer.model.history import Command, History
from reviewer.model.scoring import ScoringSetup

if TYPE_CHECKING:
    from reviewer.io.audio import AudioSource


class Editor:
    """What a reviewer is working on and where they are in it.

    The one way the UI changes a recording: edits go through :meth:`push` (the history),
    the cursor, selection and edited track through the ``set_*``/``select`` methods, tracks
    through :meth:`add_track` and scoring through :meth:`configure`. Views follow the events;
    nobody is called by hand after a change.

    Only the corrected track is editable at first: every other track (the reference, the
    system output, a diarization's output) is *locked*, and :meth:`push` refuses an edit of
    it, whatever calls it, until :meth:`unlock` opens it deliberately. Undo and redo, and
    a journal's replay, go through the history and are not refused.

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

    Events (:mod:`reviewer.model.events`)
    -------------------------------------
    changed()
        After the cursor, the selection, the selected turn, the edited track or the locks
        changed, including when an edit or an undo replaced the selected turn (the selection
        follows it to the turn the edit produced).
    """

    changed = event(description="cursor, selection, selected turn or edited track changed")

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
        self.live = LiveScore(document, setup or ScoringSetup.for_tracks(document.tracks))
        self._active_track = next(
            (n for n in (CORRECTED, SYSTEM, REFERENCE) if n in document),
            next(iter(document.tracks), CORRECTED),
        )
        self._selected: Turn | None = None
        self._cursor = 0
        self._selection: Span | None = None
        self._last_speaker: str | None = None
        self._unlocked: set[str] = set()
        document.changed.connect(self._follow, priority=5)

    # --- state (read-only: change it through the methods below) ---------------------------

    @property
    def track(self) -> Track:
        """The active (edited) track."""
        return self.document[self._active_track]

    @property
    def active_track(self) -> str:
        """The name of the track keys edit."""
        return self._active_track

    @property
    def selected(self) -> Turn | None:
        """The selected turn of the active track, if any."""
        return self._selected

    @property
    def cursor(self) -> int:
        """The cursor, in ticks."""
        return self._cursor

    @property
    def selection(self) -> Span | None:
        """The selected time range, if any."""
        return self._selection

    @property
    def unlocked(self) -> tuple[str, ...]:
        """The tracks other than the corrected one that are open for editing, in order."""
        return tuple(name for name in self.document.tracks if name in self._unlocked)

    def is_locked(self, name: str) -> bool:
        """Whether edits of track ``name`` are refused.

        Any track but the corrected one is, until unlocked. A name that is no track (the
        transcript) is not locked.
        """
        return name in self.document and name != CORRECTED and name not in self._unlocked

    @property
    def last_speaker(self) -> str | None:
        """The speaker last selected or given to a turn (what a new turn gets)."""
        return self._last_speaker

    # --- changing it ------------------------------------------------------------------------

    def select(self, turn: Turn | None, move_cursor: bool = True) -> None:
        """Select a turn of the active track (and put the cursor at its start)."""
        self._selected = turn
        if turn is not None:
            self._last_speaker = turn.speaker
            if move_cursor:
                self._cursor = turn.start
        self.changed.emit()

    def pick(
        self,
        track: str,
        turn: Turn | None,
        cursor: int | None = None,
        clear_selection: bool = True,
    ) -> None:
        """Edit ``track`` and select ``turn`` of it (or nothing): a click on a lane.

        The cursor moves to ``cursor`` when given; the time selection is dropped unless
        ``clear_selection`` is false (a boundary drag keeps it). One event.

        Raises
        ------
        KeyError
            If there is no such track.
        """
        self._check_track(track)
        self._active_track = track
        if clear_selection:
            self._selection = None
        self._selected = turn
        if turn is not None:
            self._last_speaker = turn.speaker
        if cursor is not None:
            self._cursor = max(0, cursor)
        self.changed.emit()

    def set_cursor(self, ticks: int) -> None:
        """Move the cursor."""
        self._cursor = max(0, ticks)
        self.changed.emit()

    def set_selection(self, span: Span | None) -> None:
        """Set (or clear) the time selection."""
        self._selection = span if span is None or span.end > span.start else None
        self.changed.emit()

    def focus(self, span: Span) -> None:
        """Select the time range ``span`` and put the cursor at its start (one event)."""
        self._cursor = max(0, span.start)
        self._selection = span if span.end > span.start else None
        self.changed.emit()

    def set_active_track(self, name: str) -> None:
        """Edit another track; the selected turn is dropped.

        Raises
        ------
        KeyError
            If there is no such track.
        """
        self._check_track(name)
        self._active_track = name
        self._selected = None
        self.changed.emit()

    def remember_speaker(self, speaker: str) -> None:
        """Note the speaker last given to a turn (what the next new turn gets)."""
        self._last_speaker = speaker

    def unlock(self, name: str) -> None:
        """Open track ``name`` for editing (nothing to do for the corrected track).

        Raises
        ------
        KeyError
            If there is no such track.
        """
        self._check_track(name)
        if name != CORRECTED and name not in self._unlocked:
            self._unlocked.add(name)
            self.changed.emit()

    def lock(self, name: str | None = None) -> None:
        """Lock track ``name`` against edits again (every unlocked track when None)."""
        before = set(self._unlocked)
        self._unlocked.difference_update(before if name is None else {name})
        if self._unlocked != before:
            self.changed.emit()

    def push(self, command: Command) -> Change:
        """Apply an edit through the history (the only way the UI edits).

        Raises
        ------
        EditError
            If the command edits a locked track (see :meth:`is_locked`); nothing changes.
        KeyError
            If the command does not apply (:meth:`History.push`).
        """
        if self.is_locked(command.track):
            raise EditError(
                f"the {command.track} track is locked: edits go to the {CORRECTED} track. "
                f"To change the {command.track} itself, unlock it first (Tracks menu)"
            )
        return self.history.push(command)

    def add_track(self, name: str, track: Track, score: bool = False) -> str:
        """Add a whole track (a diarization's output, a copy to correct) under a free name.

        ``name`` gets ``-2``, ``-3``, ... when taken. The journal records it (it follows the
        document's ``track_added``). With ``score``, the live score then scores this track
        against the same reference. Returns the name used.
        """
        unique, n = name, 2
        while unique in self.document:
            unique, n = f"{name}-{n}", n + 1
        self.document.add_track(unique, track)
        if score:
            self.configure(replace(self.live.setup, hypothesis=unique))
        return unique

    def configure(self, setup: ScoringSetup) -> None:
        """Score other tracks, or with other settings (the live score rescores)."""
        self.live.configure(setup)

    def _check_track(self, name: str) -> None:
        if name not in self.document:
            raise KeyError(name)

    # --- following edits ----------------------------------------------------------------

    def _follow(self, change: Change) -> None:
        """Keep the selection on the turn an edit produced (and say the selected turn changed).

        Among the turns added (of the same speaker, when there are), the one starting where
        the selected turn started, else the one nearest to it: an undone merge selects its
        first piece again, an undone nudge the turn as it was.
        """
        if change.track != self._active_track or self._selected is None:
            return
        if self._selected not in change.removed:
            return
        anchor = self._selected
        candidates = [t for t in change.added if t.speaker == anchor.speaker] or list(change.added)
        self._selected = min(  # the piece that starts where it started (an undone merge), else
            candidates,  # the nearest
            key=lambda t: (
                t.start != anchor.start,
                abs(t.start - anchor.start) + abs(t.end - anchor.end),
            ),
            default=None,
        )
        self.changed.emit()
