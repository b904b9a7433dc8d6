"""RTTM: the Rich Transcription Time Marked format (NIST), read as md-eval-22 reads it.

A line has nine or ten whitespace-separated fields::

    <TYPE> <file-id> <channel> <onset> <duration> <ortho> <subtype> <speaker> <conf> [<slat>]

What reviewer reads, following md-eval-22.pl (``get_rttm_file``, lines 500-611):

- the type is case-insensitive (md-eval upper-cases it): ``speaker`` is ``SPEAKER``;
- ``SPEAKER`` lines are the speaker turns;
- ``NOSCORE``, ``NON-LEX`` and ``LEXEME`` lines, and the extent of the other timed types
  md-eval counts (``SEGMENT``, ``SU``, ``EDIT``, ``FILLER``, ``IP``, ``CB``, ``A/P``), are
  kept as the recording's :class:`~reviewer.model.exclusions.Exclusions`, which the scorers
  apply to a reference as md-eval does (``NON-SPEECH`` and ``NO_RT_METADATA`` do not take
  part in speaker diarization scoring);
- ``SPKR-INFO`` lines, blank lines and lines starting with ``#`` or ``;`` are skipped;
- channels: md-eval scores each (file, channel) on its own. A file id with turns in one
  channel is read as one track keyed by the file id; one with several channels gives one
  track per channel, keyed ``<file-id>:<channel>``. Channels compare case-insensitively;
- where md-eval is lenient, reviewer reads the same and warns (:class:`FormatWarning`, once
  per file and kind): a duration of ``<NA>`` is a zero-length turn, a ``*`` after a time
  (NIST's mark of an approximate time) is dropped, an unknown line type or ``NON-LEX``
  subtype (md-eval refuses the file) is reported;
- where reviewer is stricter, the file is refused with :class:`FormatError` naming the line:
  a turn line with fewer than 9 or more than 10 fields (often a speaker name with a space),
  a time that is not a number, a negative duration, text that is not UTF-8 or UTF-16.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from reviewer.io.files import (
    field_count_error,
    input_files,
    numbered_lines,
    parse_time_field,
    recording_keys,
    split_fields,
    write_text_atomic,
)
from reviewer.model.annotation import Span, Track, Turn, merge_spans
from reviewer.model.errors import warn
from reviewer.model.exclusions import Exclusions
from reviewer.model.time import format_milliseconds, parse_plain_column, to_milliseconds

_FIELDS = 10
# md-eval splits on Perl's \s over bytes: ASCII blanks only (split_fields). A no-break space
# (U+00A0) or an ideographic space (U+3000) inside a speaker name is part of the name.

#: Line types md-eval-22 knows (``%rttm_datatypes``, line 113); it refuses any other.
KNOWN_TYPES = frozenset(
    {
        "SEGMENT", "NOSCORE", "NO_RT_METADATA", "LEXEME", "NON-LEX", "NON-SPEECH", "FILLER",
        "EDIT", "IP", "SU", "CB", "A/P", "SPEAKER", "SPKR-INFO",
    }
)  # fmt: skip
#: Types whose times make md-eval's default extent of a recording (``uem_from_rttm``).
EXTENT_TYPES = frozenset(
    {"SEGMENT", "SPEAKER", "SU", "EDIT", "FILLER", "IP", "CB", "A/P", "LEXEME", "NON-LEX"}
)
#: ``NON-LEX`` subtypes md-eval-22 accepts (line 123).
NON_LEX_SUBTYPES = frozenset({"laugh", "breath", "lipsmack", "cough", "sneeze", "other"})


@dataclass
class RttmContents:
    """Everything an RTTM file (or a directory of them) says that scoring uses.

    Attributes
    ----------
    tracks
        Speaker turns, one :class:`Track` per (file id, channel), keyed by file id, or by
        ``<file-id>:<channel>`` for a file id with several channels; in order of first
        appearance.
    exclusions
        Scoring marks (``NOSCORE``, ``NON-LEX``, ``LEXEME``, extent), under the same keys,
        for the recordings that have any.
    """

    tracks: dict[str, Track] = field(default_factory=dict)
    exclusions: dict[str, Exclusions] = field(default_factory=dict)


@dataclass
class _Recording:
    uri: str
    channel: str
    turns: list[Turn] = field(default_factory=list)
    no_score: list[Span] = field(default_factory=list)
    non_lexical: list[Span] = field(default_factory=list)
    lexemes: list[Span] = field(default_factory=list)
    extent: Span | None = None
    speaker_lines: int = 0

    def stretch(self, span: Span) -> None:
        if self.extent is None:
            self.extent = span
        else:
            self.extent = Span(min(self.extent.start, span.start), max(self.extent.end, span.end))


def read_rttm(path: str | Path) -> dict[str, Track]:
    """Read the speaker turns of an RTTM file, or of every ``*.rttm`` in a directory.

    Parameters
    ----------
    path
        A file or a directory.

    Returns
    -------
    dict
        One track per (file id, channel): see :class:`RttmContents`. A file id found in
        several files gets the turns of all of them.

    Raises
    ------
    FormatError
        Naming the file, the line and the problem, for the first malformed line.
    """
    return read_rttm_contents(path).tracks


def read_rttm_contents(path: str | Path) -> RttmContents:
    """Read an RTTM file (or a directory of them) as md-eval-22 reads it.

    Parameters
    ----------
    path
        A file or a directory (every ``*.rttm`` in it, sorted).

    Returns
    -------
    RttmContents
        The speaker turns and the scoring marks, per (file id, channel).

    Raises
    ------
    FormatError
        Naming the file, the line and the problem, for the first malformed line.
    """
    recordings: dict[tuple[str, str], _Recording] = {}
    for file in input_files(path, ".rttm"):
        _read_file(file, recordings)
    silent = [key for key, recording in recordings.items() if not recording.speaker_lines]
    for uri, channel in silent:  # md-eval scores a (file, channel) only with SPEAKER lines
        warn(
            path,
            None,
            f"file id {uri!r} channel {recordings[(uri, channel)].channel!r} has lines but no "
            "SPEAKER line: it is not a recording to score (md-eval-22 skips it too)",
            stacklevel=3,
        )
        del recordings[(uri, channel)]
    contents = RttmContents()
    for key, recording in recording_keys(recordings, lambda r: r.channel):
        contents.tracks[key] = Track(recording.turns, uri=recording.uri, channel=recording.channel)
        marks = Exclusions(
            tuple(recording.no_score),
            tuple(recording.non_lexical),
            tuple(recording.lexemes),
            recording.extent,
        )
        if marks or marks.lexemes:
            contents.exclusions[key] = marks
    return contents


def _read_file(file: Path, recordings: dict[tuple[str, str], _Recording]) -> None:
    """Add one file's lines to ``recordings`` (keyed by file id and lower-case channel)."""
    lines = [line for _, line in numbered_lines(file)]
    if not _read_plain(lines, recordings):
        _read_lines(file, lines, recordings)


def _read_plain(lines: list[str], recordings: dict[tuple[str, str], _Recording]) -> bool:
    """Add a file of plain SPEAKER lines at once; False (nothing added) for any other file.

    Plain: every line is printable ASCII (no blank but the space, so ``str.split`` splits as
    :func:`split_fields` does) with 9 or 10 fields, of type ``SPEAKER`` and subtype
    ``<NA>``, plain decimal times (:func:`~reviewer.model.time.parse_plain_column`), all
    in one (file id, channel). Such a file reads exactly as :func:`_read_lines` reads it,
    without a warning, 20,000 lines in milliseconds instead of a second; any other file is
    left to :func:`_read_lines`, which warns and refuses line by line.
    """
    joined = " ".join(lines)
    if not lines or not joined.isascii() or not joined.isprintable():
        return False
    rows = [line.split() for line in lines]
    if not {len(row) for row in rows} <= {_FIELDS - 1, _FIELDS}:
        return False
    columns = list(zip(*rows, strict=False))  # the first 9 fields (a 10th is optional)
    kinds, uris, channels, onsets, durations, _, subtypes, speakers = columns[:8]
    if set(kinds) != {"SPEAKER"} or {subtype.lower() for subtype in set(subtypes)} != {"<na>"}:
        return False
    if len(set(uris)) != 1 or len({channel.lower() for channel in set(channels)}) != 1:
        return False
    starts = parse_plain_column(onsets)
    lengths = parse_plain_column(durations)
    if starts is None or lengths is None:
        return False
    key = (uris[0], channels[0].lower())
    recording = recordings.get(key)
    if recording is None:
        recording = recordings[key] = _Recording(uris[0], channels[0])
    ends = starts + lengths  # each below 2**62: no overflow
    recording.turns.extend(map(Turn, starts.tolist(), ends.tolist(), speakers))
    recording.speaker_lines += len(rows)
    return True


def _read_lines(
    file: Path, lines: list[str], recordings: dict[tuple[str, str], _Recording]
) -> None:
    """Add a file's lines one by one, with md-eval's leniencies (warned) and refusals."""
    lenient: dict[str, list[int]] = {}  # what md-eval accepts and reviewer reports, by kind
    for number, line in enumerate(lines, start=1):
        fields = split_fields(line)
        if not fields or fields[0].startswith(("#", ";")):
            continue
        kind = fields[0].upper()
        if kind == "SPKR-INFO":
            continue
        if kind not in KNOWN_TYPES:
            lenient.setdefault(f"unknown line type {fields[0]!r} ignored", []).append(number)
            continue
        if kind not in EXTENT_TYPES and kind != "NOSCORE":
            continue  # NON-SPEECH, NO_RT_METADATA: not used for speaker diarization
        if len(fields) not in (_FIELDS - 1, _FIELDS):
            hint = " (a speaker name with a space?)" if len(fields) > _FIELDS else ""
            raise field_count_error(file, number, kind, len(fields), f"{_FIELDS}{hint}")
        span = _span(fields, file, number, lenient)
        uri, channel = fields[1], fields[2]
        recording = recordings.get((uri, channel.lower()))
        if recording is None:
            recording = recordings[(uri, channel.lower())] = _Recording(uri, channel)
        if kind == "SPEAKER":
            recording.turns.append(Turn(span.start, span.end, fields[7]))
            recording.speaker_lines += 1
            if fields[6].lower() != "<na>":
                lenient.setdefault(
                    f"SPEAKER subtype {fields[6]!r} is not <NA> (md-eval-22 refuses it); "
                    "the turn is read",
                    [],
                ).append(number)
            continue
        if kind == "NOSCORE":
            recording.no_score.append(span)
            continue
        recording.stretch(span)
        if kind == "LEXEME":
            recording.lexemes.append(span)
        elif kind == "NON-LEX":
            recording.non_lexical.append(span)
            if fields[6].lower() not in NON_LEX_SUBTYPES:
                lenient.setdefault(
                    f"NON-LEX subtype {fields[6]!r} is not one md-eval-22 accepts "
                    f"({', '.join(sorted(NON_LEX_SUBTYPES))}); the region is not scored "
                    "like any NON-LEX",
                    [],
                ).append(number)
    for problem, numbers in lenient.items():
        more = f" (and {len(numbers) - 1} more lines)" if len(numbers) > 1 else ""
        warn(file, numbers[0], f"{problem}{more}", stacklevel=4)


def _span(fields: list[str], file: Path, number: int, lenient: dict[str, list[int]]) -> Span:
    """The line's onset and onset + duration, with md-eval's leniencies (reported)."""
    onset_text, duration_text = fields[3], fields[4]
    if onset_text.endswith("*") or duration_text.endswith("*"):
        lenient.setdefault(
            "'*' after a time (NIST's mark of an approximate time) dropped, as md-eval-22 does",
            [],
        ).append(number)
        onset_text, duration_text = onset_text.rstrip("*"), duration_text.rstrip("*")
    onset = parse_time_field(onset_text, "onset", file, number)
    if duration_text.lower() == "<na>":
        lenient.setdefault(
            "duration <NA> read as 0 (a zero-length turn), as md-eval-22 does", []
        ).append(number)
        return Span(onset, onset)
    duration = parse_time_field(duration_text, "duration", file, number)
    return Span(onset, onset + duration)


def format_rttm(tracks: Mapping[str, Track] | Iterable[Track], canonical: bool = False) -> str:
    """Format tracks as RTTM SPEAKER lines, sorted by file id, onset, offset and speaker.

    Times are written in seconds with millisecond precision; each track's channel is kept.

    Parameters
    ----------
    tracks
        As for :func:`write_rttm`.
    canonical
        Write each speaker's turns that overlap or touch (at millisecond precision) as one
        line, spanning them all. md-eval-22 counts a speaker once where their turns overlap
        or touch (``create_speaker_segs``) and refuses a file whose turns of one speaker
        overlap ("FATAL ERROR: RTTM file has overlapping SPEAKER tokens",
        ``get_rttm_file``, line 594), so the file scores as the pieces do and md-eval reads
        it. (Scored as a *reference* with a collar it differs in one way: md-eval puts a
        collar round every reference turn's ends, so the point where two pieces touched
        gets none.) Without it, every turn is one line, as it is.
    """
    rows = []
    for uri, track in _named(tracks):
        pieces: dict[str, list[Span]] = {}
        for turn in track.turns:
            span = Span(to_milliseconds(turn.start), to_milliseconds(turn.end))
            pieces.setdefault(turn.speaker, []).append(span)
        for speaker, spans in pieces.items():
            for span in merge_spans(spans) if canonical else spans:
                rows.append((uri, span.start, span.duration, speaker, track.channel))
    rows.sort()
    return "".join(
        f"SPEAKER {uri} {channel} {format_milliseconds(start)} "
        f"{format_milliseconds(duration)} <NA> <NA> {speaker} <NA> <NA>\n"
        for uri, start, duration, speaker, channel in rows
    )


def write_rttm(
    path: str | Path, tracks: Mapping[str, Track] | Iterable[Track], canonical: bool = False
) -> None:
    """Write tracks to an RTTM file atomically (temporary file, then rename).

    Parameters
    ----------
    path
        The file to write.
    tracks
        ``{file id: track}`` (a key ``<file-id>:<channel>`` from :func:`read_rttm` is written
        as the file id and channel), or tracks that carry their own ``uri``.
    canonical
        One line for each speaker's turns that overlap or touch (see :func:`format_rttm`):
        how reviewer exports a corrected track.
    """
    write_text_atomic(path, format_rttm(tracks, canonical))


def _named(tracks: Mapping[str, Track] | Iterable[Track]) -> list[tuple[str, Track]]:
    if isinstance(tracks, Mapping):  # a key "<file-id>:<channel>" names a file id's channel
        return [
            (track.uri if track.uri and key == f"{track.uri}:{track.channel}" else key, track)
            for key, track in tracks.items()
        ]
    named = []
    for track in tracks:
        if not track.uri:
            raise ValueError("a track written to RTTM needs a file id (uri)")
        named.append((track.uri, track))
    return named
