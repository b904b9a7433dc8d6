"""Helpers shared by the transcript readers and writers (one place, no copy-paste)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sized
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TypeVar

from reviewer.io.files import MAX_TICKS, one_line, seconds_to_ticks, split_fields, split_lines
from reviewer.io.transcripts.cues import split_prefix
from reviewer.model.errors import FormatError, warn
from reviewer.model.time import (
    TICKS_PER_SECOND,
    format_seconds,
    to_milliseconds,
)
from reviewer.model.transcript import Transcript, Utterance

T = TypeVar("T")

UNKNOWN_SPEAKER = "unknown"
"""The speaker name (tier, STM field) of utterances whose speaker is not known, both ways."""

TICKS_PER_MILLISECOND = TICKS_PER_SECOND // 1000
"""Ticks in one millisecond, the precision of most subtitle and annotation formats."""


# -- reading ------------------------------------------------------------------------------------


def line_of(text: str, offset: int) -> int:
    """The 1-based line of character ``offset`` in ``text``, skipping leading blank space."""
    while offset < len(text) and text[offset].isspace():
        offset += 1
    return len(split_lines(text[:offset]))


def check_span(
    path: Path, line: int | None, element: str | None, start: int, end: int
) -> tuple[int, int]:
    """``(start, end)``, after checking that the span does not end before it starts.

    Raises
    ------
    FormatError
        Naming the line or the element (``"cue 3"``, ``"segments[2]"``) otherwise.
    """
    if end < start:
        where = f"{element}: " if element else ""
        raise FormatError(
            path,
            line,
            f"{where}ends ({format_seconds(end)}) before it starts ({format_seconds(start)})",
        )
    return start, end


def check_time(path: Path, line: int | None, element: str | None, ticks: int) -> int:
    """``ticks``, after checking that it is a time a recording can have.

    Raises
    ------
    FormatError
        Naming the line or the element, if the time is negative or beyond
        :data:`~reviewer.io.files.MAX_TICKS` (about 82 years).
    """
    where = f"{element}: " if element else ""
    if abs(ticks) > MAX_TICKS:
        raise FormatError(path, line, f"{where}time is too large (more than 82 years)")
    if ticks < 0:
        raise FormatError(path, line, f"{where}time {format_seconds(ticks)} s is negative")
    return ticks


def element_error(path: Path, element: str, problem: str) -> FormatError:
    """A :class:`FormatError` located by an element (tier, cue, JSON path) instead of a line."""
    return FormatError(path, None, f"{element}: {problem}")


def element_seconds(path: Path, element: str, seconds: Decimal) -> int:
    """A number of seconds read from a JSON element, in ticks (possibly negative).

    Raises
    ------
    FormatError
        Located by ``element``, if no recording can have it (see
        :func:`~reviewer.io.files.seconds_to_ticks`).
    """
    try:
        return seconds_to_ticks(str(seconds))
    except ValueError as error:
        raise element_error(path, element, str(error)) from None


def pick_recording(path: Path, recordings: Mapping[str, T], uri: str | None) -> tuple[str, T]:
    """The recording ``uri`` of a multi-recording file, or its first one (with a warning).

    ``recordings`` must not be empty unless ``uri`` is given.

    Raises
    ------
    FormatError
        If ``uri`` is given and the file has no such recording.
    """
    if uri is not None:
        if uri not in recordings:
            held = ", ".join(map(repr, recordings)) or "none"
            raise FormatError(path, None, f"no recording {uri!r} (it holds {held})")
        return uri, recordings[uri]
    first = next(iter(recordings))
    if len(recordings) > 1:
        warn(
            path,
            None,
            f"holds {len(recordings)} recordings ({', '.join(recordings)}); "
            f"only the first, {first!r}, is read (pass uri= to choose)",
        )
    return first, recordings[first]


def speaker_from_name(name: str) -> str | None:
    """A speaker read from a name field or a tier: :data:`UNKNOWN_SPEAKER` means None."""
    return None if name == UNKNOWN_SPEAKER else name


def several_channels(path: Path, uri: str, channels: Mapping[str, int]) -> None:
    """Warn that a recording of a NIST line format (STM, CTM) has several channels, if so.

    ``channels`` maps each channel, in reading order, to the first line that names it; the
    warning names the line of the second one. The caller's caller is the warning's origin.
    """
    if len(channels) > 1:
        warn(
            path,
            list(channels.values())[1],
            f"recording {uri!r} has {len(channels)} channels "
            f"({', '.join(channels)}): read together as one transcript",
            stacklevel=3,
        )


def and_more(found: Sized) -> str:
    """``" (and 2 more)"`` after the first of ``found`` named in a warning; empty for one."""
    return f" (and {len(found) - 1} more)" if len(found) > 1 else ""


class NotFinite:
    """``NaN``, ``Infinity`` or an unreadable number in the JSON text, refused where used.

    An unreadable number is one whose exponent Python's decimals cannot hold
    (``1e-99999999999999999999``).
    """

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name[:40]


def json_number(text: str) -> Decimal | NotFinite:
    """A JSON number read exactly, or a :class:`NotFinite` if decimals cannot hold it.

    For ``json.loads(parse_float=json_number, parse_int=json_number)``.
    """
    try:
        return Decimal(text)
    except InvalidOperation:
        return NotFinite(text)


# -- writing ------------------------------------------------------------------------------------


def token(text: str) -> str:
    """``text`` as one field of a whitespace-separated format: inner ASCII blanks become ``_``.

    A no-break space stays: STM, CTM and RTTM fields are split on ASCII blanks only.
    """
    return "_".join(split_fields(text))


def empty_warning(path: Path, transcript: Transcript) -> Transcript:
    """``transcript``, after warning if it holds no utterance (an empty or comment-only file).

    Every reader ends with it, so that a file read as nothing is never taken for a
    transcript without a word.
    """
    if not transcript.utterances:
        warn(path, None, "holds no utterance: the transcript read is empty", stacklevel=3)
    return transcript


def cannot_write(path: Path | None, problem: str) -> ValueError:
    """The error of a writer refusing a transcript: a :class:`FormatError` naming ``path``.

    Without a path (a ``format_*`` function called on its own), a plain ``ValueError``.
    """
    return FormatError(path, None, problem) if path is not None else ValueError(problem)


def plural(count: int, noun: str) -> str:
    """``"1 utterance"``, ``"2 utterances"``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


@dataclass(frozen=True)
class Written:
    """What a writer put in a file, counted in the format's own units.

    Attributes
    ----------
    path
        The file written.
    transcript
        The transcript given to the writer (for :func:`convert`, the one read).
    count
        How many ``unit`` were written.
    unit
        What the format writes one of per utterance (``"turn"``, ``"cue"``, ``"word"``).
    speakers
        How many distinct speakers were written; None for a format without speakers (CTM).
    left_out
        Short accounts of what the format could not hold, one per
        :class:`~reviewer.io.FormatWarning` the writer issued on ``path``
        (``"1 utterance without speaker not written"``).
    """

    path: Path
    transcript: Transcript
    count: int
    unit: str
    speakers: int | None
    left_out: tuple[str, ...] = ()

    def summary(self) -> str:
        """One line for the user: ``wrote x.rttm: 6 turns of 2 speakers (...)``."""
        line = f"wrote {self.path}: {plural(self.count, self.unit)}"
        if self.speakers is not None:
            line += f" of {plural(self.speakers, 'speaker')}" if self.speakers else ", no speaker"
        if self.left_out:
            line += f" ({'; '.join(self.left_out)})"
        return line


class Losses:
    """What a writer changes or leaves out of a transcript, gathered while it formats.

    Nothing is reported before the file is written: :meth:`written` issues one
    :class:`~reviewer.io.FormatWarning` on the written file per loss (one line
    on stderr from the command line) and returns the :class:`Written` summary.
    """

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, problem: str, short: str) -> None:
        """Record a loss: ``problem`` for the warning, ``short`` for the summary line."""
        self.items.append((problem, short))

    def written(
        self, path: Path, transcript: Transcript, count: int, unit: str, speakers: int | None
    ) -> Written:
        """Warn about each loss on ``path`` and say what was written."""
        for problem, _ in self.items:
            warn(path, None, problem, stacklevel=3)
        left_out = tuple(short for _, short in self.items)
        return Written(path, transcript, count, unit, speakers, left_out)


Reserved = Callable[[str], str | None]
"""Says why a name cannot be written as it is (it means something else there), or None."""


def _nothing_reserved(name: str) -> str | None:
    return None


def speaker_names(
    transcript: Transcript,
    losses: Losses,
    normal: Callable[[str], str],
    why: str,
    reserved: Reserved = _nothing_reserved,
) -> dict[str, str]:
    """The name each speaker is written under: as it is when the format holds it, else changed.

    Speaker names are never merged: a name the format cannot hold as written is written as
    ``normal(name)`` (blanks as ``_`` in a field, line breaks as spaces), and when that is
    another speaker's name or one the format reserves (``unknown``, no speaker, in STM,
    TextGrid and EAF), a number is added (``Ana_Maria_2``). Every change is reported.

    Parameters
    ----------
    transcript
        Whose speakers to name.
    losses
        Where the changes are recorded.
    normal
        The name as the format writes it, for names it cannot hold as written.
    why
        Why names change, for the warning (``"an RTTM field cannot hold blanks"``).
    reserved
        Says why a name means something else in the format, or None.

    Returns
    -------
    dict
        ``{speaker: written name}`` for every speaker of the transcript.
    """
    names = transcript.speakers
    kept = {n for n in names if normal(n) == n and reserved(n) is None}
    taken = set(kept)
    written: dict[str, str] = {}
    changes: list[str] = []
    for name in names:
        if name in kept:
            written[name] = name
            continue
        base = normal(name) or "_"
        candidate, number = base, 1
        while candidate in taken or reserved(candidate) is not None:
            number += 1
            candidate = f"{base}_{number}"
        taken.add(candidate)
        written[name] = candidate
        change = f"{name!r} as {candidate!r}"
        if candidate != base:
            change += f" ({reserved(base) or f'{base!r} is another speaker'})"
        changes.append(change)
    if changes:  # every change is named: a reader of the file must be able to map them back
        losses.add(
            f"{plural(len(changes), 'speaker name')} written changed, as {why} (a number "
            f"added where a name would be another's): {', '.join(changes)}",
            f"{plural(len(changes), 'speaker')} renamed",
        )
    return written


def file_id(uri: str, losses: Losses) -> str:
    """The file id of a NIST line format (STM, CTM): one field, not read as a comment.

    Blanks become ``_``; an id starting with ``#`` or ``;;`` (which would make every line a
    comment) gets a ``_`` before it. A change is reported.
    """
    written = token(uri) or "_"
    if written.startswith(("#", ";;")):
        written = "_" + written
    if written != uri:
        losses.add(
            f"file id {uri!r} written as {written!r} (a field cannot hold blanks, and a line "
            "starting with '#' or ';;' is a comment)",
            "file id changed",
        )
    return written


def word_times_not_kept(transcript: Transcript, losses: Losses, what: str) -> None:
    """Report the word times a format without words cannot hold (their text is kept)."""
    count = sum(len(u.words) for u in transcript)
    if count:
        losses.add(
            f"the times of {plural(count, 'word')} are not written: {what} holds utterances, "
            "not words (their text is kept)",
            "word times not written",
        )


def untimed_words(utterance: Utterance) -> list[str]:
    """The words of an utterance's text that are none of its timed words, in text order.

    WhisperX leaves numbers and symbols unaligned: they are in the segment's text only.
    """
    if not utterance.words:
        return []
    timed = Counter(t for w in utterance.words for t in split_fields(w.text))
    missing = []
    for word in split_fields(utterance.text):
        if timed[word] > 0:
            timed[word] -= 1
        else:
            missing.append(word)
    return missing


def prefix_lookalikes(transcript: Transcript, losses: Losses, what: str) -> None:
    """Report texts without speaker that a subtitle reader could take for a speaker's.

    An utterance without speaker whose text starts like ``WARNING: ...`` is written as it
    is; read back with speaker prefixes on, ``WARNING`` would be its speaker.
    """
    found = [u for u in transcript if not u.speaker and split_prefix(one_line(u.text), strict=True)]
    if found:
        first = one_line(found[0].text)[:40]
        verb = "starts" if len(found) == 1 else "start"
        losses.add(
            f"{plural(len(found), 'utterance')} without speaker {verb} like a speaker prefix "
            f"({first!r}): {what} cannot mark it as text, so read back the prefix may be "
            "taken for a speaker (always with --speaker-prefix yes)",
            f"{plural(len(found), 'text')} like a speaker prefix",
        )


def with_speaker_prefix(text: str, speaker: str | None) -> str:
    """``"Speaker: text"``, or just the text when the speaker is not known."""
    text = one_line(text)
    return f"{speaker}: {text}".rstrip() if speaker else text


def speaker_tiers(
    path: Path, transcript: Transcript, losses: Losses, what: str, why: str
) -> dict[str, list[Utterance]]:
    """The utterances of a tier format (TextGrid, EAF) by tier, one tier per speaker.

    A tier is named after its speaker as the format's reader reads the name back (without
    blanks at its ends); utterances without speaker go to the tier :data:`UNKNOWN_SPEAKER`,
    so a speaker of that name is renamed (:func:`speaker_names`). Renamed speakers, then the
    word times a tier does not hold, are recorded in ``losses``.

    Parameters
    ----------
    path
        The file being written, for the errors.
    transcript
        The utterances to lay out, in time order.
    losses
        Where what the format changes or leaves out is recorded.
    what
        The format, for the messages (``"a TextGrid"``).
    why
        Why a name changes, for the warning (``"a tier name is read without blanks at its
        ends"``).

    Returns
    -------
    dict
        ``{tier name: utterances}``, tiers in the order their first utterance comes.

    Raises
    ------
    FormatError
        Naming ``path``, if an utterance lasts no time, or overlaps the previous one of the
        same speaker: a tier of ``what`` cannot hold it. Nothing is written then.
    """
    names = speaker_names(transcript, losses, str.strip, why, _reserved_unknown)
    tiers: dict[str, list[Utterance]] = {}
    for utterance in transcript:
        name = names[utterance.speaker] if utterance.speaker else UNKNOWN_SPEAKER
        if utterance.end == utterance.start:
            raise cannot_write(
                path,
                f"{what} cannot hold the zero-length utterance of {name} at "
                f"{format_seconds(utterance.start)} s",
            )
        tier = tiers.setdefault(name, [])
        if tier and utterance.start < tier[-1].end:
            raise cannot_write(
                path,
                f"{what} tier {name!r} cannot hold overlapping utterances "
                f"({format_seconds(tier[-1].start)}-{format_seconds(tier[-1].end)} s and "
                f"{format_seconds(utterance.start)}-{format_seconds(utterance.end)} s)",
            )
        tier.append(utterance)
    word_times_not_kept(transcript, losses, what)
    return tiers


def _reserved_unknown(name: str) -> str | None:
    """Why :data:`UNKNOWN_SPEAKER` cannot name a speaker in a format where it means none."""
    return f"{UNKNOWN_SPEAKER!r} means no speaker" if name == UNKNOWN_SPEAKER else None


def end_of(utterances: Iterable[Utterance]) -> int:
    """The latest end of ``utterances`` in ticks (0 when there are none)."""
    return max((u.end for u in utterances), default=0)


# -- time ---------------------------------------------------------------------------------------


def timedelta_from_ticks(ticks: int) -> timedelta:
    """``ticks`` rounded to the millisecond, as a ``timedelta``."""
    return timedelta(milliseconds=to_milliseconds(ticks))
