"""Plain text, for deliverables: one ``Speaker: text`` line per utterance, no times.

Export only: without times it cannot be read back into a transcript. Writing reports (a
:class:`~reviewer.io.FormatWarning`) that the times are not written, and a
speaker name with line breaks (written on one line) as changed, never merged.
"""

from __future__ import annotations

from pathlib import Path

from reviewer.io.files import write_text_atomic
from reviewer.io.transcripts.common import (
    Losses,
    Written,
    one_line,
    speaker_names,
    with_speaker_prefix,
)
from reviewer.model.transcript import Transcript


def format_plain_text(transcript: Transcript, losses: Losses | None = None) -> str:
    """``Speaker: text`` per utterance in time order (just the text when no speaker)."""
    losses = losses if losses is not None else Losses()
    names = speaker_names(transcript, losses, one_line, "a name is written on one line")
    return "".join(
        with_speaker_prefix(u.text, names[u.speaker] if u.speaker else None) + "\n"
        for u in transcript
    )


def write_plain_text(path: str | Path, transcript: Transcript) -> Written:
    """Write a transcript as plain text atomically (see :func:`format_plain_text`)."""
    path = Path(path)
    losses = Losses()
    text = format_plain_text(transcript, losses)
    if transcript.utterances:
        losses.add("times are not written: plain text is for reading (export only)", "no times")
    write_text_atomic(path, text)
    return losses.written(path, transcript, len(transcript), "line", len(transcript.speakers))
