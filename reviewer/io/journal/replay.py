"""Replaying a journal through a fresh history: the document and undo stack rebuilt.

The file format is described in :mod:`reviewer.io.journal`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reviewer.io.journal.records import _problem, _Record, _Scan, _scan
from reviewer.io.session import (
    Session,
)
from reviewer.model.document import Document
from reviewer.model.errors import FormatError
from reviewer.model.history import History


def recover(path: str | Path) -> tuple[Session, Document, History]:
    """Rebuild a journal's document and undo history.

    The document starts from the header's state; every do, undo, redo, track and save
    record is replayed through a fresh :class:`History`, so merges happen as they did. A
    ``settings`` record (the scoring chosen since) replaces the header's settings; a
    journal without one (an older reviewer's) keeps them.
    A torn last line (cut by the crash) is ignored. A journal is type-checked, line by
    line, before anything is replayed.

    Returns
    -------
    tuple
        The session (its tracks the recovered ones, its settings the last journaled, its
        view as the journal started), the document and its history.

    Raises
    ------
    FormatError
        If the journal cannot be read, has no header, was written by a newer reviewer, or
        any line but a torn last one is malformed or does not replay (naming the journal,
        the line, and the field: ``...journal.jsonl:7: do record: command.added[0][1]
        (end): expected a time in ticks ...``). The file is left as it is.
    """
    replay = _replay(Path(path))
    return replay.session, replay.document, replay.history


def restored_edits(history: History) -> int:
    """How many edits a recovered history brings back, as its edit list shows them.

    Its undo steps (a held nudge key merged into one step counts once) and the undone
    steps it can redo: the number the restore prompt announces and the window's note
    confirms.
    """
    return len(history.commands) + len(history.undone)


@dataclass
class _Replay:
    session: Session
    document: Document
    history: History
    session_path: Path | None
    good_size: int
    unterminated: bool


def _replay(path: Path, scan: _Scan | None = None) -> _Replay:
    """Replay the journal at ``path`` (from its ``scan`` when it was read already)."""
    scan = _scan(path) if scan is None else scan
    header = scan.header
    session = header.session
    document = session.to_document()
    history = History(document)
    session_path = header.session_path
    good_size, unterminated = scan.lines[0].end, not scan.lines[0].terminated
    for line in scan.lines[1:]:
        if line.record is None:  # torn last line
            break
        try:
            session_path = _apply(line.record, session, history, session_path)
        except (KeyError, TypeError, ValueError) as error:
            problem = f"{line.record.kind} record: {_problem(error)}"
            raise FormatError(path, line.number, problem) from None
        good_size, unterminated = line.end, not line.terminated
        if line.record.kind == "close":
            break
    else:
        if scan.problem is not None:
            raise scan.problem
    session.tracks = dict(document.tracks)
    return _Replay(session, document, history, session_path, good_size, unterminated)


def _apply(
    record: _Record, session: Session, history: History, session_path: Path | None
) -> Path | None:
    """Replay one (type-checked) record; return the session path after it."""
    kind, document = record.kind, history.document
    if kind == "do":
        command = record.value
        try:
            history.push(command)
        except KeyError as error:
            raise ValueError(f"{command.name!r} does not apply: {_problem(error)}") from None
    elif kind in ("undo", "redo"):
        expected = history.undo_name if kind == "undo" else history.redo_name
        if expected is None:
            raise ValueError(f"{kind} with nothing to {kind}")
        name = expected if record.value is None else record.value
        if name != expected:
            raise ValueError(f"{kind} of {name!r} but the history would {kind} {expected!r}")
        if kind == "undo":
            history.undo()
        else:
            history.redo()
    elif kind == "track":
        name, track = record.value
        document.add_track(name, track)
    elif kind == "save":
        history.mark_saved()
        return record.value
    elif kind == "settings":
        session.settings = record.value
    return session_path
