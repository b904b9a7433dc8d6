"""CTM: the time-marked conversation format of NIST sclite, one word per line.

Each line is::

    <file-id> <channel> <start> <duration> <word> [<confidence>]

with times in seconds and a confidence that is a number or ``NA``, as sclite's ``ctm``
format describes it. CTM has no speakers and no utterances: words are grouped into
utterances, a new one starting wherever the silence since the last word reaches
:data:`UTTERANCE_GAP`. Fields are separated by ASCII blanks only, as sclite splits them.

Honoured
    UTF-8 (or UTF-16 with a byte order mark); blank lines and ``;;`` / ``#`` comments
    skipped. Every word with its exact times. Several recordings (file ids): the first is
    read, or the one asked for.
Read, with a warning
    A file without any word (empty, or comments only); a file holding several recordings
    (which one was read); a recording with several channels, read together; confidences,
    which are not kept.
Refused
    A line with other than 5 or 6 fields, a time that is not a number, negative, or beyond
    82 years, a confidence that is not a number nor ``NA`` (naming the line).
Written, with a warning on the written file
    Every speaker is left out (CTM has none); an utterance without text writes nothing;
    the words of a text without times of their own (WhisperX's unaligned numbers) are left
    out; an utterance without word times is written as its words sharing its time evenly;
    a file id with blanks or starting like a comment is written changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path

from reviewer.io.files import (
    field_count_error,
    field_lines,
    parse_time_field,
    split_fields,
    write_text_atomic,
)
from reviewer.io.transcripts.common import (
    Losses,
    Written,
    check_time,
    empty_warning,
    file_id,
    pick_recording,
    plural,
    several_channels,
    untimed_words,
)
from reviewer.model.errors import FormatError, warn
from reviewer.model.time import TICKS_PER_SECOND, format_milliseconds, to_milliseconds
from reviewer.model.transcript import Transcript, Utterance, Word

UTTERANCE_GAP = TICKS_PER_SECOND // 2
"""Silence (ticks) between two words at which a new utterance starts: 0.5 s."""

_FIELDS = (5, 6)


def read_ctm(path: str | Path, uri: str | None = None) -> Transcript:
    """Read the words of one recording from a CTM file, grouped into utterances.

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
        Utterances with their words and no speaker; its ``uri`` is the file id.

    Raises
    ------
    FormatError
        Naming the file, the line and the problem, for the first malformed line.
    """
    path = Path(path)
    recordings: dict[str, list[Word]] = {}
    channels: dict[str, dict[str, int]] = {}
    confidences: dict[str, int] = {}
    for number, fields in field_lines(path):
        if len(fields) not in _FIELDS:
            raise field_count_error(
                path,
                number,
                "CTM",
                len(fields),
                "5 or 6 (file channel start duration word [confidence])",
            )
        start = parse_time_field(fields[2], "start", path, number)
        duration = parse_time_field(fields[3], "duration", path, number)
        end = check_time(path, number, None, start + duration)
        if len(fields) == 6 and _check_confidence(fields[5], path, number):
            confidences.setdefault(fields[0], number)
        channels.setdefault(fields[0], {}).setdefault(fields[1], number)
        recordings.setdefault(fields[0], []).append(Word(start, end, fields[4]))
    if not recordings and uri is None:
        return empty_warning(path, Transcript())
    uri, words = pick_recording(path, recordings, uri)
    several_channels(path, uri, channels.get(uri, {}))
    if uri in confidences:
        warn(path, confidences[uri], "word confidences are not kept")
    return empty_warning(path, Transcript(group_words(words), uri=uri))


def _check_confidence(text: str, path: Path, line: int) -> bool:
    """Whether the confidence field holds a number (False for ``NA``).

    Raises
    ------
    FormatError
        If it is neither.
    """
    if text.upper() == "NA":
        return False
    try:
        if Decimal(text).is_finite():
            return True
    except InvalidOperation:
        pass
    raise FormatError(path, line, f"confidence {text!r} is not a number (nor NA)")


def group_words(words: Iterable[Word], gap: int = UTTERANCE_GAP) -> list[Utterance]:
    """Group words into speaker-less utterances, split at silences of ``gap`` ticks or more."""
    groups: list[list[Word]] = []
    end = 0
    for word in sorted(words):
        if not groups or word.start - end >= gap:
            groups.append([])
            end = word.end
        groups[-1].append(word)
        end = max(end, word.end)
    return [
        Utterance(
            group[0].start,
            max(w.end for w in group),
            " ".join(w.text for w in group),
            words=tuple(group),
        )
        for group in groups
    ]


def format_ctm(
    transcript: Transcript, uri: str, channel: str = "1", losses: Losses | None = None
) -> str:
    """Format a transcript as CTM lines, one per word, with millisecond precision.

    CTM holds words without speakers, so what it cannot hold is recorded in ``losses``:
    the speakers; an utterance without text (nothing is written for it); the words of a
    text that have no times (WhisperX's unaligned numbers: not written); an utterance
    without word times, whose words are written sharing its time evenly, times the source
    does not give (one word takes the utterance's time, which is not reported).
    """
    losses = losses if losses is not None else Losses()
    written_id = file_id(uri, losses)
    lines = []
    spoken = [u for u in transcript if u.speaker]
    if spoken:
        losses.add(
            f"the speakers of {plural(len(spoken), 'utterance')} "
            f"({', '.join(map(repr, transcript.speakers[:5]))}"
            f"{', ...' if len(transcript.speakers) > 5 else ''}) are not written: CTM has no "
            "speaker field",
            f"speakers of {plural(len(spoken), 'utterance')} not written",
        )
    empty = [u for u in transcript if not split_fields(u.text) and not u.words]
    if empty:
        losses.add(
            f"{plural(len(empty), 'utterance')} without text "
            f"{'is' if len(empty) == 1 else 'are'} not written: CTM holds words",
            f"{plural(len(empty), 'utterance')} without text not written",
        )
    untimed = [word for u in transcript for word in untimed_words(u)]
    if untimed:
        shown = ", ".join(map(repr, untimed[:5])) + (", ..." if len(untimed) > 5 else "")
        losses.add(
            f"{plural(len(untimed), 'word')} without times ({shown}) "
            f"{'is' if len(untimed) == 1 else 'are'} not written: a CTM line needs times "
            "(the source has it in its utterance's text only)",
            f"{plural(len(untimed), 'word')} without times not written",
        )
    shared = 0
    for utterance in transcript:
        spans = utterance.words or (Word(utterance.start, utterance.end, utterance.text),)
        for span in spans:
            parts = _share(span)
            if len(parts) > 1:
                shared += len(parts)
            for start, end, word in parts:
                lines.append(
                    f"{written_id} {channel} {format_milliseconds(start)} "
                    f"{format_milliseconds(end - start)} {word}\n"
                )
    closer = _merged_on_reading(transcript)
    if closer:
        losses.add(
            f"utterance bounds are not written (CTM holds words): read back, words are grouped "
            f"at silences of {UTTERANCE_GAP / TICKS_PER_SECOND:g} s or more, so "
            f"{plural(closer, 'utterance')} closer than that to the one before "
            f"{'is' if closer == 1 else 'are'} merged with it",
            f"{plural(closer, 'utterance')} merged on reading",
        )
    if shared:
        losses.add(
            f"{plural(shared, 'word')} without times of their own written sharing their "
            "utterance's (or word's) time evenly: times the source does not give",
            f"times of {plural(shared, 'word')} shared evenly",
        )
    return "".join(lines)


def _merged_on_reading(transcript: Transcript) -> int:
    """How many utterances with words would join the previous one when the CTM is read."""
    count = 0
    end: int | None = None
    for utterance in transcript:
        spans = utterance.words or (Word(utterance.start, utterance.end, utterance.text),)
        written = [w for w in spans if split_fields(w.text)]
        if not written:
            continue
        start = min(to_milliseconds(w.start) for w in written) * (TICKS_PER_SECOND // 1000)
        if end is not None and start - end < UTTERANCE_GAP:
            count += 1
        last = max(to_milliseconds(w.end) for w in written) * (TICKS_PER_SECOND // 1000)
        end = last if end is None else max(end, last)
    return count


def _share(span: Word) -> list[tuple[int, int, str]]:
    """The words of ``span`` with its time (in milliseconds) shared evenly between them."""
    words = split_fields(span.text)
    start, end = to_milliseconds(span.start), to_milliseconds(span.end)
    bounds = [start + (end - start) * i // len(words) for i in range(len(words))] + [end]
    return [(bounds[i], bounds[i + 1], word) for i, word in enumerate(words)]


def write_ctm(path: str | Path, transcript: Transcript) -> Written:
    """Write a transcript to a CTM file atomically (see :func:`format_ctm`).

    The file id is the transcript's ``uri``, or the file name without extension. What CTM
    cannot hold is reported with a :class:`~reviewer.io.FormatWarning` on
    ``path`` once it is written.
    """
    path = Path(path)
    losses = Losses()
    text = format_ctm(transcript, transcript.uri or path.stem, losses=losses)
    write_text_atomic(path, text)
    return losses.written(path, transcript, text.count("\n"), "word", None)
