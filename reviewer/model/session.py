"""A saved review session: tracks, scored regions, settings and view, in one JSON file.

The file (``*.reviewer.json``) is UTF-8 JSON with a ``"format": "reviewer-session"``,
``"version": 1`` header. Times are integer ticks (``"ticks_per_second"`` says how many make
a second), a turn is ``[start, end, speaker]`` on one line, and the audio path is stored
relative to the session file (beside its absolute form, tried when the relative one is gone).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewer.model.annotation import Span, Track, Turn
from reviewer.model.document import Document
from reviewer.model.formats.errors import FormatError
from reviewer.model.formats.files import write_text_atomic
from reviewer.model.time import TICKS_PER_SECOND
from reviewer.model.transcript import Transcript, utterance_from_json, utterance_to_json

SESSION_FORMAT = "reviewer-session"
SESSION_VERSION = 1
SESSION_SUFFIX = ".reviewer.json"
"""The default file extension of a session."""

_KEYS = {
    "format",
    "version",
    "ticks_per_second",
    "uri",
    "audio",
    "audio_absolute",
    "uem",
    "tracks",
    "settings",
    "view",
    "transcript",
}
_OPTIONAL_KEYS = {"audio_absolute", "transcript"}


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
        Scoring settings as a plain JSON-able dict (collar in seconds, skip_overlap, which
        track is scored against which, ...).
    view
        What was on screen as a plain JSON-able dict (start/end seconds, selected track, ...).
    """

    uri: str
    tracks: dict[str, Track] = field(default_factory=dict)
    audio: Path | None = None
    uem: tuple[Span, ...] | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    view: dict[str, Any] = field(default_factory=dict)
    transcript: Transcript | None = None

    @classmethod
    def from_document(
        cls,
        document: Document,
        settings: Mapping[str, Any] | None = None,
        view: Mapping[str, Any] | None = None,
    ) -> Session:
        """The session of a document as it is now."""
        return cls(
            document.uri,
            dict(document.tracks),
            document.audio,
            document.uem,
            dict(settings or {}),
            dict(view or {}),
            document.transcript,
        )

    def to_document(self) -> Document:
        """A new document holding this session's recording, tracks and transcript."""
        return Document(self.uri, self.tracks, self.audio, self.uem, self.transcript)


def save_session(path: str | Path, session: Session) -> None:
    """Write a session file atomically (the old file stays intact if anything fails).

    Raises
    ------
    TypeError, ValueError
        If the settings or view are not plain JSON (nothing is written then).
    """
    path = Path(path)
    data = session_to_dict(session, relative_to=Path(os.path.abspath(path)).parent)
    write_text_atomic(path, _format(data) + "\n")


def load_session(path: str | Path) -> Session:
    """Read a session file; a relative audio path is taken relative to the file.

    Raises
    ------
    FormatError
        If the file cannot be read, is not JSON (with the line at fault), is not a session
        of a known version, or holds malformed content (the problem names where).
    """
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as error:
        raise FormatError(path, None, f"cannot read: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise FormatError(path, None, "not valid UTF-8 text") from None
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as error:
        raise FormatError(path, error.lineno, f"not valid JSON: {error.msg}") from None
    except ValueError as error:
        raise FormatError(path, None, str(error)) from None
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
    data["settings"] = _plain(session.settings, "settings")
    data["view"] = _plain(session.view, "view")
    if session.transcript is not None:
        data["transcript"] = [utterance_to_json(u) for u in session.transcript]
    return data


def session_from_dict(data: Any, relative_to: Path | None = None) -> Session:
    """Inverse of :func:`session_to_dict`, validating everything.

    Raises
    ------
    ValueError
        Saying what is wrong and where (e.g. ``tracks["system"].turns[3]: ...``).
    """
    if not isinstance(data, dict):
        raise ValueError("not a reviewer session (the file is not a JSON object)")
    if data.get("format") != SESSION_FORMAT:
        raise ValueError(f"not a reviewer session (format is {data.get('format')!r})")
    version = data.get("version")
    if type(version) is not int:
        raise ValueError(f"version {version!r} is not a whole number")
    if version != SESSION_VERSION:
        newer = " (written by a newer reviewer)" if version > SESSION_VERSION else ""
        raise ValueError(f"unknown session version {version}{newer}; this reader knows 1")
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r}")
    missing = sorted(_KEYS - _OPTIONAL_KEYS - set(data))
    if missing:
        raise ValueError(f"missing key {missing[0]!r}")
    if data["ticks_per_second"] != TICKS_PER_SECOND or type(data["ticks_per_second"]) is not int:
        raise ValueError(
            f"ticks_per_second is {data['ticks_per_second']!r}, expected {TICKS_PER_SECOND}"
        )
    uri = data["uri"]
    if not isinstance(uri, str):
        raise ValueError(f"uri {uri!r} is not a string")
    tracks = data["tracks"]
    if not isinstance(tracks, dict):
        raise ValueError("tracks is not an object")
    for key in ("settings", "view"):
        if not isinstance(data[key], dict):
            raise ValueError(f"{key} is not an object")
    return Session(
        uri=uri,
        tracks={
            _name(name): track_from_dict(value, uri, f"tracks[{json.dumps(name)}]")
            for name, value in tracks.items()
        },
        audio=_audio(data["audio"], data.get("audio_absolute"), relative_to),
        uem=_uem(data["uem"]),
        settings=data["settings"],
        view=data["view"],
        transcript=_transcript(data.get("transcript"), uri),
    )


def _transcript(items: Any, uri: str) -> Transcript | None:
    if items is None:
        return None
    if not isinstance(items, list):
        raise ValueError("transcript is not a list")
    return Transcript(
        (utterance_from_json(item, f"transcript[{i}]") for i, item in enumerate(items)), uri
    )


def track_to_dict(track: Track) -> dict[str, Any]:
    """The JSON form of a track: its channel and ``[start, end, speaker]`` turns."""
    return {
        "channel": track.channel,
        "turns": [[turn.start, turn.end, turn.speaker] for turn in track.turns],
    }


def track_from_dict(data: Any, uri: str | None, where: str = "track") -> Track:
    """Inverse of :func:`track_to_dict`.

    Raises
    ------
    ValueError
        If the track is malformed (the message starts with ``where``).
    """
    if not isinstance(data, dict):
        raise ValueError(f"{where} is not an object")
    if set(data) != {"channel", "turns"}:
        extra = sorted(set(data) - {"channel", "turns"})
        problem = f"unknown key {extra[0]!r}" if extra else "needs keys 'channel' and 'turns'"
        raise ValueError(f"{where}: {problem}")
    channel = data["channel"]
    if not isinstance(channel, str) or not channel:
        raise ValueError(f"{where}.channel {channel!r} is not a non-empty string")
    return Track(turns_from_json(data["turns"], f"{where}.turns"), uri=uri, channel=channel)


def turns_from_json(items: Any, where: str) -> tuple[Turn, ...]:
    """Turns from a JSON list of ``[start, end, speaker]`` (ticks, non-negative).

    Raises
    ------
    ValueError
        If a turn is malformed or ends before it starts (the message starts with ``where``).
    """
    if not isinstance(items, list):
        raise ValueError(f"{where} is not a list")
    turns = []
    for index, item in enumerate(items):
        here = f"{where}[{index}]"
        if not isinstance(item, list) or len(item) != 3:
            raise ValueError(f"{here}: a turn is [start, end, speaker], not {item!r}")
        start, end, speaker = item
        _ticks(start, f"{here} start")
        _ticks(end, f"{here} end")
        if not isinstance(speaker, str) or not speaker:
            raise ValueError(f"{here}: speaker {speaker!r} is not a non-empty string")
        if end < start:
            raise ValueError(f"{here}: the turn ends ({end}) before it starts ({start})")
        turns.append(Turn(start, end, speaker))
    return tuple(turns)


def _ticks(value: Any, what: str) -> None:
    if type(value) is not int:
        raise ValueError(f"{what} {value!r} is not a whole number of ticks")
    if value < 0:
        raise ValueError(f"{what} {value} is negative")


def _name(name: str) -> str:
    if not name:
        raise ValueError("a track name is empty")
    return name


def _audio(audio: Any, absolute: Any, relative_to: Path | None) -> Path | None:
    if audio is None:
        return None
    if not isinstance(audio, str) or not audio:
        raise ValueError(f"audio {audio!r} is not a path")
    if absolute is not None and not isinstance(absolute, str):
        raise ValueError(f"audio_absolute {absolute!r} is not a path")
    path = Path(audio)
    if not path.is_absolute() and relative_to is not None:
        path = Path(os.path.normpath(relative_to / path))
    if not path.exists() and absolute and Path(absolute).exists():
        return Path(absolute)  # the session file moved away from the audio
    return path


def _uem(uem: Any) -> tuple[Span, ...] | None:
    if uem is None:
        return None
    if not isinstance(uem, list):
        raise ValueError("uem is neither null nor a list")
    spans = []
    for index, item in enumerate(uem):
        if not isinstance(item, list) or len(item) != 2:
            raise ValueError(f"uem[{index}]: a region is [start, end], not {item!r}")
        _ticks(item[0], f"uem[{index}] start")
        _ticks(item[1], f"uem[{index}] end")
        if item[1] < item[0]:
            raise ValueError(f"uem[{index}]: the region ends before it starts")
        spans.append(Span(item[0], item[1]))
    return tuple(spans)


def _plain(value: Mapping[str, Any], what: str) -> dict[str, Any]:
    """Check that a dict is plain JSON (round-trips unchanged), and copy it."""
    text = json.dumps(dict(value), allow_nan=False)  # raises TypeError / ValueError
    plain = json.loads(text)
    if plain != value:
        raise ValueError(f"{what} does not survive JSON unchanged (non-string keys, tuples?)")
    return plain


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"duplicate key {key!r}")
            seen.add(key)
    return data


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
