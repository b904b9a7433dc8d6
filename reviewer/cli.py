"""The ``reviewer`` command: subcommands over the model (the app window comes later)."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from reviewer.io import FormatError, read_rttm, read_uem, write_rttm
from reviewer.io.rttm import read_rttm_contents
from reviewer.metrics import CorpusScore, DiarizationScore, score_corpus

COLLAR_HELP = (
    "seconds excluded on EACH side of every reference boundary, as md-eval's -c "
    "(default 0). pyannote.metrics' collar is the TOTAL width: --collar 0.25 here "
    "equals collar=0.5 there"
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (2 for bad input)."""
    from reviewer.corpus.corpus import ProjectBusy
    from reviewer.ui.app import NoDisplay  # Qt itself is imported only to open a window

    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        from reviewer.ui.app import run

        return run()
    try:
        with _warnings_on_stderr():
            return args.run(args)
    except (FormatError, FileNotFoundError, ValueError) as error:
        print(f"reviewer: error: {error}", file=sys.stderr)
        return 2
    except (NoDisplay, ProjectBusy) as error:
        print(f"reviewer: error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `reviewer score --json | head`: the reader has gone
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as error:
        name = f"{error.filename}: " if error.filename else ""
        print(f"reviewer: error: {name}{error.strerror or error}", file=sys.stderr)
        return 2


@contextlib.contextmanager
def _warnings_on_stderr() -> Iterator[None]:
    """Print each reader and scoring warning as one line on stderr, every time it occurs."""
    import warnings

    from reviewer.io import FormatWarning
    from reviewer.metrics.pairing import ScoringWarning

    default = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, (FormatWarning, ScoringWarning)):
            print(f"reviewer: warning: {message}", file=sys.stderr, flush=True)
        else:
            default(message, category, filename, lineno, file, line)

    with warnings.catch_warnings():
        warnings.simplefilter("always", FormatWarning)
        warnings.simplefilter("always", ScoringWarning)
        warnings.showwarning = show
        yield


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reviewer",
        description="Review and correct speaker diarization; DER exactly as NIST md-eval-22.",
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    score = commands.add_parser(
        "score",
        help="diarization error rate of a system output against a reference",
        description="Score system RTTMs against reference RTTMs exactly as NIST md-eval-22 "
        "does (the scorer behind DIHARD, VoxSRC and CHiME results). Only recordings of the "
        "reference are scored; one missing from the system output is all missed.",
    )
    _scoring_inputs(score)
    score.add_argument("--json", action="store_true", help="print JSON instead of a table")
    score.set_defaults(run=_score)

    breakdown = commands.add_parser(
        "breakdown",
        help="break errors down by cause: overlap, speaker changes, short turns, steady speech",
        description="md-eval's errors split into exclusive classes decided by the reference's "
        "structure (first match wins): overlap, near_change, short_turn, steady, non_speech. "
        "The classes add up to the totals of `reviewer score`.",
    )
    _scoring_inputs(breakdown)
    breakdown.add_argument(
        "--tau",
        type=_seconds,
        default=0.5,
        metavar="T",
        help="seconds around a speaker change that count as near_change (default 0.5)",
    )
    breakdown.add_argument(
        "--short",
        type=_seconds,
        default=1.0,
        metavar="L",
        help="reference turns shorter than L seconds are short_turn (default 1.0)",
    )
    output = breakdown.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print JSON")
    output.add_argument("--csv", action="store_true", help="print CSV, one row per class")
    breakdown.add_argument(
        "--plot",
        metavar="FIG.png",
        help="also draw the breakdown and the error-rate curves to an image",
    )
    breakdown.set_defaults(run=_breakdown)

    diarize = commands.add_parser(
        "diarize",
        help="run a pyannote.audio diarization pipeline on a recording",
        description="Diarize AUDIO with a pyannote.audio pipeline: a Hugging Face id (the "
        "token comes from HF_TOKEN or the app's settings) or a local directory / config.yaml. "
        "Usage telemetry stays off unless --telemetry.",
    )
    diarize.add_argument("audio", metavar="AUDIO", help="audio file (read with soundfile)")
    diarize.add_argument(
        "--pipeline",
        default="pyannote/speaker-diarization-community-1",
        metavar="P",
        help="Hugging Face pipeline id, local folder or config.yaml (default: %(default)s)",
    )
    diarize.add_argument("--out", metavar="RTTM", help="write the RTTM here (default: stdout)")
    diarize.add_argument(
        "--exclusive",
        metavar="RTTM",
        help="also write the pipeline's exclusive (non-overlapping) output",
    )
    count = diarize.add_mutually_exclusive_group()
    count.add_argument("--num-speakers", type=int, metavar="N")
    count.add_argument("--min-speakers", type=int, metavar="A")
    diarize.add_argument("--max-speakers", type=int, metavar="B")
    diarize.add_argument(
        "--telemetry", action="store_true", help="opt in to pyannote.audio's usage telemetry"
    )
    diarize.set_defaults(run=_diarize)

    corpus = commands.add_parser(
        "corpus",
        help="review a whole corpus: a table of recordings, scored in the background",
        description="Open a corpus: a folder with audio and ref/ and sys/ RTTM folders "
        "(matched by recording id, optional uem/), a list file ('uri audio reference "
        "[system [uem]]' per line), a saved project file, or a pyannote.database protocol "
        "(--protocol). Review status, notes and corrections are kept in the project file "
        "(default: review.reviewer-project.json beside the corpus), autosaved and restored "
        "after a crash.",
    )
    corpus.add_argument("source", metavar="FOLDER|LIST|PROJECT", nargs="?")
    corpus.add_argument("--sys", metavar="S", help="system output folder or RTTM")
    corpus.add_argument(
        "--compare", metavar="B", help="a second system's output folder or RTTM to compare with"
    )
    corpus.add_argument("--project", metavar="P", help="the project file to keep")
    corpus.add_argument(
        "--protocol",
        metavar="NAME",
        help="a pyannote.database protocol, e.g. VoxConverse.SpeakerDiarization.v0.3",
    )
    corpus.add_argument(
        "--subset", default="test", help="with --protocol: train, development or test"
    )
    corpus.add_argument(
        "--database", metavar="YML", help="with --protocol: the database.yml to load"
    )
    corpus.add_argument(
        "--collar", type=_seconds, metavar="C", help=COLLAR_HELP + "; kept in the project"
    )
    corpus.add_argument(
        "--skip-overlap", action="store_true", help="do not score overlap (md-eval's -1)"
    )
    corpus.add_argument(
        "--table",
        action="store_true",
        help="no window: print every recording's scores (and the comparison with --compare)",
    )
    corpus.add_argument(
        "--export",
        metavar="OUT",
        help="no window: write every corrected track (the system output where there is no "
        "correction) to a folder, or to one RTTM file if OUT ends in .rttm",
    )
    corpus.set_defaults(run=_corpus)

    compare = commands.add_parser(
        "compare",
        help="compare two systems: which recordings and which error classes got better",
        description="Score two system outputs against the same references (md-eval's DER, "
        "split by cause) and show which recordings and error classes got better or worse.",
    )
    compare.add_argument("--ref", required=True, metavar="R", help="reference RTTM file or folder")
    compare.add_argument("--a", required=True, metavar="A", help="system A: RTTM file or folder")
    compare.add_argument("--b", required=True, metavar="B", help="system B: RTTM file or folder")
    compare.add_argument("--uem", metavar="U", help="UEM file or folder: regions to score")
    compare.add_argument("--collar", type=_seconds, default=0.0, metavar="C", help=COLLAR_HELP)
    compare.add_argument(
        "--skip-overlap", action="store_true", help="do not score overlap (md-eval's -1)"
    )
    compare.add_argument("--json", action="store_true", help="print JSON")
    compare.add_argument("--plot", metavar="FIG.png", help="also draw the comparison")
    compare.set_defaults(run=_compare)

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
    convert.add_argument(
        "--speaker-prefix",
        choices=("auto", "yes", "no"),
        default="auto",
        help="SRT/WebVTT input: read 'Name: text' as spoken by Name always (yes), never (no), "
        "or only when the file uses such prefixes throughout, the same few names recurring "
        "in most cues (auto, the default); <v Name> tags are always read",
    )
    convert.set_defaults(run=_convert)

    demo = commands.add_parser(
        "demo",
        help="open the built-in demo: pyannote.audio's sample with an example system output",
    )
    demo.add_argument(
        "--check",
        action="store_true",
        help="no window: print the demo's scores (for machines without a display)",
    )
    demo.add_argument("--json", action="store_true", help="with --check: print JSON")
    demo.set_defaults(run=_demo)

    open_ = commands.add_parser("open", help="open a recording for review")
    _review_inputs(open_)
    open_.add_argument(
        "--speaker-prefix",
        choices=("auto", "yes", "no"),
        default="auto",
        help="SRT/WebVTT transcript: read 'Name: text' as spoken by Name always (yes), never "
        "(no), or only when the file uses such prefixes throughout (auto, the default)",
    )
    open_.set_defaults(run=_open)

    render = commands.add_parser(
        "render",
        help="draw the review view (waveform, lanes, errors, metrics) to a PNG, no display",
    )
    _review_inputs(render)
    render.add_argument("--start", type=_seconds, metavar="S", help="view start (seconds)")
    render.add_argument("--end", type=_seconds, metavar="E", help="view end (seconds)")
    render.add_argument("--out", required=True, metavar="FIG.png", help="the PNG to write")
    render.add_argument(
        "--size",
        default="1600x900",
        metavar="WxH",
        type=_size,
        help="image size in pixels (default 1600x900)",
    )
    render.set_defaults(run=_render)
    return parser


def _scoring_inputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--ref", required=True, metavar="R", help="reference RTTM file or directory"
    )
    parser.add_argument("--hyp", required=True, metavar="H", help="system RTTM file or directory")
    parser.add_argument(
        "--uem",
        metavar="U",
        help="UEM file or directory: regions to score (default: from each recording's "
        "first reference turn to its last)",
    )
    parser.add_argument("--collar", type=_seconds, default=0.0, metavar="C", help=COLLAR_HELP)
    parser.add_argument(
        "--skip-overlap",
        action="store_true",
        help="do not score regions where two or more reference turns overlap (md-eval's -1)",
    )


def _review_inputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "audio",
        metavar="AUDIO",
        help="audio file (any format libsndfile reads), or a saved .reviewer.json session",
    )
    parser.add_argument("--ref", metavar="R", help="reference RTTM")
    parser.add_argument("--hyp", metavar="H", help="system output RTTM")
    parser.add_argument("--uem", metavar="U", help="UEM: regions to score")
    parser.add_argument(
        "--transcript",
        metavar="T",
        help="timed transcript: STM, CTM, SRT, WebVTT, TextGrid, EAF or Whisper JSON",
    )


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not WIDTHxHEIGHT") from None
    if not (16 <= width <= 16384 and 16 <= height <= 16384):
        raise argparse.ArgumentTypeError(f"{text!r}: sizes go from 16 to 16384 pixels")
    return width, height


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} must be a finite, non-negative time")
    return value


def _score(args: argparse.Namespace) -> int:
    uems = read_uem(args.uem) if args.uem else None
    reference = read_rttm_contents(args.ref)
    _print_scores(
        reference.tracks,
        read_rttm(args.hyp),
        uems,
        args.collar,
        args.skip_overlap,
        args.json,
        reference.exclusions,
    )
    return 0


def _print_scores(
    references,
    hypotheses,
    uems,
    collar: float,
    skip_overlap: bool,
    as_json: bool,
    exclusions=None,
) -> None:
    """Score with md-eval's DER and dscore's JER; print a table or JSON."""
    import warnings

    from reviewer.metrics.jer import jer_corpus
    from reviewer.metrics.pairing import match_uems

    result = score_corpus(
        references,
        hypotheses,
        uems=uems,
        collar=collar,
        skip_overlap=skip_overlap,
        exclusions=exclusions,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dscore's notice; the UEM's were given above
        # JER over the same UEM regions as DER (md-eval's matching of UEM file ids)
        matched = match_uems(uems, references) if uems else None
        jers, overall = jer_corpus(references, hypotheses, uems=matched)
    jer = {uri: item.jer for uri, item in jers.items()}
    if as_json:
        data = result.as_dict()
        for uri, item in data["files"].items():
            item["jer"] = jer.get(uri)
        data["total"]["jer"] = overall
        print(json.dumps(data, indent=2))
    else:
        print(format_table(result, jer, overall))


def _breakdown(args: argparse.Namespace) -> int:
    from reviewer.metrics.breakdown import breakdown_corpus
    from reviewer.reports import breakdown_csv, breakdown_json, breakdown_table, plot_breakdown

    reference = read_rttm_contents(args.ref)
    files, total = breakdown_corpus(
        reference.tracks,
        read_rttm(args.hyp),
        uems=read_uem(args.uem) if args.uem else None,
        exclusions=reference.exclusions,
        collar=args.collar,
        skip_overlap=args.skip_overlap,
        tau=args.tau,
        short=args.short,
    )
    if args.plot:
        plot_breakdown(files, total, Path(args.plot))
    if args.json:
        print(json.dumps(breakdown_json(files, total), indent=2))
    elif args.csv:
        print(breakdown_csv(files, total), end="")
    else:
        print(breakdown_table(files, total))
    return 0


def _diarize(args: argparse.Namespace) -> int:
    from reviewer.io.rttm import format_rttm
    from reviewer.services.diarization import (
        DiarizationError,
        DiarizationRequest,
        diarize,
        load_token,
    )

    if args.num_speakers is not None and args.max_speakers is not None:
        print("reviewer: error: --num-speakers excludes --max-speakers", file=sys.stderr)
        return 2
    request = DiarizationRequest(
        audio=Path(args.audio),
        pipeline=args.pipeline,
        num_speakers=args.num_speakers,
        min_speakers=args.min_speakers,
        max_speakers=args.max_speakers,
        token=load_token(),
        telemetry=args.telemetry,
    )
    last = [""]

    def report(progress) -> None:
        line = f"{progress.step}: {100 * progress.overall:.0f} %"
        if line != last[0]:
            last[0] = line
            print(line, file=sys.stderr, flush=True)

    try:
        result = diarize(request, on_progress=report)
    except DiarizationError as error:
        print(f"reviewer: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("reviewer: cancelled", file=sys.stderr)
        return 130
    print(
        f"diarized on {result.device} in {result.seconds:.1f} s: "
        f"{len(result.diarization.labels)} speakers",
        file=sys.stderr,
    )
    if args.out:
        write_rttm(args.out, [result.diarization])
    else:
        print(format_rttm([result.diarization]), end="")
    if args.exclusive and result.exclusive is not None:
        write_rttm(args.exclusive, [result.exclusive])
    return 0


def _corpus(args: argparse.Namespace) -> int:
    from reviewer.corpus import corpus as model

    project, path = _open_project(args)
    if args.collar is not None or args.skip_overlap:
        project.settings = model.ScoringSettings(
            project.settings.collar if args.collar is None else args.collar,
            args.skip_overlap or project.settings.skip_overlap,
        )
    if args.compare:
        model.system_files(args.compare)  # fails early on a missing folder
        project.other_system = Path(args.compare)
    if args.export or args.table:
        try:
            restored = model.restore_crashed_corrections(project, path)
        except FormatError as error:
            restored = []
            print(f"reviewer: warning: {error}", file=sys.stderr)
        for uri, edits in restored:
            print(f"restored {edits} journaled edits of {uri} into {path}", file=sys.stderr)
    if args.export:
        out = Path(args.export)
        summary = model.export_corrections(project, out, one_file=out.suffix.lower() == ".rttm")
        print(
            f"wrote {out}: {summary.corrected} corrected recordings, {summary.from_system} "
            f"as the system output, {len(summary.skipped)} without any"
        )
        return 0
    if args.table:
        from reviewer.reports import comparison_table, recordings_table

        if args.collar is not None or args.skip_overlap or args.compare:
            project.save(path)  # the settings are kept for next time
        rows = model.score_entries(project.entries, project, project.settings)
        print(recordings_table(rows))
        if project.other_system is not None:
            comparison = model.compare_entries(
                project.entries, project.other_system, project.settings
            )
            print()
            print(comparison_table(comparison, ("the system output", str(project.other_system))))
        return 0
    from reviewer.ui.app import run_corpus

    return run_corpus(project, path)


def _open_project(args: argparse.Namespace):
    """The project a ``corpus`` command names, and the file it is kept in."""
    from dataclasses import replace

    from reviewer.corpus.corpus import PROJECT_SUFFIX, Project, discover, read_list, system_files

    if args.protocol:
        from reviewer.corpus.protocols import entries_from_protocol

        stem = f"{args.protocol}.{args.subset}"
        folder = Path(args.source) if args.source else Path.cwd() / stem
        path = Path(args.project) if args.project else folder / f"review{PROJECT_SUFFIX}"
        if path.exists():
            return Project.load(path), path
        entries = entries_from_protocol(
            args.protocol, args.subset, folder, database=args.database, system=args.sys
        )
        return Project(entries), path
    if not args.source:
        raise ValueError("name a corpus folder, list file or project file, or use --protocol")
    source = Path(args.source)
    if source.name.endswith(PROJECT_SUFFIX):
        return Project.load(source), source
    if not source.exists():
        raise FormatError(source, None, "no such corpus folder, list or project file")
    folder = source if source.is_dir() else source.parent
    path = Path(args.project) if args.project else folder / f"review{PROJECT_SUFFIX}"
    if path.exists():
        if args.sys:
            print(
                f"reviewer: note: --sys ignored: {path} keeps its system outputs", file=sys.stderr
            )
        return Project.load(path), path
    if source.is_dir():
        return Project(discover(source, args.sys)), path
    entries = read_list(source)
    if args.sys:  # for the recordings the list gives no system output
        systems = system_files(args.sys)
        entries = [e if e.system else replace(e, system=systems.get(e.uri)) for e in entries]
    return Project(entries), path


def _compare(args: argparse.Namespace) -> int:
    from reviewer.corpus.corpus import ScoringSettings, compare_entries, entries_from_files
    from reviewer.reports import comparison_table, plot_comparison

    entries = entries_from_files(args.ref, args.a, args.uem)
    comparison = compare_entries(entries, args.b, ScoringSettings(args.collar, args.skip_overlap))
    names = (args.a, args.b)
    if args.plot:
        plot_comparison(comparison, names, Path(args.plot))
    if args.json:
        print(json.dumps(comparison.as_dict(), indent=2))
    else:
        print(comparison_table(comparison, names))
    return 0


def _convert(args: argparse.Namespace) -> int:
    from reviewer.io.transcripts import convert

    speaker_prefix = {"auto": None, "yes": True, "no": False}[args.speaker_prefix]
    written = convert(args.source, args.target, to=args.to, speaker_prefix=speaker_prefix)
    print(written.summary())  # the reader's and writer's warnings are on stderr
    return 0


def _demo(args: argparse.Namespace) -> int:
    from reviewer.resources import demo

    files = demo()
    if not args.check:
        from reviewer.ui.app import run
        from reviewer.ui.opening import OpenRequest

        return run(OpenRequest(demo=True))
    if not args.json:
        print(f"Demo recording: {files.audio}")
        print(f"Reference:      {files.reference}")
        print(f"System output:  {files.system} (an example, with errors written in by hand)")
        print()
    _print_scores(read_rttm(files.reference), read_rttm(files.system), None, 0.0, False, args.json)
    return 0


def _open(args: argparse.Namespace) -> int:
    from reviewer.app.loading import load_document
    from reviewer.io.audio import AudioSource
    from reviewer.io.session import load_session
    from reviewer.ui.app import run
    from reviewer.ui.opening import OpenRequest

    if args.audio.endswith(".reviewer.json"):
        load_session(args.audio)  # bad input fails here, with a clear message
        return run(OpenRequest(session=args.audio))
    prefix = {"auto": None, "yes": True, "no": False}[args.speaker_prefix]
    load_document(
        args.audio, args.ref, args.hyp, args.uem, transcript=args.transcript, speaker_prefix=prefix
    )
    AudioSource.open(args.audio).close()
    request = OpenRequest(
        args.audio, args.ref, args.hyp, args.uem, transcript=args.transcript, speaker_prefix=prefix
    )
    return run(request)


def _render(args: argparse.Namespace) -> int:
    from reviewer.ui.app import render

    render(
        Path(args.out),
        args.size,
        args.start,
        args.end,
        args.audio,
        args.ref,
        args.hyp,
        args.uem,
        args.transcript,
    )
    print(f"wrote {args.out}")
    return 0


def format_table(
    result: CorpusScore, jer: dict[str, float] | None = None, overall: float | None = None
) -> str:
    """A per-recording table and the total, aligned like dscore's (JER when given)."""
    jer = jer or {}
    header = (
        "File",
        "Scored (s)",
        "Missed (s)",
        "False alarm (s)",
        "Confusion (s)",
        "DER (%)",
        "JER (%)",
    )
    rows = [_row(uri, item, jer.get(uri)) for uri, item in result.files.items()]
    rows.append(_row("*** OVERALL ***", result.total, overall))
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, *rows]:
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells))
    lines.insert(1, "-" * len(lines[0]))
    lines.insert(len(lines) - 1, "-" * len(lines[0]))
    return "\n".join(lines)


def _row(name: str, item: DiarizationScore, jer: float | None = None) -> tuple[str, ...]:
    der = "-" if item.der is None else f"{100 * item.der:.2f}"
    return (
        name,
        f"{item.scored:.3f}",
        f"{item.missed:.3f}",
        f"{item.false_alarm:.3f}",
        f"{item.confusion:.3f}",
        der,
        "-" if jer is None else f"{100 * jer:.2f}",
    )


if __name__ == "__main__":
    sys.exit(main())
