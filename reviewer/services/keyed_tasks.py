"""Run keyed tasks on Dask, keep each result as it arrives, and never run one twice.

The one runner behind ``reviewer factorial run`` (a task per cell) and ``reviewer corpus
--diarize`` (a task per recording). A task has a *name* (where its result is kept) and a
*key*, a digest of everything its result depends on. :class:`Records` keeps one small JSON
record per finished task, ``<folder>/<name>.json`` holding ``{"key": ..., ...}``, written
atomically after the task's files; a task whose record holds the same key is finished, so a
killed run loses at most the tasks in flight and a changed input reruns exactly the tasks
whose key it changes.

:func:`run_keyed` submits the pending tasks to ``dask.distributed`` (an in-process
``LocalCluster`` of one-thread worker processes, or the user's scheduler: ``dask scheduler``
/ ``dask worker``), hands every result to a ``keep`` callback in the order they finish, and
reports :class:`Progress` after each. A task that raises is a :class:`Failure`: reported to
an ``on_failure`` callback in one piece (its label and message), not kept, so a rerun retries
it, while the other tasks go on. ``dask.distributed`` is imported only when it runs.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from reviewer.io.files import write_text_atomic

Result = TypeVar("Result")


@dataclass(frozen=True)
class Progress:
    """How far a run is.

    Attributes
    ----------
    done, total
        Tasks finished (before this run and in it) and tasks in all.
    reused
        Tasks found finished before this run started (not computed again).
    seconds_left
        Estimated from this run's pace; None before its first result.
    last
        What the last finished task was (its label), or None.
    failed
        Tasks of this run that failed (not counted in ``done``).
    """

    done: int
    total: int
    reused: int
    seconds_left: float | None
    last: str | None
    failed: int = 0


@dataclass(frozen=True)
class Failure:
    """A task that raised: its Dask key, its payload and its error.

    Attributes
    ----------
    key
        The task's key (as given to :func:`run_keyed`).
    payload
        What it was computing.
    error
        The exception it raised on its worker.
    """

    key: str
    payload: Any
    error: BaseException

    @property
    def message(self) -> str:
        """The error in one line: its message (with its type unless it is ``SystemFailed``)."""
        text = " ".join(str(self.error).split()) or type(self.error).__name__
        if type(self.error).__name__ == "SystemFailed":
            return text
        return f"{type(self.error).__name__}: {text}"


class Records:
    """One JSON record per finished task, ``<folder>/<name>.json`` with its ``key``.

    Parameters
    ----------
    folder
        Where the records are kept (created on the first :meth:`put`).
    """

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    def get(self, name: str, key: str) -> dict[str, Any] | None:
        """The record of ``name`` if it was finished with this ``key``, else None."""
        try:
            data = json.loads((self.folder / f"{name}.json").read_text())
        except (FileNotFoundError, ValueError):
            return None
        return data if isinstance(data, dict) and data.get("key") == key else None

    def put(self, name: str, key: str, **data: Any) -> None:
        """Mark ``name`` finished with ``key`` (atomically; write its files first)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        record = json.dumps({"key": key, **data}, indent=1)
        write_text_atomic(self.folder / f"{name}.json", record)


@contextmanager
def dask_client(scheduler: str | None = None, workers: int | None = None) -> Iterator[Any]:
    """A ``distributed.Client``: of the scheduler at ``scheduler``, or of a new local cluster.

    Parameters
    ----------
    scheduler
        A Dask scheduler's address (``tcp://host:8786``); None starts a ``LocalCluster`` of
        ``workers`` one-thread worker processes (Dask's choice for this machine if None),
        without a dashboard, closed on exit.
    """
    from distributed import Client, LocalCluster

    cluster = None
    if scheduler is None:  # its workers' shutdown chatter is not the user's business
        with warnings.catch_warnings():  # its HTTP port taken: it picks another itself
            warnings.filterwarnings("ignore", "Port .* is already in use", UserWarning)
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                dashboard_address=None,
                processes=True,
                silence_logs=logging.CRITICAL,
            )
    client = Client(cluster if cluster is not None else scheduler)
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_keyed(
    pending: Sequence[tuple[str, Any]],
    compute: Callable[[Any], Result],
    keep: Callable[[Result], str],
    total: int,
    scheduler: str | None = None,
    workers: int | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    stop: threading.Event | None = None,
    on_failure: Callable[[Failure], None] | None = None,
) -> list[Failure]:
    """Compute the pending tasks on Dask and keep each result the moment it arrives.

    Parameters
    ----------
    pending
        ``(key, payload)`` of each task still to compute: ``compute(payload)`` runs on a
        worker (both must be picklable); the key names the Dask task.
    compute
        The work of one task.
    keep
        Called on the client with each result, in the order they finish: writes it (then
        its :class:`Records` entry) and returns a label for the progress report.
    total
        Tasks in all, finished before this run included (``total - len(pending)`` are
        reported as reused).
    scheduler, workers
        As for :func:`dask_client`.
    on_progress
        Called once at the start and after each kept result.
    stop
        When set (seen within 50 ms, from any thread), no further result is kept and the
        tasks not yet finished are cancelled; the results kept so far stay.
    on_failure
        Called on the client with each task that raised, as it arrives; the run goes on
        with the others (a failed task is not kept, so a rerun retries it).

    Returns
    -------
    list of Failure
        The tasks that failed, in the order they arrived (empty when all were kept).
    """
    reused = total - len(pending)
    report = on_progress or (lambda progress: None)
    report(Progress(reused, total, reused, None, None))
    failures: list[Failure] = []
    if not pending or (stop is not None and stop.is_set()):
        return failures
    from distributed import as_completed

    computed = 0
    payloads = dict(pending)
    with dask_client(scheduler, workers) as client:
        started = time.monotonic()
        futures = [client.submit(compute, payload, key=key, pure=False) for key, payload in pending]
        for future in _arrivals(as_completed(futures), stop):
            if future is None:  # stopped: the tasks not yet finished are not wanted
                client.cancel(futures)
                break
            error = future.exception() if future.status == "error" else None
            if error is not None:
                failure = Failure(future.key, payloads[future.key], error)
                failures.append(failure)
                if on_failure is not None:
                    on_failure(failure)
                label = None
            else:
                label = keep(future.result())
                computed += 1
            ended = computed + len(failures)
            left = (time.monotonic() - started) / ended * (len(pending) - ended)
            report(Progress(reused + computed, total, reused, left, label, len(failures)))
    return failures


_STOP_POLL = 0.05
"""Seconds between looks at the stop event while no result arrives (a cancel's latency)."""


def _arrivals(completed, stop: threading.Event | None) -> Iterator[Any]:
    """The futures as they finish; None once ``stop`` is set (seen within 50 ms)."""
    if stop is None:
        yield from completed
        return
    while not completed.is_empty():
        if stop.is_set():
            yield None
            return
        batch = completed.next_batch(block=False) if completed.has_ready() else []
        if not batch:
            stop.wait(_STOP_POLL)
        yield from batch
