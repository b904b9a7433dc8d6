"""Journals left behind by ended processes: listing and discarding them.

The file format is described in :mod:`reviewer.io.journal`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from reviewer.io.journal.osfiles import JournalBusy, _alive, _locked, _unlink, journal_directory
from reviewer.io.journal.records import (
    _EDITS,
    _MAX_PID,
    JOURNAL_SUFFIX,
    _datetime,
    _NotOurs,
    _optional_path,
    _Scan,
    _scan,
)
from reviewer.io.journal.replay import _replay, restored_edits
from reviewer.model.errors import FormatError


@dataclass(frozen=True)
class JournalInfo:
    """A journal left behind by a process that ended without closing it.

    Attributes
    ----------
    path
        The journal file.
    pid
        The process that wrote it last.
    uri
        The recording's file id.
    audio
        The audio file, or None.
    session_path
        The session file it was last saved to (or opened from), or None if never saved.
    created
        When the journal was started.
    last_edit
        When the last edit (do, undo, redo, track) was recorded, or None if there was none.
    edits
        The number of edit records (do, undo, redo, track).
    unsaved_edits
        The number of edit records after the last save.
    problem
        Why :func:`recover` will fail (a malformed header or record, named by journal and
        line), or None; the counts then cover the records before it.
    project
        The corpus project file the recording was opened from, or None; its corrections
        are restored into that project when the corpus is opened again.
    restored
        How many edits restoring brings back, as the window's edit list shows them
        (:func:`~reviewer.io.journal.replay.restored_edits`: undo steps after merges, and
        undone steps), found by replaying the journal; None when it does not replay.
        This, not :attr:`edits` (records), is the number to offer the user.
    """

    path: Path
    pid: int
    uri: str
    audio: Path | None
    session_path: Path | None
    created: datetime
    last_edit: datetime | None
    edits: int
    unsaved_edits: int
    problem: str | None = None
    project: Path | None = None
    restored: int | None = None

    @property
    def disposable(self) -> bool:
        """Whether deleting the journal loses nothing: no edit, and nothing left unread.

        A journal with a :attr:`problem` is never disposable, even with no edit before the
        problem: the records after it may hold edits.
        """
        return self.edits == 0 and self.problem is None


def pending_journals(directory: str | Path | None = None) -> list[JournalInfo]:
    """The journals of processes no longer running, newest first.

    A journal is live, and not listed, while its process holds its ``flock``; where the OS
    has no ``flock``, while the pid it records runs (``os.kill(pid, 0)``; after a reboot a
    reused pid can hide a journal there). The lock, released by the kernel when a process
    dies, also tells a dead journal whose pid was reused by an unrelated process. Cleanly
    closed journals, files without a complete header and journals of a newer reviewer are
    not listed; a journal with a malformed header or record is listed with its ``problem``.

    Parameters
    ----------
    directory
        Where to look; :func:`journal_directory` by default.
    """
    directory = journal_directory() if directory is None else Path(directory)
    if not directory.is_dir():
        return []
    found = []
    for path in directory.glob("*" + JOURNAL_SUFFIX):
        locked = _locked(path)
        if locked is True:
            continue  # its process holds it
        info = _info(path)
        if info is None or (locked is None and _alive(info.pid)):
            continue  # closed, or no lock to tell by and the pid runs
        found.append(info)
    found.sort(key=lambda info: info.last_edit or info.created, reverse=True)
    return found


def discard_journal(path: str | Path) -> None:
    """Delete a journal the user chose not to recover.

    Raises
    ------
    JournalBusy
        If a running process holds it.
    """
    path = Path(path)
    if _locked(path) is True:
        raise JournalBusy(f"{path}: the journal is in use by a running process")
    _unlink(path)


def _info(path: Path) -> JournalInfo | None:
    """Summarize a journal without replaying it.

    None if it is no journal this reviewer reads (no complete header, another file, a
    newer version) or was closed. A malformed header or record gives a summary with its
    ``problem``; the counts then cover the records before it.
    """
    try:
        scan = _scan(path)
    except _NotOurs:
        return None
    except FormatError as error:
        return _broken_header(path, error)
    header = scan.header
    pid, session_path = header.pid, header.session_path
    edits = unsaved = 0
    last_edit = None
    for line in scan.lines[1:]:
        record = line.record
        if record is None:
            continue
        if record.kind == "close":
            return None
        if record.kind in _EDITS:
            edits += 1
            unsaved += 1
            last_edit = record.time
        elif record.kind == "save":
            unsaved = 0
            session_path = record.value
        elif record.kind == "resume":
            pid = record.value
    return JournalInfo(
        path=path,
        pid=pid,
        uri=header.session.uri,
        audio=header.session.audio,
        session_path=session_path,
        created=_datetime(header.time),
        last_edit=None if last_edit is None else _datetime(last_edit),
        edits=edits,
        unsaved_edits=unsaved,
        problem=None if scan.problem is None else str(scan.problem),
        project=header.project,
        restored=_restored(path, scan) if scan.problem is None else None,
    )


def _restored(path: Path, scan: _Scan) -> int | None:
    """What :func:`restored_edits` counts once the journal is replayed; None if it fails."""
    try:
        return restored_edits(_replay(path, scan).history)
    except FormatError:
        return None


def _broken_header(path: Path, error: FormatError) -> JournalInfo | None:
    """The summary of a journal whose header is malformed: what can be read, and why not."""
    try:
        header = json.loads(path.read_bytes().split(b"\n", 1)[0].decode("utf-8"))
    except (OSError, ValueError):
        return None
    session = header.get("session") if isinstance(header.get("session"), dict) else {}
    pid = header.get("pid")
    started = header.get("time")
    return JournalInfo(
        path=path,
        pid=pid if type(pid) is int and 0 < pid <= _MAX_PID else 0,
        uri=uri if isinstance(uri := session.get("uri"), str) else "",
        audio=_optional_path(session.get("audio")),
        session_path=_optional_path(header.get("session_path")),
        created=_datetime(started if isinstance(started, int | float) else 0),
        last_edit=None,
        edits=0,
        unsaved_edits=0,
        problem=str(error),
        project=_optional_path(header.get("project")),
    )
