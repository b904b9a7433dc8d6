"""Progress bars of long runs, and one-line reports of the tasks that failed.

``factorial run`` and ``corpus --diarize`` run on Dask; ``factorial analyze`` bootstraps.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def progress_bar(total: int, unit: str) -> Iterator[Callable]:
    """A tqdm bar on stderr and the ``on_progress`` callback that moves it.

    The callback takes a :class:`~reviewer.services.keyed_tasks.Progress`: the bar shows
    the tasks done (reused ones included), the time left and the last finished task.
    """
    from tqdm import tqdm

    bar = tqdm(total=total, unit=unit, file=sys.stderr, dynamic_ncols=True)

    def update(state) -> None:
        bar.n = state.done
        if state.last is not None:
            bar.set_postfix_str(state.last, refresh=False)
        bar.refresh()

    try:
        yield update
    finally:
        bar.close()


@contextmanager
def draws_bar() -> Iterator[Callable[[int, int], None]]:
    """A tqdm bar on stderr for a bootstrap, and its ``on_progress(done, total)`` callback."""
    from tqdm import tqdm

    bar = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, unit="draw", desc="bootstrap", file=sys.stderr,
                       dynamic_ncols=True)  # fmt: skip
        bar.update(done - bar.n)

    try:
        yield update
    finally:
        if bar is not None:
            bar.close()


def add_runner_options(parser, rerun: str) -> None:
    """``--scheduler``, ``--workers`` and ``--rerun`` (``rerun``: what it recomputes)."""
    parser.add_argument("--scheduler", metavar="ADDRESS", help="a Dask scheduler (tcp://host:8786)")
    parser.add_argument("--workers", type=int, metavar="N", help="local worker processes")
    parser.add_argument(
        "--rerun",
        action="store_true",
        help=f"compute {rerun} again, even those already done with the same inputs (the "
        "system's identity covers its command and the bytes of every file the command names; "
        "use --rerun when something else changed, e.g. a module the script imports)",
    )


def say_failed(what: str, message: str, log) -> None:
    """One line on stderr for a task that failed (above the progress bar): why, and its log."""
    from tqdm import tqdm

    tqdm.write(f"reviewer: {what} failed: {message} (log: {log})", file=sys.stderr)


def say_failures(names: list[str], noun: str, again: str) -> None:
    """The closing list of the tasks that failed (not kept: ``again`` retries them)."""
    if names:
        print(
            f"reviewer: {len(names)} {noun} failed and were not kept: {', '.join(names)}; "
            f"{again} to retry them",
            file=sys.stderr,
        )
