"""Options several subcommands share: times, sizes, and md-eval's scoring settings."""

from __future__ import annotations

import argparse

from reviewer.model.scoring import ScoringSettings

COLLAR_HELP = (
    "seconds excluded on EACH side of every reference boundary, as md-eval's -c "
    "(default 0). pyannote.metrics' collar is the TOTAL width: --collar 0.25 here "
    "equals collar=0.5 there"
)
SKIP_OVERLAP_HELP = "do not score overlap (md-eval's -1)"


def add_scoring_options(
    parser: argparse.ArgumentParser,
    *,
    collar_default: float | None = 0.0,
    collar_help: str = COLLAR_HELP,
    overlap_help: str = SKIP_OVERLAP_HELP,
) -> None:
    """``--collar C`` (seconds each side, md-eval's ``-c``) and ``--skip-overlap`` (``-1``)."""
    parser.add_argument(
        "--collar", type=seconds, default=collar_default, metavar="C", help=collar_help
    )
    parser.add_argument("--skip-overlap", action="store_true", help=overlap_help)


def add_speaker_prefix(parser: argparse.ArgumentParser, help: str) -> None:
    """``--speaker-prefix auto|yes|no``: how SRT/WebVTT cues name their speaker."""
    parser.add_argument(
        "--speaker-prefix", choices=("auto", "yes", "no"), default="auto", help=help
    )


def speaker_prefix(args: argparse.Namespace) -> bool | None:
    """``--speaker-prefix`` as the transcript readers take it (None: decide from the file)."""
    return {"auto": None, "yes": True, "no": False}[args.speaker_prefix]


def scoring_settings(args: argparse.Namespace) -> ScoringSettings:
    """The one :class:`ScoringSettings` of ``--collar`` and ``--skip-overlap``."""
    return ScoringSettings(args.collar, args.skip_overlap)


def seconds(text: str) -> float:
    """A finite, non-negative number of seconds (an argparse type)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} must be a finite, non-negative time")
    return value


def size(text: str) -> tuple[int, int]:
    """``WIDTHxHEIGHT`` in pixels, each 16 to 16384 (an argparse type)."""
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not WIDTHxHEIGHT") from None
    if not (16 <= width <= 16384 and 16 <= height <= 16384):
        raise argparse.ArgumentTypeError(f"{text!r}: sizes go from 16 to 16384 pixels")
    return width, height
