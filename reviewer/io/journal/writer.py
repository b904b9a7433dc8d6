"""Writing a journal: the open journal of one document, following its history.

The file format is described in :mod:`reviewer.io.journal`.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from reviewer.io.journal.osfiles import (
    JournalBusy,
    _line,
    _lock,
    _sync_directory,
    _unlink,
    _write_all,
)
from reviewer.io.journal.records import JOURNAL_FORMAT, JOURNAL_SUFFIX, JOURNAL_VERSION
from reviewer.io.journal.replay import _replay
from reviewer.io.session import (
    Session,
    session_to_dict,
    track_to_dict,
)
from reviewer.model.annotation import Track
from reviewer.model.commands import EditTurns
from reviewer.model.document import Document
from reviewer.model.history import History, HistoryStep
from reviewer.model.scoring import ScoringSetup

_FIRST = 10  # listener priority: the journal records an edit before anything else reacts


class Journal:
    """The open journal of one document; create it with :meth:`start` or :meth:`resume`.

    Durability: each record is written to the file (one ``write`` of a whole line) before
    :meth:`record` returns, so it survives a crash of reviewer at any later point; a
    background thread then syncs it to disk (``fsync``), so it also survives a crash of the
    operating system or a power cut once that returns (a few milliseconds; the records
    written during one ``fsync`` share the next). The edit never waits for the disk: a held
    key's edits cost a ``write`` each, not an ``fsync`` each. :meth:`sync` waits until everything
    written is on disk. If an ``fsync`` fails, recording stops (:attr:`error`) and the
    records it did not cover are cut off at the next write, :meth:`sync` or
    :meth:`close`, so the journal stays a clean prefix of the history.

    Attributes
    ----------
    clock
        What stamps each record's ``time`` (POSIX seconds): :func:`time.time`, replaceable
        (a test's clock that ticks on demand).
    """

    clock: Callable[[], float] = staticmethod(time.time)

    def __init__(self, path: Path, fd: int, session_path: Path | None):
        self.path = path
        self.session_path = session_path
        self._fd: int | None = fd
        self._size = os.fstat(fd).st_size
        self._error: OSError | None = None
        self._listeners: tuple[Callable[..., None], ...] = ()
        self._syncer = _Syncer(fd, self._size)

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
            "time": cls.clock(),
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
            record = {"kind": "resume", "time": cls.clock(), "pid": os.getpid()}
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
        """Why recording stopped (disk full, ...), or None; the journal is then a prefix.

        Reading it waits for the sync under way (:meth:`sync`), so it is up to date.
        """
        self.sync()
        return self._error

    def attach(self, history: History) -> None:
        """Record every do, undo and redo of ``history``, and every track added, from now on.

        The journal listens with the highest priority, so an edit is on disk before anything
        else reacts to it (:mod:`reviewer.model.events`). A write failure does not propagate
        into the history: recording stops and :attr:`error` says why.

        Raises
        ------
        ValueError
            If the history already has commands: the journal could not replay their undo.
        """
        if history.commands or history.redo_name is not None:
            raise ValueError("attach the journal to the history before any edit")
        self._subscribe(history)

    def record(self, kind: str, command: EditTurns | None = None) -> None:
        """Append one ``"do"``, ``"undo"`` or ``"redo"`` record (fsynced in the background).

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
            self._append({"kind": "do", "time": self.clock(), "command": command.to_json()})
        elif kind in ("undo", "redo"):
            record: dict[str, Any] = {"kind": kind, "time": self.clock()}
            if command is not None:
                record["name"] = command.name
            self._append(record)
        else:
            raise ValueError(f"unknown journal record kind {kind!r}")

    def record_track(self, name: str, track: Track) -> None:
        """Record a whole track added or replaced with :meth:`Document.add_track`."""
        self._append(
            {"kind": "track", "time": self.clock(), "name": name, "track": track_to_dict(track)}
        )

    def record_settings(self, setup: ScoringSetup) -> None:
        """Record the scoring chosen since the header (tracks, collar, skip-overlap).

        Replay applies the last one, so a restored session scores as the crashed one did.
        A failure stops recording (see :attr:`error`) but does not raise.
        """
        self._record_quietly(
            self._append, {"kind": "settings", "time": self.clock(), "setup": setup.to_json()}
        )

    def mark_saved(self, session_path: str | Path) -> None:
        """Record that the session was saved to ``session_path``.

        Call it together with :meth:`History.mark_saved` (replay marks the history saved
        here, which decides the merges that follow).
        """
        self.session_path = Path(os.path.abspath(session_path))
        self._append({"kind": "save", "time": self.clock(), "session_path": str(self.session_path)})

    def close(self) -> None:
        """Mark the journal closed cleanly and delete it; nothing is left to recover."""
        if self._fd is None:
            return
        try:
            if self._error is None:
                self._append({"kind": "close", "time": self.clock()})
        except OSError:
            pass  # deleting it is what matters; the close record is a fallback
        fd, self._fd = self._fd, None
        self._syncer.stop()
        try:
            _unlink(self.path)
        finally:
            os.close(fd)  # releases the lock

    def sync(self) -> None:
        """Wait until every record written so far is on disk (or recording has stopped).

        A failed ``fsync`` is not raised: it stops recording (:attr:`error`) and the
        records it did not cover are cut off.
        """
        if self._fd is None:
            return
        self._syncer.wait()
        self._check_synced()

    def _subscribe(self, history: History) -> None:
        """Record the history's steps and the tracks added to its document, before others."""

        def step(step: HistoryStep) -> None:
            self._record_quietly(self.record, step.kind, step.command)

        def track_added(name: str) -> None:
            self._record_quietly(self.record_track, name, history.document[name])

        history.stepped.connect(step, priority=_FIRST)
        history.document.track_added.connect(track_added, priority=_FIRST)
        self._listeners = (step, track_added)

    def _record_quietly(self, write: Callable[..., None], *args: Any) -> None:
        """Write a record; a failure stops recording (see :attr:`error`) but does not raise."""
        self._check_synced()
        if self._fd is None or self._error is not None:
            return
        try:
            write(*args)
        except OSError as error:
            self._error = error

    def _append(self, record: dict[str, Any]) -> None:
        if self._fd is None:
            raise ValueError(f"{self.path}: the journal is closed")
        self._check_synced()
        if self._error is not None:
            raise OSError(f"{self.path}: recording stopped after an error: {self._error}")
        line = _line(record)
        try:
            _write_all(self._fd, line)
        except OSError as error:
            self._stop(error, self._size)  # leave no partial line behind
            raise
        self._size += len(line)
        self._syncer.request(self._size)

    def _check_synced(self) -> None:
        """Stop recording if the background ``fsync`` failed, cutting what it did not cover."""
        failed = self._syncer.failure
        if failed is not None and self._error is None:
            self._stop(*failed)

    def _stop(self, error: OSError, good_size: int) -> None:
        self._error = error
        if self._fd is not None:
            try:
                os.ftruncate(self._fd, good_size)
            except OSError:
                pass


class _Syncer:
    """A thread that syncs a journal's file to disk after writes, never blocking them.

    The writer says how far the file has been written (:meth:`request`); the thread syncs
    whenever that is past what it last synced, so one ``fsync`` covers every write made
    while the previous one ran.
    """

    def __init__(self, fd: int, size: int):
        self._fd = fd
        self._written = self._synced = size
        self._stopping = False
        self.failure: tuple[OSError, int] | None = None
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="journal fsync", daemon=True)
        self._thread.start()

    def request(self, size: int) -> None:
        """The file has been written up to ``size`` bytes: sync it."""
        with self._changed:
            self._written = size
            self._changed.notify_all()

    def wait(self) -> None:
        """Wait until all that was written is synced, or a sync failed."""
        with self._changed:
            self._changed.wait_for(lambda: self._synced >= self._written or self.failure)

    def stop(self) -> None:
        """End the thread (after the sync under way, if any)."""
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        self._thread.join()

    def _run(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._stopping or self._written > self._synced)
                if self._stopping or self.failure is not None:
                    return
                target = self._written
            try:
                os.fsync(self._fd)
            except OSError as error:
                with self._changed:
                    self.failure = (error, self._synced)
                    self._changed.notify_all()
                return
            with self._changed:
                self._synced = target
                self._changed.notify_all()
