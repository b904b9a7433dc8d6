"""An append-only edit journal, so that a crash loses no edit (never-saved sessions included).

A journal is one file, ``<id>.journal.jsonl``, of UTF-8 JSON lines. The first line is the
header: ``{"format": "reviewer-journal", "version": 1, "kind": "start", "id", "pid",
"host", "time", "session_path", "project", "session": {...}}`` where ``session`` is the
full starting state in the session file's JSON form (audio path absolute) and ``project``
the corpus project file the recording was opened from (or null). Each later line is one
record, written, flushed and fsynced before :meth:`Journal.record` returns:

- ``{"kind": "do", "time": t, "command": {...}}``: a command pushed on the history
  (:meth:`EditTurns.to_json`, before any merge);
- ``{"kind": "undo" | "redo", "time": t, "name": "..."}``: the history's undo or redo
  (``name``: the command undone or redone, checked when replaying);
- ``{"kind": "track", "time": t, "name": "...", "track": {...}}``: a whole track added or
  replaced outside the history (:meth:`Document.add_track`);
- ``{"kind": "save", "time": t, "session_path": "..."}``: the session was saved;
- ``{"kind": "resume", "time": t, "pid": n, "host": "..."}``: another process took the
  journal over after recovering it;
- ``{"kind": "close", "time": t}``: closed cleanly (the file is deleted right after).

Times ``t`` are POSIX seconds. Replaying the records through a fresh :class:`History`
rebuilds the document and the undo stack exactly, merges included. A running process holds
an exclusive ``flock`` on its journal (where the OS has one), so a journal is offered for
recovery only when its process is gone, even when the pid has since been reused.

Reading is strict, field by field, as for session files. In the header: ``id`` a non-empty
string, ``pid`` a whole number from 1 to 2**31 - 1, ``host`` a string, ``time`` POSIX
seconds (a finite number from 0 to the end of the year 9999), ``session_path`` and the
optional ``project`` a non-empty string or null, ``session`` a session as
:func:`~reviewer.io.session.session_from_dict` reads it. In the records: ``kind`` one of
the seven above, ``time`` as in the header, a ``do`` command either
``{"name", "track", "removed", "added", "merge_key"}`` (name a string, track a non-empty
string, removed and added lists of turns as in session files, merge_key a string or null
and optional) or ``{"type": "text", "name", "old", "new"}`` (two utterances as in session
transcripts), ``undo`` and ``redo`` an optional string ``name``, ``track`` a non-empty
``name`` and a track, ``save`` a non-empty ``session_path``, ``resume`` a ``pid`` and a
``host``. A field not listed is refused. A journal of a newer version (written by a newer
reviewer) is refused by :func:`recover` and not listed by :func:`pending_journals`, so that
this reviewer never deletes it.

The lines are numbered from 1, the header: a record's number is its line number. Only the
last line may be torn: a crash cuts a record while it is written, and an unterminated last
line that is not JSON is ignored (that edit never finished; :meth:`Journal.resume` cuts it
off before appending). Any other malformed record -- not JSON, not an object, a field of the
wrong type, or a record that does not replay -- is a :class:`FormatError` naming the
journal and the line. Nothing then changes the file: :func:`recover` and
:meth:`Journal.resume` refuse it; :func:`pending_journals` lists a journal with a malformed
line with its ``problem`` (the counts cover the records before it), and
:attr:`JournalInfo.disposable` is then False (a record that is well formed but does not
replay is found only by replaying). So the records that are fine, before and after the bad
one, stay on disk: a journal is deleted only when closed, or by :func:`discard_journal`.
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from reviewer.io import validation as check
from reviewer.io.session import (
    Session,
    session_from_dict,
    session_to_dict,
    track_from_dict,
    track_to_dict,
    turns_from_json,
    utterance_from_list,
)
from reviewer.model.annotation import Track
from reviewer.model.commands import EditText, EditTurns
from reviewer.model.document import Change, Document
from reviewer.model.errors import FormatError
from reviewer.model.history import History

try:
    import fcntl
except ImportError:  # Windows: liveness is judged by the pid alone
    fcntl = None  # type: ignore[assignment]

JOURNAL_FORMAT = "reviewer-journal"
JOURNAL_VERSION = 1
JOURNAL_SUFFIX = ".journal.jsonl"

_EDITS = ("do", "undo", "redo", "track")


class JournalBusy(RuntimeError):
    """The journal belongs to a process that is still running."""


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

    @property
    def disposable(self) -> bool:
        """Whether deleting the journal loses nothing: no edit, and nothing left unread.

        A journal with a :attr:`problem` is never disposable, even with no edit before the
        problem: the records after it may hold edits.
        """
        return self.edits == 0 and self.problem is None


def journal_directory() -> Path:
    """``$XDG_STATE_HOME/reviewer/journal`` or ``~/.local/state/reviewer/journal``, created."""
    state = os.environ.get("XDG_STATE_HOME")
    base = Path(state) if state and Path(state).is_absolute() else Path.home() / ".local/state"
    directory = base / "reviewer" / "journal"
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    return directory


class Journal:
    """The open journal of one document; create it with :meth:`start` or :meth:`resume`."""

    def __init__(self, path: Path, fd: int, session_path: Path | None):
        self.path = path
        self.session_path = session_path
        self._fd: int | None = fd
        self._size = os.fstat(fd).st_size
        self._error: OSError | None = None

    @classmethod
    def start(
        cls,
        directory: str | Path,
        session: Session,
        session_path: str | Path | None = None,
        *,
        project: str | Path | None = None,
    ) -> Journal:
        """Create a journal whose header holds ``session``, the state edits start from.

        The file appears under its final name only once the header is on disk.

        Parameters
        ----------
        directory
            Where journals live (see :func:`journal_directory`); created if missing.
        session
            The document's state now, and its settings and view.
        session_path
            The session file the document was opened from, if any.
        project
            The corpus project file the recording belongs to, if any.
        """
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        name = f"{stamp}-{os.getpid()}-{uuid.uuid4().hex[:12]}"
        path = directory / (name + JOURNAL_SUFFIX)
        session_path = None if session_path is None else Path(os.path.abspath(session_path))
        header = {
            "format": JOURNAL_FORMAT,
            "version": JOURNAL_VERSION,
            "kind": "start",
            "id": name,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "time": time.time(),
            "session_path": None if session_path is None else str(session_path),
            "project": None if project is None else os.path.abspath(project),
            "session": session_to_dict(session),
        }
        line = _line(header)
        atomic = os.name != "nt"  # Windows cannot rename an open file
        partial = directory / (name + ".journal.tmp") if atomic else path
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
        try:
            _lock(fd)
            _write_all(fd, line)
            os.fsync(fd)
            if atomic:
                os.rename(partial, path)
                _sync_directory(directory)
        except BaseException:
            os.close(fd)
            _unlink(partial)
            raise
        return cls(path, fd, session_path)

    @classmethod
    def resume(cls, path: str | Path) -> tuple[Journal, Session, Document, History]:
        """Recover a journal and keep writing to it, attached to the recovered history.

        A torn last line is cut off first, and a ``resume`` record names this process as
        the owner; a later crash then recovers the whole undo stack again.

        Raises
        ------
        JournalBusy
            If a running process holds the journal.
        FormatError
            As :func:`recover`; the file is then left as it is (nothing cut, nothing
            appended).
        """
        path = Path(path)
        fd = os.open(path, os.O_RDWR | os.O_APPEND)
        try:
            if not _lock(fd):
                raise JournalBusy(f"{path}: the journal is in use by a running process")
            replay = _replay(path)
            if replay.good_size < os.fstat(fd).st_size:
                os.ftruncate(fd, replay.good_size)
            if replay.unterminated:
                _write_all(fd, b"\n")
            record = {"kind": "resume", "time": time.time(), "pid": os.getpid()}
            record["host"] = socket.gethostname()
            _write_all(fd, _line(record))
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            raise
        journal = cls(path, fd, replay.session_path)
        journal._subscribe(replay.history)
        return journal, replay.session, replay.document, replay.history

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._fd is None

    @property
    def error(self) -> OSError | None:
        """Why recording stopped (disk full, ...), or None; the journal is then a prefix."""
        return self._error

    def attach(self, history: History) -> None:
        """Record every do, undo and redo of ``history`` from now on.

        Attach it first, before other listeners, so an edit is on disk before anything else
        reacts to it. A write failure does not propagate into the history: recording stops
        and :attr:`error` says why.

        Raises
        ------
        ValueError
            If the history already has commands: the journal could not replay their undo.
        """
        if history.commands or history.redo_name is not None:
            raise ValueError("attach the journal to the history before any edit")
        self._subscribe(history)

    def record(self, kind: str, command: EditTurns | None = None) -> None:
        """Append one ``"do"``, ``"undo"`` or ``"redo"`` record and fsync it.

        Parameters
        ----------
        kind
            ``"do"`` (a command pushed), ``"undo"`` or ``"redo"``.
        command
            The command pushed (required for ``"do"``), undone or redone.

        Raises
        ------
        ValueError
            If the kind is unknown, a ``"do"`` has no command, or the journal is closed.
        OSError
            If writing fails.
        """
        if kind == "do":
            if command is None:
                raise ValueError("a 'do' record needs its command")
            self._append({"kind": "do", "time": time.time(), "command": command.to_json()})
        elif kind in ("undo", "redo"):
            record: dict[str, Any] = {"kind": kind, "time": time.time()}
            if command is not None:
                record["name"] = command.name
            self._append(record)
        else:
            raise ValueError(f"unknown journal record kind {kind!r}")

    def record_track(self, name: str, track: Track) -> None:
        """Record a whole track added or replaced with :meth:`Document.add_track`."""
        self._append(
            {"kind": "track", "time": time.time(), "name": name, "track": track_to_dict(track)}
        )

    def mark_saved(self, session_path: str | Path) -> None:
        """Record that the session was saved to ``session_path``.

        Call it together with :meth:`History.mark_saved` (replay marks the history saved
        here, which decides the merges that follow).
        """
        self.session_path = Path(os.path.abspath(session_path))
        self._append({"kind": "save", "time": time.time(), "session_path": str(self.session_path)})

    def close(self) -> None:
        """Mark the journal closed cleanly and delete it; nothing is left to recover."""
        if self._fd is None:
            return
        try:
            if self._error is None:
                self._append({"kind": "close", "time": time.time()})
        except OSError:
            pass  # deleting it is what matters; the close record is a fallback
        fd, self._fd = self._fd, None
        try:
            _unlink(self.path)
        finally:
            os.close(fd)  # releases the lock

    def _subscribe(self, history: History) -> None:
        def listener(kind: str, command: EditTurns, change: Change) -> None:
            if self._fd is None or self._error is not None:
                return
            try:
                self.record(kind, command)
            except OSError as error:
                self._error = error

        history.subscribe(listener)

    def _append(self, record: dict[str, Any]) -> None:
        if self._fd is None:
            raise ValueError(f"{self.path}: the journal is closed")
        if self._error is not None:
            raise OSError(f"{self.path}: recording stopped after an error: {self._error}")
        line = _line(record)
        try:
            _write_all(self._fd, line)
            os.fsync(self._fd)
        except OSError as error:
            self._error = error
            try:  # leave no partial line behind
                os.ftruncate(self._fd, self._size)
            except OSError:
                pass
            raise
        self._size += len(line)


def recover(path: str | Path) -> tuple[Session, Document, History]:
    """Rebuild a journal's document and undo history.

    The document starts from the header's state; every do, undo, redo, track and save
    record is replayed through a fresh :class:`History`, so merges happen as they did.
    A torn last line (cut by the crash) is ignored. A journal is type-checked, line by
    line, before anything is replayed.

    Returns
    -------
    tuple
        The session (its tracks the recovered ones, settings and view as the journal
        started), the document and its history.

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


@dataclass
class _Replay:
    session: Session
    document: Document
    history: History
    session_path: Path | None
    good_size: int
    unterminated: bool


def _replay(path: Path) -> _Replay:
    scan = _scan(path)
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
            session_path = _apply(line.record, document, history, session_path)
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
    record: _Record, document: Document, history: History, session_path: Path | None
) -> Path | None:
    """Replay one (type-checked) record; return the session path after it."""
    kind = record.kind
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
    return session_path


@dataclass(frozen=True)
class _Record:
    """A type-checked record: its kind, time and what it carries.

    ``value`` is the command of a ``do``, the name (or None) of an ``undo`` or ``redo``,
    ``(name, track)`` of a ``track``, the session path of a ``save``, the pid of a
    ``resume``, None for a ``close``.
    """

    kind: str
    time: float
    value: Any


@dataclass(frozen=True)
class _Header:
    pid: int
    time: float
    session_path: Path | None
    project: Path | None
    session: Session


@dataclass
class _Line:
    number: int
    record: _Record | None  # None: the header, or a torn last line
    end: int  # byte offset just past the line (and its newline)
    terminated: bool


@dataclass
class _Scan:
    header: _Header
    lines: list[_Line]  # the header's first, up to the first malformed line
    problem: FormatError | None  # why the lines stop before the end of the file


_HEADER_FIELDS = ("format", "version", "kind", "id", "pid", "host", "time", "session_path")
_HEADER_FIELDS += ("session",)
_RECORD_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "do": (("kind", "time", "command"), ()),
    "undo": (("kind", "time"), ("name",)),
    "redo": (("kind", "time"), ("name",)),
    "track": (("kind", "time", "name", "track"), ()),
    "save": (("kind", "time", "session_path"), ()),
    "resume": (("kind", "time", "pid", "host"), ()),
    "close": (("kind", "time"), ()),
}
_LAST_SECOND = 253402300799  # 9999-12-31T23:59:59Z, the last time a datetime holds
_MAX_PID = 2**31 - 1


class _NotOurs(FormatError):
    """Line 1 is not the header of a journal this reviewer reads."""


def _scan(path: Path) -> _Scan:
    """Read and type-check a journal, line by line, up to the first malformed line.

    Only an unterminated last line that is not JSON is taken as torn (the crash cut it
    while it was written): it is returned with no record. Any other malformed line ends
    the scan, with its error.

    Raises
    ------
    FormatError
        If the journal cannot be read or its header (line 1) is malformed; a
        :class:`_NotOurs` if line 1 is no header of a journal this reviewer reads.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise FormatError(path, None, f"cannot read: {error.strerror or error}") from None
    lines: list[_Line] = []
    header: _Header | None = None
    offset = 0
    pieces = data.split(b"\n")
    for number, raw in enumerate(pieces, start=1):
        terminated = number < len(pieces)
        if not terminated and not raw:
            break
        offset += len(raw) + terminated
        try:
            record = json.loads(raw.decode("utf-8"), object_pairs_hook=check.no_duplicates)
        except ValueError as error:  # UnicodeDecodeError and JSONDecodeError included
            if header is None:
                problem = f"not a journal header: {error}"
                if not terminated:
                    problem = "no complete header (the journal was cut while created)"
                raise _NotOurs(path, 1, problem) from None
            if not terminated:
                lines.append(_Line(number, None, offset, False))
                break
            return _Scan(header, lines, FormatError(path, number, f"not a journal record: {error}"))
        if header is None:
            header = _header(path, record)
            lines.append(_Line(number, None, offset, terminated))
            continue
        try:
            checked = _record(record, header.session.uri)
        except ValueError as error:
            kind = record.get("kind") if isinstance(record, dict) else None
            name = f"{kind} record" if kind in _RECORD_FIELDS else "record"
            return _Scan(header, lines, FormatError(path, number, f"{name}: {error}"))
        lines.append(_Line(number, checked, offset, terminated))
    if header is None:
        raise _NotOurs(path, 1, "no complete header (the journal was cut while created)")
    return _Scan(header, lines, None)


def _header(path: Path, record: Any) -> _Header:
    """The type-checked header (line 1).

    Raises
    ------
    FormatError
        A :class:`_NotOurs` if it is no header of a journal this reviewer reads (another
        file, a newer version); else naming the malformed field.
    """
    try:
        check.header(record, "reviewer journal", JOURNAL_FORMAT, JOURNAL_VERSION, "journal")
        if record.get("kind") != "start":
            raise check.FieldError(
                "kind", f'expected "start", got {check.describe(record.get("kind"))}'
            )
    except ValueError as error:
        raise _NotOurs(path, 1, str(error)) from None
    try:
        check.obj(record, "", _HEADER_FIELDS, ("project",))
        check.text(record["id"], "id", empty=False)
        pid = check.whole(record["pid"], "pid", minimum=1, maximum=_MAX_PID)
        check.text(record["host"], "host")
        started = _time(record["time"], "time")
        session_path = check.optional_text(record["session_path"], "session_path")
        project = check.optional_text(record.get("project"), "project")
        session = session_from_dict(record["session"], where="session")
    except ValueError as error:
        raise FormatError(path, 1, f"header: {error}") from None
    return _Header(
        pid,
        started,
        None if session_path is None else Path(session_path),
        None if project is None else Path(project),
        session,
    )


def _record(record: Any, uri: str) -> _Record:
    """A type-checked record of the journal of recording ``uri``.

    Raises
    ------
    ValueError
        A :class:`~reviewer.io.validation.FieldError` naming the field at fault.
    """
    if not isinstance(record, dict):
        raise check.FieldError("", f"expected a JSON object, got {check.describe(record)}")
    if "kind" not in record:
        raise check.FieldError("kind", "missing")
    kind = check.choice(record["kind"], "kind", _RECORD_FIELDS)
    check.obj(record, "", *_RECORD_FIELDS[kind])
    when = _time(record["time"], "time")
    value: Any = None
    if kind == "do":
        value = _command(record["command"], "command")
    elif kind in ("undo", "redo"):
        value = check.text(record["name"], "name") if "name" in record else None
    elif kind == "track":
        name = check.text(record["name"], "name", empty=False)
        value = (name, track_from_dict(record["track"], uri, "track"))
    elif kind == "save":
        value = Path(check.text(record["session_path"], "session_path", empty=False))
    elif kind == "resume":
        value = check.whole(record["pid"], "pid", minimum=1, maximum=_MAX_PID)
        check.text(record["host"], "host")
    return _Record(kind, when, value)


def _command(data: Any, where: str) -> EditTurns | EditText:
    """A journaled command: turns edited (:class:`EditTurns`) or a text edit.

    Raises
    ------
    ValueError
        A :class:`~reviewer.io.validation.FieldError` naming the field at fault.
    """
    if isinstance(data, dict) and "type" in data:
        check.choice(data["type"], check.field(where, "type"), ("text",))
        check.obj(data, where, ("type", "name", "old", "new"))
        return EditText(
            check.text(data["name"], check.field(where, "name")),
            utterance_from_list(data["old"], check.field(where, "old")),
            utterance_from_list(data["new"], check.field(where, "new")),
        )
    check.obj(data, where, ("name", "track", "removed", "added"), ("merge_key",))
    key = check.optional_text(data.get("merge_key"), check.field(where, "merge_key"), empty=True)
    return EditTurns(
        check.text(data["name"], check.field(where, "name")),
        check.text(data["track"], check.field(where, "track"), empty=False),
        turns_from_json(data["removed"], check.field(where, "removed")),
        turns_from_json(data["added"], check.field(where, "added")),
        key,
    )


def _time(value: Any, where: str) -> float:
    """POSIX seconds, from 0 to the end of the year 9999."""
    seconds = check.number(value, where, minimum=0)
    if seconds > _LAST_SECOND:
        raise check.FieldError(
            where, f"expected POSIX seconds before the year 10000, got {seconds!r}"
        )
    return seconds


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
    )


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
        uri=session.get("uri") if isinstance(session.get("uri"), str) else "",
        audio=_optional_path(session.get("audio")),
        session_path=_optional_path(header.get("session_path")),
        created=_datetime(started if isinstance(started, int | float) else 0),
        last_edit=None,
        edits=0,
        unsaved_edits=0,
        problem=str(error),
        project=_optional_path(header.get("project")),
    )


def _datetime(seconds: float) -> datetime:
    if not 0 <= seconds <= _LAST_SECOND:  # NaN included: only from a malformed header
        seconds = 0
    return datetime.fromtimestamp(seconds, timezone.utc)


def _optional_path(value: Any) -> Path | None:
    return Path(value) if isinstance(value, str) and value else None


def _problem(error: Exception) -> str:
    if isinstance(error, KeyError) and error.args:
        return str(error.args[0])
    return str(error)


def _line(record: dict[str, Any]) -> bytes:
    text = json.dumps(record, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return (text + "\n").encode("utf-8")


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _lock(fd: int) -> bool:
    """Take the exclusive lock on a journal; False if another process holds it."""
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _locked(path: Path) -> bool | None:
    """Whether a process holds the journal's lock; None where that cannot be told."""
    if fcntl is None:
        return None
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return None
    finally:
        os.close(fd)  # also releases the probe's lock
    return False


def _alive(pid: int) -> bool:
    """Whether process ``pid`` is running."""
    if pid <= 0:
        return False
    if os.name == "nt":
        return _alive_windows(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # running, under another user
    except OSError:
        return False
    return True


def _alive_windows(pid: int) -> bool:  # pragma: no cover - Windows only
    # os.kill(pid, 0) on Windows sends CTRL_C_EVENT or terminates the process: never use it.
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return kernel32.GetLastError() == 5  # ERROR_ACCESS_DENIED: it exists
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


def _sync_directory(directory: Path) -> None:
    """Make a new name in ``directory`` durable (POSIX; a no-op where it cannot be done)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
