r"""SRT (SubRip) subtitles: cues found with the ``srt`` library's grammar, written with it.

SubRip has no specification; this reads what subtitle editors, Whisper and players agree on.

Honoured
    The cue blocks of the ``srt`` library's grammar (``srt.SRT_REGEX``): an optional index
    line, a timing line, then text up to a blank line (a blank line inside a cue's text is
    kept when what follows is not a cue), so no text is left between cues unread.
    Timestamps ``H:MM:SS,mmm`` with any number of hour digits and ``,`` ``.`` or ``:``
    before the milliseconds (and the full-width separators the ``srt`` library takes).
    Text lines are joined with spaces; formatting tags (``<i>``, ``<b>``, ``<u>``, ``<s>``,
    ``<font ...>``) and ASS override codes (``{\an8}``) are removed as players remove them;
    other text in angle brackets is kept. Speakers: a ``<v Name>`` voice tag, a dialogue
    cue (``- Ana: ...`` / ``- Bruno: ...``) or a ``Name:`` prefix, as
    :mod:`~reviewer.io.transcripts.cues` says.
Read, with a warning
    A timestamp without hours (``00:01,000``), read as minutes and seconds (the ``srt``
    library reads one minute); a fraction of other than three digits (``00:00:01,5``),
    read as a decimal fraction, 1.5 s (ffmpeg and VLC read 1.005 s); a timestamp without
    milliseconds (``00:00:1``, often one cut short), read as whole seconds; 60 or more
    minutes or seconds (``00:00:60,000``, ``00:99:04,000``), added up as the ``srt``
    library and players do; a cue holding several speakers; ``Name:`` prefixes the
    conservative rule takes for speakers (which, and how to turn it off), and those it
    does not; a file without any cue.
Not kept
    Cue numbers (players ignore them), position coordinates after the timing
    (``X1:100 X2:600 ...``) and styling: layout, not words.
Refused
    Text that is not a cue (naming its line), a timing that cannot be read, a cue that
    ends before it starts.
Written, with a warning on the written file
    Word times; a speaker name with line breaks or runs of blanks, written on one line with
    single spaces (a number added if that is another speaker's name); formatting tags in a
    text, which a reader removes; a text without speaker that starts like a ``Name:``
    prefix. A name that cannot be a prefix (holding ``:``, ``<`` or ``>``, say) is
    refused, naming the file.
"""

from __future__ import annotations

import bisect
import re
from pathlib import Path

import srt

from reviewer.io.files import read_text, write_text_atomic
from reviewer.io.transcripts.common import (
    Losses,
    Written,
    and_more,
    cannot_write,
    check_span,
    check_time,
    empty_warning,
    line_of,
    one_line,
    plural,
    prefix_lookalikes,
    speaker_names,
    timedelta_from_ticks,
    with_speaker_prefix,
    word_times_not_kept,
)
from reviewer.io.transcripts.cues import (
    Cue,
    SpeakerPrefix,
    cue_utterances,
    writable_prefix,
)
from reviewer.model.errors import FormatError, warn
from reviewer.model.time import TICKS_PER_SECOND, parse_seconds
from reviewer.model.transcript import Transcript

_SEPARATOR = "[,:.;\uff0c\uff0e\u3002\uff1a]"  # srt's, with full-width ones (，．。：)
_TIMESTAMP = re.compile(
    f"([0-9]+)({_SEPARATOR})([0-9]+)({_SEPARATOR})([0-9]+)(?:({_SEPARATOR})([0-9]*))?"
)
_FRACTION_SEPARATORS = ",.\uff0c\uff0e\u3002"
_FORMATTING = re.compile(r"</?(?:[ibus]|font|v)(?:[\s.][^>]*)?>|\{\\[^}]*\}", re.IGNORECASE)
_MAX_DIGITS = 12
_LONG_RUN = 25
_LONG_DIGITS = re.compile(rf"\d{{{_LONG_RUN},}}")


def read_srt(path: str | Path, speaker_prefix: SpeakerPrefix = None) -> Transcript:
    """Read an SRT file, one utterance per cue (one per speaker of a cue with several).

    Parameters
    ----------
    path
        The file: UTF-8, or UTF-16 with a byte order mark.
    speaker_prefix
        How ``Name: text`` prefixes are read: True always, False never, None (default)
        only when the file uses them as speaker marks throughout (see
        :mod:`~reviewer.io.transcripts.cues`).

    Raises
    ------
    FormatError
        Naming the line of text that is not a cue, or the cue (``cue 3``) whose timing
        cannot be read or ends before it starts.
    """
    path = Path(path)
    # srt's grammar knows LF and CR LF; old Mac files end lines with CR alone
    text, shield = _Shield.of(re.sub(r"\r\n?", "\n", read_text(path)))
    cues: list[Cue] = []
    odd_times: dict[str, list[tuple[Cue, str]]] = {
        "hours": [],
        "fraction": [],
        "no fraction": [],
        "sixty": [],
    }
    position = 0
    while (match := srt.SRT_REGEX.match(text, position)) is not None:
        position = match.end()
        _, raw_start, raw_end, _, content = match.groups()
        line = line_of(text, match.start(2))
        name = f"cue {len(cues) + 1}"
        start = _timestamp(path, line, name, raw_start, odd_times)
        end = _timestamp(path, line, name, raw_end, odd_times)
        check_span(path, line, name, start, end)
        content = shield.restored(content, match.start(5))
        cues.append(Cue(name, line, start, end, content))
    rest = text[position:]
    if rest and not rest.isspace():  # what srt.parse refuses as not contiguous
        raise FormatError(
            path,
            line_of(text, position),
            f"not a valid SRT cue: {shield.restored(rest, position).strip()[:60]!r}",
        )
    _warn_times(path, odd_times)
    return empty_warning(path, Transcript(cue_utterances(path, cues, speaker_prefix, _clean)))


class _Shield:
    """Long digit runs set aside while ``srt``'s grammar reads the text.

    ``srt.SRT_REGEX`` takes time cubic in the length of a run of digits where no cue can
    start (5,000 digits: minutes), as fuzzing found. No index or timestamp field has
    :data:`_LONG_RUN` digits, so such a run can only be text: each is replaced by one
    noncharacter (never in a text file) and put back in the text read.
    """

    MARK = "\ufdd0"

    def __init__(self, runs: list[str], marks: list[int]):
        self.runs = runs
        self.marks = marks

    @classmethod
    def of(cls, text: str) -> tuple[str, _Shield]:
        if cls.MARK in text:
            return text, cls([], [])
        runs: list[str] = []

        def keep(found: re.Match[str]) -> str:
            runs.append(found.group())
            return cls.MARK

        shielded = _LONG_DIGITS.sub(keep, text)
        marks = [i for i, c in enumerate(shielded) if c == cls.MARK] if runs else []
        return shielded, cls(runs, marks)

    def restored(self, piece: str, start: int) -> str:
        """``piece`` (found at ``start`` in the shielded text) with its digit runs back."""
        if not self.runs or self.MARK not in piece:
            return piece
        first = bisect.bisect_left(self.marks, start)
        runs = iter(self.runs[first:])
        return re.sub(self.MARK, lambda _: next(runs), piece)


def _timestamp(
    path: Path, line: int, name: str, raw: str, odd: dict[str, list[tuple[Cue, str]]]
) -> int:
    """Ticks of an SRT timestamp (see the module docstring for the forms read)."""
    match = _TIMESTAMP.fullmatch(raw)
    if match is None:  # srt's grammar and this pattern accept the same strings
        raise FormatError(path, line, f"{name}: timestamp {raw!r} cannot be read")
    first, _, second, separator, third, fraction_separator, fraction = match.groups()
    cue = Cue(name, line, 0, 0, "")
    if fraction_separator is None and separator in _FRACTION_SEPARATORS:
        hours, minutes, seconds, fraction = "0", first, second, third
        odd["hours"].append((cue, raw))
    else:
        hours, minutes, seconds, fraction = first, second, third, fraction or ""
        if not fraction:
            odd["no fraction"].append((cue, raw))
    if max(len(hours), len(minutes), len(seconds)) > _MAX_DIGITS or len(fraction) > _MAX_DIGITS:
        raise FormatError(path, line, f"{name}: timestamp {raw[:40]!r} is too large")
    if fraction and len(fraction) != 3:
        odd["fraction"].append((cue, raw))
    if int(minutes) > 59 or int(seconds) > 59:
        odd["sixty"].append((cue, raw))
    whole = (int(hours) * 60 + int(minutes)) * 60 + int(seconds)
    ticks = whole * TICKS_PER_SECOND + (parse_seconds(f"0.{fraction}") if fraction else 0)
    return check_time(path, line, name, ticks)


_ODD_TIMES = {
    "hours": "has no hours: read as minutes:seconds,milliseconds",
    "fraction": (
        "has a fraction of other than three digits: read as a decimal fraction of a second "
        "(',5' is 0.5 s; ffmpeg and VLC read 5 ms)"
    ),
    "no fraction": ("has no milliseconds (a timestamp cut short?): read as whole seconds, ',000'"),
    "sixty": (
        "has 60 or more minutes or seconds, which SRT writes below 60: read by adding them "
        "up, as players do ('00:00:60,000' is one minute)"
    ),
}


def _warn_times(path: Path, odd: dict[str, list[tuple[Cue, str]]]) -> None:
    for kind, found in odd.items():
        if not found:
            continue
        cue, raw = found[0]
        warn(path, cue.line, f"{cue.name}: timestamp {raw!r}{and_more(found)} {_ODD_TIMES[kind]}")


def _clean(text: str) -> str:
    """Cue text as players show it: formatting tags and ASS override codes removed."""
    return _FORMATTING.sub("", text)


def format_srt(
    transcript: Transcript, losses: Losses | None = None, path: Path | None = None
) -> str:
    """Format a transcript as SRT cues, ``Speaker: text`` when the speaker is known.

    A speaker name is written with its line breaks and runs of blanks as single spaces
    (then, if that is another speaker's name, with a number added); texts on one line.
    What SRT cannot hold is recorded in ``losses``: word times, formatting tags in a text
    (players and readers remove them), a text without speaker that starts like a
    ``Name:`` prefix.

    Raises
    ------
    ValueError
        If a speaker name cannot be written as a prefix (it holds ``:``, ``<`` or ``>``,
        is longer than 64 characters, starts with a dash or is in square brackets): a
        :class:`~reviewer.io.FormatError` naming ``path`` when given.
    """
    losses = losses if losses is not None else Losses()
    names = speaker_names(transcript, losses, one_line, "a prefix is one line with single spaces")
    for speaker, name in names.items():
        if not writable_prefix(name):
            raise cannot_write(path, f"speaker {speaker!r} cannot be written as a 'Name: ' prefix")
    word_times_not_kept(transcript, losses, "SRT")
    tagged = [u for u in transcript if _FORMATTING.search(u.text)]
    if tagged:
        first = _FORMATTING.search(tagged[0].text).group()  # type: ignore[union-attr]
        losses.add(
            f"{plural(len(tagged), 'text')} {'holds' if len(tagged) == 1 else 'hold'} what SRT "
            f"players take for formatting ({first!r}): read back without it",
            f"{plural(len(tagged), 'text')} with formatting tags",
        )
    prefix_lookalikes(transcript, losses, "SRT")
    subtitles = [
        srt.Subtitle(
            index=number,
            start=timedelta_from_ticks(utterance.start),
            end=timedelta_from_ticks(utterance.end),
            content=with_speaker_prefix(
                utterance.text, names[utterance.speaker] if utterance.speaker else None
            ),
        )
        for number, utterance in enumerate(transcript, start=1)
    ]
    return srt.compose(subtitles, reindex=False)


def write_srt(path: str | Path, transcript: Transcript) -> Written:
    """Write a transcript to an SRT file atomically (see :func:`format_srt`).

    What SRT cannot hold is reported with a :class:`~reviewer.io.FormatWarning`
    on ``path`` once it is written.
    """
    path = Path(path)
    losses = Losses()
    write_text_atomic(path, format_srt(transcript, losses, path))
    return losses.written(path, transcript, len(transcript), "cue", len(transcript.speakers))
