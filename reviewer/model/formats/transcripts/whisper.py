"""Whisper / WhisperX JSON: segments with their text, speaker and words.

The file is an object with a list of segments::

    {"segments": [{"start": 0.0, "end": 2.5, "text": " Hello there.", "speaker": "SPEAKER_00",
                   "words": [{"word": " Hello", "start": 0.0, "end": 0.4}, ...]}]}

``speaker`` (WhisperX, after diarization) and ``words`` are optional; a word's text is under
``word`` (Whisper) or ``text``, and a word without times (WhisperX leaves numbers
unaligned) is kept only in the segment's text. Times are read exactly as written; they are
written as full-precision decimals, so they are read back exactly.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from reviewer.model.formats.errors import FormatError
from reviewer.model.formats.files import write_text_atomic
from reviewer.model.formats.transcripts.common import (
    check_span,
    element_error,
    one_line,
    read_text,
)
from reviewer.model.time import parse_seconds, to_seconds
from reviewer.model.transcript import Transcript, Utterance, Word


class _NotFinite:
    """``NaN`` or ``Infinity`` in the JSON text: read, then refused wherever it stands."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


def read_whisper_json(path: str | Path) -> Transcript:
    """Read the segments of a Whisper or WhisperX JSON file, one utterance each.

    Raises
    ------
    FormatError
        Naming the line of a JSON syntax error, or the JSON path of a bad value
        (``segments[3].end``) and the problem.
    """
    path = Path(path)
    text = read_text(path)
    try:
        document = json.loads(text, parse_float=Decimal, parse_constant=_NotFinite)
    except json.JSONDecodeError as error:
        raise FormatError(
            path, error.lineno, f"not valid JSON: {error.msg} (column {error.colno})"
        ) from None
    if not isinstance(document, dict) or not isinstance(document.get("segments"), list):
        raise element_error(path, "segments", 'expected an object with a list "segments"')
    return Transcript(
        _segment(path, f"segments[{index}]", segment)
        for index, segment in enumerate(document["segments"])
    )


def _segment(path: Path, where: str, segment: Any) -> Utterance:
    _require_object(path, where, segment)
    start, end = _span(path, where, segment)
    speaker = _optional_text(path, f"{where}.speaker", segment.get("speaker"))
    words_data = segment.get("words", [])
    if words_data is None:
        words_data = []
    if not isinstance(words_data, list):
        raise element_error(path, f"{where}.words", "expected a list")
    words = []
    spoken = []
    for index, data in enumerate(words_data):
        text, word = _word(path, f"{where}.words[{index}]", data)
        spoken.append(text)
        if word is not None:
            words.append(word)
    text = _optional_text(path, f"{where}.text", segment.get("text"))
    if text is None:
        text = " ".join(spoken)
    return Utterance(start, end, one_line(text), speaker or None, tuple(words))


def _word(path: Path, where: str, data: Any) -> tuple[str, Word | None]:
    """The text of the word at ``where``, and the word if it has times."""
    _require_object(path, where, data)
    key = "word" if "word" in data else "text"
    text = _optional_text(path, f"{where}.{key}", data.get(key))
    if text is None:
        raise element_error(path, where, 'has no "word" (nor "text")')
    text = text.strip()
    if data.get("start") is None and data.get("end") is None:
        return text, None
    start, end = _span(path, where, data)
    return text, Word(start, end, text)


def _span(path: Path, where: str, data: dict[str, Any]) -> tuple[int, int]:
    start = _seconds(path, f"{where}.start", data.get("start"))
    end = _seconds(path, f"{where}.end", data.get("end"))
    return check_span(path, None, where, start, end)


def _seconds(path: Path, where: str, value: Any) -> int:
    if value is None:
        raise element_error(path, where, "is missing")
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise element_error(path, where, f"expected a number of seconds, got {value!r}")
    ticks = parse_seconds(str(value))
    if value < 0:
        raise element_error(path, where, f"is negative ({value})")
    return ticks


def _optional_text(path: Path, where: str, value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise element_error(path, where, f"expected a string, got {value!r}")


def _require_object(path: Path, where: str, value: Any) -> None:
    if not isinstance(value, dict):
        raise element_error(path, where, f"expected an object, got {type(value).__name__}")


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


def write_whisper_json(path: str | Path, transcript: Transcript) -> None:
    """Write a transcript as Whisper JSON atomically (see :func:`format_whisper_json`)."""
    write_text_atomic(path, format_whisper_json(transcript))
