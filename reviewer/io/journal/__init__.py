"""An append-only edit journal, so that a crash loses no edit (never-saved sessions included).

A journal is one file, ``<id>.journal.jsonl``, of UTF-8 JSON lines. The first line is the
header: ``{"format": "reviewer-journal", "version": 1, "kind": "start", "id", "pid",
"host", "time", "session_path", "project", "session": {...}}`` where ``session`` is the
full starting state in the session file's JSON form (audio path absolute) and ``project``
the corpus project file the recording was opened from (or null). Each later line is one
record, written to the file before :meth:`Journal.record` returns (so it survives a crash
of reviewer) and fsynced by a background thread that groups the records arriving meanwhile
(an OS crash or power cut loses at most the last few milliseconds; :meth:`Journal.sync`
waits for the disk):

- ``{"kind": "do", "time": t, "command": {...}}``: a command pushed on the history
  (:meth:`EditTurns.to_json`, before any merge);
- ``{"kind": "undo" | "redo", "time": t, "name": "..."}``: the history's undo or redo
  (``name``: the command undone or redone, checked when replaying);
- ``{"kind": "track", "time": t, "name": "...", "track": {...}}``: a whole track added or
  replaced outside the history (:meth:`Document.add_track`);
- ``{"kind": "save", "time": t, "session_path": "..."}``: the session was saved;
- ``{"kind": "settings", "time": t, "setup": {...}}``: the scoring chosen since (tracks,
  collar, skip-overlap), as a session's ``settings``; replay applies the last one;
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

from reviewer.io.journal.listing import JournalInfo, discard_journal, pending_journals
from reviewer.io.journal.osfiles import JournalBusy, journal_directory
from reviewer.io.journal.records import JOURNAL_FORMAT, JOURNAL_SUFFIX, JOURNAL_VERSION
from reviewer.io.journal.replay import recover
from reviewer.io.journal.writer import Journal

__all__ = [
    "JOURNAL_FORMAT",
    "JOURNAL_SUFFIX",
    "JOURNAL_VERSION",
    "Journal",
    "JournalBusy",
    "JournalInfo",
    "discard_journal",
    "journal_directory",
    "pending_journals",
    "recover",
]
