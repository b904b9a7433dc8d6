"""The document a user edits: a recording's named tracks, changed only through commands."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from reviewer.model.annotation import Span, Track, Turn
from reviewer.model.events import event
from reviewer.model.exclusions import Exclusions
from reviewer.model.transcript import Transcript, Utterance

REFERENCE = "reference"
SYSTEM = "system"
CORRECTED = "corrected"


@dataclass(frozen=True, slots=True)
class Change:
    """What one edit did to one track: the turns it took out and put in."""

    track: str
    removed: tuple[Turn, ...]
    added: tuple[Turn, ...]

    @property
    def span(self) -> Span | None:
        """The time range the edit touched, or None if it touched nothing."""
        turns = self.removed + self.added
        if not turns:
            return None
        return Span(min(t.start for t in turns), max(t.end for t in turns))


class Document:
    """A recording under review: audio, named tracks and scored regions.

    The tracks change only through :meth:`apply`, which edit commands call, and
    :meth:`add_track`; every change is emitted as :attr:`changed` with the turns removed and
    added, so views and metrics redo only the time range it touched.

    Events (:mod:`reviewer.model.events`)
    -------------------------------------
    changed(change: Change)
        After every change of a track's turns (an edit, its undo, a track added).
    track_added(name: str)
        After :meth:`add_track` (emitted after the matching :attr:`changed`).
    transcript_changed()
        After an utterance of the transcript changed.

    Parameters
    ----------
    uri
        The recording's file id.
    tracks
        ``{name: track}``, e.g. reference, system and corrected.
    audio
        The audio file, if any.
    uem
        Scored regions, or None for md-eval's default.
    transcript
        What was said, if known.
    exclusions
        The reference file's scoring marks (``NOSCORE``, ``NON-LEX``, ``LEXEME`` lines),
        applied when the reference track is scored, as md-eval applies them.
    """

    changed = event(Change, description="the turns of a track changed")
    track_added = event(str, description="a whole track was added or replaced")
    transcript_changed = event(description="an utterance of the transcript changed")

    def __init__(
        self,
        uri: str,
        tracks: Mapping[str, Track],
        audio: Path | None = None,
        uem: tuple[Span, ...] | None = None,
        transcript: Transcript | None = None,
        exclusions: Exclusions | None = None,
    ):
        self.uri = uri
        self.audio = audio
        self.uem = uem
        self.transcript = transcript
        self.exclusions = exclusions or None
        self._tracks = {name: track.with_uri(uri) for name, track in tracks.items()}

    def exclusions_of(self, name: str) -> Exclusions | None:
        """The scoring marks that apply when track ``name`` is the reference scored against."""
        return self.exclusions if name == REFERENCE else None

    @property
    def tracks(self) -> Mapping[str, Track]:
        """The current tracks (read-only: edit through commands)."""
        return dict(self._tracks)

    def __getitem__(self, name: str) -> Track:
        return self._tracks[name]

    def __contains__(self, name: str) -> bool:
        return name in self._tracks

    def apply(self, track: str, removed: Iterable[Turn], added: Iterable[Turn]) -> Change:
        """Take ``removed`` out of a track and put ``added`` in; for commands only.

        Raises
        ------
        KeyError
            If the track or a removed turn does not exist (nothing is changed then).
        """
        change = Change(track, tuple(removed), tuple(added))
        self._tracks[track] = self._tracks[track].edited(change.removed, change.added)
        self.changed.emit(change)
        return change

    def replace_utterance(self, old: Utterance, new: Utterance) -> None:
        """Replace one utterance of the transcript; for commands only.

        Raises
        ------
        KeyError
            If there is no transcript or no such utterance (nothing is changed then).
        """
        if self.transcript is None:
            raise KeyError("this recording has no transcript")
        self.transcript = self.transcript.replaced(old, new)
        self.transcript_changed.emit()

    def add_track(self, name: str, track: Track) -> Change:
        """Add or replace a whole track (a new track is not an undoable edit)."""
        old = self._tracks.get(name, Track())
        self._tracks[name] = track.with_uri(self.uri)
        change = Change(name, old.turns, self._tracks[name].turns)
        self.changed.emit(change)
        self.track_added.emit(name)
        return change
