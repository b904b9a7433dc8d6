"""A saved review session: tracks, scored regions, settings and view, in one JSON file.

The file (``*.reviewer.json``) is UTF-8 JSON (a byte order mark is allowed) with a
``"format": "reviewer-session"``, ``"version": 1`` header. Times are integer ticks
(``"ticks_per_second"`` says how many make a second), a turn is ``[start, end, speaker]``
on one line, and the audio path is stored relative to the session file (beside its absolute
form, tried when the relative one is gone).

Fields (every one type-checked on load; a field not listed here is refused, as is a
missing one not marked optional; nothing is converted or defaulted):

- ``format``: ``"reviewer-session"``; ``version``: a whole number, 1 (a newer version is
  refused: the file was written by a newer reviewer);
- ``ticks_per_second``: 3528000000;
- ``uri``: a non-empty string;
- ``audio``: a non-empty string (a path, relative to the file or absolute) or null;
  ``audio_absolute`` (optional): a non-empty string, only beside an ``audio``;
- ``uem``: null, or a list of ``[start, end]`` ticks (whole numbers from 0, end >= start);
- ``tracks``: an object ``{name: {"channel": non-empty string, "turns": [[start, end,
  speaker], ...]}}``, names and speakers non-empty strings, times as in ``uem``;
- ``settings``: an object with any of ``reference``, ``hypothesis`` (non-empty strings:
  the tracks scored), ``collar`` (a finite number >= 0, seconds on each side),
  ``skip_overlap`` (true or false);
- ``view``: an object with any of ``start``, ``end`` (finite numbers, seconds: the view may
  begin before 0) and ``active_track`` (a non-empty string);
- ``transcript`` (optional): null or a list of ``[start, end, speaker, text, words]``,
  speaker a string or null, text a string, words a list of ``[start, end, text]``;
- ``reference_marks`` (optional): the reference RTTM's scoring marks, an object with
  ``no_score``, ``non_lexical`` and ``lexemes`` (lists of ``[start, end]`` as in ``uem``)
  and ``extent`` (``[start, end]`` or null): see :class:`~reviewer.model.exclusions.Exclusions`.

Errors name the field's path: ``tracks["system"].turns[3][0] (start): expected a time in
ticks ...``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewer.io import validation as check
from reviewer.io.files import write_text_atomic
from reviewer.model.annotation import Span, Track, Turn
from reviewer.model.document import Document
from reviewer.model.errors import FormatError
from reviewer.model.exclusions import Exclusions
from reviewer.model.scoring import ScoringSetup
from reviewer.model.time import TICKS_PER_SECOND
from reviewer.model.transcript import Transcript, Utterance, Word, utterance_to_json

SESSION_FORMAT = "reviewer-session"
SESSION_VERSION = 1
"""The session version this reviewer writes, and the newest it reads."""
SESSION_SUFFIX = ".reviewer.json"
"""The default file extension of a session."""

_FIELDS: tuple[str, ...] = ("format", "version", "ticks_per_second", "uri", "audio", "uem")
_FIELDS += ("tracks", "settings", "view")
_OPTIONAL_FIELDS = ("audio_absolute", "transcript", "reference_marks")

Check = Callable[[Any, str], Any]


def _track_name(value: Any, where: str) -> str:
    return check.text(value, where, empty=False)


def _collar(value: Any, where: str) -> float:
    return check.number(value, where, minimum=0)


SETTINGS: dict[str, Check] = {
    "reference": _track_name,
    "hypothesis": _track_name,
    "collar": _collar,
    "skip_overlap": check.boolean,
}
"""The fields a session's ``settings`` may hold, and their checks."""

VIEW: dict[str, Check] = {
    "start": check.number,
    "end": check.number,
    "active_track": _track_name,
}
"""The fields a session's ``view`` may hold, and their checks."""


@dataclass
class Session:
    """Everything needed to reopen a review where it was left.

    Attributes
    ----------
    uri
        The recording's file id.
    tracks
        ``{name: track}``; the tracks' own uri is not stored (they take ``uri``).
    audio
        The audio file, or None.
    uem
        Scored regions, or None for md-eval's default.
    settings
        Which tracks are scored and how, or None when the file says nothing (an empty
        ``settings`` object); fields the file leaves out are
        :meth:`~reviewer.model.scoring.ScoringSetup.for_tracks`'s.
    view
        What was on screen as a plain dict with any of the fields of :data:`VIEW`
        (``start`` and ``end`` seconds, ``active_track``).
    """

    uri: str
    tracks: dict[str, Track] = field(default_factory=dict)
    audio: Path | None = None
    uem: tuple[Span, ...] | None = None
    settings: ScoringSetup | None = None
    view: dict[str, Any] = field(default_factory=dict)
    transcript: Transcript | None = None
    exclusions: Exclusions | None = None

    @classmethod
    def from_document(
        cls,
        document: Document,
        settings: ScoringSetup | None = None,
        view: Mapping[str, Any] | None = None,
    ) -> Session:
        """The session of a document as it is now."""
        return cls(
            document.uri,
            dict(document.tracks),
            document.audio,
            document.uem,
            settings,
            dict(view or {}),
            document.transcript,
            document.exclusions,
        )

    def to_document(self) -> Document:
        """A new document holding this session's recording, tracks and transcript."""
        return Document(
            self.uri, self.tracks, self.audio, self.uem, self.transcript, self.exclusions
        )


def save_session(path: str | Path, session: Session) -> None:
    """Write a session file atomically (the old file stays intact if anything fails).

    Raises
    ------
    TypeError, ValueError
        If the settings or view are not plain JSON, or not what a session file holds
        (nothing is written then).
    """
    path = Path(path)
    data = session_to_dict(session, relative_to=Path(os.path.abspath(path)).parent)
    write_text_atomic(path, _format(data) + "\n")


def load_session(path: str | Path) -> Session:
    """Read a session file; a relative audio path is taken relative to the file.

    Every field is type-checked (see the module notes); nothing is converted or defaulted.

    Raises
    ------
    FormatError
        If the file cannot be read, is not JSON (with the line at fault), is not a session,
        was written by a newer reviewer (a newer ``version``), or holds a malformed field
        (the problem names its path: ``settings.skip_overlap: expected true or false, got
        the string "false"``).
    """
    path = Path(path)
    data = check.read_json(path)
    try:
        return session_from_dict(data, relative_to=Path(os.path.abspath(path)).parent)
    except ValueError as error:
        raise FormatError(path, None, str(error)) from None


def session_to_dict(session: Session, relative_to: Path | None = None) -> dict[str, Any]:
    """The JSON form of a session (also the journal's starting state).

    Parameters
    ----------
    session
        The session.
    relative_to
        The directory of the session file, to store the audio path relative to; with None
        it is stored absolute.

    Raises
    ------
    TypeError, ValueError
        If the settings or view are not plain JSON or hold a field a session file does not
        have, or a value of the wrong type (what the reader would refuse is never written).
    """
    audio = audio_absolute = None
    if session.audio is not None:
        absolute = Path(os.path.abspath(session.audio))
        audio_absolute = str(absolute)
        audio = audio_absolute
        if relative_to is not None:
            try:
                audio = Path(os.path.relpath(absolute, relative_to)).as_posix()
            except ValueError:  # another drive (Windows): keep it absolute
                pass
    uem = None if session.uem is None else [[span.start, span.end] for span in session.uem]
    data: dict[str, Any] = {
        "format": SESSION_FORMAT,
        "version": SESSION_VERSION,
        "ticks_per_second": TICKS_PER_SECOND,
        "uri": session.uri,
        "audio": audio,
    }
    if audio_absolute is not None and audio_absolute != audio:
        data["audio_absolute"] = audio_absolute
    data["uem"] = uem
    data["tracks"] = {name: track_to_dict(track) for name, track in session.tracks.items()}
    settings = {} if session.settings is None else session.settings.to_json()
    data["settings"] = _checked(settings, "settings", SETTINGS)
    data["view"] = _checked(_plain(session.view, "view"), "view", VIEW)
    if session.transcript is not None:
        data["transcript"] = [utterance_to_json(u) for u in session.transcript]
    if session.exclusions:
        data["reference_marks"] = _marks_to_dict(session.exclusions)
    return data


_MARK_LISTS = ("no_score", "non_lexical", "lexemes")


def _marks_to_dict(marks: Exclusions) -> dict[str, Any]:
    data: dict[str, Any] = {
        name: [[span.start, span.end] for span in getattr(marks, name)] for name in _MARK_LISTS
    }
    data["extent"] = None if marks.extent is None else [marks.extent.start, marks.extent.end]
    return data


def _marks_from_dict(value: Any, where: str) -> Exclusions | None:
    if value is None:
        return None
    check.obj(value, where, (*_MARK_LISTS, "extent"), ())
    lists = {}
    for name in _MARK_LISTS:
        here = check.field(where, name)
        items = value[name]
        if not isinstance(items, list):
            raise check.FieldError(here, f"expected a list, got {check.describe(items)}")
        lists[name] = tuple(
            Span(*check.span(item, check.index(here, i))) for i, item in enumerate(items)
        )
    extent = value["extent"]
    if extent is not None:
        extent = Span(*check.span(extent, check.field(where, "extent")))
    return Exclusions(**lists, extent=extent)


def session_from_dict(data: Any, relative_to: Path | None = None, where: str = "") -> Session:
    """Inverse of :func:`session_to_dict`, type-checking every field.

    Parameters
    ----------
    data
        The decoded JSON.
    relative_to
        The session file's directory, for a relative audio path.
    where
        The path of ``data`` in its file, prefixed to field paths in errors (the journal's
        starting state is its header's ``session``).

    Raises
    ------
    ValueError
        A :class:`~reviewer.io.validation.FieldError` naming the field path and the
        problem (e.g. ``tracks["system"].turns[3]: ends (0) before it starts (5)``).
    """
    check.header(data, "reviewer session", SESSION_FORMAT, SESSION_VERSION, "session", where)
    check.obj(data, where, _FIELDS, _OPTIONAL_FIELDS)

    def at(name: str) -> str:
        return check.field(where, name)

    rate = check.whole(data["ticks_per_second"], at("ticks_per_second"))
    if rate != TICKS_PER_SECOND:
        raise check.FieldError(
            at("ticks_per_second"), f"expected {TICKS_PER_SECOND}, got the number {rate}"
        )
    uri = check.text(data["uri"], at("uri"), empty=False)
    named = {}
    for name, value in check.mapping(data["tracks"], at("tracks")).items():
        here = check.key(at("tracks"), name)
        if not name:
            raise check.FieldError(here, "a track name is empty")
        named[name] = track_from_dict(value, uri, here)
    return Session(
        uri=uri,
        tracks=named,
        audio=_audio(data["audio"], data.get("audio_absolute"), relative_to, where),
        uem=_uem(data["uem"], at("uem")),
        settings=_setup(_checked(data["settings"], at("settings"), SETTINGS), named, at),
        view=dict(_checked(data["view"], at("view"), VIEW)),
        transcript=transcript_from_json(data.get("transcript"), uri, at("transcript")),
        exclusions=_marks_from_dict(data.get("reference_marks"), at("reference_marks")),
    )


def transcript_from_json(items: Any, uri: str | None, where: str) -> Transcript | None:
    """A transcript from its JSON list of utterances (or None for null).

    Raises
    ------
    ValueError
        A :class:`~reviewer.io.validation.FieldError` naming the utterance at fault.
    """
    if items is None:
        return None
    check.array(items, where)
    return Transcript(
        (utterance_from_list(item, check.index(where, i)) for i, item in enumerate(items)), uri
    )


def utterance_from_list(item: Any, where: str) -> Utterance:
    """An utterance from ``[start, end, speaker, text, words]``, every part type-checked.

    ``speaker`` is a string or null, ``text`` a string, ``words`` a list of
    ``[start, end, text]``; times are ticks and nothing ends before it starts.

    Raises
    ------
    ValueError
        A :class:`~reviewer.io.validation.FieldError` naming the part at fault.
    """
    start, end, speaker, words_text, words = check.fixed(
        item, where, ("start", "end", "speaker", "text", "words")
    )
    start, end = check.span([start, end], where)
    if speaker is not None:
        check.text(speaker, f"{check.index(where, 2)} (speaker)")
    check.text(words_text, f"{check.index(where, 3)} (text)")
    listed = check.array(words, f"{check.index(where, 4)} (words)")
    parsed = []
    for i, word in enumerate(listed):
        here = check.index(check.index(where, 4), i)
        w_start, w_end, w_text = check.fixed(word, here, ("start", "end", "text"))
        w_start, w_end = check.span([w_start, w_end], here)
        parsed.append(Word(w_start, w_end, check.text(w_text, f"{check.index(here, 2)} (text)")))
    return Utterance(start, end, words_text, speaker, tuple(parsed))


def track_to_dict(track: Track) -> dict[str, Any]:
    """The JSON form of a track: its channel and ``[start, end, speaker]`` turns."""
    return {
        "channel": track.channel,
        "turns": [[turn.start, turn.end, turn.speaker] for turn in track.turns],
    }


def track_from_dict(data: Any, uri: str | None, where: str = "track") -> Track:
    """Inverse of :func:`track_to_dict`: ``{"channel": "1", "turns": [...]}``.

    Raises
    ------
    ValueError
        A :class:`~reviewer.io.validation.FieldError` naming the field at fault (its
        path starts with ``where``).
    """
    check.obj(data, where, ("channel", "turns"))
    channel = check.text(data["channel"], check.field(where, "channel"), empty=False)
    turns = turns_from_json(data["turns"], check.field(where, "turns"))
    return Track(turns, uri=uri, channel=channel)


def turns_from_json(items: Any, where: str) -> tuple[Turn, ...]:
    """Turns from a JSON list of ``[start, end, speaker]`` (ticks, non-negative).

    Raises
    ------
    ValueError
        A :class:`~reviewer.io.validation.FieldError` if a turn is malformed or ends
        before it starts (its path starts with ``where``).
    """
    check.array(items, where)
    turns = []
    for i, item in enumerate(items):
        here = check.index(where, i)
        start, end, speaker = check.fixed(item, here, ("start", "end", "speaker"))
        start, end = check.span([start, end], here)
        speaker = check.text(speaker, f"{check.index(here, 2)} (speaker)", empty=False)
        turns.append(Turn(start, end, speaker))
    return tuple(turns)


def _audio(audio: Any, absolute: Any, relative_to: Path | None, where: str) -> Path | None:
    audio = check.optional_text(audio, check.field(where, "audio"))
    if absolute is not None:
        absolute = check.text(absolute, check.field(where, "audio_absolute"), empty=False)
        if audio is None:
            raise check.FieldError(check.field(where, "audio_absolute"), "given without audio")
    if audio is None:
        return None
    path = Path(audio)
    if not path.is_absolute() and relative_to is not None:
        path = Path(os.path.normpath(relative_to / path))
    if not path.exists() and absolute and Path(absolute).exists():
        return Path(absolute)  # the session file moved away from the audio
    return path


def _uem(uem: Any, where: str) -> tuple[Span, ...] | None:
    if uem is None:
        return None
    if not isinstance(uem, list):
        raise check.FieldError(where, f"expected null or a list, got {check.describe(uem)}")
    return tuple(Span(*check.span(item, check.index(where, i))) for i, item in enumerate(uem))


def _setup(
    fields: dict[str, Any], tracks: Mapping[str, Track], at: Callable[[str], str]
) -> ScoringSetup | None:
    """The scoring a file's ``settings`` hold, the rest from the default for its tracks."""
    if not fields:
        return None
    try:
        return ScoringSetup.from_json(fields, ScoringSetup.for_tracks(tracks))
    except (TypeError, ValueError) as error:  # beyond the field checks: an absurd collar
        raise check.FieldError(check.field(at("settings"), "collar"), str(error)) from None


def _checked(value: Any, where: str, fields: dict[str, Check]) -> dict[str, Any]:
    """An object whose fields are all among ``fields`` (each optional), each checked."""
    check.obj(value, where, optional=fields)
    for name, checker in fields.items():
        if name in value:
            checker(value[name], check.field(where, name))
    return value


def _plain(value: Mapping[str, Any], what: str) -> dict[str, Any]:
    """Check that a dict is plain JSON (round-trips unchanged), and copy it."""
    text = json.dumps(dict(value), allow_nan=False)  # raises TypeError / ValueError
    plain = json.loads(text)
    if plain != value:
        raise ValueError(f"{what} does not survive JSON unchanged (non-string keys, tuples?)")
    return plain


def _format(value: Any, depth: int = 0) -> str:
    """JSON with objects and lists of lists indented, and short lists (a turn) on one line."""
    inner = "  " * (depth + 1)
    if isinstance(value, dict) and value:
        items = [
            f"{inner}{json.dumps(key, ensure_ascii=False)}: {_format(item, depth + 1)}"
            for key, item in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + "  " * depth + "}"
    if isinstance(value, list) and any(isinstance(item, (list, dict)) for item in value):
        items = [inner + _format(item, depth + 1) for item in value]
        return "[\n" + ",\n".join(items) + "\n" + "  " * depth + "]"
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(", ", ": "))
