"""An append-only edit journal, so that a crash loses no edit (never-saved sessions included).

A journal is one file, ``<id>.journal.jsonl``, of UTF-8 JSON lines. The first line is the
header: ``{"format": "reviewer-journal", "version": 1, "kind": "start", "id", "pid",
"host", "time", "session_path", "project", "session": {...}}`` where ``session`` is the
full starting state in the session file's JSON form (audio path absolute) and ``project`` the corpus
project file the recording was opened from (or null). Each later line is one record,
written, flushed and fsynced before :meth:`Journal.record` returns:

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
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from reviewer.model.annotation import Track
from reviewer.model.commands import EditText, EditTurns
from reviewer.model.document import Change, Document
from reviewer.model.formats.errors import FormatError
from reviewer.model.history import History
from reviewer.model.session import (
    Session,
    session_from_dict,
    session_to_dict,
    track_from_dict,
    track_to_dict,
    turns_from_json,
)

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
        Why :func:`recover` will fail (a line that is not JSON), or None; the counts then
        cover the lines before it.
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
            As :func:`recover`.
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
    A torn last line (cut by the crash) is ignored.

    Returns
    -------
    tuple
        The session (its tracks the recovered ones, settings and view as the journal
        started), the document and its history.

    Raises
    ------
    FormatError
        If the journal cannot be read, has no header, or any line but a torn last one is
        malformed or does not replay (naming the journal and the line).
    """
    replay = _replay(Path(path))
    return replay.session, replay.document, replay.history


def pending_journals(directory: str | Path | None = None) -> list[JournalInfo]:
    """The journals of processes no longer running, newest first.

    A journal is live, and not listed, while its process holds its ``flock``; where the OS
    has no ``flock``, while the pid it records runs (``os.kill(pid, 0)``; after a reboot a
    reused pid can hide a journal there). The lock, released by the kernel when a process
    dies, also tells a dead journal whose pid was reused by an unrelated process. Cleanly
    closed journals and files without a complete header are not listed.

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
    lines, bad_line = _lines(path)
    if bad_line is not None and not lines:
        raise bad_line
    header = _header(path, lines)
    try:
        session = session_from_dict(header.get("session"))
    except ValueError as error:
        raise FormatError(path, 1, f"starting state: {error}") from None
    document = session.to_document()
    history = History(document)
    session_path = _optional_path(header.get("session_path"))
    good_size, unterminated = lines[0].end, not lines[0].terminated
    for line in lines[1:]:
        if line.record is None:  # torn last line
            break
        try:
            session_path = _apply(line.record, document, history, session_path)
        except (KeyError, TypeError, ValueError) as error:
            raise FormatError(path, line.number, _problem(error)) from None
        good_size, unterminated = line.end, not line.terminated
        if line.record.get("kind") == "close":
            break
    else:
        if bad_line is not None:
            raise bad_line
    session.tracks = dict(document.tracks)
    return _Replay(session, document, history, session_path, good_size, unterminated)


def _apply(
    record: dict[str, Any], document: Document, history: History, session_path: Path | None
) -> Path | None:
    """Replay one record; return the session path after it."""
    kind = record.get("kind")
    if kind == "do":
        command = _command(record.get("command"))
        try:
            history.push(command)
        except KeyError as error:
            raise ValueError(f"{command.name!r} does not apply: {_problem(error)}") from None
    elif kind in ("undo", "redo"):
        expected = history.undo_name if kind == "undo" else history.redo_name
        if expected is None:
            raise ValueError(f"{kind} with nothing to {kind}")
        name = record.get("name", expected)
        if name != expected:
            raise ValueError(f"{kind} of {name!r} but the history would {kind} {expected!r}")
        if kind == "undo":
            history.undo()
        else:
            history.redo()
    elif kind == "track":
        name = record.get("name")
        if not isinstance(name, str) or not name:
            raise ValueError(f"track name {name!r} is not a non-empty string")
        document.add_track(name, track_from_dict(record.get("track"), document.uri))
    elif kind == "save":
        history.mark_saved()
        return _optional_path(record.get("session_path")) or session_path
    elif kind not in ("resume", "close"):
        raise ValueError(f"unknown record kind {kind!r}")
    return session_path


def _command(data: Any) -> EditTurns | EditText:
    if not isinstance(data, dict):
        raise ValueError("the 'do' record has no command object")
    if data.get("type") == "text":
        if not isinstance(data.get("name"), str):
            raise ValueError("the command needs a string name")
        return EditText.from_json(data)
    name, track, key = data.get("name"), data.get("track"), data.get("merge_key")
    if not isinstance(name, str) or not isinstance(track, str):
        raise ValueError("the command needs a string name and track")
    if key is not None and not isinstance(key, str):
        raise ValueError(f"merge_key {key!r} is neither null nor a string")
    removed = turns_from_json(data.get("removed"), "command.removed")
    added = turns_from_json(data.get("added"), "command.added")
    return EditTurns(name, track, removed, added, key)


@dataclass
class _Line:
    number: int
    record: dict[str, Any] | None  # None: a torn last line
    end: int  # byte offset just past the line (and its newline)
    terminated: bool


def _lines(path: Path) -> tuple[list[_Line], FormatError | None]:
    """Parse the lines as JSON objects, up to the first malformed one.

    Returns the lines before it and the error for it (None if all are well formed); only
    an unterminated last line may be torn, and is then returned with no record.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise FormatError(path, None, f"cannot read: {error.strerror or error}") from None
    lines = []
    offset = 0
    pieces = data.split(b"\n")
    for number, raw in enumerate(pieces, start=1):
        terminated = number < len(pieces)
        if not terminated and not raw:
            break
        offset += len(raw) + terminated
        try:
            record = json.loads(raw.decode("utf-8"))
            if not isinstance(record, dict):
                raise ValueError("a record must be a JSON object")
        except ValueError as error:  # UnicodeDecodeError and JSONDecodeError included
            if not terminated:
                lines.append(_Line(number, None, offset, False))
                break
            return lines, FormatError(path, number, f"not a journal record: {error}")
        lines.append(_Line(number, record, offset, terminated))
    return lines, None


def _header(path: Path, lines: list[_Line]) -> dict[str, Any]:
    if not lines or lines[0].record is None:
        raise FormatError(path, 1, "no complete header (the journal was cut while created)")
    header = lines[0].record
    if header.get("format") != JOURNAL_FORMAT or header.get("kind") != "start":
        raise FormatError(path, 1, "not a reviewer journal")
    if header.get("version") != JOURNAL_VERSION:
        raise FormatError(path, 1, f"unknown journal version {header.get('version')!r}")
    if type(header.get("pid")) is not int or not isinstance(header.get("time"), (int, float)):
        raise FormatError(path, 1, "the header has no pid or time")
    return header


def _info(path: Path) -> JournalInfo | None:
    """Summarize a journal without replaying it; None if it has no header or was closed."""
    try:
        lines, bad_line = _lines(path)
        header = _header(path, lines)
    except FormatError:
        return None
    problem = None if bad_line is None else str(bad_line)
    pid, session_path = header["pid"], _optional_path(header.get("session_path"))
    edits = unsaved = 0
    last_edit = None
    session = header.get("session") if isinstance(header.get("session"), dict) else {}
    uri = session.get("uri") if isinstance(session.get("uri"), str) else ""
    audio = _optional_path(session.get("audio"))
    for record in _records(lines[1:]):
        kind = record.get("kind")
        if kind == "close":
            return None
        if kind in _EDITS:
            edits += 1
            unsaved += 1
            last_edit = record.get("time", last_edit)
        elif kind == "save":
            unsaved = 0
            session_path = _optional_path(record.get("session_path")) or session_path
        elif kind == "resume" and type(record.get("pid")) is int:
            pid = record["pid"]
    return JournalInfo(
        path=path,
        pid=pid,
        uri=uri,
        audio=audio,
        session_path=session_path,
        created=_datetime(header["time"]),
        last_edit=None if last_edit is None else _datetime(last_edit),
        edits=edits,
        unsaved_edits=unsaved,
        problem=problem,
        project=_optional_path(header.get("project")),
    )


def _records(lines: list[_Line]) -> Iterator[dict[str, Any]]:
    for line in lines:
        if line.record is not None:
            yield line.record


def _datetime(seconds: Any) -> datetime:
    value = seconds if isinstance(seconds, (int, float)) else 0
    return datetime.fromtimestamp(value, timezone.utc)


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
