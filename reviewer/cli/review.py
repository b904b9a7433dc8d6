"""``reviewer demo``, ``open`` and ``render``: the review window, or its picture."""

from __future__ import annotations

import argparse
from pathlib import Path

from reviewer.cli.options import add_speaker_prefix, seconds, size, speaker_prefix
from reviewer.cli.scoring import print_scores
from reviewer.io import read_rttm
from reviewer.model.scoring import ScoringSettings


def register(commands) -> None:
    """Add ``demo``, ``open`` and ``render`` to the subcommands."""
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
    demo.set_defaults(run=run_demo)

    open_ = commands.add_parser("open", help="open a recording for review")
    _inputs(open_)
    add_speaker_prefix(
        open_,
        "SRT/WebVTT transcript: read 'Name: text' as spoken by Name always (yes), never "
        "(no), or only when the file uses such prefixes throughout (auto, the default)",
    )
    open_.set_defaults(run=run_open)

    render = commands.add_parser(
        "render",
        help="draw the review view (waveform, lanes, errors, metrics) to a PNG, no display",
    )
    _inputs(render)
    render.add_argument("--start", type=seconds, metavar="S", help="view start (seconds)")
    render.add_argument("--end", type=seconds, metavar="E", help="view end (seconds)")
    render.add_argument("--out", required=True, metavar="FIG.png", help="the PNG to write")
    render.add_argument(
        "--size",
        default="1600x900",
        metavar="WxH",
        type=size,
        help="image size in pixels (default 1600x900)",
    )
    render.set_defaults(run=run_render)


def _inputs(parser: argparse.ArgumentParser) -> None:
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


def run_demo(args: argparse.Namespace) -> int:
    """``reviewer demo``: open the demo, or with ``--check`` print its scores."""
    from reviewer.resources import demo

    files = demo()
    if not args.check:
        from reviewer.ui.app import DEMO_NOTE, pause_collection, prepare, run

        pause_collection()

        # loaded before Qt is imported (reviewer.ui.qt_imports: PySide6 scans later modules)
        review = prepare(
            files.audio, files.reference, files.system, transcript=files.transcript, start=False
        )
        from reviewer.ui.opening import OpenRequest

        return run(OpenRequest(demo=True), review=review, note=DEMO_NOTE)
    if not args.json:
        print(f"Demo recording: {files.audio}")
        print(f"Reference:      {files.reference}")
        print(f"System output:  {files.system} (an example, with errors written in by hand)")
        print()
    print_scores(
        read_rttm(files.reference), read_rttm(files.system), None, ScoringSettings(), args.json
    )
    return 0


def run_open(args: argparse.Namespace) -> int:
    """``reviewer open``: check the input, then open a review window."""
    from reviewer.io.session import load_session
    from reviewer.ui.app import pause_collection, prepare, run

    pause_collection()

    if args.audio.endswith(".reviewer.json"):
        load_session(args.audio)  # bad input fails here, with a clear message
        from reviewer.ui.opening import OpenRequest

        return run(OpenRequest(session=args.audio))
    prefix = speaker_prefix(args)
    # loaded once, before Qt is imported: bad input fails here with a clear message, and
    # the window reuses it
    review = prepare(
        args.audio, args.ref, args.hyp, args.uem, args.transcript,
        speaker_prefix=prefix, start=False,
    )  # fmt: skip
    from reviewer.ui.opening import OpenRequest

    request = OpenRequest(
        args.audio, args.ref, args.hyp, args.uem, transcript=args.transcript, speaker_prefix=prefix
    )
    return run(request, review=review)


def run_render(args: argparse.Namespace) -> int:
    """``reviewer render``: draw the review view to a PNG without a display."""
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
