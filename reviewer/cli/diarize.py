"""``reviewer diarize``: run a pyannote.audio pipeline on a recording, write RTTM."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from reviewer.io import write_rttm


def register(commands) -> None:
    """Add ``diarize`` to the subcommands."""
    diarize = commands.add_parser(
        "diarize",
        help="run a pyannote.audio diarization pipeline (or the offline baseline) on a recording",
        description="Diarize AUDIO with a pyannote.audio pipeline: a Hugging Face id (the "
        "token comes from HF_TOKEN or the app's settings) or a local directory / config.yaml; "
        "or with the offline baseline (--pipeline baseline, or baseline:SUBSEGMENT seconds: "
        "Silero VAD, Resemblyzer embeddings, clustering; no network, no token). "
        "Usage telemetry stays off unless --telemetry.",
    )
    diarize.add_argument("audio", metavar="AUDIO", help="audio file (read with soundfile)")
    diarize.add_argument(
        "--pipeline",
        default="pyannote/speaker-diarization-community-1",
        metavar="P",
        help="Hugging Face pipeline id, local folder or config.yaml, or baseline[:SUBSEGMENT] "
        "(default: %(default)s)",
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
    diarize.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """``reviewer diarize``: progress on stderr, the RTTM to ``--out`` or stdout."""
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
