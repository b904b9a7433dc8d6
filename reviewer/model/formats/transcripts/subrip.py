"""SRT (SubRip) subtitles, read and written with the ``srt`` library.

A cue's speaker is taken from a leading ``<v Speaker>`` voice tag or a ``Speaker: `` prefix;
its lines are joined with spaces. Times have millisecond precision.
"""

from __future__ import annotations

from pathlib import Path

import srt

from reviewer.model.formats.errors import FormatError
from reviewer.model.formats.files import write_text_atomic
from reviewer.model.formats.transcripts.common import (
    check_span,
    line_of,
    read_text,
    split_speaker,
    ticks_from_timedelta,
    timedelta_from_ticks,
    with_speaker_prefix,
)
from reviewer.model.transcript import Transcript, Utterance


def read_srt(path: str | Path) -> Transcript:
    """Read an SRT file, one utterance per cue.

    Raises
    ------
    FormatError
        Naming the line of text that is not a cue, or the cue (``cue 3``) that ends before
        it starts.
    """
    path = Path(path)
    text = read_text(path)
    try:
        subtitles = list(srt.parse(text))
    except srt.SRTParseError as error:
        raise FormatError(
            path,
            line_of(text, error.expected_start),
            f"not a valid SRT cue: {error.unmatched_content.strip()[:60]!r}",
        ) from None
    except ValueError as error:
        raise FormatError(path, None, f"not a valid SRT file: {error}") from None
    utterances = []
    for number, subtitle in enumerate(subtitles, start=1):
        start, end = check_span(
            path,
            None,
            f"cue {number}",
            ticks_from_timedelta(subtitle.start),
            ticks_from_timedelta(subtitle.end),
        )
        speaker, words = split_speaker(subtitle.content)
        utterances.append(Utterance(start, end, words, speaker))
    return Transcript(utterances)


def format_srt(transcript: Transcript) -> str:
    """Format a transcript as SRT cues, ``Speaker: text`` when the speaker is known.

    Raises
    ------
    ValueError
        If a speaker name cannot be written as a prefix.
    """
    subtitles = [
        srt.Subtitle(
            index=number,
            start=timedelta_from_ticks(utterance.start),
            end=timedelta_from_ticks(utterance.end),
            content=with_speaker_prefix(utterance),
        )
        for number, utterance in enumerate(transcript, start=1)
    ]
    return srt.compose(subtitles, reindex=False)


def write_srt(path: str | Path, transcript: Transcript) -> None:
    """Write a transcript to an SRT file atomically (see :func:`format_srt`)."""
    write_text_atomic(path, format_srt(transcript))
