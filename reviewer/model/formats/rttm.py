"""RTTM: the Rich Transcription Time Marked format (NIST), SPEAKER lines.

A SPEAKER line has ten whitespace-separated fields::

    SPEAKER <file-id> <channel> <onset> <duration> <NA> <NA> <speaker> <NA> <NA>

Nine fields (no last ``<NA>``) are accepted, as md-eval and dscore do. Other line types
(SPKR-INFO, LEXEME, ...), blank lines and ``#`` / ``;;`` comments are skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from reviewer.model.annotation import Track, Turn
from reviewer.model.formats.errors import FormatError
from reviewer.model.formats.files import (
    input_files,
    numbered_lines,
    parse_time_field,
    write_text_atomic,
)
from reviewer.model.time import format_milliseconds, to_milliseconds

_FIELDS = 10


def read_rttm(path: str | Path) -> dict[str, Track]:
    """Read the SPEAKER turns of an RTTM file, or of every ``*.rttm`` in a directory.

    Parameters
    ----------
    path
        A file or a directory.

    Returns
    -------
    dict
        One track per file id, in order of first appearance. A file id found in several
        files gets the turns of all of them.

    Raises
    ------
    FormatError
        Naming the file, the line and the problem, for the first malformed SPEAKER line.
    """
    turns: dict[str, list[Turn]] = {}
    channels: dict[str, str] = {}
    for file in input_files(path, ".rttm"):
        for number, line in numbered_lines(file):
            fields = line.split()
            if not fields or fields[0] != "SPEAKER":
                continue
            uri, channel, turn = _parse_speaker_line(fields, file, number)
            turns.setdefault(uri, []).append(turn)
            channels.setdefault(uri, channel)
    return {uri: Track(items, uri=uri, channel=channels[uri]) for uri, items in turns.items()}


def _parse_speaker_line(fields: list[str], file: Path, number: int) -> tuple[str, str, Turn]:
    if len(fields) not in (_FIELDS - 1, _FIELDS):
        raise FormatError(
            file, number, f"SPEAKER line has {len(fields)} fields, expected {_FIELDS}"
        )
    onset = parse_time_field(fields[3], "onset", file, number)
    duration = parse_time_field(fields[4], "duration", file, number)
    return fields[1], fields[2], Turn(onset, onset + duration, fields[7])


def format_rttm(tracks: Mapping[str, Track] | Iterable[Track]) -> str:
    """Format tracks as RTTM SPEAKER lines, sorted by file id, onset, offset and speaker.

    Times are written in seconds with millisecond precision.
    """
    rows = []
    for uri, track in _named(tracks):
        for turn in track.turns:
            start = to_milliseconds(turn.start)
            duration = to_milliseconds(turn.end) - start
            rows.append((uri, start, duration, turn.speaker, track.channel))
    rows.sort()
    return "".join(
        f"SPEAKER {uri} {channel} {format_milliseconds(start)} "
        f"{format_milliseconds(duration)} <NA> <NA> {speaker} <NA> <NA>\n"
        for uri, start, duration, speaker, channel in rows
    )


def write_rttm(path: str | Path, tracks: Mapping[str, Track] | Iterable[Track]) -> None:
    """Write tracks to an RTTM file atomically (temporary file, then rename).

    Parameters
    ----------
    path
        The file to write.
    tracks
        ``{file id: track}``, or tracks that carry their own ``uri``.
    """
    write_text_atomic(path, format_rttm(tracks))


def _named(tracks: Mapping[str, Track] | Iterable[Track]) -> list[tuple[str, Track]]:
    if isinstance(tracks, Mapping):
        return list(tracks.items())
    named = []
    for track in tracks:
        if not track.uri:
            raise ValueError("a track written to RTTM needs a file id (uri)")
        named.append((track.uri, track))
    return named
