"""Coalesced refreshes: a view's work for many model events runs once, on the latest state."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QElapsedTimer, QObject, QTimer


class Deferred(QObject):
    """Run ``work`` once at the next turn of the Qt event loop, however often it was requested.

    Views subscribe a `Deferred` to model events instead of refreshing inside the event, so
    a burst of edits (a held nudge key) costs one refresh, drawn from the latest state, and
    input never queues behind redrawing.

    A view whose refresh costs more than the gap between two auto-repeated keys (about
    40 ms) would still fall behind a held key, one refresh per key; it waits for the input
    to pause instead: with ``quiet_ms`` each request postpones the run until no request has
    come for that long, and ``at_most_ms`` bounds how long a steady stream of requests can
    postpone it.

    Parameters
    ----------
    work
        What to run; it takes no arguments and reads the current state itself.
    parent
        The Qt owner (the view), so the timer dies with it.
    quiet_ms
        Milliseconds without a request before the work runs (0: the next turn of the loop).
    at_most_ms
        With ``quiet_ms``, the longest a run can be postponed after the first request.
    """

    def __init__(
        self,
        work: Callable[[], object],
        parent: QObject | None = None,
        quiet_ms: int = 0,
        at_most_ms: int = 1000,
    ):
        super().__init__(parent)
        self._work = work
        self._quiet_ms = quiet_ms
        self._at_most_ms = at_most_ms
        self._first = QElapsedTimer()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(quiet_ms)
        self._timer.timeout.connect(self._run)

    def request(self, *_ignored: object) -> None:
        """Ask for the work to run soon (event arguments are ignored)."""
        if not self._timer.isActive():
            self._first.start()
            self._timer.start()
        elif self._quiet_ms and self._first.elapsed() + self._quiet_ms <= self._at_most_ms:
            self._timer.start()  # still busy: wait for the pause (within the bound)

    @property
    def pending(self) -> bool:
        """Whether a run has been requested and has not happened yet."""
        return self._timer.isActive()

    def flush(self) -> None:
        """Run now if a run is pending (tests, and before reading what the view shows)."""
        if self._timer.isActive():
            self._timer.stop()
            self._run()

    def _run(self) -> None:
        self._work()
