"""Reading a journal file: its lines, header and records, checked field by field.

The file format is described in :mod:`reviewer.io.journal`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from reviewer.io import validation as check
from reviewer.io.files import read_bytes
from reviewer.io.session import (
    SETTINGS,
    Session,
    session_from_dict,
    track_from_dict,
    turns_from_json,
    utterance_from_list,
)
from reviewer.model.commands import EditText, EditTurns
from reviewer.model.errors import FormatError
from reviewer.model.scoring import ScoringSetup

JOURNAL_FORMAT = "reviewer-journal"


JOURNAL_VERSION = 1


JOURNAL_SUFFIX = ".journal.jsonl"


_EDITS = ("do", "undo", "redo", "track")


@dataclass(frozen=True)
class _Record:
    """A type-checked record: its kind, time and what it carries.

    ``value`` is the command of a ``do``, the name (or None) of an ``undo`` or ``redo``,
    ``(name, track)`` of a ``track``, the session path of a ``save``, the pid of a
    ``resume``, the :class:`ScoringSetup` of a ``settings``, None for a ``close``.
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


_HEADER_FIELDS: tuple[str, ...] = ("format", "version", "kind", "id", "pid", "host", "time")
_HEADER_FIELDS += ("session_path", "session")


_RECORD_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "do": (("kind", "time", "command"), ()),
    "undo": (("kind", "time"), ("name",)),
    "redo": (("kind", "time"), ("name",)),
    "track": (("kind", "time", "name", "track"), ()),
    "save": (("kind", "time", "session_path"), ()),
    "resume": (("kind", "time", "pid", "host"), ()),
    "settings": (("kind", "time", "setup"), ()),
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
    data = read_bytes(path)
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
    elif kind == "settings":
        value = _setup(record["setup"], "setup")
    return _Record(kind, when, value)


def _setup(data: Any, where: str) -> ScoringSetup:
    """The scoring of a ``settings`` record: every field of a session's ``settings``.

    ``{"reference", "hypothesis", "collar", "skip_overlap"}`` (:meth:`ScoringSetup.to_json`),
    each checked as in a session file.

    Raises
    ------
    ValueError
        A :class:`~reviewer.io.validation.FieldError` naming the field at fault.
    """
    check.obj(data, where, tuple(SETTINGS))
    for name, checker in SETTINGS.items():
        checker(data[name], check.field(where, name))
    try:
        return ScoringSetup.from_json(data)
    except (TypeError, ValueError) as error:  # beyond the field checks: an absurd collar
        raise check.FieldError(check.field(where, "collar"), str(error)) from None


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
