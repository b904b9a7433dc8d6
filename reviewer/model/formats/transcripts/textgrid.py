"""Praat TextGrid, read and written with the ``praatio`` library.

Each interval tier is a speaker and each labelled interval one of its utterances; empty
intervals (silence) and point tiers are skipped, and the tier ``unknown`` holds the
utterances without speaker. Times are written as Praat does, as full-precision decimals,
so they are read back exactly.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from praatio import textgrid
from praatio.utilities.constants import INTERVAL_TIER

from reviewer.model.formats.files import write_text_atomic
from reviewer.model.formats.transcripts.common import (
    by_tier,
    end_of,
    library_error,
    read_text,
    speaker_from_name,
    ticks_from_float,
)
from reviewer.model.time import to_seconds
from reviewer.model.transcript import Transcript, Utterance


def read_textgrid(path: str | Path) -> Transcript:
    """Read the labelled intervals of a TextGrid's interval tiers (long, short or JSON form).

    Raises
    ------
    FormatError
        If praatio cannot read the file (the library's message is kept).
    """
    path = Path(path)
    read_text(path)  # a clear error for a missing or unreadable file
    try:
        grid = textgrid.openTextgrid(str(path), includeEmptyIntervals=False)
    except Exception as error:  # praatio raises many kinds of error on bad input
        raise library_error(path, "TextGrid", error) from None
    utterances = [
        Utterance(
            ticks_from_float(interval.start),
            ticks_from_float(interval.end),
            interval.label.strip(),
            speaker_from_name(tier.name),
        )
        for tier in grid.tiers
        if tier.tierType == INTERVAL_TIER
        for interval in tier.entries
        if interval.label.strip()
    ]
    return Transcript(utterances)


def write_textgrid(path: str | Path, transcript: Transcript) -> None:
    """Write a transcript to a (long form) TextGrid atomically, one interval tier per speaker.

    Raises
    ------
    ValueError
        If an utterance lasts no time, or overlaps another one of its speaker.
    """
    tiers = by_tier(transcript, "a TextGrid")
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
