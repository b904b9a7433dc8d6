"""The progress bar of long runs on Dask (``factorial run``, ``corpus --diarize``)."""

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


def add_runner_options(parser) -> None:
    """``--scheduler`` and ``--workers``: where the tasks run."""
    parser.add_argument("--scheduler", metavar="ADDRESS", help="a Dask scheduler (tcp://host:8786)")
    parser.add_argument("--workers", type=int, metavar="N", help="local worker processes")
