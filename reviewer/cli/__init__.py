"""The ``reviewer`` command: one module per group of subcommands, and :func:`main`.

- :mod:`~reviewer.cli.scoring`: ``score`` and ``breakdown`` (md-eval's DER, by cause);
- :mod:`~reviewer.cli.corpus`: ``corpus`` (a whole corpus, with or without a window) and
  ``compare`` (two systems);
- :mod:`~reviewer.cli.diarize`: ``diarize`` (a pyannote.audio pipeline);
- :mod:`~reviewer.cli.transcripts`: ``convert`` (annotation and transcript formats);
- :mod:`~reviewer.cli.factorial`: ``factorial`` (the speaker-conversation experiment);
- :mod:`~reviewer.cli.review`: ``demo``, ``open`` and ``render`` (the review window);
- :mod:`~reviewer.cli.options`: what several subcommands share (the scoring options).

Each module's ``register(commands)`` adds its subcommands; each subcommand's ``run(args)``
returns the exit status. Qt is imported only to open a window.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator, Sequence

from reviewer.cli import corpus, diarize, factorial, review, scoring, transcripts
from reviewer.io import FormatError

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (2 for bad input)."""
    from reviewer.corpus.lock import ProjectBusy
    from reviewer.ui.app import NoDisplay  # Qt itself is imported only to open a window

    args = parser().parse_args(argv)
    if not hasattr(args, "run"):  # no subcommand: the start window
        from reviewer.ui.app import run

        try:
            return run()
        except NoDisplay as error:
            print(f"reviewer: error: {error}", file=sys.stderr)
            return 2
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


def parser() -> argparse.ArgumentParser:
    """The command line's parser, every subcommand in the order ``--help`` lists them."""
    result = argparse.ArgumentParser(
        prog="reviewer",
        description="Review and correct speaker diarization; DER exactly as NIST md-eval-22.",
    )
    commands = result.add_subparsers(title="commands", metavar="COMMAND")
    scoring.register(commands)
    diarize.register(commands)
    corpus.register(commands)
    transcripts.register(commands)
    factorial.register(commands)
    review.register(commands)
    return result


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
