"""``reviewer factorial``: the speaker-conversation factorial experiment."""

from __future__ import annotations

import argparse
import json


def register(commands) -> None:
    """Add ``factorial`` (with ``analyze``) to the subcommands."""
    factorial = commands.add_parser(
        "factorial",
        help="voices or conversation? the speaker-conversation factorial experiment",
        description="Remix conversations so that voices and conversation structure are "
        "crossed, run a system on every remix, and attribute its DER to the voices, the "
        "structure and the rest (Seyfarth, Srinivasan & Kirchhoff, Interspeech 2021).",
    )
    steps = factorial.add_subparsers(title="steps", metavar="STEP", required=True)
    remix = steps.add_parser(
        "remix",
        help="put the voices of one recording into the turns and pauses of another",
        description="Write OUT.wav, OUT.rttm (its reference: exactly the structure's turns, "
        "speakers renamed to the voice source's) and OUT.json (where every piece came from). "
        "Speakers map by rank of total talk time unless --map says otherwise; each turn is "
        "filled with its speaker's single-speaker speech, in order, cycled; every speaker is "
        "normalised to one loudness (ITU-R BS.1770).",
    )
    remix.add_argument(
        "--voices", nargs=2, required=True, metavar=("AUDIO", "RTTM"),
        help="the voice source: its audio and its reference RTTM",
    )  # fmt: skip
    remix.add_argument(
        "--structure", required=True, metavar="RTTM", help="the turn-and-pause schedule to fill"
    )
    remix.add_argument("--out", required=True, metavar="OUT.wav", help="the remix to write")
    remix.add_argument(
        "--map",
        metavar="S=V,...",
        help="structure speaker S takes voice speaker V (every structure speaker, once each)",
    )
    remix.add_argument(
        "--seed", type=int, help="start each speaker's material at a region drawn with this seed"
    )
    remix.add_argument(
        "--rate", type=int, metavar="HZ", help="the remix's sample rate (default: the voices')"
    )
    remix.add_argument(
        "--loudness", type=float, default=-23.0, metavar="LUFS",
        help="every speaker's integrated loudness (default -23, EBU R128)",
    )  # fmt: skip
    remix.set_defaults(run=run_remix)
    analyze = steps.add_parser(
        "analyze",
        help="variance of DER attributed to voices, structure and residual, with intervals",
        description="Fit DER = mean + voices + structure + residual with crossed random "
        "effects (closed-form two-way ANOVA for a complete grid, REML with statsmodels "
        "otherwise) and give each component's variance and share with crossed-bootstrap "
        "intervals; the same for missed speech, false alarm and confusion. DER in percentage "
        "points, variances in points squared.",
    )
    analyze.add_argument("cells", metavar="EXP", help="an experiment folder, or a cells.csv")
    output = analyze.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print JSON")
    output.add_argument("--csv", action="store_true", help="print CSV, one row per measure")
    analyze.add_argument(
        "--replicates", type=int, default=1000, metavar="B", help="bootstrap replicates (1000)"
    )
    analyze.add_argument(
        "--level", type=float, default=0.95, metavar="P", help="interval coverage (0.95)"
    )
    analyze.add_argument("--seed", type=int, default=0, help="bootstrap seed (0)")
    analyze.set_defaults(run=run_analyze)


def run_analyze(args: argparse.Namespace) -> int:
    """``reviewer factorial analyze``: a table, JSON or CSV on stdout."""
    from reviewer.factorial.analysis import analyze
    from reviewer.factorial.cells_file import read_cells
    from reviewer.reports import factorial_csv, factorial_table

    result = analyze(read_cells(args.cells), args.replicates, args.level, args.seed)
    if args.json:
        print(json.dumps(result.as_dict(), indent=2))
    elif args.csv:
        print(factorial_csv(result), end="")
    else:
        print(factorial_table(result))
    return 0


def run_remix(args: argparse.Namespace) -> int:
    """``reviewer factorial remix``: the three files, and one line saying what was made."""
    from pathlib import Path

    from reviewer.factorial.synthesis import RemixSettings, make_remix, write_remix

    voices_audio, voices_rttm = args.voices
    voices = _one_recording(voices_rttm, Path(voices_audio).stem)
    structure = _one_recording(args.structure, None)
    out = Path(args.out)
    settings = RemixSettings(sample_rate=args.rate, seed=args.seed, loudness=args.loudness)
    mapping = _mapping(args.map) if args.map else None
    remix = make_remix(voices_audio, voices, structure, mapping, settings, uri=out.stem)
    files = write_remix(remix, out)
    pairs = ", ".join(f"{s}={v}" for s, v in remix.provenance["mapping"].items())
    print(
        f"wrote {files[0]} ({len(remix.samples) / remix.sample_rate:.2f} s, "
        f"{len(remix.reference)} turns; {pairs}), {files[1].name} and {files[2].name}"
    )
    return 0


def _one_recording(path: str, prefer: str | None):
    """The one recording of an RTTM file (the one named ``prefer`` when it holds several)."""
    from reviewer.io import read_rttm

    tracks = read_rttm(path)
    if len(tracks) == 1:
        return next(iter(tracks.values()))
    for key, track in tracks.items():
        if track.uri == prefer or key == prefer:
            return track
    names = ", ".join(sorted(tracks)) or "none"
    raise ValueError(f"{path}: holds {len(tracks)} recordings ({names}); give a file with one")


def _mapping(text: str) -> dict[str, str]:
    """``S=V,S2=V2`` as a dict; a pair without ``=`` or a speaker twice is refused."""
    mapping: dict[str, str] = {}
    for pair in text.split(","):
        structure, sep, voice = pair.partition("=")
        if not sep or not structure.strip() or not voice.strip():
            raise ValueError(f"--map: {pair!r} is not STRUCTURE_SPEAKER=VOICE_SPEAKER")
        if structure.strip() in mapping:
            raise ValueError(f"--map: structure speaker {structure.strip()!r} appears twice")
        mapping[structure.strip()] = voice.strip()
    return mapping
