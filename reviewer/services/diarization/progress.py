"""Progress and cancelling: pyannote's hook calls become ordered :class:`Progress` reports.

pyannote calls a *hook* between units of work: once per batch of segmentation chunks, once per
batch of speaker embeddings, and once at the end of each step ("segmentation", "speaker
counting", "embeddings", "discrete diarization"). :class:`ProgressTracker` turns each call into
a :class:`Progress` whose overall fraction, weighted by :data:`STEPS`, never decreases.
Cancelling is cooperative: the hook raises :class:`Cancelled` at its next call once
``should_stop`` says so, before reporting anything more (see :mod:`reviewer.services.diarization`
for how soon that is).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from reviewer.services.diarization.values import (
    STEPS,
    Cancelled,
    Progress,
    ProgressCallback,
)

_PYANNOTE_STEPS = {
    "segmentation": "segmentation",
    "speaker_counting": "speaker counting",
    "embeddings": "embeddings",
    "discrete_diarization": "clustering",
}

_MIN_ESTIMATE_FRACTION = 0.02
"""Below this overall fraction, :attr:`Progress.seconds_left` is None (too early to guess)."""


class ProgressTracker:
    """Turns pyannote hook calls into :class:`Progress` reports; raises when told to stop.

    Parameters
    ----------
    report
        Called with each :class:`Progress`, on the thread that runs the pipeline, in order.
    should_stop
        Polled at every hook call; when True the hook raises :class:`Cancelled`.
    clock
        Seconds for :attr:`Progress.elapsed` (monotonic by default).
    """

    def __init__(
        self,
        report: ProgressCallback,
        should_stop: Callable[[], bool],
        clock: Callable[[], float] = time.monotonic,
    ):
        self._report = report
        self._should_stop = should_stop
        self._clock = clock
        self._started = clock()
        self._fraction = 0.0
        self._offsets: dict[str, tuple[float, float]] = {}
        offset = 0.0
        for name, weight in STEPS:
            self._offsets[name] = (offset, weight)
            offset += weight

    def hook(
        self,
        step_name: str,
        step_artifact: Any = None,
        file: Any = None,
        total: int | None = None,
        completed: int | None = None,
    ) -> None:
        """The pyannote hook: ``hook(step_name, artifact, file=, total=, completed=)``."""
        check_stop(self._should_stop)
        step = _PYANNOTE_STEPS.get(step_name, step_name.replace("_", " "))
        if total and completed is not None:
            done = min(max(completed / total, 0.0), 1.0)  # completed may exceed total
        elif completed is None and total is None:
            done = 1.0  # the call that hands over a step's finished artifact
        else:
            done = 0.0
        if step_name == "embeddings" and done == 1.0 and total is None:
            step, done = "clustering", 0.0  # embeddings finished: clustering starts now
        self._emit(step, done)

    def finish(self) -> None:
        """Report the end of the run."""
        self._emit("done", 1.0, overall=1.0)

    def _emit(self, step: str, done: float, overall: float | None = None) -> None:
        if overall is None:
            known = self._offsets.get(step)
            overall = self._fraction if known is None else known[0] + known[1] * done
        self._fraction = min(max(self._fraction, overall), 1.0)
        elapsed = self._clock() - self._started
        if self._fraction >= 1.0:
            left: float | None = 0.0
        elif self._fraction >= _MIN_ESTIMATE_FRACTION:
            left = elapsed * (1.0 - self._fraction) / self._fraction
        else:
            left = None
        self._report(Progress(step, done, self._fraction, elapsed, left))


def check_stop(should_stop: Callable[[], bool]) -> None:
    """Raise :class:`Cancelled` if ``should_stop()`` says so."""
    if should_stop():
        raise Cancelled("diarization cancelled")
