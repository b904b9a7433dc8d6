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
