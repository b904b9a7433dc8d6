"""STM: the segment time mark format of NIST sclite, one utterance per line.

Each line is::

    <file-id> <channel> <speaker> <start> <end> [<label>] <text ...>

with times in seconds, an optional label such as ``<o,f0,male>`` and the words to the end of
the line (possibly none), as sclite's ``stm`` format describes it. Fields are separated by
ASCII blanks only, as sclite splits them: a no-break space is part of a name or word.

Honoured
    UTF-8 (or UTF-16 with a byte order mark); blank lines and ``;;`` / ``#`` comments
    (``;; LABEL`` definitions included) skipped. A speaker named ``unknown`` is read as no
    speaker. Several recordings (file ids): the first is read, or the one asked for.
Read, with a warning
    A file without any utterance (empty, or comments only); a file holding several
    recordings (which one was read); a recording with several
    channels (``A`` / ``B`` of a telephone call), read together as one transcript; the
    label field, which is not kept; the lines sclite does not score as speech (speaker
    ``inter_segment_gap`` or ``excluded_region``, text ``ignore_time_segment_in_scoring``),
    not read: a transcript cannot mark a region left out of scoring.
Refused
    A line with fewer than five fields, a time that is not a number, negative, or beyond
    82 years, an utterance ending before it starts (naming the line).
Written, with a warning on the written file
    Word times (STM holds utterances); a file id or speaker name with ASCII blanks, written
    with ``_`` for them, and one that would then be another speaker's name, or ``unknown``
    (no speaker), ``inter_segment_gap`` or ``excluded_region``, written with a number added
    (``Ana_Maria_2``): speakers are never merged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reviewer.io.files import field_count_error, field_lines, parse_time_field, write_text_atomic
from reviewer.io.transcripts.common import (
    UNKNOWN_SPEAKER,
    Losses,
    Written,
    check_span,
    empty_warning,
    file_id,
    one_line,
    pick_recording,
    several_channels,
    speaker_from_name,
    speaker_names,
    token,
    word_times_not_kept,
)
from reviewer.model.errors import warn
from reviewer.model.time import format_seconds
from reviewer.model.transcript import Transcript, Utterance

_MIN_FIELDS = 5
_NON_SPEECH_SPEAKERS = frozenset({"inter_segment_gap", "excluded_region"})
_NON_SPEECH_TEXT = "ignore_time_segment_in_scoring"
_LABEL_FOR_TEXT = "<o>"
"""The label written before a text that starts with ``<``, so it is not read as a label."""
_PLAIN_LABELS = frozenset({"<o>", "<>"})
"""Labels that say nothing (reviewer writes ``<o>`` before a text starting with ``<``)."""


def read_stm(path: str | Path, uri: str | None = None) -> Transcript:
    """Read the utterances of one recording from an STM file.

    Parameters
    ----------
    path
        The file.
    uri
        The file id to read when the file holds several recordings; by default the first
        one (with a warning if there are others).

    Returns
    -------
    Transcript
        Its ``uri`` is the file id; a speaker named ``unknown`` is read as None.

    Raises
    ------
    FormatError
        Naming the file, the line and the problem, for the first malformed line.
    """
    path = Path(path)
    recordings: dict[str, _Recording] = {}
    for number, fields in field_lines(path):
        if len(fields) < _MIN_FIELDS:
            raise field_count_error(
                path,
                number,
                "STM",
                len(fields),
                f"at least {_MIN_FIELDS} (file channel speaker start end [<label>] text...)",
            )
        start = parse_time_field(fields[3], "start", path, number)
        end = parse_time_field(fields[4], "end", path, number)
        check_span(path, number, None, start, end)
        recording = recordings.setdefault(fields[0], _Recording())
        recording.channels.setdefault(fields[1], number)
        words = fields[5:]
        if words and words[0].startswith("<") and words[0].endswith(">"):
            if words[0].lower() not in _PLAIN_LABELS:
                recording.labels.setdefault(words[0].lower(), number)
            words = words[1:]
        if _is_non_speech(fields[2], words):
            recording.excluded.append(number)
            continue
        recording.utterances.append(
            Utterance(start, end, " ".join(words), speaker_from_name(fields[2]))
        )
    if not recordings and uri is None:
        return empty_warning(path, Transcript())
    uri, recording = pick_recording(path, recordings, uri)
    recording.report(path, uri)
    return empty_warning(path, Transcript(recording.utterances, uri=uri))


@dataclass
class _Recording:
    """What an STM file says about one recording, and where (first line of each)."""

    utterances: list[Utterance] = field(default_factory=list)
    channels: dict[str, int] = field(default_factory=dict)
    labels: dict[str, int] = field(default_factory=dict)
    excluded: list[int] = field(default_factory=list)

    def report(self, path: Path, uri: str) -> None:
        """Warn about what the transcript of this recording does not keep."""
        several_channels(path, uri, self.channels)
        if self.labels:
            shown = ", ".join(list(self.labels)[:3]) + (", ..." if len(self.labels) > 3 else "")
            warn(
                path,
                next(iter(self.labels.values())),
                f"the label field ({shown}) is not kept",
            )
        if self.excluded:
            warn(
                path,
                self.excluded[0],
                f"{len(self.excluded)} lines marking regions sclite does not score as speech "
                "(inter_segment_gap, excluded_region, ignore_time_segment_in_scoring) are "
                "not read: a transcript cannot mark them",
            )


def _is_non_speech(speaker: str, words: list[str]) -> bool:
    return speaker.lower() in _NON_SPEECH_SPEAKERS or (
        len(words) == 1 and words[0].lower() == _NON_SPEECH_TEXT
    )


def format_stm(
    transcript: Transcript, uri: str, channel: str = "1", losses: Losses | None = None
) -> str:
    """Format a transcript as STM lines (times with millisecond precision).

    An utterance without speaker is written as speaker ``unknown``; line breaks and runs of
    blanks in a text become single spaces. A file id or speaker name an STM field cannot
    hold is written changed, never merged with another (see
    :func:`~reviewer.io.transcripts.common.speaker_names`), and word times are
    not written: each is recorded in ``losses``.
    """
    losses = losses if losses is not None else Losses()
    written_id = file_id(uri, losses)
    names = speaker_names(
        transcript,
        losses,
        token,
        "blanks become '_' in an STM field",
        _reserved,
    )
    word_times_not_kept(transcript, losses, "STM")
    lines = []
    for utterance in transcript:
        text = one_line(utterance.text)
        if text.startswith("<"):
            text = f"{_LABEL_FOR_TEXT} {text}"
        fields = [
            written_id,
            channel,
            names[utterance.speaker] if utterance.speaker else UNKNOWN_SPEAKER,
            format_seconds(utterance.start),
            format_seconds(utterance.end),
            text,
        ]
        lines.append(" ".join(fields).rstrip() + "\n")
    return "".join(lines)


def _reserved(name: str) -> str | None:
    """Why a speaker name means something else in STM (sclite's non-speech speakers)."""
    if name == UNKNOWN_SPEAKER:
        return f"{UNKNOWN_SPEAKER!r} means no speaker"
    if name.lower() in _NON_SPEECH_SPEAKERS:
        return f"{name!r} marks a region sclite does not score"
    return None


def write_stm(path: str | Path, transcript: Transcript) -> Written:
    """Write a transcript to an STM file atomically (see :func:`format_stm`).

    The file id is the transcript's ``uri``, or the file name without extension. What STM
    cannot hold is reported with a :class:`~reviewer.io.FormatWarning` on
    ``path`` once it is written.
    """
    path = Path(path)
    losses = Losses()
    text = format_stm(transcript, transcript.uri or path.stem, losses=losses)
    write_text_atomic(path, text)
    return losses.written(path, transcript, len(transcript), "utterance", len(transcript.speakers))
