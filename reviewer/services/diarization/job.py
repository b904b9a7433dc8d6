"""A diarization run in the background: :func:`diarize` as a :class:`~reviewer.services.jobs.Job`.

:class:`DiarizationJob` runs :func:`~reviewer.services.diarization.run.diarize` on a worker
thread (see :mod:`reviewer.services.jobs`); cancelling sets the event that the run polls at
pyannote's progress hook. A window either polls :attr:`DiarizationJob.progress` or turns
``on_progress`` and :meth:`DiarizationJob.add_done_callback` into signals of its own (both
run on the worker thread). Knows nothing of Qt.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future

from reviewer.services.diarization.run import diarize
from reviewer.services.diarization.values import (
    DiarizationRequest,
    DiarizationResult,
    Progress,
    ProgressCallback,
)
from reviewer.services.jobs import Job

THREAD_NAME = "reviewer-diarization"
"""The name of the worker thread that runs the pipeline."""


class DiarizationJob:
    """One :func:`diarize` call on a background thread.

    Parameters
    ----------
    request
        What to diarize.
    on_progress
        Also called with each :class:`Progress`, in order, on the job's thread (so not for
        widgets directly: emit a Qt signal, or poll :attr:`progress` from a timer).

    Notes
    -----
    :meth:`cancel` only sets an event; the run stops at pyannote's next callback (after the
    current segmentation or embedding batch, or at the end of clustering), without reporting
    any further progress, or right after the pipeline is loaded if it is still loading.
    :attr:`done` turns True when it has. The worker is a daemon thread so that quitting the
    app never waits for a long run; cancel and :meth:`wait` first to stop cleanly.
    """

    def __init__(self, request: DiarizationRequest, on_progress: ProgressCallback | None = None):
        self.request = request
        self._on_progress = on_progress
        self._lock = threading.Lock()
        self._progress: Progress | None = None
        self._job: Job[DiarizationResult] = Job(self._run, THREAD_NAME)

    def start(self) -> DiarizationJob:
        """Start the run (once); returns the job.

        Raises
        ------
        RuntimeError
            If the job was already started.
        """
        try:
            self._job.start()
        except RuntimeError:
            raise RuntimeError("this diarization job was already started") from None
        return self

    def cancel(self) -> None:
        """Ask the run to stop; it ends with :class:`Cancelled` (see the notes for how soon)."""
        self._job.cancel()

    def add_done_callback(self, callback: Callable[[DiarizationJob], None]) -> None:
        """Call ``callback(job)`` once the run has ended (at once if it already has).

        It runs on the worker thread (or on the caller's, if the run is already over).

        Raises
        ------
        RuntimeError
            If the job was not started.
        """
        future = self._job.future
        if future is None:
            raise RuntimeError("this diarization job was not started")
        future.add_done_callback(lambda _: callback(self))

    @property
    def future(self) -> Future[DiarizationResult] | None:
        """The run's future once started (its result, or the exception that ended it)."""
        return self._job.future

    @property
    def cancelled(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self._job.cancelled

    @property
    def started(self) -> bool:
        """Whether :meth:`start` was called."""
        return self._job.started

    @property
    def done(self) -> bool:
        """Whether the run has ended (with a result, an error or a cancel)."""
        return self._job.done

    @property
    def progress(self) -> Progress | None:
        """The latest progress report (None before the first). Safe from any thread."""
        with self._lock:
            return self._progress

    @property
    def result(self) -> DiarizationResult | None:
        """The result once the run succeeded, else None."""
        future = self._job.future
        if future is None or not future.done() or future.exception() is not None:
            return None
        return future.result()

    @property
    def error(self) -> BaseException | None:
        """What ended the run, if not a result.

        A :class:`DiarizationError`, :class:`Cancelled` or (a bug) anything else.
        """
        future = self._job.future
        if future is None or not future.done():
            return None
        return future.exception()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the run ends or ``timeout`` seconds pass; return :attr:`done`."""
        return self._job.wait(timeout)

    def _report(self, progress: Progress) -> None:
        with self._lock:
            self._progress = progress
        if self._on_progress is not None:
            self._on_progress(progress)

    def _run(self, stop: threading.Event) -> DiarizationResult:
        return diarize(self.request, self._report, stop.is_set)
