"""``reviewer convert``: between annotation and transcript formats."""

from __future__ import annotations

import argparse

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
    convert.add_argument("target", metavar="OUT", help="the file to write (atomically)")
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
    """``reviewer convert``: the summary on stdout, warnings on stderr."""
    from reviewer.io.transcripts import convert

    prefix = speaker_prefix(args)
    written = convert(args.source, args.target, to=args.to, speaker_prefix=prefix)
    print(written.summary())  # the reader's and writer's warnings are on stderr
    return 0
