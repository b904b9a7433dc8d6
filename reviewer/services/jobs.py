"""Background work: a function on a worker thread, a ``Future`` for its end, an ``Event`` to stop.

A :class:`Job` runs ``work(stop)`` through a :class:`concurrent.futures.Executor`; ``stop`` is
the :class:`threading.Event` that :meth:`Job.cancel` sets, which the work polls at the points
where it can stop (pyannote's progress hook, a block of the peak pyramid). Whoever waits for
the outcome uses the job's :class:`~concurrent.futures.Future`: ``result()``, ``exception()``
or ``add_done_callback`` (run on the worker thread, or at once if it is already done). This
module knows nothing of Qt: a window turns a done-callback into a signal.

The diarization job (:mod:`reviewer.services.diarization.job`) and the waveform's peak
pyramid (:class:`reviewer.ui.waveform.PyramidBuilder`) both run this way.

Why :class:`DaemonExecutor` and not ``ThreadPoolExecutor``: since Python 3.9 the pool's worker
threads are joined when the interpreter exits, so quitting the app would wait for whatever
runs, and loading (or downloading) a pyannote pipeline cannot be interrupted. A daemon worker
lets the app quit at once, as it always could; cancel and :meth:`Job.wait` first to stop
cleanly.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import CancelledError, Executor, Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class DaemonExecutor(Executor):
    """An executor that runs each submitted call on a daemon thread of its own.

    Parameters
    ----------
    name
        The worker threads' name (seen in debuggers and thread dumps).
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._shutdown = False

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        """Run ``fn(*args, **kwargs)`` on a new daemon thread; its outcome is the future's.

        Raises
        ------
        RuntimeError
            After :meth:`shutdown`.
        """
        future: Future[T] = Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                result = fn(*args, **kwargs)
            except BaseException as error:  # handed to whoever waits, never lost
                future.set_exception(error)
            else:
                future.set_result(result)

        with self._lock:
            if self._shutdown:
                raise RuntimeError("cannot submit after shutdown")
            thread = threading.Thread(target=run, name=self._name, daemon=True)
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
            thread.start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Refuse new work; with ``wait``, join the threads still running."""
        with self._lock:
            self._shutdown = True
            threads, self._threads = self._threads, []
        if wait:
            for thread in threads:
                if thread is not threading.current_thread():
                    thread.join()


class Job(Generic[T]):
    """``work(stop)`` run once in the background, cancellable through ``stop``.

    Parameters
    ----------
    work
        The function to run; it receives the job's stop :class:`threading.Event` and should
        return soon after it is set (by raising or returning, as the work defines).
    name
        The worker thread's name.
    executor
        Where to run it; by default a :class:`DaemonExecutor` named ``name``.
    """

    def __init__(
        self,
        work: Callable[[threading.Event], T],
        name: str,
        executor: Executor | None = None,
    ) -> None:
        self._work = work
        self._executor = executor or DaemonExecutor(name)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._future: Future[T] | None = None

    def start(self) -> Future[T]:
        """Submit the work (once) and return its future.

        Raises
        ------
        RuntimeError
            If the job was already started.
        """
        with self._lock:
            if self._future is not None:
                raise RuntimeError("this job was already started")
            self._future = self._executor.submit(self._work, self._stop)
            return self._future

    def cancel(self) -> None:
        """Ask the work to stop (sets the event it polls); returns at once."""
        self._stop.set()

    @property
    def cancelled(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self._stop.is_set()

    @property
    def future(self) -> Future[T] | None:
        """The work's future once started, else None."""
        return self._future

    @property
    def started(self) -> bool:
        """Whether :meth:`start` was called."""
        return self._future is not None

    @property
    def done(self) -> bool:
        """Whether the work has ended (with a result or an exception)."""
        return self._future is not None and self._future.done()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the work ends or ``timeout`` seconds pass; return :attr:`done`.

        Returns False at once if the job was never started.
        """
        future = self._future
        if future is None:
            return False
        try:
            future.exception(timeout)
        except FutureTimeout:
            return False
        except CancelledError:
            pass
        return True
