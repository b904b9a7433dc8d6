"""WebVTT subtitles: read by the W3C WebVTT parsing rules, written with ``webvtt-py``.

Reading follows the specification's parser (W3C WebVTT, section 6.1) so that every line is
accounted for with its number; ``webvtt-py`` reports no line numbers, silently skips a text
block that is not a cue (what an extra blank line inside a cue makes) and in strict mode
refuses one-digit hours, which the specification allows.

Honoured
    The ``WEBVTT`` signature, a header (``Kind:``, ``Language:`` ...), blocks separated by
    empty lines, cue identifiers, timestamps with or without hours (``00:01.000``,
    ``0:00:01.000``), ``NOTE`` comments and ``STYLE`` / ``REGION`` blocks (read past: they
    hold no words). Cue text: tags (``<c>``, ``<i>``, ``<b>``, ``<u>``, ``<lang>``) removed
    and character references (``&amp;``) decoded; speakers from ``<v Name>`` voice tags
    (several voices in a cue give one utterance per voice; in a name, runs of ASCII blanks
    are one space, as the specification collapses them, and a no-break space is kept) or
    ``Name:`` prefixes, as :mod:`~reviewer.io.transcripts.cues` says.
Read, with a warning
    ``X-TIMESTAMP-MAP`` (HLS): cue times are read as written, not moved to the MPEG-TS
    clock, because that depends on the stream's first timestamp; timestamps inside cue
    text (karaoke word timings) and ruby annotations (``<rt>``), which a transcript cannot
    hold; a text block outside any cue (browsers skip it); a cue holding several speakers;
    ``Name:`` prefixes taken for speakers by the conservative rule, or not; a file without
    any cue.
Not kept
    Cue settings (position, alignment, region) and styles: layout, not words.
Refused
    A file not starting with ``WEBVTT``, a timing line that is not ``start --> end`` with
    timestamps as the specification writes them (``mm:ss.ttt`` or ``h:mm:ss.ttt``, minutes
    and seconds below 60), a cue that ends before it starts.
Written, with a warning on the written file
    Word times; a voice name with line breaks or runs of blanks, written on one line with
    single spaces (a number added if that is another speaker's name); a text without
    speaker that starts like a ``Name:`` prefix. A name holding ``>`` is refused, naming
    the file.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import webvtt

from reviewer.io.files import read_text, split_lines, write_text_atomic
from reviewer.io.transcripts.common import (
    TICKS_PER_MILLISECOND,
    Losses,
    Written,
    cannot_write,
    check_span,
    check_time,
    empty_warning,
    one_line,
    prefix_lookalikes,
    speaker_names,
    word_times_not_kept,
)
from reviewer.io.transcripts.cues import Cue, SpeakerPrefix, cue_utterances
from reviewer.model.errors import FormatError, warn
from reviewer.model.time import TICKS_PER_SECOND, format_clock, format_seconds
from reviewer.model.transcript import Transcript

_SIGNATURE = re.compile(r"WEBVTT(?:[ \t]|$)")
_TIMESTAMP = re.compile(r"(?:([0-9]+):)?([0-9]{2}):([0-9]{2})\.([0-9]{3})")
_TIMING = re.compile(r"[ \t\f]*(\S+?)[ \t\f]*-->[ \t\f]*(\S+?)(?:[ \t\f]+.*)?")
_TIMESTAMP_MAP = re.compile(r"X-TIMESTAMP-MAP=(.*)")
_INNER_TIMESTAMP = re.compile(r"<[0-9][0-9:.]*>")
_RUBY_TEXT = re.compile(r"<rt(?:[.\s][^>]*)?>.*?(?:</rt\s*>|(?=</ruby)|$)", re.DOTALL)
_TAG = re.compile(r"<[^>\n]*>")
_MPEGTS_RATE = 90_000
_MAX_HOUR_DIGITS = 12


@dataclass
class _Notes:
    """What the cue text held that a transcript cannot, counted for one warning each."""

    timestamps: list[Cue] = field(default_factory=list)
    ruby: list[Cue] = field(default_factory=list)


def read_vtt(path: str | Path, speaker_prefix: SpeakerPrefix = None) -> Transcript:
    """Read a WebVTT file, one utterance per cue (one per speaker of a cue with several).

    Parameters
    ----------
    path
        The file: UTF-8, or UTF-16 with a byte order mark.
    speaker_prefix
        How ``Name: text`` prefixes of cues without voice tag are read: True always, False
        never, None (default) only when the file uses them as speaker marks throughout.

    Raises
    ------
    FormatError
        If the file does not start with ``WEBVTT``, or naming the line of a timing line
        that cannot be read, or the cue (``cue 3``) that ends before it starts.
    """
    path = Path(path)
    lines = split_lines(read_text(path))
    if not _SIGNATURE.match(lines[0]):
        raise FormatError(path, 1, "not a WebVTT file: it must start with 'WEBVTT'")
    blocks = _blocks(lines)
    header = blocks.pop(0)[1] if blocks and blocks[0][0] == 1 else []
    _check_timestamp_map(path, header)
    cues: list[Cue] = []
    notes = _Notes()
    for first, block in blocks:
        timing = next((i for i, line in enumerate(block[:2]) if "-->" in line), None)
        if timing is None:
            _other_block(path, first, block)
            continue
        number = len(cues) + 1
        identifier = block[0].strip() if timing == 1 else ""
        name = f"cue {number}" + (f" ({identifier})" if identifier else "")
        line = first + timing
        start, end = _timings(path, line, name, block[timing])
        cue = Cue(name, line, start, end, "\n".join(block[timing + 1 :]))
        _note(cue, notes)
        cues.append(cue)
    _warn_notes(path, notes)
    return empty_warning(path, Transcript(cue_utterances(path, cues, speaker_prefix, _clean)))


def _blocks(lines: list[str]) -> list[tuple[int, list[str]]]:
    """``(first line number, lines)`` of each block, as WebVTT collects them.

    A block ends at an empty line (a line of blanks is not empty), or before a line with
    ``-->`` that cannot be its timing line (the specification's "collect a block").
    """
    blocks: list[tuple[int, list[str]]] = []
    block: list[str] = []
    first = 1
    for number, line in enumerate(lines, start=1):
        ends = not line or (
            "-->" in line and bool(block) and (first == 1 or len(block) > 1 or "-->" in block[0])
        )
        if ends and block:
            blocks.append((first, block))
            block = []
        if line:
            if not block:
                first = number
            block.append(line)
    if block:
        blocks.append((first, block))
    return blocks


def _other_block(path: Path, first: int, block: list[str]) -> None:
    """A block without timing: header, comment, style, region, or text outside any cue."""
    keyword = block[0].split(None, 1)[0] if block[0].strip() else ""
    if first == 1 or keyword in ("NOTE", "STYLE", "REGION"):
        return
    warn(
        path,
        first,
        f"text outside any cue is not read: {one_line(' '.join(block))[:60]!r} (a blank "
        "line inside a cue ends it)",
    )


def _timings(path: Path, line: int, name: str, text: str) -> tuple[int, int]:
    match = _TIMING.fullmatch(text)
    if match is None:
        raise FormatError(
            path, line, f"{name}: not a WebVTT timing line ('start --> end'): {text[:60]!r}"
        )
    start = _timestamp(path, line, name, match.group(1))
    end = _timestamp(path, line, name, match.group(2))
    return check_span(path, line, name, start, end)


def _timestamp(path: Path, line: int, name: str, text: str) -> int:
    """Ticks of a WebVTT timestamp (section 6.1, "collect a WebVTT timestamp")."""
    match = _TIMESTAMP.fullmatch(text)
    if match is None or len(match.group(1) or "") > _MAX_HOUR_DIGITS:
        raise FormatError(
            path,
            line,
            f"{name}: {text[:40]!r} is not a WebVTT timestamp (mm:ss.ttt or h:mm:ss.ttt)",
        )
    hours, minutes, seconds, milliseconds = (int(g or 0) for g in match.groups())
    if minutes > 59 or seconds > 59:
        raise FormatError(path, line, f"{name}: {text!r} has more than 59 minutes or seconds")
    whole = ((hours * 60 + minutes) * 60 + seconds) * 1000 + milliseconds
    return check_time(path, line, name, whole * TICKS_PER_MILLISECOND)


def _check_timestamp_map(path: Path, header: list[str]) -> None:
    """Report an HLS ``X-TIMESTAMP-MAP`` that moves the cues on the MPEG-TS clock."""
    for number, line in enumerate(header, start=1):
        found = _TIMESTAMP_MAP.match(line)
        if found is None:
            continue
        fields = dict(part.split(":", 1) for part in found.group(1).split(",") if ":" in part)
        mpegts = fields.get("MPEGTS", "").strip()
        try:
            local = _timestamp(path, number, "X-TIMESTAMP-MAP", fields.get("LOCAL", "").strip())
        except FormatError:
            local = None
        if local is None or not re.fullmatch(f"[0-9]{{1,{_MAX_HOUR_DIGITS}}}", mpegts):
            warn(path, number, f"X-TIMESTAMP-MAP not understood: {line[:60]!r}")
            continue
        offset = int(mpegts) * TICKS_PER_SECOND // _MPEGTS_RATE - local
        if offset:
            warn(
                path,
                number,
                f"X-TIMESTAMP-MAP puts the cues {format_seconds(offset)} s later on the "
                "MPEG-TS clock of an HLS stream; they are read as written (the shift to the "
                "recording depends on the stream's first timestamp, which the file does not "
                "give)",
            )


def _note(cue: Cue, notes: _Notes) -> None:
    if _INNER_TIMESTAMP.search(cue.text):
        notes.timestamps.append(cue)
    if "<rt" in cue.text:
        notes.ruby.append(cue)


def _warn_notes(path: Path, notes: _Notes) -> None:
    reports = (
        (notes.timestamps, "timestamps inside the cue text (word timings) are not read"),
        (notes.ruby, "ruby annotations (<rt>) are not read"),
    )
    for cues, problem in reports:
        if cues:
            others = f" and {len(cues) - 1} other cues" if len(cues) > 1 else ""
            warn(path, cues[0].line, f"{cues[0].name}{others}: {problem}")


def _clean(text: str) -> str:
    """Cue text as shown: ruby annotations and tags removed, character references decoded.

    A ``<`` with no ``>`` after it stays text (``webvtt-py`` reads it so too).
    """
    text = _RUBY_TEXT.sub("", text)
    return html.unescape(_TAG.sub("", text))


def format_vtt(
    transcript: Transcript, losses: Losses | None = None, path: Path | None = None
) -> str:
    """Format a transcript as WebVTT cues, with a ``<v Speaker>`` tag when the speaker is known.

    A voice's name is written with its line breaks and runs of ASCII blanks as single
    spaces, as WebVTT reads it back (a no-break space is kept); if that is another
    speaker's name, a number is added. What WebVTT cannot hold is recorded in ``losses``:
    word times, a text without speaker that starts like a ``Name:`` prefix.

    Raises
    ------
    ValueError
        If a speaker name holds ``>`` or nothing but blanks: a
        :class:`~reviewer.io.FormatError` naming ``path`` when given.
    """
    losses = losses if losses is not None else Losses()
    names = speaker_names(transcript, losses, one_line, "a voice is one line with single spaces")
    for speaker, name in names.items():
        if not name.strip() or ">" in name:
            raise cannot_write(path, f"speaker {speaker!r} cannot be a WebVTT voice")
    word_times_not_kept(transcript, losses, "WebVTT")
    prefix_lookalikes(transcript, losses, "WebVTT")
    captions = []
    for utterance in transcript:
        text = html.escape(one_line(utterance.text), quote=False)
        if utterance.speaker:
            name = names[utterance.speaker]
            # a blank before '>' keeps a name ending in '--' from making a '-->' (read back
            # without it: an annotation's blanks at its ends go)
            text = f"<v {name}{' ' if name.endswith('-') else ''}>{text}"
        captions.append(
            webvtt.Caption(format_clock(utterance.start), format_clock(utterance.end), text)
        )
    return webvtt.WebVTT(captions=captions).content


def write_vtt(path: str | Path, transcript: Transcript) -> Written:
    """Write a transcript to a WebVTT file atomically (see :func:`format_vtt`).

    What WebVTT cannot hold is reported with a
    :class:`~reviewer.io.FormatWarning` on ``path`` once it is written.
    """
    path = Path(path)
    losses = Losses()
    write_text_atomic(path, format_vtt(transcript, losses, path))
    return losses.written(path, transcript, len(transcript), "cue", len(transcript.speakers))
