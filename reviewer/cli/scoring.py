"""``reviewer score`` and ``reviewer breakdown``: md-eval's DER, and its errors by cause."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from reviewer.cli.options import add_scoring_options, scoring_settings, seconds
from reviewer.io import read_rttm, read_uem
from reviewer.io.rttm import read_rttm_contents
from reviewer.model.scoring import ScoringSettings


def register(commands) -> None:
    """Add ``score`` and ``breakdown`` to the subcommands."""
    score = commands.add_parser(
        "score",
        help="diarization error rate of a system output against a reference",
        description="Score system RTTMs against reference RTTMs exactly as NIST md-eval-22 "
        "does (the scorer behind DIHARD, VoxSRC and CHiME results). Only recordings of the "
        "reference are scored; one missing from the system output is all missed.",
    )
    _scoring_inputs(score)
    score.add_argument("--json", action="store_true", help="print JSON instead of a table")
    score.set_defaults(run=run_score)

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
        type=seconds,
        default=0.5,
        metavar="T",
        help="seconds around a speaker change that count as near_change (default 0.5)",
    )
    breakdown.add_argument(
        "--short",
        type=seconds,
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
    breakdown.set_defaults(run=run_breakdown)


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
    add_scoring_options(
        parser,
        overlap_help="do not score regions where two or more reference turns overlap "
        "(md-eval's -1)",
    )


def run_score(args: argparse.Namespace) -> int:
    """``reviewer score``: print md-eval's DER and dscore's JER per recording."""
    uems = read_uem(args.uem) if args.uem else None
    reference = read_rttm_contents(args.ref)
    print_scores(
        reference.tracks,
        read_rttm(args.hyp),
        uems,
        scoring_settings(args),
        args.json,
        reference.exclusions,
    )
    return 0


def print_scores(
    references,
    hypotheses,
    uems,
    settings: ScoringSettings,
    as_json: bool,
    exclusions=None,
) -> None:
    """Score with md-eval's DER and dscore's JER; print a table or JSON."""
    import warnings

    from reviewer.metrics import score_corpus
    from reviewer.metrics.jer import jer_corpus
    from reviewer.metrics.pairing import match_uems
    from reviewer.reports import format_table

    result = score_corpus(
        references,
        hypotheses,
        uems=uems,
        exclusions=exclusions,
        settings=settings,
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


def run_breakdown(args: argparse.Namespace) -> int:
    """``reviewer breakdown``: md-eval's errors by class, as a table, JSON or CSV."""
    from reviewer.metrics.breakdown import breakdown_corpus
    from reviewer.reports import breakdown_csv, breakdown_json, breakdown_table, plot_breakdown

    reference = read_rttm_contents(args.ref)
    files, total = breakdown_corpus(
        reference.tracks,
        read_rttm(args.hyp),
        uems=read_uem(args.uem) if args.uem else None,
        exclusions=reference.exclusions,
        settings=scoring_settings(args),
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
