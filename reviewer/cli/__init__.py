"""The ``reviewer`` command: one module per group of subcommands, and :func:`main`.

- :mod:`~reviewer.cli.scoring`: ``score`` and ``breakdown`` (md-eval's DER, by cause);
- :mod:`~reviewer.cli.corpus`: ``corpus`` (a whole corpus, with or without a window) and
  ``compare`` (two systems);
- :mod:`~reviewer.cli.diarize`: ``diarize`` (a pyannote.audio pipeline);
- :mod:`~reviewer.cli.transcripts`: ``convert`` (annotation and transcript formats);
- :mod:`~reviewer.cli.factorial`: ``factorial`` (the speaker-conversation experiment);
- :mod:`~reviewer.cli.review`: ``demo``, ``open`` and ``render`` (the review window);
- :mod:`~reviewer.cli.desktop`: ``desktop`` (the menu entry, icon and file types) and
  ``open-file`` (what the file manager runs);
- :mod:`~reviewer.cli.options`: what several subcommands share (the scoring options).

Each module's ``register(commands)`` adds its subcommands; each subcommand's ``run(args)``
returns the exit status. Qt is imported only to open a window; ``reviewer --version``
imports no more than this package and :mod:`argparse` (the subcommands' modules are imported
when the parser is built, after ``--version`` has had its say).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator, Sequence

import reviewer

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (2 for bad input)."""
    _version_only(argv)
    args = parser().parse_args(argv)

    from reviewer.io import FormatError
    from reviewer.ui.app import NoDisplay  # Qt itself is imported only to open a window

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
    except (NoDisplay, *_busy()) as error:
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


def _busy() -> tuple[type[BaseException], ...]:
    """``ProjectBusy`` once the corpus lock is loaded (no other module raises it).

    The corpus package is not imported for it: ``reviewer open`` and ``demo`` never load it
    (85 ms of their launch). An ``except`` tuple is evaluated only when something is raised.
    """
    lock = sys.modules.get("reviewer.corpus.lock")
    return (lock.ProjectBusy,) if lock is not None else ()


def _version_only(argv: Sequence[str] | None) -> None:
    """Answer ``reviewer --version`` (or ``-V``) before any subcommand's module is imported.

    Raises
    ------
    SystemExit
        With status 0, after printing ``reviewer X.Y.Z``, when the first argument asks for
        the version.
    """
    first = (sys.argv[1:] if argv is None else list(argv))[:1]
    if first in (["--version"], ["-V"]):
        _top_parser().parse_args(first)


def _top_parser() -> argparse.ArgumentParser:
    """The parser without its subcommands: the program's name, description and version."""
    result = argparse.ArgumentParser(
        prog="reviewer",
        description="Review and correct speaker diarization; DER exactly as NIST md-eval-22.",
    )
    result.add_argument(
        "-V", "--version", action="version", version=f"%(prog)s {reviewer.__version__}"
    )
    return result


def parser() -> argparse.ArgumentParser:
    """The command line's parser, every subcommand in the order ``--help`` lists them."""
    from reviewer.cli import corpus, desktop, diarize, factorial, review, scoring, transcripts

    result = _top_parser()
    commands = result.add_subparsers(title="commands", metavar="COMMAND")
    scoring.register(commands)
    diarize.register(commands)
    corpus.register(commands)
    transcripts.register(commands)
    factorial.register(commands)
    review.register(commands)
    desktop.register(commands)
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
