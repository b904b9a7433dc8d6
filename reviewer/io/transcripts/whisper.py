"""Whisper / WhisperX / whisper.cpp JSON: segments with their text, speaker and words.

OpenAI Whisper and WhisperX write an object with a list of segments::

    {"segments": [{"start": 0.0, "end": 2.5, "text": " Hello there.", "speaker": "SPEAKER_00",
                   "words": [{"word": " Hello", "start": 0.0, "end": 0.4}, ...]}]}

``speaker`` (WhisperX, after ``assign_word_speakers``) and ``words`` are optional; a word's
text is under ``word`` (Whisper, WhisperX) or ``text``. whisper.cpp (``-oj``) writes
``{"transcription": [{"offsets": {"from": 0, "to": 2500}, "text": ..., "speaker": "0"}]}``
with times in milliseconds; that form is read too.

Honoured
    UTF-8 (or UTF-16 with a byte order mark). Times exactly as written. A segment's
    speaker; WhisperX's word speakers: a segment whose words belong to several speakers is
    split where the speaker changes, each part keeping its words (with their speaker) and
    its stretch of the segment's text (the segment's ``speaker`` is only their majority).
    The parts cover the segment: the first starts where the segment starts, the last ends
    where it ends, and each boundary between two is the silence between their words (a
    segment 0.5-3.2 s whose speakers' words span 0.5-1.7 and 1.8-2.2 s gives 0.5-1.7 and
    1.8-3.2 s). whisper.cpp's ``speaker`` (``?`` is no speaker).
Read, with a warning
    Words without times (WhisperX leaves numbers and symbols unaligned): kept in their
    segment's text only, not as timed words (a CTM written from the transcript, which
    holds timed words, leaves them out, and says so); a word whose times lie outside its
    segment (read as written); a segment whose speaker is not the one its words name (the
    segment's is read); a segment whose words name several speakers but one speaker's
    stretch has no timed word (not split: the segment's speaker); whisper.cpp's
    ``speaker_turn_next`` (tinydiarize) and token timings, which name no speaker and are
    not read; a file without any segment.
Not kept
    Scores, probabilities, tokens, ``language``, the top-level ``text``.
Refused
    Invalid JSON (with its line), a missing or negative time, a time that is not a number
    (``NaN``, a string), a segment ending before it starts, a string holding an unpaired
    surrogate escape (half of a UTF-16 pair, no character), naming its JSON path
    (``segments[3].words[2].end``).
Written
    Everything a transcript holds: each utterance a segment with its ``speaker`` and
    timed ``words`` (words without times stay in the segment's text).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from reviewer.io.files import read_text, write_text_atomic
from reviewer.io.transcripts.common import (
    Losses,
    NotFinite,
    Written,
    and_more,
    check_span,
    element_error,
    element_seconds,
    empty_warning,
    json_number,
    one_line,
)
from reviewer.model.errors import FormatError, warn
from reviewer.model.time import format_seconds, to_seconds
from reviewer.model.transcript import Transcript, Utterance, Word

_NO_SPEAKER = "?"
"""whisper.cpp's speaker when it cannot tell."""


@dataclass
class _Notes:
    untimed: list[tuple[str, str]] = field(default_factory=list)
    turns: list[str] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    disagreeing: list[tuple[str, str, str]] = field(default_factory=list)
    outside: list[tuple[str, Word, int, int]] = field(default_factory=list)
    unsplit: list[tuple[str, str | None]] = field(default_factory=list)


@dataclass
class _Run:
    speaker: str | None
    first: int  # index of its first word
    words: list[Word] = field(default_factory=list)


def read_whisper_json(path: str | Path) -> Transcript:
    """Read a Whisper, WhisperX or whisper.cpp JSON file, one utterance per segment.

    A WhisperX segment whose words belong to several speakers gives one utterance per
    stretch of one speaker's words.

    Raises
    ------
    FormatError
        Naming the line of a JSON syntax error, or the JSON path of a bad value
        (``segments[3].end``) and the problem.
    """
    path = Path(path)
    text = read_text(path)
    try:
        document = json.loads(
            text, parse_float=json_number, parse_int=json_number, parse_constant=NotFinite
        )
    except json.JSONDecodeError as error:
        raise FormatError(
            path, error.lineno, f"not valid JSON: {error.msg} (column {error.colno})"
        ) from None
    except RecursionError:
        raise FormatError(path, None, "(document): nested too deeply") from None
    notes = _Notes()
    if (
        isinstance(document, dict)
        and "segments" not in document
        and isinstance(document.get("transcription"), list)
    ):
        utterances = [
            _whisper_cpp(path, f"transcription[{index}]", segment, notes)
            for index, segment in enumerate(document["transcription"])
        ]
    else:
        if not isinstance(document, dict) or not isinstance(document.get("segments"), list):
            raise element_error(path, "segments", 'expected an object with a list "segments"')
        utterances = [
            utterance
            for index, segment in enumerate(document["segments"])
            for utterance in _segment(path, f"segments[{index}]", segment, notes)
        ]
    _report(path, notes)
    return empty_warning(path, Transcript(utterances))


def _segment(path: Path, where: str, segment: Any, notes: _Notes) -> list[Utterance]:
    _require_object(path, where, segment)
    start, end = _span(path, where, segment)
    speaker = _optional_text(path, f"{where}.speaker", segment.get("speaker")) or None
    words_data = segment.get("words", [])
    if words_data is None:
        words_data = []
    if not isinstance(words_data, list):
        raise element_error(path, f"{where}.words", "expected a list")
    texts: list[str] = []
    timed: list[Word | None] = []
    speakers: list[str | None] = []
    for index, data in enumerate(words_data):
        at = f"{where}.words[{index}]"
        text, word, word_speaker = _word(path, at, data)
        texts.append(text)
        timed.append(word)
        speakers.append(word_speaker)
        if word is None:
            notes.untimed.append((at, text))
        elif word.start < start or word.end > end:
            notes.outside.append((at, word, start, end))
    given = _optional_text(path, f"{where}.text", segment.get("text"))
    text = _joined(texts) if given is None else given
    words = tuple(w for w in timed if w is not None)
    if len({s for s in speakers if s}) <= 1:
        said = next((s for s in speakers if s), None)
        if speaker and said and said != speaker:
            notes.disagreeing.append((where, speaker, said))
        return [Utterance(start, end, one_line(text), speaker or said, words)]
    parts = _by_word_speaker(start, end, text, texts, timed, speakers)
    if parts is None:
        notes.unsplit.append((where, speaker))
        return [Utterance(start, end, one_line(text), speaker, words)]
    return parts


def _by_word_speaker(
    start: int,
    end: int,
    text: str,
    texts: list[str],
    timed: list[Word | None],
    speakers: list[str | None],
) -> list[Utterance] | None:
    """A segment split where its words' speaker changes, or None if a part has no times.

    Each part spans its timed words, except that the first starts at the segment's start
    and the last ends at its end, so that the parts cover what the segment covers but the
    silence between two speakers' words.
    """
    runs: list[_Run] = []
    for index, (word, speaker) in enumerate(zip(timed, speakers, strict=True)):
        if not runs or (speaker and speaker != runs[-1].speaker and runs[-1].speaker):
            runs.append(_Run(speaker, index))
        elif speaker and runs[-1].speaker is None:
            runs[-1].speaker = speaker  # words without speaker lead into the first one's
        if word is not None:
            runs[-1].words.append(word)
    if any(not run.words for run in runs):
        return None
    offsets = _offsets(text, texts)
    utterances = []
    for number, run in enumerate(runs):
        following = runs[number + 1].first if number + 1 < len(runs) else len(texts)
        if offsets is not None:
            stretch = text[offsets[run.first] : offsets[following]]
        else:
            stretch = _joined(texts[run.first : following])
        first = min(w.start for w in run.words)
        last = max(w.end for w in run.words)
        if number == 0:
            first = min(first, start)
        if number == len(runs) - 1:
            last = max(last, end)
        utterances.append(Utterance(first, last, one_line(stretch), run.speaker, tuple(run.words)))
    return utterances


def _offsets(text: str, texts: list[str]) -> list[int] | None:
    """Where each word starts in the segment's text (and its end), or None if one is not."""
    offsets = []
    position = 0
    for word in texts:
        found = text.find(word.strip(), position) if word.strip() else position
        if found < 0:
            return None
        offsets.append(found)
        position = found + len(word.strip())
    offsets.append(len(text))
    return offsets


def _joined(texts: list[str]) -> str:
    """Words as one text: as written when they carry their spaces (Whisper), else spaced."""
    if any(t[:1].isspace() for t in texts):
        return "".join(texts)
    return " ".join(texts)


def _word(path: Path, where: str, data: Any) -> tuple[str, Word | None, str | None]:
    """The text of the word at ``where``, the word if it has times, and its speaker."""
    _require_object(path, where, data)
    key = "word" if "word" in data else "text"
    text = _optional_text(path, f"{where}.{key}", data.get(key))
    if text is None:
        raise element_error(path, where, 'has no "word" (nor "text")')
    speaker = _optional_text(path, f"{where}.speaker", data.get("speaker")) or None
    if data.get("start") is None and data.get("end") is None:
        return text, None, speaker
    start, end = _span(path, where, data)
    return text, Word(start, end, text.strip()), speaker


def _whisper_cpp(path: Path, where: str, segment: Any, notes: _Notes) -> Utterance:
    """One segment of whisper.cpp's ``-oj`` output (times in milliseconds)."""
    _require_object(path, where, segment)
    offsets = segment.get("offsets")
    _require_object(path, f"{where}.offsets", offsets)
    times = []
    for key in ("from", "to"):
        value = offsets.get(key)
        at = f"{where}.offsets.{key}"
        if (
            isinstance(value, bool)
            or not isinstance(value, Decimal)
            or value != value.to_integral()
        ):
            raise element_error(path, at, f"expected whole milliseconds, got {value!r}")
        sign, digits, exponent = value.as_tuple()
        times.append(_ticks(path, at, Decimal((sign, digits, int(exponent) - 3))))  # ms to s
    start, end = check_span(path, None, where, *times)
    text = _optional_text(path, f"{where}.text", segment.get("text")) or ""
    speaker = _optional_text(path, f"{where}.speaker", segment.get("speaker"))
    if speaker is not None and speaker.strip() in ("", _NO_SPEAKER):
        speaker = None
    if segment.get("speaker_turn_next"):
        notes.turns.append(where)
    if segment.get("tokens"):
        notes.tokens.append(where)
    return Utterance(start, end, one_line(text), speaker)


def _span(path: Path, where: str, data: dict[str, Any]) -> tuple[int, int]:
    start = _seconds(path, f"{where}.start", data.get("start"))
    end = _seconds(path, f"{where}.end", data.get("end"))
    return check_span(path, None, where, start, end)


def _seconds(path: Path, where: str, value: Any) -> int:
    if value is None:
        raise element_error(path, where, "is missing")
    if isinstance(value, bool) or not isinstance(value, Decimal):
        raise element_error(path, where, f"expected a number of seconds, got {value!r}")
    return _ticks(path, where, value)


def _ticks(path: Path, where: str, value: Decimal) -> int:
    if value < 0:
        raise element_error(path, where, f"is negative ({value})")
    return element_seconds(path, where, value)


def _optional_text(path: Path, where: str, value: Any) -> str | None:
    if value is None:
        return value
    if not isinstance(value, str):
        raise element_error(path, where, f"expected a string, got {value!r}")
    lone = next((c for c in value if "\ud800" <= c <= "\udfff"), None)
    if lone is not None:
        raise element_error(
            path, where, f"holds \\u{ord(lone):04x}, half of a UTF-16 pair, not a character"
        )
    return value


def _require_object(path: Path, where: str, value: Any) -> None:
    if not isinstance(value, dict):
        raise element_error(path, where, f"expected an object, got {type(value).__name__}")


def _report(path: Path, notes: _Notes) -> None:
    if notes.untimed:
        where, text = notes.untimed[0]
        warn(
            path,
            None,
            f"word {text.strip()!r}{and_more(notes.untimed)} has no times: kept in its segment's "
            "text only, not as a timed word (word-level scores leave it out, and a CTM written "
            "from this transcript cannot hold it)",
            place=where,
        )
    if notes.disagreeing:
        where, segment, words = notes.disagreeing[0]
        warn(
            path,
            None,
            f"the segment's speaker {segment!r} is not its words' {words!r}"
            f"{and_more(notes.disagreeing)}: the segment's is read",
            place=where,
        )
    if notes.outside:
        where, word, start, end = notes.outside[0]
        warn(
            path,
            None,
            f"word {word.text!r} ({format_seconds(word.start)}-{format_seconds(word.end)} s)"
            f"{and_more(notes.outside)} lies outside its segment ({format_seconds(start)}-"
            f"{format_seconds(end)} s): read with its times as written",
            place=where,
        )
    if notes.unsplit:
        where, speaker = notes.unsplit[0]
        warn(
            path,
            None,
            f"the segment's words name several speakers, but a stretch of one speaker's "
            f"words has no times{and_more(notes.unsplit)}: not split, read as one utterance of "
            f"the segment's speaker ({speaker or 'none'})",
            place=where,
        )
    if notes.turns:
        warn(
            path,
            None,
            f"{len(notes.turns)} speaker turns (whisper.cpp's tinydiarize speaker_turn_next) "
            "are not read: they name no speaker",
            place=notes.turns[0],
        )
    if notes.tokens:
        warn(
            path,
            None,
            "whisper.cpp's token timings are not read (tokens are not words)",
            place=f"{notes.tokens[0]}.tokens",
        )


def format_whisper_json(transcript: Transcript) -> str:
    """Format a transcript as WhisperX-style JSON (``speaker`` and ``words`` when known)."""
    segments = []
    for index, utterance in enumerate(transcript):
        segment: dict[str, Any] = {
            "id": index,
            "start": to_seconds(utterance.start),
            "end": to_seconds(utterance.end),
            "text": utterance.text,
        }
        if utterance.speaker:
            segment["speaker"] = utterance.speaker
        if utterance.words:
            segment["words"] = [
                {"word": w.text, "start": to_seconds(w.start), "end": to_seconds(w.end)}
                for w in utterance.words
            ]
        segments.append(segment)
    text = " ".join(u.text for u in transcript if u.text)
    return json.dumps({"text": text, "segments": segments}, ensure_ascii=False, indent=2) + "\n"


def write_whisper_json(path: str | Path, transcript: Transcript) -> Written:
    """Write a transcript as Whisper JSON atomically (see :func:`format_whisper_json`).

    JSON holds all a transcript holds (words without times stay in their segment's text,
    as they were read), so nothing is reported.
    """
    path = Path(path)
    write_text_atomic(path, format_whisper_json(transcript))
    return Losses().written(path, transcript, len(transcript), "segment", len(transcript.speakers))
