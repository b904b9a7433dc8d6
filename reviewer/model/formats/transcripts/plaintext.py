"""Plain text, for deliverables: one ``Speaker: text`` line per utterance, no times.

Export only: without times it cannot be read back into a transcript.
"""

from __future__ import annotations

from pathlib import Path

from reviewer.model.formats.files import write_text_atomic
from reviewer.model.formats.transcripts.common import one_line
from reviewer.model.transcript import Transcript


def format_plain_text(transcript: Transcript) -> str:
    """``Speaker: text`` per utterance in time order (just the text when no speaker)."""
    return "".join(
        (f"{u.speaker}: {one_line(u.text)}".rstrip() if u.speaker else one_line(u.text)) + "\n"
        for u in transcript
    )


def write_plain_text(path: str | Path, transcript: Transcript) -> None:
    """Write a transcript as plain text atomically (see :func:`format_plain_text`)."""
    write_text_atomic(path, format_plain_text(transcript))
