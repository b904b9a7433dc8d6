"""Praat TextGrid: read as Praat reads its text files, written with ``praatio``.

Praat's text files (long and short form alike) are a stream of numbers, ``"strings"`` and
``<flags>``; every word that starts otherwise (``xmin``, ``=``, ``intervals``, ``[1]:``) is
skipped, and ``!`` starts a comment to the end of the line (Praat's ``abcio.cpp``). The
reader follows those rules, so both forms, any layout and comments read as in Praat, and
each error names its line. ``praatio`` (6.2) is not used for reading: it drops the minus of
a negative time (``-1`` is read as 1), refuses the exponent notation Praat writes for small
times (``1e-05``), misreads a malformed short-form tier without a word (an unclosed quote
swallows the next interval, which is lost) and refuses tiers sharing a name, which Praat
allows.

Honoured
    UTF-8, UTF-16 with a byte order mark (what Praat writes for any text that is not
    ASCII) and, as Praat's "try UTF-8, then Latin-1" does, 8-bit text (read as
    Windows-1252, with a warning). Long and short text forms, ``""`` inside a text (one
    quote), praatio's JSON form. Each interval tier is a speaker (the tier ``unknown``, or
    one without name, holds utterances without speaker) and each interval with text one
    of its utterances; empty intervals are silence. Times are read exactly.
Read, with a warning
    Overlapping intervals in one tier (Praat cannot make them; both are read), tiers
    sharing a name (read as one speaker), point tiers (their points are not read: a
    transcript holds intervals), text after the last tier the file declares, a TextGrid
    without any labelled interval.
Refused
    A binary TextGrid, a file that is not a Praat text file holding a TextGrid, a
    malformed number, string or count (naming the line), an interval with text that ends
    before it starts or lies before time 0.
Written, with a warning on the written file
    Word times; utterances without text (an empty interval reads back as silence); a
    speaker name with blanks at its ends, or ``unknown`` (the tier of no speaker), written
    changed, with a number added if it would be another speaker's. Refused, naming the
    file: a zero-length utterance, two overlapping utterances of one speaker.
"""

from __future__ import annotations

import bisect
import json
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from reviewer.io.files import (
    decode_text,
    read_bytes,
    seconds_to_ticks,
    split_lines,
    write_text_atomic,
)
from reviewer.io.transcripts.common import (
    Losses,
    Written,
    and_more,
    check_span,
    element_error,
    element_seconds,
    empty_warning,
    end_of,
    json_number,
    plural,
    speaker_from_name,
    speaker_tiers,
)
from reviewer.model.errors import FormatError, warn
from reviewer.model.time import format_seconds, to_seconds
from reviewer.model.transcript import Transcript, Utterance

_INTERVAL_TIER = "IntervalTier"
_POINT_TIER = "TextTier"
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")
_MAX_TOKEN = 40  # Praat's own limit on a number's length
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SPACE = re.compile(r"\s*")
_WORD = re.compile(r"\S*")
_TOKEN_KINDS = {"+": "number", "-": "number", '"': "string", "<": "flag"}
"""What a token starting with this character is (and digits start numbers), as in Praat."""


@dataclass
class _Entry:
    start: int
    end: int
    text: str
    line: int | None
    place: str


@dataclass
class _Tier:
    kind: str
    name: str
    place: str
    line: int | None
    entries: list[_Entry] = field(default_factory=list)


def read_textgrid(path: str | Path) -> Transcript:
    """Read the labelled intervals of a TextGrid's interval tiers (long, short or JSON form).

    Raises
    ------
    FormatError
        Naming the line (or, in the JSON form, the element) and the problem.
    """
    path = Path(path)
    data = read_bytes(path)
    if data.startswith(b"ooBinaryFile"):
        raise FormatError(path, 1, "a binary TextGrid: save it from Praat as a text file")
    text = decode_text(path, data, fallback="windows-1252")
    tiers = (
        _json_tiers(path, text) if text.lstrip().startswith("{") else _PraatText(path, text).tiers()
    )
    return empty_warning(path, Transcript(_utterances(path, tiers)))


def _utterances(path: Path, tiers: list[_Tier]) -> list[Utterance]:
    """The utterances of the interval tiers, reporting what a transcript cannot hold."""
    utterances = []
    names = Counter(t.name.strip() for t in tiers if t.kind == _INTERVAL_TIER)
    for name, count in names.items():
        if count > 1:
            first = next(t for t in tiers if t.name.strip() == name)
            warn(
                path,
                first.line,
                f"{count} interval tiers are named {name!r}: their intervals are read as one "
                "speaker's",
                place=first.place,
            )
    for tier in tiers:
        if tier.kind != _INTERVAL_TIER:
            marked = sum(1 for e in tier.entries if e.text.strip())
            if marked:
                warn(
                    path,
                    tier.line,
                    f"{tier.place} is a point tier: its {marked} labelled points are not "
                    "read (a transcript holds intervals)",
                    place=tier.place,
                )
            continue
        speaker = speaker_from_name(tier.name.strip()) or None
        spoken = [e for e in tier.entries if e.text.strip()]
        for entry in spoken:
            check_span(path, entry.line, entry.place, entry.start, entry.end)
            if entry.start < 0:
                raise FormatError(
                    path,
                    entry.line,
                    f"{entry.place}: starts before time 0 ({format_seconds(entry.start)} s)",
                )
            utterances.append(Utterance(entry.start, entry.end, entry.text.strip(), speaker))
        _warn_overlaps(path, tier, spoken)
    return utterances


def _warn_overlaps(path: Path, tier: _Tier, spoken: list[_Entry]) -> None:
    overlaps = []
    latest: _Entry | None = None
    for entry in sorted(spoken, key=lambda e: (e.start, e.end)):
        if latest is not None and entry.start < latest.end:
            overlaps.append((latest, entry))
        if latest is None or entry.end > latest.end:
            latest = entry
    if overlaps:
        a, b = overlaps[0]
        warn(
            path,
            b.line,
            f"{tier.place}: {a.place.split(', ')[-1]} and {b.place.split(', ')[-1]} "
            f"overlap{and_more(overlaps)}; both are read (a Praat tier cannot hold overlapping "
            "intervals)",
            place=b.place,
        )


# -- Praat's text form --------------------------------------------------------------------------


class _PraatText:
    """A cursor over a Praat text file, reading tokens as ``abcio.cpp`` does."""

    def __init__(self, path: Path, text: str):
        self.path = path
        self.text = text
        self.position = 0
        self.starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]

    def line(self, position: int | None = None) -> int:
        at = self.position if position is None else position
        return bisect.bisect_right(self.starts, at)

    def error(self, problem: str, position: int | None = None) -> FormatError:
        return FormatError(self.path, self.line(position), problem)

    def _seek(self, kind: str, what: str) -> int:
        """Move to the next token of ``kind`` (number, string, flag, any), skipping words."""
        text = self.text
        while True:
            self.position = _matched(_SPACE, text, self.position)
            if self.position >= len(text):
                raise self.error(f"the text ends while looking for {what}")
            c = text[self.position]
            if c == "!":
                self.position = _end_of_line(text, self.position)
                continue
            found = _TOKEN_KINDS.get(c, "number" if "0" <= c <= "9" else None)
            if found is not None and kind in (found, "any"):
                return self.position
            if found is not None:
                raise self.error(f"found a {found} while looking for {what}")
            self.position = _matched(_WORD, text, self.position)

    def _word(self) -> str:
        start = self.position
        self.position = _matched(_WORD, self.text, start)
        return self.text[start : self.position]

    def number(self, what: str) -> tuple[int, int]:
        """``(ticks, line)`` of the next number, read as seconds."""
        start = self._seek("number", what)
        token = self._word()
        if len(token) > _MAX_TOKEN or not _NUMBER.fullmatch(token):
            raise self.error(f"{what}: {token[:_MAX_TOKEN]!r} is not a number", start)
        try:
            return seconds_to_ticks(token), self.line(start)
        except ValueError as error:
            raise self.error(f"{what}: {error}", start) from None

    def integer(self, what: str) -> int:
        start = self._seek("number", what)
        token = self._word()
        if not _INTEGER.fullmatch(token) or int(token) < 0:
            raise self.error(f"{what}: {token[:_MAX_TOKEN]!r} is not a count", start)
        return int(token)

    def string(self, what: str) -> tuple[str, int]:
        """``(text, line)`` of the next string; ``""`` inside it is one quote."""
        start = self._seek("string", what)
        text = self.text
        pieces = []
        position = start + 1
        while True:
            close = text.find('"', position)
            if close < 0:
                raise self.error(f"{what}: the text ends inside a string", start)
            pieces.append(text[position:close])
            if text.startswith('"', close + 1):
                pieces.append('"')
                position = close + 2
                continue
            self.position = close + 1
            if self.position < len(text) and not text[self.position].isspace():
                raise self.error(
                    f"{what}: character {text[self.position]!r} after a closing quote (a "
                    'quote inside a text is written "")',
                    close,
                )
            return "".join(pieces), self.line(start)

    def flag(self, what: str) -> str:
        start = self._seek("flag", what)
        close = self.text.find(">", start)
        if close < 0 or close - start > _MAX_TOKEN:
            raise self.error(f"{what}: no closing '>'", start)
        self.position = close + 1
        return self.text[start + 1 : close]

    def tiers(self) -> list[_Tier]:
        """The tiers of the TextGrid, read in Praat's order."""
        try:
            file_type, _ = self.string("the file type")
        except FormatError:
            file_type = ""
        if not file_type.startswith("ooTextFile"):
            raise self.error(
                'not a Praat text file: it must start with File type = "ooTextFile"', 0
            )
        object_class, _ = self.string("the object class")
        if object_class.split()[:1] != ["TextGrid"]:
            raise self.error(f"holds a Praat {object_class!r}, not a TextGrid", 0)
        self.number("the TextGrid's xmin")
        self.number("the TextGrid's xmax")
        exists = self.flag("'tiers? <exists>'")
        if exists not in ("exists", "absent"):
            raise self.error(f"<{exists}> is neither <exists> nor <absent>")
        tiers = []
        count = self.integer("the number of tiers") if exists == "exists" else 0
        for index in range(1, count + 1):
            tiers.append(self._tier(index))
        self._check_rest(count)
        return tiers

    def _tier(self, index: int) -> _Tier:
        what = f"tier {index}"
        kind, line = self.string(f"the class of {what}")
        if kind not in (_INTERVAL_TIER, _POINT_TIER):
            raise self.error(f"{what}: unknown tier class {kind!r}")
        name, _ = self.string(f"the name of {what}")
        place = f"tier {index} {name!r}"
        self.number(f"the xmin of {place}")
        self.number(f"the xmax of {place}")
        tier = _Tier(kind, name, place, line)
        size = self.integer(f"the number of entries of {place}")
        for number in range(1, size + 1):
            if kind == _INTERVAL_TIER:
                where = f"{place}, interval {number}"
                start, first = self.number(f"the xmin of {where}")
                end, _ = self.number(f"the xmax of {where}")
                text, _ = self.string(f"the text of {where}")
            else:
                where = f"{place}, point {number}"
                start, first = self.number(f"the time of {where}")
                end = start
                text, _ = self.string(f"the mark of {where}")
            tier.entries.append(_Entry(start, end, text, first, where))
        return tier

    def _check_rest(self, count: int) -> None:
        """Report a number, string or flag after the declared tiers (Praat stops there)."""
        try:
            position = self._seek("any", "")
        except FormatError:
            return  # only words and comments are left
        rest = split_lines(self.text[position : position + 40])[0]
        warn(
            self.path,
            self.line(position),
            f"text after the last of the {count} tiers the TextGrid declares is not read: {rest!r}",
        )


def _end_of_line(text: str, position: int) -> int:
    found = _LINE_BREAK.search(text, position)
    return found.start() if found else len(text)


# -- praatio's JSON form ------------------------------------------------------------------------


def _json_tiers(path: Path, text: str) -> list[_Tier]:
    """The tiers of praatio's JSON TextGrid (full or "start/end" form)."""
    try:
        document = json.loads(text, parse_float=json_number, parse_int=json_number)
    except json.JSONDecodeError as error:
        raise FormatError(path, error.lineno, f"not valid JSON: {error.msg}") from None
    except RecursionError:
        raise FormatError(path, None, "JSON TextGrid: nested too deeply") from None
    if not isinstance(document, dict):
        raise FormatError(path, None, 'JSON TextGrid: expected an object with "tiers"')
    raw = document.get("tiers")
    if isinstance(raw, dict):  # praatio's "json" form: {name: {"type", "entries"}}
        items = [
            (f"tiers[{name!r}]", name, tier.get("type") if isinstance(tier, dict) else None, tier)
            for name, tier in raw.items()
        ]
    elif isinstance(raw, list):
        items = [
            (
                f"tiers[{i}]",
                tier.get("name") if isinstance(tier, dict) else None,
                tier.get("class") if isinstance(tier, dict) else None,
                tier,
            )
            for i, tier in enumerate(raw)
        ]
    else:
        raise FormatError(path, None, 'JSON TextGrid: expected "tiers"')
    tiers = []
    for where, name, kind, tier in items:
        if not isinstance(name, str) or kind not in (_INTERVAL_TIER, _POINT_TIER):
            raise FormatError(path, None, f"{where}: expected a named IntervalTier or TextTier")
        entries = tier.get("entries")
        if not isinstance(entries, list):
            raise FormatError(path, None, f"{where}.entries: expected a list")
        place = f"tier {name!r}"
        read = _Tier(kind, name, place, None)
        width = 3 if kind == _INTERVAL_TIER else 2
        for index, entry in enumerate(entries):
            at = f"{where}.entries[{index}]"
            if not isinstance(entry, list) or len(entry) != width:
                raise FormatError(path, None, f"{at}: expected {width} values")
            *times, label = entry
            if not isinstance(label, str):
                raise FormatError(path, None, f"{at}: the label must be a string")
            ticks = [_json_seconds(path, at, value) for value in times]
            read.entries.append(_Entry(ticks[0], ticks[-1], label, None, at))
        tiers.append(read)
    return tiers


def _json_seconds(path: Path, where: str, value: Any) -> int:
    if not isinstance(value, Decimal):
        raise element_error(path, where, f"expected a number of seconds, got {value!r}")
    return element_seconds(path, where, value)


# -- writing ------------------------------------------------------------------------------------


def write_textgrid(path: str | Path, transcript: Transcript) -> Written:
    """Write a transcript to a (long form) TextGrid atomically, one interval tier per speaker.

    Utterances without speaker go to the tier ``unknown``; a speaker name with blanks at
    its ends (which Praat's reader here drops) or named ``unknown`` is written changed,
    never merged with another. What a TextGrid cannot hold is reported with a
    :class:`~reviewer.io.FormatWarning` on ``path`` once it is written: word
    times, and utterances without text (an empty interval is silence).

    Raises
    ------
    FormatError
        Naming ``path``, if an utterance lasts no time, or overlaps another one of its
        speaker; nothing is written then.
    """
    path = Path(path)
    from praatio import textgrid  # only to write: not imported to open every recording

    losses = Losses()
    tiers = speaker_tiers(
        path, transcript, losses, "a TextGrid", "a tier name is read without blanks at its ends"
    )
    silent = sum(1 for u in transcript if not u.text.strip())
    if silent:
        losses.add(
            f"{plural(silent, 'utterance')} without text {'is' if silent == 1 else 'are'} "
            "written as empty intervals, which read back as silence",
            f"{plural(silent, 'utterance')} without text not kept",
        )
    end = to_seconds(end_of(transcript))
    grid = textgrid.Textgrid(0, end)
    for name, utterances in tiers.items():
        entries = [(to_seconds(u.start), to_seconds(u.end), u.text) for u in utterances]
        grid.addTier(textgrid.IntervalTier(name, entries, 0, end))
    with tempfile.TemporaryDirectory() as directory:
        temporary = Path(directory) / "transcript.TextGrid"
        grid.save(
            str(temporary),
            format="long_textgrid",
            includeBlankSpaces=True,
            minimumIntervalLength=None,
        )
        text = temporary.read_text(encoding="utf-8")
    write_text_atomic(path, text)
    spoken = [u for u in transcript if u.text.strip()]
    speakers = len({u.speaker for u in spoken if u.speaker})
    return losses.written(path, transcript, len(spoken), "interval", speakers)


def _matched(pattern: re.Pattern[str], text: str, position: int) -> int:
    """Where the match of ``pattern`` at ``position`` ends (the patterns may match nothing)."""
    match = pattern.match(text, position)
    assert match is not None, pattern.pattern  # the patterns match the empty string
    return match.end()
