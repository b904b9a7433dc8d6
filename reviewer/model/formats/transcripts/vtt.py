"""WebVTT subtitles, read and written with the ``webvtt`` library (``webvtt-py``).

A cue's speaker is its ``<v Speaker>`` voice tag (or, failing that, a ``Speaker: `` prefix,
as some meeting tools write); other cue tags are dropped, character references decoded and
lines joined with spaces. Times have millisecond precision.
"""

from __future__ import annotations

import html
from pathlib import Path

import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

from reviewer.model.formats.errors import FormatError
from reviewer.model.formats.files import write_text_atomic
from reviewer.model.formats.transcripts.common import (
    TICKS_PER_MILLISECOND,
    check_span,
    one_line,
    read_text,
    split_speaker,
)
from reviewer.model.time import format_clock
from reviewer.model.transcript import Transcript, Utterance


def read_vtt(path: str | Path) -> Transcript:
    """Read a WebVTT file (strictly, as the specification says), one utterance per cue.

    Raises
    ------
    FormatError
        If the file does not start with ``WEBVTT``, a cue block is malformed, or a cue
        (``cue 3``) ends before it starts.
    """
    path = Path(path)
    text = read_text(path)
    try:
        captions = webvtt.WebVTT.from_string(text, strict=True).captions
    except MalformedFileError:
        raise FormatError(path, 1, "not a WebVTT file: it must start with 'WEBVTT'") from None
    except MalformedCaptionError as error:
        raise FormatError(path, None, f"not a valid WebVTT file: {error}") from None
    utterances = []
    for number, caption in enumerate(captions, start=1):
        name = f"cue {number}" + (f" ({caption.identifier})" if caption.identifier else "")
        start, end = check_span(
            path,
            None,
            name,
            caption.start_time.in_milliseconds() * TICKS_PER_MILLISECOND,
            caption.end_time.in_milliseconds() * TICKS_PER_MILLISECOND,
        )
        words = one_line(html.unescape(caption.text))
        speaker = caption.voice.strip() if caption.voice else None
        if speaker is None:
            speaker, words = split_speaker(words)
        utterances.append(Utterance(start, end, words, speaker))
    return Transcript(utterances)


def format_vtt(transcript: Transcript) -> str:
    """Format a transcript as WebVTT cues, with a ``<v Speaker>`` tag when the speaker is known.

    Raises
    ------
    ValueError
        If a speaker name holds ``>`` or a line break.
    """
    captions = []
    for utterance in transcript:
        text = html.escape(one_line(utterance.text), quote=False)
        if utterance.speaker:
            speaker = one_line(utterance.speaker)
            if not speaker or ">" in speaker:
                raise ValueError(f"speaker {utterance.speaker!r} cannot be a WebVTT voice")
            text = f"<v {speaker}>{text}"
        captions.append(
            webvtt.Caption(format_clock(utterance.start), format_clock(utterance.end), text)
        )
    return webvtt.WebVTT(captions=captions).content


def write_vtt(path: str | Path, transcript: Transcript) -> None:
    """Write a transcript to a WebVTT file atomically (see :func:`format_vtt`)."""
    write_text_atomic(path, format_vtt(transcript))
