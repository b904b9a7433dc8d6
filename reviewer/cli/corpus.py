"""``reviewer corpus`` (a whole corpus, in a window or as a table) and ``reviewer compare``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from reviewer.cli.options import COLLAR_HELP, add_scoring_options, scoring_settings
from reviewer.cli.progress import add_runner_options, progress_bar, say_failed, say_failures
from reviewer.io import FormatError
from reviewer.model.scoring import ScoringSettings


def register(commands) -> None:
    """Add ``corpus`` and ``compare`` to the subcommands."""
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
    add_scoring_options(
        corpus, collar_default=None, collar_help=COLLAR_HELP + "; kept in the project"
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
    corpus.add_argument(
        "--diarize",
        metavar="SYSTEM",
        help="first run SYSTEM on every recording, on Dask, writing OUT/<uri>.rttm as each "
        "arrives (needs --out), then use those outputs as the system output (as --sys OUT "
        "would); a recording already diarized with the same audio and system is not run "
        "again. SYSTEM: a pyannote pipeline, baseline[:S], or a command template holding "
        "{audio} and {rttm}",
    )
    corpus.add_argument("--out", metavar="OUT", help="with --diarize: the output folder")
    add_runner_options(corpus, "with --diarize: every recording's output")
    corpus.set_defaults(run=run_corpus)

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
    add_scoring_options(compare)
    compare.add_argument("--json", action="store_true", help="print JSON")
    compare.add_argument("--plot", metavar="FIG.png", help="also draw the comparison")
    compare.set_defaults(run=run_compare)


def run_corpus(args: argparse.Namespace) -> int:
    """``reviewer corpus``: open the corpus window, or print its table, or export."""
    from reviewer import corpus as model

    if args.diarize and (not args.out or args.sys):
        raise ValueError("--diarize writes the system outputs: give --out OUT (and no --sys)")
    project, path = open_project(args)
    if args.diarize:
        stopped = _diarize(args, project, path)
        if stopped:
            return stopped
    if args.collar is not None or args.skip_overlap:
        project.settings = ScoringSettings(
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
    from reviewer.ui.app import run_corpus as open_window

    return open_window(project, path)


def _diarize(args: argparse.Namespace, project, path: Path) -> int:
    """``--diarize``: run the system on every recording, then score the corpus against it.

    Returns 0, 1 when the system failed on a recording (each said in one line as it
    happens, its log kept, the others diarized; the corpus is then not opened), or 130 when
    interrupted (the outputs written so far are kept).
    """
    from dataclasses import replace

    from reviewer.services.corpus_diarization import CorpusDiarization

    run = CorpusDiarization(project.entries, args.diarize, args.out)
    for uri in run.skipped:
        print(f"reviewer: note: {uri} not diarized: no audio for it", file=sys.stderr)
    try:
        with progress_bar(len(run.tasks), "recording") as progress:
            outputs = run.run(
                args.scheduler, args.workers, on_progress=progress, rerun=args.rerun,
                on_failure=lambda failure: say_failed(
                    failure.payload.uri, failure.message, run.failure_log(failure.payload.uri)
                ),
            )  # fmt: skip
    except KeyboardInterrupt:
        print(
            f"reviewer: stopped: {len(run.finished())} of {len(run.tasks)} recordings kept in "
            f"{args.out}; run the same command to resume",
            file=sys.stderr,
        )
        return 130
    print(f"{len(outputs)} recordings diarized in {args.out}", file=sys.stderr)
    if run.failures:
        failed = [failure.payload.uri for failure in run.failures]
        say_failures(failed, "recordings", "run the same command")
        return 1
    project.entries = [replace(e, system=outputs.get(e.uri, e.system)) for e in project.entries]
    if path.exists():
        project.save(path)  # the project now scores these outputs
    return 0


def open_project(args: argparse.Namespace):
    """The project a ``corpus`` command names, and the file it is kept in."""
    from dataclasses import replace

    from reviewer.corpus import PROJECT_SUFFIX, Project, discover, read_list, system_files

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


def run_compare(args: argparse.Namespace) -> int:
    """``reviewer compare``: two systems on the same references, as text or JSON."""
    from reviewer.corpus import compare_entries, entries_from_files
    from reviewer.reports import comparison_table, plot_comparison

    entries = entries_from_files(args.ref, args.a, args.uem)
    comparison = compare_entries(entries, args.b, scoring_settings(args))
    names = (args.a, args.b)
    if args.plot:
        plot_comparison(comparison, names, Path(args.plot))
    if args.json:
        print(json.dumps(comparison.as_dict(), indent=2))
    else:
        print(comparison_table(comparison, names))
    return 0
