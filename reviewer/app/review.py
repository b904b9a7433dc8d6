"""One recording opened for review, without Qt: from files, a saved session or a crash journal.

The window (:mod:`reviewer.ui.app`) adds what needs Qt: the waveform pyramid's background
build and the playback stream.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewer.app.editor import Editor
from reviewer.app.loading import load_document
from reviewer.model.document import CORRECTED, Document
from reviewer.model.history import History
from reviewer.model.scoring import ScoringSetup

if TYPE_CHECKING:
    from reviewer.io.audio import AudioSource
    from reviewer.io.journal import Journal
    from reviewer.io.peaks import PeakPyramid


@dataclass
class Review:
    """Everything one window shows.

    Attributes
    ----------
    editor
        The review state.
    audio, pyramid
        The recording and its waveform pyramid (empty until built), or None without audio.
    notes
        Sentences for the status bar (what the loaders decided, restored edits, ...).
    journal
        The crash journal recording the edits, or None.
    session_path
        The session file it came from or was last saved to.
    view
        What a saved session showed (``{"start", "end"}`` seconds, ``"active_track"``).
    builder
        What builds the pyramid in the background (set by the window's code).
    """

    editor: Editor
    audio: AudioSource | None
    pyramid: PeakPyramid | None
    notes: list[str]
    journal: Journal | None = None
    session_path: Path | None = None
    view: dict[str, Any] | None = None
    builder: Any = field(default=None, repr=False)


def same_recording(a: Review, b: Review) -> bool:
    """Whether two reviews show the same thing: the same recording and the same input.

    The same file id, audio file and UEM, and the same turns in every track but the
    corrected one (the reference and system output as read). A crashed session restored at
    start-up is what ``reviewer demo`` or ``reviewer open`` asked for when this holds: the
    app then opens it once, with its edits; another system output or reference asked for
    opens in a window of its own.
    """
    da, db = a.editor.document, b.editor.document

    def audio(document: Document) -> Path | None:
        return Path(document.audio).resolve() if document.audio is not None else None

    inputs = {name for name in (*da.tracks, *db.tracks) if name != CORRECTED}
    return (
        da.uri == db.uri
        and audio(da) == audio(db)
        and da.uem == db.uem
        and all(name in da and name in db and da[name] == db[name] for name in inputs)
    )


def review_files(
    audio=None,
    reference=None,
    system=None,
    uem=None,
    transcript=None,
    uri=None,
    correct=None,
    speaker_prefix=None,
) -> Review:
    """Load a recording from its files (arguments as :func:`~reviewer.app.loading.load_document`).

    Raises
    ------
    FormatError, AudioError
        For unreadable input, naming the file and the problem.
    """
    opened = load_document(
        audio,
        reference,
        system,
        uem,
        correct=correct,
        transcript=transcript,
        uri=uri,
        speaker_prefix=speaker_prefix,
    )
    return _review(opened.document, opened.notes)


def review_session(path: Path) -> Review:
    """Load a saved session, with its scoring settings and view.

    Raises
    ------
    FormatError
        For a file that is not a valid session, naming it and the field.
    """
    from reviewer.io.session import load_session

    session = load_session(path)
    review = _review(session.to_document(), [], session.settings, session_path=Path(path))
    review.view = session.view
    return review


def review_recovered(path: Path) -> Review:
    """Reopen the edits a crashed session journaled, and keep journaling them.

    Raises
    ------
    reviewer.io.journal.JournalBusy
        If a running process holds the journal.
    FormatError
        For a journal that does not replay, naming it and the line.
    """
    from reviewer.io.journal import Journal
    from reviewer.io.journal.replay import restored_edits

    journal, session, document, history = Journal.resume(path)
    return _review(
        document,
        [f"restored {restored_edits(history)} edits"],
        session.settings,
        history=history,
        journal=journal,
        session_path=journal.session_path,
    )


def _review(
    document: Document,
    notes: list[str],
    settings: ScoringSetup | None = None,
    history: History | None = None,
    journal: Journal | None = None,
    session_path: Path | None = None,
) -> Review:
    source = pyramid = None
    if document.audio is not None:
        from reviewer.io.audio import AudioSource
        from reviewer.io.peaks import PeakPyramid

        source = AudioSource.open(document.audio)
        pyramid = PeakPyramid(source.frames, source.sample_rate)
    editor = Editor(document, audio=source, history=history)
    if settings is not None:
        editor.configure(settings)
    if journal is not None:
        journal_settings(editor, journal)
    return Review(editor, source, pyramid, notes, journal, session_path)


def journal_settings(editor: Editor, journal: Journal) -> None:
    """Journal the scoring each time it changes, so a restored session scores the same."""
    editor.live.configured.connect(lambda: journal.record_settings(editor.live.setup))


def start_journal(
    review: Review, directory: Path | None = None, project: Path | None = None
) -> None:
    """Journal every edit of the review from now on (crash recovery).

    ``project``: the corpus project file the recording was opened from, if any. A journal
    that cannot be written is a note (save often), not an error.
    """
    from reviewer.io.journal import Journal, journal_directory
    from reviewer.io.session import Session

    if review.journal is not None:
        return
    session = Session.from_document(review.editor.document, review.editor.live.setup)
    try:
        journal = Journal.start(
            directory or journal_directory(), session, review.session_path, project=project
        )
    except OSError as error:
        review.notes.append(f"edits are NOT journaled ({error}): save often")
        return
    journal.attach(review.editor.history)
    journal_settings(review.editor, journal)
    review.journal = journal
