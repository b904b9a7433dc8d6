"""``reviewer factorial``: the speaker-conversation factorial experiment."""

from __future__ import annotations

import argparse
import json
import sys

from reviewer.cli.options import add_scoring_options, scoring_settings
from reviewer.cli.progress import (
    add_runner_options,
    draws_bar,
    progress_bar,
    say_failed,
    say_failures,
)

NOISE_FLOOR_HELP = (
    "fill the pauses with the voice source's own background (its stretches outside every "
    "turn, cycled, at the speech's gain) instead of digital silence"
)


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
    remix.add_argument("--noise-floor", action="store_true", help=NOISE_FLOOR_HELP)
    remix.set_defaults(run=run_remix)
    run = steps.add_parser(
        "run",
        help="remix every voices x structure cell, run a system on it and score it",
        description="Cross the voices of the corpus's recordings with their structures (their "
        "references), remix every cell, run SYSTEM on each remix and score it with md-eval's "
        "rules. Results go to EXP/cells.csv as they arrive, with the remixes, the system "
        "outputs and the design kept in EXP/. A cell already computed with the same inputs "
        "and settings is not computed again: rerun the same command to resume. EXP holds one "
        "experiment: a run that adds voices or structures to the same system and settings "
        "extends it; another design (system, settings, voices or structures left out) is "
        "refused unless --replace. A cell whose system fails is said in one line (its log "
        "kept in EXP/failed/), not kept, and retried by the next run; the others go on, and "
        "the exit status is 1. Cells run as tasks on dask.distributed: a local cluster, or "
        "the one at --scheduler.",
    )
    run.add_argument("corpus", metavar="CORPUS", help="a corpus folder or list, as `corpus` reads")
    run.add_argument(
        "--system", required=True,
        help="a pyannote pipeline (local folder or Hugging Face id), or a command template "
        "holding {audio} and {rttm}, e.g. \"my-sys {audio} {rttm}\"",
    )  # fmt: skip
    run.add_argument("--out", required=True, metavar="EXP", help="the experiment folder")
    run.add_argument("--voices", metavar="URI,...", help="voice sources (default: every recording)")
    run.add_argument(
        "--voice-bank",
        metavar="FOLDER",
        help="voice sets from single-speaker files, FOLDER/<set>/<speaker>.wav, instead of the "
        "corpus's recordings",
    )
    run.add_argument(
        "--structures", metavar="URI,...", help="structures (default: every recording)"
    )
    run.add_argument(
        "--attributes",
        metavar="attrs.csv",
        help="per recording attributes (recording,gender,language,...), copied into "
        "EXP/attributes.csv so that `factorial analyze EXP` uses them",
    )
    run.add_argument(
        "--replace",
        action="store_true",
        help="EXP holds another experiment: remove it (its design, cells.csv, cells, remixes, "
        "system outputs and failure logs) and run this one",
    )
    add_scoring_options(run)
    add_runner_options(run, "every cell")
    run.add_argument("--seed", type=int, help="remix seed (another take of every cell)")
    run.add_argument("--noise-floor", action="store_true", help=NOISE_FLOOR_HELP)
    run.set_defaults(run=run_experiment)

    demo = steps.add_parser(
        "demo",
        help="a small complete experiment with what the install brings, then its window",
        description="Three voice sets synthesised with espeak-ng (resources/factorial/voices) "
        "crossed with three real conversation structures (45 s windows of VoxConverse "
        "references), diarized by the offline baseline on a local Dask cluster, analysed, and "
        "shown in the Experiment window (--check prints the analysis instead). Results are "
        "kept in --out, so a second run is instant.",
    )
    demo.add_argument("--check", action="store_true", help="print the analysis, open no window")
    demo.add_argument(
        "--out", metavar="EXP", help="the experiment folder (default: a cache folder)"
    )
    demo.add_argument("--workers", type=int, default=2, metavar="N", help="local workers (2)")
    demo.set_defaults(run=run_demo)

    analyze = steps.add_parser(
        "analyze",
        help="variance of DER attributed to voices, structure and residual, with intervals; "
        "or two systems compared",
        description="Fit DER = mean + voices + structure + residual with crossed random "
        "effects (closed-form two-way ANOVA for a complete grid, REML with statsmodels "
        "otherwise) and give each component's variance and share with crossed-bootstrap "
        "intervals; the same for missed speech, false alarm and confusion. DER in percentage "
        "points, variances in points squared. An incomplete grid (a cancelled run) draws "
        "Henderson III moment estimates in its bootstrap; draws that cannot be fitted are "
        "counted and left out. The residual's interval is biased downwards on small grids "
        "(the crossed bootstrap repeats cells); it is not corrected. Given two experiments of "
        "the same design "
        "(EXP_A EXP_B: two systems on the same voices and structures, cells matched by name), "
        "it gives both systems' shares and the difference A - B of each share and of the mean "
        "DER with a paired bootstrap interval (the same voices and structures drawn for both): "
        "which one is more sensitive to structure.",
    )
    analyze.add_argument(
        "cells", metavar="EXP", nargs="+",
        help="an experiment folder or a cells.csv; two of them to compare two systems",
    )  # fmt: skip
    output = analyze.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print JSON")
    output.add_argument("--csv", action="store_true", help="print CSV, one row per measure")
    analyze.add_argument(
        "--plot", metavar="FIG.png",
        help="also draw a figure: the DER grid, the variance shares with their intervals and "
        "the effects (two experiments: both grids, their shares and the paired differences)",
    )  # fmt: skip
    analyze.add_argument(
        "--replicates", type=int, default=1000, metavar="B", help="bootstrap replicates (1000)"
    )
    analyze.add_argument(
        "--level", type=float, default=0.95, metavar="P", help="interval coverage (0.95)"
    )
    analyze.add_argument("--seed", type=int, default=0, help="bootstrap seed (0)")
    analyze.add_argument(
        "--attributes",
        metavar="attrs.csv",
        help="per recording attributes (recording,gender,language,...): their effects on DER "
        "as voices and as structure (default: EXP/attributes.csv, which `run --attributes` "
        "keeps)",
    )
    analyze.set_defaults(run=run_analyze)
    show = steps.add_parser(
        "open",
        help="open an experiment in its window: the grid, variance shares and effects",
        description="The grid of cells as a heatmap (Enter opens a cell's remix in a review "
        "window), the variance shares with intervals, and the effects; with a second EXP (another "
        "system on the same design), the Comparison tab: which one is more sensitive to "
        "structure (Compare with... or Alt+W in the window). Its Run button (Alt+R) "
        "runs an experiment from a corpus in the background: the grid fills in as cells "
        "arrive; Cancel keeps the finished cells.",
    )
    show.add_argument(
        "cells", metavar="EXP", nargs="*",
        help="the experiment folder (none: an empty window, to run one from a corpus); a "
        "second one, another system's on the same design, is compared with it",
    )  # fmt: skip
    show.set_defaults(run=run_open)


def run_analyze(args: argparse.Namespace) -> int:
    """``reviewer factorial analyze``: a table, JSON or CSV on stdout (and a figure)."""
    from dataclasses import replace
    from pathlib import Path

    from reviewer.factorial.analysis import analyze
    from reviewer.factorial.cells_file import (
        experiment_attributes,
        experiment_failures,
        experiment_structures,
        read_attributes,
        read_cells,
    )
    from reviewer.reports import factorial_csv, factorial_table, plot_factorial

    if len(args.cells) > 2:
        raise ValueError(f"{len(args.cells)} experiments: analyze takes one, or two to compare")
    if len(args.cells) == 2:
        return _compare(args)
    attributes_file = args.attributes or experiment_attributes(args.cells[0])
    attributes = read_attributes(attributes_file) if attributes_file else None
    structures = experiment_structures(args.cells[0])
    rows = read_cells(args.cells[0])
    with draws_bar() as progress:
        result = analyze(
            rows, args.replicates, args.level, args.seed, attributes, structures, progress
        )
    failures = experiment_failures(args.cells[0])
    if failures is not None:
        result = replace(result, notes=(failures, *result.notes))  # first: cells are missing
    if args.json:
        print(json.dumps(result.as_dict(), indent=2))
    elif args.csv:
        print(factorial_csv(result), end="")
    else:
        print(factorial_table(result))
    if args.plot:
        plot_factorial(result, rows, Path(args.plot))
        print(f"reviewer: wrote {args.plot}", file=sys.stderr)
    return 0


def _compare(args: argparse.Namespace) -> int:
    """``analyze EXP_A EXP_B``: both systems' shares and their paired differences."""
    from pathlib import Path

    from reviewer.factorial.cells_file import experiment_structures, read_cells
    from reviewer.factorial.comparison import compare_systems
    from reviewer.reports import factorial_comparison_table, plot_factorial_comparison

    if args.csv or args.attributes:
        raise ValueError("comparing two experiments: use the table or --json (no --csv, "
                         "no --attributes; analyze each experiment alone for those)")  # fmt: skip
    rows = (read_cells(args.cells[0]), read_cells(args.cells[1]))
    names = _system_names(args.cells)
    comparison = compare_systems(
        *rows, names, args.replicates, args.level, args.seed, experiment_structures(args.cells[0])
    )
    if args.json:
        print(json.dumps(comparison.as_dict(), indent=2))
    else:
        print(factorial_comparison_table(comparison))
    if args.plot:
        plot_factorial_comparison(comparison, rows, Path(args.plot))
        print(f"reviewer: wrote {args.plot}", file=sys.stderr)
    return 0


def _system_names(sources: list[str]) -> tuple[str, str]:
    """What to call two experiments: their folders' names (their paths when those agree)."""
    from pathlib import Path

    paths = [Path(s) for s in sources]
    folders = [p if p.is_dir() else p.parent for p in paths]
    names = [f.resolve().name or str(f) for f in folders]
    if names[0] == names[1]:
        names = [str(p) for p in paths]
    return names[0], names[1]


def run_remix(args: argparse.Namespace) -> int:
    """``reviewer factorial remix``: the three files, and one line saying what was made."""
    from pathlib import Path

    from reviewer.factorial.synthesis import RemixSettings, make_remix, write_remix

    voices_audio, voices_rttm = args.voices
    voices = _one_recording(voices_rttm, Path(voices_audio).stem)
    if voices.uri and voices.uri != Path(voices_audio).stem:
        print(
            f"reviewer: warning: {voices_rttm} is of recording {voices.uri!r}, not "
            f"{Path(voices_audio).stem!r} ({Path(voices_audio).name}): its turns are taken as "
            "that audio's; check that they belong together",
            file=sys.stderr,
        )
    structure = _one_recording(args.structure, None)
    out = Path(args.out)
    settings = RemixSettings(
        sample_rate=args.rate, seed=args.seed, loudness=args.loudness, noise_floor=args.noise_floor
    )
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


def run_experiment(args: argparse.Namespace) -> int:
    """``reviewer factorial run``: a progress bar on stderr, the summary on stdout."""
    import shutil

    from reviewer.factorial.cells_file import ATTRIBUTES_FILE, read_attributes
    from reviewer.services.experiment import Experiment

    if args.attributes:
        read_attributes(args.attributes)  # refused before anything runs if malformed
    design = _design(args)
    experiment = Experiment(args.out, design, args.system, scoring_settings(args))
    if args.replace:
        for path in experiment.replace():
            print(f"reviewer: removed {path}", file=sys.stderr)
    experiment.check_folder()
    if args.attributes:
        experiment.folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(args.attributes, experiment.folder / ATTRIBUTES_FILE)
    for cell, reason in design.skipped():
        print(f"reviewer: note: cell {cell.name} skipped: {reason}", file=sys.stderr)

    def failed(failure) -> None:
        name = failure.payload.cell.name
        say_failed(f"cell {name}", failure.message, experiment.failure_log(name))

    try:
        with progress_bar(len(experiment.tasks), "cell") as progress:
            rows = experiment.run(
                args.scheduler, args.workers, on_progress=progress, rerun=args.rerun,
                on_failure=failed,
            )  # fmt: skip
    except KeyboardInterrupt:
        done = len(experiment.finished())
        print(
            f"reviewer: stopped: {done} of {len(experiment.tasks)} cells kept in {args.out}; "
            "run the same command to resume",
            file=sys.stderr,
        )
        return 130
    print(f"{len(rows)} cells in {args.out}/cells.csv; `reviewer factorial analyze {args.out}`")
    if experiment.failures:
        names = [failure.payload.cell.name for failure in experiment.failures]
        say_failures(names, "cells", "run the same command")
        return 1
    return 0


def _design(args: argparse.Namespace):
    """The design of ``factorial run``: the corpus's recordings as voices and structures."""
    from reviewer.factorial.corpus_design import corpus_design
    from reviewer.factorial.synthesis import RemixSettings

    return corpus_design(
        args.corpus, _names(args.voices), _names(args.structures), args.voice_bank, args.out,
        RemixSettings(seed=args.seed, noise_floor=args.noise_floor),
    )  # fmt: skip


def _names(text: str | None) -> set[str] | None:
    return None if not text else {name.strip() for name in text.split(",") if name.strip()}


def run_open(args: argparse.Namespace) -> int:
    """``reviewer factorial open``: the Experiment window."""
    from reviewer.ui.experiment_window import run

    if len(args.cells) > 2:
        raise ValueError(f"{len(args.cells)} experiments: open takes one, or two to compare")
    return run(*(args.cells or [None]))


def run_demo(args: argparse.Namespace) -> int:
    """``reviewer factorial demo``: run (or reuse) the built-in experiment, then show it."""
    from pathlib import Path

    from platformdirs import user_cache_dir

    from reviewer.factorial.analysis import analyze
    from reviewer.factorial.cells_file import experiment_structures
    from reviewer.factorial.design import FactorialDesign, Structure
    from reviewer.factorial.voice_bank import voice_sets
    from reviewer.io import read_rttm
    from reviewer.reports import factorial_table
    from reviewer.resources import RESOURCES
    from reviewer.services.experiment import Experiment

    out = Path(args.out) if args.out else Path(user_cache_dir("reviewer")) / "factorial-demo"
    bank = RESOURCES / "factorial"
    voices = voice_sets(bank / "voices", out / "voices")
    structures = [
        Structure(track.uri or key, track)
        for key, track in sorted(read_rttm(bank / "structures").items())
    ]
    experiment = Experiment(out, FactorialDesign(tuple(voices), tuple(structures)), "baseline")
    pending = len(experiment.pending())
    if pending:  # with --check, on stdout: before the table, whatever is redirected where
        print(f"running {pending} cells with the offline baseline...",
              file=sys.stdout if args.check else sys.stderr, flush=True)  # fmt: skip
    rows = experiment.run(workers=args.workers)
    if args.check:
        print(factorial_table(analyze(rows, structures=experiment_structures(out))))
        print(f"\nthe experiment is in {out}")
        return 0
    from reviewer.ui.experiment_window import run

    return run(out)
