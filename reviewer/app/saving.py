"""Keeping the reviewer's work: sessions, RTTM and transcript exports, and whether all is kept."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewer.app.editor import Editor
from reviewer.model.commands import EditError
from reviewer.model.document import CORRECTED
from reviewer.model.events import event
from reviewer.model.history import Command

if TYPE_CHECKING:
    from reviewer.io.journal import Journal
    from reviewer.metrics.attribution import LiveAttribution


class SaveState:
    """Whether every edit of a review is kept, in a saved session or an exported RTTM.

    An RTTM export holds one track: it keeps the edits only while they all edit that track.

    Events (:mod:`reviewer.model.events`)
    -------------------------------------
    changed()
        After an export (a saved session is the history's ``saved`` event).
    """

    changed = event(description="a track was exported")

    def __init__(self, editor: Editor):
        self.editor = editor
        self._exported: tuple[Command, ...] | None = None
        self._exported_track: str | None = None

    def exported(self, track: str) -> None:
        """Note that ``track`` was just exported as it is now."""
        self._exported = self.editor.history.commands
        self._exported_track = track
        self.changed.emit()

    @property
    def is_saved(self) -> bool:
        """Whether every edit is in a saved session or an exported RTTM."""
        history = self.editor.history
        if history.is_saved:
            return True
        return history.commands == self._exported and all(
            command.track == self._exported_track for command in history.commands
        )


def exported_track(editor: Editor) -> str:
    """The track an RTTM export writes: the corrected one, or the edited one without it."""
    return CORRECTED if CORRECTED in editor.document else editor.active_track


def export_rttm(editor: Editor, state: SaveState, path: str | Path) -> str:
    """Write :func:`exported_track` as canonical RTTM (atomically) and return its name.

    Each speaker's turns that touch or overlap are one line (``write_rttm(...,
    canonical=True)``): md-eval-22 scores the file as it scores the track.

    Raises
    ------
    reviewer.io.files.WriteError
        If the file cannot be written (nothing is changed then).
    """
    from reviewer.io import write_rttm

    name = exported_track(editor)
    write_rttm(path, {editor.document.uri: editor.document[name]}, canonical=True)
    state.exported(name)
    return name


def save_session(
    editor: Editor, path: str | Path, view: dict[str, Any], journal: Journal | None = None
) -> Path:
    """Save the review as a session (atomically); mark the history and the journal saved.

    ``view``: what is on screen, ``{"start", "end"}`` in seconds and ``"active_track"``.

    Raises
    ------
    reviewer.io.files.WriteError
        If the file cannot be written (the history stays unsaved then).
    """
    from reviewer.io.session import Session, save_session

    target = Path(path)
    session = Session.from_document(editor.document, editor.live.setup, view)
    save_session(target, session)
    editor.history.mark_saved()
    if journal is not None:
        journal.mark_saved(target)
    return target


@dataclass(frozen=True)
class TranscriptExport:
    """What :func:`export_transcript` wrote: its summary, and what the format did not keep."""

    summary: str
    not_kept: tuple[str, ...]

    def __str__(self) -> str:
        losses = "; ".join(self.not_kept)
        return self.summary + (f". Not kept: {losses}" if losses else "")


def export_transcript(
    editor: Editor, attribution: LiveAttribution | None, path: str | Path
) -> TranscriptExport:
    """Write the transcript with each utterance's attributed speaker (format from the suffix).

    Raises
    ------
    EditError
        If the recording has no transcript.
    reviewer.model.errors.FormatError, reviewer.io.files.WriteError
        If the format cannot be written or the file cannot.
    """
    from reviewer.io.transcripts import write_transcript
    from reviewer.model.transcript import Transcript

    transcript = editor.document.transcript
    if transcript is None or attribution is None:
        raise EditError("this recording has no transcript")
    speakers = attribution.speakers
    attributed = Transcript(
        (u.with_speaker(speakers[i] or u.speaker) for i, u in enumerate(transcript)),
        transcript.uri or editor.document.uri,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        written = write_transcript(path, attributed)
    return TranscriptExport(written.summary(), tuple(str(w.message) for w in caught))
