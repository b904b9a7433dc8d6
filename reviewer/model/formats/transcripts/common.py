"""Helpers shared by the transcript readers and writers (one place, no copy-paste)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TypeVar

from reviewer.model.formats.errors import FormatError, warn
from reviewer.model.formats.files import MAX_TICKS, split_lines
from reviewer.model.formats.transcripts.cues import writable_prefix
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
        :data:`~reviewer.model.formats.files.MAX_TICKS` (about 82 years).
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


def speaker_name(speaker: str | None) -> str:
    """The name written for a speaker: :data:`UNKNOWN_SPEAKER` when it is not known."""
    return speaker if speaker else UNKNOWN_SPEAKER


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


def one_line(text: str) -> str:
    """The words of ``text`` separated by single spaces (line breaks and runs of blanks go)."""
    return " ".join(text.split())


def token(text: str) -> str:
    """``text`` as one field of a whitespace-separated format: inner blanks become ``_``."""
    return "_".join(text.split())


def with_speaker_prefix(utterance: Utterance) -> str:
    """``"Speaker: text"``, or just the text when the speaker is not known.

    Raises
    ------
    ValueError
        If the speaker name would not be read back with speaker prefixes on (it holds
        ``:``, ``<``, ``>`` or a line break, is longer than 64 characters, starts with a
        dash or is in square brackets).
    """
    text = one_line(utterance.text)
    if not utterance.speaker:
        return text
    speaker = one_line(utterance.speaker)
    if not writable_prefix(speaker):
        raise ValueError(f"speaker {utterance.speaker!r} cannot be written as a 'Name: ' prefix")
    return f"{speaker}: {text}".rstrip()


def by_tier(transcript: Transcript, what: str) -> dict[str, list[Utterance]]:
    """Utterances by tier name (the speaker, or :data:`UNKNOWN_SPEAKER`), in time order.

    Parameters
    ----------
    transcript
        The utterances to lay out.
    what
        The format, for the error messages.

    Raises
    ------
    ValueError
        If an utterance lasts no time, or overlaps the previous one of the same speaker:
        a tier of ``what`` cannot hold it.
    """
    tiers: dict[str, list[Utterance]] = {}
    for utterance in transcript:
        name = speaker_name(utterance.speaker)
        if utterance.end == utterance.start:
            raise ValueError(
                f"{what} cannot hold the zero-length utterance of {name} at "
                f"{format_seconds(utterance.start)} s"
            )
        tier = tiers.setdefault(name, [])
        if tier and utterance.start < tier[-1].end:
            raise ValueError(
                f"{what} tier {name!r} cannot hold overlapping utterances "
                f"({format_seconds(tier[-1].start)}-{format_seconds(tier[-1].end)} s and "
                f"{format_seconds(utterance.start)}-{format_seconds(utterance.end)} s)"
            )
        tier.append(utterance)
    return tiers


def end_of(utterances: Iterable[Utterance]) -> int:
    """The latest end of ``utterances`` in ticks (0 when there are none)."""
    return max((u.end for u in utterances), default=0)


# -- time ---------------------------------------------------------------------------------------


def timedelta_from_ticks(ticks: int) -> timedelta:
    """``ticks`` rounded to the millisecond, as a ``timedelta``."""
    return timedelta(milliseconds=to_milliseconds(ticks))
