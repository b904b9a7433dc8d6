"""Choosing a transcript format by name or file extension, and converting between formats."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewer.model.errors import FormatError
from reviewer.model.transcript import Transcript

if TYPE_CHECKING:
    from reviewer.io.transcripts.common import Written
    from reviewer.io.transcripts.cues import SpeakerPrefix

Reader = Callable[..., Transcript]
Writer = Callable[[Path, Transcript], "Written"]


@dataclass(frozen=True)
class TranscriptFormat:
    """A transcript format: its name, its file extensions, its reader and its writer.

    The reader and writer live in the format's own module, imported when one of them is
    first used (opening a recording with an STM transcript imports no XML or subtitle
    library).

    Attributes
    ----------
    name
        The name to ask for it by (``"stm"``, ``"textgrid"``...).
    title
        A name for people (``"NIST STM"``).
    extensions
        Lower-case file extensions, with the dot; the first one is the usual one.
    module
        The module of its reader and writer, in :mod:`reviewer.io.transcripts`.
    reader
        The reader's name in that module, or None for an export-only format.
    writer
        The writer's name in that module.
    prefixes
        Whether the reader reads ``Name: text`` speaker prefixes (and so takes
        ``speaker_prefix=``).
    """

    name: str
    title: str
    extensions: tuple[str, ...]
    module: str
    reader: str | None
    writer: str
    prefixes: bool = False

    @property
    def read(self) -> Reader | None:
        """The reader, or None for an export-only format."""
        return None if self.reader is None else getattr(self._module(), self.reader)

    @property
    def write(self) -> Writer:
        """The writer.

        It returns what it wrote (:class:`Written`) and reports what the format cannot hold
        with a :class:`~reviewer.io.FormatWarning` on the file.
        """
        return getattr(self._module(), self.writer)

    def _module(self) -> Any:
        return importlib.import_module(f"reviewer.io.transcripts.{self.module}")


FORMATS: dict[str, TranscriptFormat] = {
    f.name: f
    for f in (
        TranscriptFormat("stm", "NIST STM", (".stm",), "stm", "read_stm", "write_stm"),
        TranscriptFormat("ctm", "NIST CTM", (".ctm",), "ctm", "read_ctm", "write_ctm"),
        TranscriptFormat(
            "srt", "SubRip subtitles", (".srt",), "subrip", "read_srt", "write_srt", True
        ),
        TranscriptFormat(
            "vtt", "WebVTT subtitles", (".vtt",), "vtt", "read_vtt", "write_vtt", True
        ),
        TranscriptFormat(
            "textgrid", "Praat TextGrid", (".textgrid",), "textgrid", "read_textgrid",
            "write_textgrid",
        ),
        TranscriptFormat("eaf", "ELAN EAF", (".eaf",), "eaf", "read_eaf", "write_eaf"),
        TranscriptFormat(
            "json", "Whisper/WhisperX JSON", (".json",), "whisper", "read_whisper_json",
            "write_whisper_json",
        ),
        TranscriptFormat("txt", "plain text", (".txt",), "plaintext", None, "write_plain_text"),
        TranscriptFormat(
            "rttm", "RTTM speaker turns", (".rttm",), "rttm", "read_rttm_transcript",
            "write_rttm_transcript",
        ),
    )
}  # fmt: skip
"""Every transcript format, by name."""

TRANSCRIPT_SUFFIXES = tuple(
    suffix
    for name, format_ in FORMATS.items()
    if format_.reader is not None and name != "rttm"
    for suffix in format_.extensions
)
"""Transcript extensions (lower case): every readable format of the registry but RTTM."""

_ALIASES = {
    "webvtt": "vtt",
    "subrip": "srt",
    "praat": "textgrid",
    "elan": "eaf",
    "whisper": "json",
    "whisperx": "json",
    "text": "txt",
}


def transcript_format(path: str | Path, format: str | None = None) -> TranscriptFormat:
    """The format named ``format``, or else the one of ``path``'s extension.

    Raises
    ------
    FormatError
        For an unknown format name or extension, naming ``path``.
    """
    path = Path(path)
    if format is not None:
        name = format.lower().lstrip(".")
        name = _ALIASES.get(name, name)
        if name not in FORMATS:
            raise FormatError(
                path, None, f"unknown transcript format {format!r} (known: {', '.join(FORMATS)})"
            )
        return FORMATS[name]
    suffix = path.suffix.lower()
    for candidate in FORMATS.values():
        if suffix in candidate.extensions:
            return candidate
    known = ", ".join(e for f in FORMATS.values() for e in f.extensions)
    raise FormatError(
        path,
        None,
        f"unknown transcript extension {suffix or '(none)'!r} (known: {known}); name the format",
    )


def read_transcript(
    path: str | Path, format: str | None = None, speaker_prefix: SpeakerPrefix = None
) -> Transcript:
    """Read a transcript in any readable format.

    Parameters
    ----------
    path
        The file.
    format
        A format name (see :data:`FORMATS`); by default, from the file's extension.
    speaker_prefix
        For the formats that mark speakers with ``Name: text`` prefixes (SRT, WebVTT): True
        reads every such prefix as a speaker, False none, None (default) only when the file
        uses them as speaker marks throughout (see
        :mod:`~reviewer.io.transcripts.cues`). Other formats ignore it.

    Raises
    ------
    FormatError
        For an unknown or export-only format, or malformed input (nothing is half-read).
    """
    path = Path(path)
    chosen = transcript_format(path, format)
    if chosen.read is None:
        raise FormatError(
            path, None, f"{chosen.title} is export only: it cannot be read back (it has no times)"
        )
    options: dict[str, Any] = {"speaker_prefix": speaker_prefix} if chosen.prefixes else {}
    return chosen.read(path, **options)


def write_transcript(
    path: str | Path, transcript: Transcript, format: str | None = None
) -> Written:
    """Write a transcript atomically in any format.

    Parameters
    ----------
    path
        The file.
    transcript
        What to write.
    format
        A format name (see :data:`FORMATS`); by default, from the file's extension.

    Returns
    -------
    Written
        What was written, counted in the format's units; :meth:`Written.summary` says it.

    Warns
    -----
    FormatWarning
        On ``path``, once written, for each thing the format cannot hold: speakers or
        texts it has no place for, utterances or words not written, speaker names written
        changed (never merged: see the package docstring), word times.

    Raises
    ------
    FormatError
        For an unknown format, or naming ``path`` if the format cannot hold the transcript
        (see each writer); nothing is written then.
    WriteError
        If the file cannot be written (no such directory, permission denied), naming it.
    """
    path = Path(path)
    return transcript_format(path, format).write(path, transcript)


def convert(
    source: str | Path,
    target: str | Path,
    to: str | None = None,
    speaker_prefix: SpeakerPrefix = None,
) -> Written:
    """Convert a transcript (or RTTM) file to another format.

    Parameters
    ----------
    source
        The file to read, its format chosen from its extension.
    target
        The file to write.
    to
        The target format's name; by default, from ``target``'s extension.
    speaker_prefix
        How ``Name: text`` prefixes of a subtitle source are read (see
        :func:`read_transcript`).

    Returns
    -------
    Written
        What was written (its ``transcript`` is what was read); what the target format
        could not hold is reported as by :func:`write_transcript`.

    Raises
    ------
    FormatError
        For unknown formats or malformed input, or if the target format cannot hold the
        transcript; nothing is written then.
    WriteError
        If the target cannot be written, naming it.
    """
    target_format = transcript_format(target, to)
    transcript = read_transcript(source, speaker_prefix=speaker_prefix)
    return target_format.write(Path(target), transcript)
