"""``reviewer convert``: between annotation and transcript formats."""

from __future__ import annotations

import argparse
import sys
import tempfile
import warnings
from pathlib import Path

from reviewer.cli.options import add_speaker_prefix, speaker_prefix


def register(commands) -> None:
    """Add ``convert`` to the subcommands."""
    convert = commands.add_parser(
        "convert",
        help="convert between annotation and transcript formats",
        description="Convert between RTTM, STM, CTM, SRT, WebVTT, Praat TextGrid, ELAN EAF, "
        "Whisper/WhisperX JSON and plain text (export only). The formats come from the file "
        "extensions, or from --to for the output.",
    )
    convert.add_argument("source", metavar="IN", help="the file to read")
    convert.add_argument(
        "target",
        metavar="OUT",
        help="the file to write (atomically), or - for standard output (needs --to)",
    )
    convert.add_argument(
        "--to",
        metavar="FORMAT",
        help="output format: rttm, stm, ctm, srt, vtt, textgrid, eaf, json, txt",
    )
    add_speaker_prefix(
        convert,
        "SRT/WebVTT input: read 'Name: text' as spoken by Name always (yes), never (no), "
        "or only when the file uses such prefixes throughout, the same few names recurring "
        "in most cues (auto, the default); <v Name> tags are always read",
    )
    convert.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """``reviewer convert``: the summary on stdout, warnings on stderr.

    With ``-`` as OUT the converted file goes to standard output, byte for byte as it would
    be written (a UTF-16 TextGrid stays UTF-16), and the summary goes to stderr.
    """
    from reviewer.io import FormatWarning
    from reviewer.io.transcripts import convert

    prefix = speaker_prefix(args)
    if args.target != "-":
        written = convert(args.source, args.target, to=args.to, speaker_prefix=prefix)
        print(written.summary())  # the reader's and writer's warnings are on stderr
        return 0
    if not args.to:
        print(
            "reviewer: error: OUT is - (standard output): say the format with --to", file=sys.stderr
        )
        return 2
    with tempfile.TemporaryDirectory(prefix="reviewer-convert-") as folder:
        target = Path(folder) / f"stdout.{args.to}"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            written = convert(args.source, target, to=args.to, speaker_prefix=prefix)
        for caught_warning in caught:  # the writer's name the temporary file
            message = caught_warning.message
            if isinstance(message, FormatWarning) and message.path == target:
                message = FormatWarning(
                    "standard output", message.line, message.problem, message.place
                )
            warnings.warn(message, stacklevel=1)
        sys.stdout.flush()
        sys.stdout.buffer.write(target.read_bytes())
        sys.stdout.flush()
    print(written.summary().replace(str(target), "standard output"), file=sys.stderr)
    return 0
