"""Coalesced refreshes: a view's work for many model events runs once, on the latest state."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer


class Deferred(QObject):
    """Run ``work`` once at the next turn of the Qt event loop, however often it was requested.

    Views subscribe a `Deferred` to model events instead of refreshing inside the event, so
    a burst of edits (a held nudge key) costs one refresh, drawn from the latest state, and
    input never queues behind redrawing.

    Parameters
    ----------
    work
        What to run; it takes no arguments and reads the current state itself.
    parent
        The Qt owner (the view), so the timer dies with it.
    """

    def __init__(self, work: Callable[[], object], parent: QObject | None = None):
        super().__init__(parent)
        self._work = work
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._run)

    def request(self, *_ignored: object) -> None:
        """Ask for the work to run soon (event arguments are ignored)."""
        if not self._timer.isActive():
            self._timer.start()

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
