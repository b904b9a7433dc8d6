"""Helpers shared by the transcript readers and writers (one place, no copy-paste)."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import TypeVar
from xml.etree.ElementTree import ParseError

from reviewer.model.formats.errors import FormatError
from reviewer.model.formats.files import BOM
from reviewer.model.time import (
    TICKS_PER_SECOND,
    format_seconds,
    parse_seconds,
    to_milliseconds,
)
from reviewer.model.transcript import Transcript, Utterance

T = TypeVar("T")

UNKNOWN_SPEAKER = "unknown"
"""The speaker name (tier, STM field) of utterances whose speaker is not known, both ways."""

TICKS_PER_MILLISECOND = TICKS_PER_SECOND // 1000
"""Ticks in one millisecond, the precision of most subtitle and annotation formats."""

_TICKS_PER_MICROSECOND = TICKS_PER_SECOND // 1_000_000
_VOICE = re.compile(r"^\s*<v(?:\.[^\s>]+)*[ \t]+([^>]*?)\s*>")
_VOICE_TAGS = re.compile(r"</?v(?:[.\s][^>]*)?>")
_PREFIX = re.compile(r"^\s*([^\s:<>][^:<>\n]{0,63}?)\s*:(?:\s+|$)")


# -- reading ------------------------------------------------------------------------------------


def read_text(path: str | Path) -> str:
    """The whole content of a UTF-8 text file (a leading byte order mark is dropped).

    Raises
    ------
    FormatError
        If the file cannot be read, or naming the line that is not valid UTF-8.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise FormatError(path, None, f"cannot read: {error.strerror or error}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise FormatError(path, line, "not valid UTF-8 text") from None
    return text.removeprefix(BOM)


def line_of(text: str, offset: int) -> int:
    """The 1-based line of character ``offset`` in ``text``, skipping leading blank space."""
    while offset < len(text) and text[offset].isspace():
        offset += 1
    return text.count("\n", 0, offset) + 1


def library_error(path: str | Path, what: str, error: BaseException) -> FormatError:
    """Wrap an error of a parsing library, with the line when an XML parser reported one.

    Parameters
    ----------
    path
        The file being read.
    what
        The format, as in ``"not a valid {what}"``.
    error
        The library's exception.
    """
    line = None
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ParseError):
            line = cause.position[0]
            error = cause
            break
        cause = cause.__cause__ or cause.__context__
    if isinstance(error, KeyError) and error.args:
        detail = f"{error.args[0]!r} is missing"
    else:
        detail = str(error) or type(error).__name__
    return FormatError(path, line, f"not a valid {what}: {detail}")


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
        warnings.warn(
            f"{path}: holds {len(recordings)} recordings ({', '.join(recordings)}); "
            f"only the first, {first!r}, is read (pass uri= to choose)",
            stacklevel=3,
        )
    return first, recordings[first]


def speaker_from_name(name: str) -> str | None:
    """A speaker read from a name field or a tier: :data:`UNKNOWN_SPEAKER` means None."""
    return None if name == UNKNOWN_SPEAKER else name


def speaker_name(speaker: str | None) -> str:
    """The name written for a speaker: :data:`UNKNOWN_SPEAKER` when it is not known."""
    return speaker if speaker else UNKNOWN_SPEAKER


def split_speaker(text: str) -> tuple[str | None, str]:
    """Split a subtitle text into its speaker, if marked, and its words on one line.

    The speaker is marked by a leading WebVTT voice tag (``<v Diane>Hello``) or a
    ``Diane: Hello`` prefix (a name of at most 64 characters, without ``:``, ``<`` or ``>``).
    """
    voice = _VOICE.match(text)
    if voice and voice.group(1):
        return voice.group(1), one_line(_VOICE_TAGS.sub("", text))
    prefix = _PREFIX.match(text)
    if prefix:
        return prefix.group(1), one_line(text[prefix.end() :])
    return None, one_line(text)


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
        If the speaker name would not be read back (it holds ``:``, ``<``, ``>`` or a line
        break, or is longer than 64 characters).
    """
    text = one_line(utterance.text)
    if not utterance.speaker:
        return text
    speaker = one_line(utterance.speaker)
    if not _PREFIX.fullmatch(f"{speaker}: "):
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


def ticks_from_float(seconds: float) -> int:
    """Ticks of a float number of seconds, as written (its shortest decimal form)."""
    return parse_seconds(repr(float(seconds)))


def ticks_from_timedelta(delta: timedelta) -> int:
    """Ticks of a ``timedelta``, exactly (it counts whole microseconds)."""
    return (delta // timedelta(microseconds=1)) * _TICKS_PER_MICROSECOND


def timedelta_from_ticks(ticks: int) -> timedelta:
    """``ticks`` rounded to the millisecond, as a ``timedelta``."""
    return timedelta(milliseconds=to_milliseconds(ticks))
